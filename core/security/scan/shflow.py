"""Data flow through shell code, line to line: variables that hold credentials, the environment, decoded
or downloaded text, and the files a script downloads, followed to the commands that send or run them.

`KEY=$(cat ~/.ssh/id_rsa)` on one line and `curl -d "$KEY" ...` ten lines later is one exfiltration;
`P=$(echo ... | base64 -d)` and `eval "$P"` is one hidden command; `curl -o /tmp/x URL` and `bash /tmp/x`
is one download-and-run. Single-line forms are the line rules' business; this pass connects lines.
"""

from __future__ import annotations

import re

from skillwarden.core.security.scan.flow import (
    DECODED,
    ENV,
    PATH,
    REMOTE,
    SECRET,
    SECRET_NAME,
    Built,
    FlowResult,
    exec_hit,
    kinds,
    label,
    leak_hit,
)
from skillwarden.core.security.scan.patterns import (
    DECODER,
    DOWNLOADER,
    READ_COMMAND,
    SECRET_STORE,
    SENSITIVE_PATH,
    VENDOR_INSTALLER,
    downloaded_files,
)
from skillwarden.core.security.scan.text import logical_lines

STATEMENT_SPLIT = re.compile(r"\s*(?:;|&&|\|\|)\s*")
ASSIGNMENT = re.compile(r"^(?:export\s+|local\s+|readonly\s+|declare\s+(?:-\w+\s+)*)?([A-Za-z_]\w*)=(.*)$")
FOR_LOOP = re.compile(r"^for\s+([A-Za-z_]\w*)\s+in\s+(.*)$")
VARIABLE_USE = re.compile(r"\$\{?([A-Za-z_]\w*)")
VARIABLE_REFERENCE = re.compile(r"\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)")
ENV_DUMP = re.compile(r"\$\(\s*(?:env|printenv|set|export\s+-p)\b[^)]*\)|`\s*(?:env|printenv)\b")
DECODE = re.compile(DECODER)
DOWNLOAD = re.compile(DOWNLOADER)
# A command that sends its data or its input somewhere else.
SEND = re.compile(
    r"\bcurl\b[^\n|;&]{0,400}?\s(?:-d|--data[\w-]*|-F|--form|-T|--upload-file|--json|-X\s*(?:POST|PUT))\b"
    r"|\bwget\b[^\n|;&]{0,400}?--post-(?:data|file)|\b(?:nc|ncat|netcat|socat|telnet)\s+[\w.-]+"
    r"|\b(?:scp|rsync|sftp)\b[^\n|;&]{0,300}\s[\w.-]+@?[\w.-]+:|\b(?:mail|sendmail|mutt)\b\s"
    r"|\b(?:dig|nslookup|host|drill)\s|/dev/(?:tcp|udp)/|\bInvoke-(?:WebRequest|RestMethod)\b[^\n]{0,300}-Body"
)
RUN = re.compile(
    r"\beval\b|\b(?:ba|z|da)?sh\s+-c\b|\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b|\bsource\s|^\.\s|\bpython[23]?\s+-c\b"
)

MAX_DOWNLOADS = 20  # downloaded files followed per script; each costs a search per later line
MAX_LITERAL = 10_000  # characters of one variable's value kept for expansion
QUOTED = re.compile(r"""^(?:"([^"$`\\]*)"|'([^']*)'|([^\s"'$`;&|<>()]*))$""")


class ShellFlow:
    def __init__(self, file: str) -> None:
        self.file = file
        self.env: dict[str, set[str]] = {}
        self.downloaded: dict[str, str] = {}  # file name -> label of the download
        self.literals: dict[str, str] = {}  # variable -> the literal text it holds
        self.result = FlowResult()

    def expanded(self, text: str) -> str:
        """`text` with the variables that hold literal text replaced by it (`$a$b` -> `curl`)."""

        def value(match: re.Match[str]) -> str:
            return self.literals.get(match.group(1) or match.group(2), match.group(0))

        return VARIABLE_REFERENCE.sub(value, text)

    def remember_literal(self, name: str, value: str) -> None:
        """`a="cu"`, `b=${a}rl`: a variable whose value is literal text once the known variables are filled in."""
        literal = QUOTED.match(self.expanded(value.strip())) if "$(" not in value and "`" not in value else None
        text = next((group for group in literal.groups() if group is not None), None) if literal else None
        if text is not None and len(text) <= MAX_LITERAL:
            self.literals[name] = text
        else:
            self.literals.pop(name, None)

    def value_labels(self, text: str, line: int) -> set[str]:
        found: set[str] = set()
        for name in VARIABLE_USE.findall(text):
            found |= self.env.get(name, set())
        if ENV_DUMP.search(text):
            found.add(label(ENV, self.file, line))
        if SECRET_STORE.search(text) or (SENSITIVE_PATH.search(text) and READ_COMMAND.search(text)):
            found.add(label(SECRET, self.file, line))
        elif SENSITIVE_PATH.search(text):
            found.add(label(PATH, self.file, line))
        if DECODE.search(text):
            found.add(label(DECODED, self.file, line))
        if DOWNLOAD.search(text) and ("$(" in text or "`" in text):
            found.add(label(REMOTE, self.file, line))
        return found

    def statement(self, text: str, line: int) -> None:
        if assignment := ASSIGNMENT.match(text):
            name, value = assignment.groups()
            self.remember_literal(name, value)
            labels = self.value_labels(value, line)
            if SECRET_NAME.search(name) and not labels and value.strip("\"'") and "$" not in value:
                return  # a literal default such as API_KEY=changeme is the secret detector's business
            self.env[name] = labels
            if kinds(labels) & {SECRET, ENV}:
                self.result.sources.append((self.file, line, "reads credentials into $" + name))
            return
        if loop := FOR_LOOP.match(text):
            self.env[loop.group(1)] = self.value_labels(loop.group(2), line)
            return
        for _start, name in downloaded_files(text):
            if len(name) >= 3 and len(self.downloaded) < MAX_DOWNLOADS and not VENDOR_INSTALLER.search(text):
                self.downloaded[name] = label(REMOTE, self.file, line)
        if self.literals and (expanded := self.expanded(text)) != text:
            self.result.built.append(Built(self.file, line, expanded, "assembles from shell variables", False))
        used = self._used_labels(text, line)
        if SEND.search(text):
            self.result.sends.append((self.file, line, text.split()[0] if text.split() else "send"))
            if (hit := leak_hit(used | self._sent_files(text, line))) is not None:
                self.result.hits.append((self.file, line, hit))
        if (RUN.search(text) or self._runs_a_variable(text)) and (hit := exec_hit(used)) is not None:
            self.result.hits.append((self.file, line, hit))
        if (ran := self._runs_a_download(text)) is not None and (hit := exec_hit({ran})) is not None:
            self.result.hits.append((self.file, line, hit))

    def _used_labels(self, text: str, line: int) -> set[str]:
        used = set()
        for name in VARIABLE_USE.findall(text):
            used |= self.env.get(name, set())
        return {v for v in used if not v.startswith(PATH)}

    def _sent_files(self, text: str, line: int) -> set[str]:
        """`-F f=@$KEYFILE`, `-T ~/.ssh/id_rsa`, `< $KEYFILE`: a credential path sent as a file is read."""
        sent: set[str] = set()
        for match in re.finditer(r"(?:@|-T\s+|--upload-file\s+|<\s*)[\"']?(\$\{?[A-Za-z_]\w*|[~/$][^\s\"']*)", text):
            target = match.group(1)
            if target.startswith("$"):
                if any(v.startswith(PATH) for v in self.env.get(target.lstrip("${"), set())):
                    sent.add(label(SECRET, self.file, line))
            elif SENSITIVE_PATH.search(target):
                sent.add(label(SECRET, self.file, line))
        return sent

    @staticmethod
    def _runs_a_variable(text: str) -> bool:
        return re.match(r"^[\"']?\$\{?[A-Za-z_]", text) is not None

    def _runs_a_download(self, text: str) -> str | None:
        """The download a statement runs: `bash /tmp/x.sh`, `./x.sh`, `. x.sh`, `python x.py`."""
        for name, where in self.downloaded.items():
            runner = r"^(?:sudo\s+)?(?:(?:ba|z)?sh\s+|python[23]?\s+|source\s+|\.\s+)?(?:\S*/)?"
            if re.match(runner + re.escape(name) + r"(?![\w.])", text):
                return where
        return None


def shell_flow(file: str, first_line: int, source: str) -> FlowResult:
    flow = ShellFlow(file)
    for line_number, line in logical_lines(source):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for statement in STATEMENT_SPLIT.split(stripped)[:50]:
            if statement:
                flow.statement(statement, first_line + line_number - 1)
    return flow.result

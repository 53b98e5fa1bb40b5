"""Data flow through JavaScript and TypeScript, at the level of tokens: `const x = <source>` taints `x`,
anything assigned from a tainted name is tainted, and a send or an eval whose arguments hold a tainted
name or a source is a flow. No parser: a skill's scripts are small, and a regex pass never fails on
syntax a parser would reject."""

from __future__ import annotations

import re

from skillwarden.core.security.scan.flow import (
    DECODED,
    ENV,
    REMOTE,
    SECRET,
    SECRET_ENV,
    Built,
    FlowResult,
    exec_hit,
    kinds,
    label,
    leak_hit,
)
from skillwarden.core.security.scan.patterns import SECRET_STORE, SENSITIVE_PATH

COMMENT = re.compile(r"/\*.*?\*/|(?<![:\"'\\])//[^\n]*", re.S)
DECLARATION = re.compile(r"\b(?:const|let|var)\s+(?:\{([^}]{0,300})\}|\[([^\]]{0,300})\]|([A-Za-z_$][\w$]*))\s*=\s*")
REASSIGNMENT = re.compile(r"(?m)^\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?)\s*(?:\+?=)(?!=)\s*")
IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
ENV_WHOLE = re.compile(
    r"\b(?:JSON\.stringify|Object\.(?:entries|keys|values|assign))\([^)]{0,40}process\.env\s*\)|\.\.\.process\.env\b"
    r"|=\s*process\.env\s*[;\n]"
)
SECRET_ENV_READ = re.compile(r"process\.env(?:\.|\[[\"'])\w*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)\w*")
FILE_READ = re.compile(r"\b(?:readFileSync|readFile|createReadStream|readdirSync)\s*\(")
HOME_SECRET = re.compile(r"homedir\(\)[^;\n]{0,80}[\"'`]\.(?:ssh|aws|gnupg|docker|kube|config/gcloud)|\.ssh|\.aws")
DECODE = re.compile(r"Buffer\.from\([^;\n]{0,200}[\"'](?:base64|hex)[\"']\)|\batob\(|\bunescape\(")
DOWNLOAD = re.compile(r"\b(?:fetch|axios(?:\.get)?|https?\.get|got|request)\s*\(")
SEND = re.compile(
    r"\bfetch\s*\(|\baxios(?:\.(?:post|put|patch|request))?\s*\(|\bhttps?\.request\s*\(|\bnavigator\.sendBeacon\s*\("
    r"|\.send\s*\(|\.write\s*\(|\bnet\.connect\s*\(|\bdns\.(?:resolve\w*|lookup)\s*\(|\$\.(?:post|ajax)\s*\("
)
RUN = re.compile(r"\beval\s*\(|\bnew\s+Function\s*\(|\b(?:exec|execSync|spawn|spawnSync)\s*\(|\bvm\.run\w*\s*\(")
ARGUMENT_LIMIT = 3000


def arguments_after(text: str, start: int) -> str:
    """The text from an opening parenthesis to its match (bounded), for a call's arguments."""
    depth = 0
    end = min(len(text), start + ARGUMENT_LIMIT)
    for index in range(start, end):
        character = text[index]
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    return text[start:end]


def assigned_names(match: re.Match[str]) -> list[str]:
    """`const {a, b: c} = ...` assigns a and c (and b, harmlessly); `x.y = ...` taints x."""
    if match.re is DECLARATION and (match.group(1) or match.group(2)):
        return IDENTIFIER.findall(match.group(1) or match.group(2))
    return [(match.group(3) if match.re is DECLARATION else match.group(1)).split(".")[0]]


def _statement_end(text: str, start: int) -> int:
    ends = [i for i in (text.find(";", start), text.find("\n", start)) if i != -1]
    end = min(ends) if ends else len(text)
    if text[start:end].count("(") > text[start:end].count(")"):  # a call spanning lines
        return start + len(arguments_after(text, text.find("(", start)))
    return end


class ScriptFlow:
    def __init__(self, file: str, source: str, first_line: int) -> None:
        self.file, self.first_line = file, first_line
        self.text = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), source)
        self.env: dict[str, set[str]] = {}
        self.result = FlowResult()

    def line_of(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, offset)

    def labels(self, expression: str, offset: int) -> set[str]:
        line = self.line_of(offset)
        found: set[str] = set()
        for name in set(IDENTIFIER.findall(expression)):
            found |= self.env.get(name, set())
        if ENV_WHOLE.search(expression) or re.fullmatch(r"\s*process\.env\s*", expression):
            found.add(label(ENV, self.file, line))
        if SECRET_ENV_READ.search(expression):
            found.add(label(SECRET_ENV, self.file, line))
        if SECRET_STORE.search(expression) or (
            FILE_READ.search(expression) and (SENSITIVE_PATH.search(expression) or HOME_SECRET.search(expression))
        ):
            found.add(label(SECRET, self.file, line))
        if DECODE.search(expression):
            found.add(label(DECODED, self.file, line))
        if DOWNLOAD.search(expression):
            found.add(label(REMOTE, self.file, line))
        return found

    def run(self) -> FlowResult:
        text = self.text
        assignments = [*DECLARATION.finditer(text), *REASSIGNMENT.finditer(text)]
        for _ in range(2):  # twice, so a name tainted by a later declaration reaches an earlier use
            for match in assignments:
                value = text[match.end() : _statement_end(text, match.end())]
                labels = self.labels(value, match.end())
                for name in assigned_names(match):
                    self.env.setdefault(name, set()).update(labels)
        for match in SEND.finditer(text):
            arguments = arguments_after(text, match.end() - 1)
            self.result.sends.append((self.file, self.line_of(match.start()), match.group(0).rstrip("( ")))
            labels = {
                v for v in self.labels(arguments, match.start()) if not v.startswith(REMOTE)
            }  # the response of this very call
            if (hit := leak_hit(labels, in_body="headers" not in arguments)) is not None:
                self.result.hits.append((self.file, self.line_of(match.start()), hit))
        for match in RUN.finditer(text):
            arguments = arguments_after(text, match.end() - 1)
            if (hit := exec_hit(self.labels(arguments, match.start()))) is not None:
                self.result.hits.append((self.file, self.line_of(match.start()), hit))
        for name, labels in self.env.items():
            if kinds(labels) & {SECRET, ENV}:
                self.result.sources.append((self.file, self.first_line, f"reads credentials into {name}"))
                break
        return self.result


# String pieces a script glues back together: 'cu' + 'rl', ['ht','tp'].join(''), String.fromCharCode(99, 117),
# 'lrruc'.split('').reverse().join('').
LITERAL = r"""(?:"(?:[^"\\\n]|\\.){0,2000}"|'(?:[^'\\\n]|\\.){0,2000}'|`(?:[^`\\$]|\\.){0,2000}`)"""
CONCATENATION = re.compile(rf"{LITERAL}(?:\s*\+\s*{LITERAL}){{1,200}}")
JOINED_ARRAY = re.compile(rf"\[\s*({LITERAL}(?:\s*,\s*{LITERAL}){{1,500}})\s*,?\s*\]\s*\.join\(\s*({LITERAL})?\s*\)")
CODE = r"(?:0x[0-9a-fA-F]+|\d+)"
CHAR_CODES = re.compile(rf"String\.fromCharCode\(\s*(?:\.\.\.\s*\[)?\s*({CODE}(?:\s*,\s*{CODE}){{2,2000}})")
REVERSED = re.compile(rf"({LITERAL})\s*\.split\(\s*(?:''|\"\")\s*\)\s*\.reverse\(\)\s*\.join\(\s*(?:''|\"\")\s*\)")
ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]{1,6})\}|(.))", re.S)
SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}


def unquoted(literal: str) -> str:
    """The value of a JavaScript string literal, escapes resolved."""

    def resolve(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2) or match.group(3)
        if code:
            value = int(code, 16)
            return chr(value) if value <= 0x10FFFF else ""
        return SIMPLE_ESCAPES.get(match.group(4), match.group(4))

    return ESCAPE.sub(resolve, literal[1:-1])


def assembled_strings(file: str, first_line: int, source: str) -> list[Built]:
    """The strings a script builds from pieces of literals, and literals whose escapes spell something."""
    found: list[Built] = []

    def add(offset: int, text: str, decoded: bool) -> None:
        if len(text) >= 6:
            line = first_line + source.count("\n", 0, offset)
            how = "decodes at run time" if decoded else "builds at run time"
            found.append(Built(file, line, text, how, decoded))

    for match in CONCATENATION.finditer(source):
        add(match.start(), "".join(unquoted(piece) for piece in re.findall(LITERAL, match.group(0))), False)
    for match in JOINED_ARRAY.finditer(source):
        separator = unquoted(match.group(2)) if match.group(2) else ","
        add(match.start(), separator.join(unquoted(piece) for piece in re.findall(LITERAL, match.group(1))), False)
    for match in CHAR_CODES.finditer(source):
        codes = [int(n, 0) for n in re.findall(r"0x[0-9a-fA-F]+|\d+", match.group(1))]
        add(match.start(), "".join(chr(c) for c in codes if c <= 0x10FFFF), True)
    for match in REVERSED.finditer(source):
        add(match.start(), unquoted(match.group(1))[::-1], True)
    return found


def script_flow(file: str, first_line: int, source: str) -> FlowResult:
    result = ScriptFlow(file, source, first_line).run()
    result.built += assembled_strings(file, first_line, source)
    return result

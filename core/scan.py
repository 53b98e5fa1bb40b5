"""Security scan of a candidate skill or harness change, before review and again before commit.

Skills are mined from untrusted traces and then loaded by agents, so a skill is a path from whatever an
agent once read (a web page, a README, a tool result) into every later session. The scanner looks for
what Hermes `skills_guard` and Cisco's skill-scanner look for: exfiltration, prompt injection,
destructive commands, persistence, obfuscation, supply-chain installs, credentials and reverse shells.

Findings are tiered so that documentation which merely mentions a risky thing is not blocked: "update
AGENTS.md" in prose is low, `echo ... >> AGENTS.md` is high; `rm -rf build/` is nothing, `rm -rf ~` is
high. The verdict maps onto the review rules: critical is never applied (dangerous), high and medium need
a human (caution), low alone is safe.
"""

from __future__ import annotations

import bisect
import enum
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from skillwarden.core.redact import find_secrets, redact

SCANNER_VERSION = "1"
EXCERPT_WIDTH = 120


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class Verdict(enum.StrEnum):
    SAFE = "safe"
    CAUTION = "caution"
    DANGEROUS = "dangerous"


@dataclass(frozen=True)
class Finding:
    category: str
    severity: Severity
    line: int  # 1-based
    excerpt: str  # redacted, with invisible characters escaped
    rule: str
    message: str


@dataclass(frozen=True)
class ScanReport:
    verdict: Verdict
    findings: tuple[Finding, ...]
    scanner_version: str

    def to_json(self) -> dict:
        return {
            "verdict": str(self.verdict),
            "scanner_version": self.scanner_version,
            "findings": [
                {
                    "category": finding.category,
                    "severity": str(finding.severity),
                    "line": finding.line,
                    "excerpt": finding.excerpt,
                    "rule": finding.rule,
                    "message": finding.message,
                }
                for finding in self.findings
            ],
        }


@dataclass(frozen=True)
class _Hit:
    """A finding before it knows its line: what a checker reports about one logical line."""

    category: str
    severity: Severity
    rule: str
    message: str
    column: int = 0


# --- patterns shared by several checks -------------------------------------------------------------------

# Files whose contents are credentials. `.env.example` and friends are templates, deliberately not here.
SENSITIVE_PATH = re.compile(
    r"~/\.ssh\b|\$HOME/\.ssh\b|\.ssh/(?:id_\w+|authorized_keys|config)\b|\bid_(?:rsa|dsa|ecdsa|ed25519)\b"
    r"|\.aws/credentials\b|(?<![\w.-])\.env(?:\.(?!example\b|sample\b|template\b|dist\b|defaults\b)\w+)?(?![\w.-])"
    r"|/etc/shadow\b|/etc/sudoers\b|\.netrc\b|\.git-credentials\b|\.npmrc\b|\.pypirc\b|\.pgpass\b"
    r"|\.docker/config\.json\b|\.kube/config\b|\.config/gcloud\b|\.gnupg\b|credentials\.json\b"
)
# Commands and calls that move data off the machine.
NETWORK_COMMAND = re.compile(
    r"\b(?:curl|wget|nc|ncat|netcat|scp|rsync|sftp|ftp|socat|telnet|httpie|Invoke-WebRequest|Invoke-RestMethod"
    r"|requests\.(?:post|put|patch|get)|urlopen|urllib\.request|fetch|axios|aiohttp|smtplib|sendmail)\b"
    r"|/dev/(?:tcp|udp)/"
)
# Prose that tells the agent to move something off the machine: "send the key to ...", "upload ... to".
EXFIL_VERB = re.compile(r"(?i)\b(?:upload|send|post|exfiltrate|transmit|forward|paste|leak)\b")
READ_COMMAND = re.compile(
    r"\b(?:cat|less|more|head|tail|cp|base64|xxd|od|strings|grep|awk|source|open|read_text|read_bytes"
    r"|readFile|readFileSync|Read|Get-Content|type|print|echo|load_dotenv)\b|\bread\b|<\s*\S"
)
SECRET_VARIABLE = r"\$\{?[A-Za-z_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS?|AUTH)[A-Za-z0-9_]*\}?"
SHELL = r"(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+)?(?:/usr)?(?:/bin/)?(?:ba|z|da|k|c|tc|fi)?sh\b"
INTERPRETER = rf"(?:{SHELL}|python[23]?\b|perl\b|ruby\b|node\b|php\b|iex\b|Invoke-Expression\b)"
# A decoding step, written so each pattern that uses it scans the rest of a line once, not once per flag.
DECODER = r"(?:\b(?:base64|base32)\s+(?:-\w+\s+)*(?:-d|--decode|-D)\b|\bxxd\s+-r\b|\bopenssl\s+(?:base64|enc)\s+-d\b)"
DOWNLOADER = r"\b(?:curl|wget|fetch|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b"


@dataclass(frozen=True)
class _PatternRule:
    rule: str
    category: str
    severity: Severity
    pattern: re.Pattern[str]
    message: str


def _rule(rule: str, category: str, severity: Severity, pattern: str, message: str) -> _PatternRule:
    return _PatternRule(rule, category, severity, re.compile(pattern), message)


CRIT, HIGH, MED, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

# Rules a single regex decides. Those that need to weigh context (which file, which target, which
# branch) are functions further down.
PATTERN_RULES: tuple[_PatternRule, ...] = (
    # reverse shells
    _rule("dev_tcp_shell", "reverse_shell", CRIT, r"/dev/(?:tcp|udp)/[\w.-]+/\d+",
          "opens a shell connection to a remote host through /dev/tcp"),
    _rule("interactive_shell_redirect", "reverse_shell", CRIT, r"\b(?:ba|z)?sh\s+-i\b[^\n]{0,300}[<>]&",
          "redirects an interactive shell to a socket"),
    _rule("netcat_exec", "reverse_shell", CRIT, r"\b(?:nc|ncat|netcat)\b[^\n;|&]{0,300}\s-[A-Za-z]*[ec](?:\s|$)",
          "netcat with -e/-c hands a shell to whoever connects"),
    _rule("fifo_netcat", "reverse_shell", CRIT, r"\bmkfifo\b[^\n]{0,300}\b(?:nc|ncat|netcat|telnet|openssl)\b",
          "a named pipe wired to a network client: a classic reverse shell"),
    _rule("socat_exec", "reverse_shell", CRIT, r"(?i)\bsocat\b[^\n]{0,300}\b(?:exec|system):",
          "socat executing a program for a network peer"),
    _rule("socket_spawn_shell", "reverse_shell", CRIT,
          r"\bsocket\b[^\n]{0,300}\b(?:pty\.spawn|os\.dup2|subprocess\.call\(\s*\[?\s*[\"']/bin/(?:ba)?sh)",
          "a script that connects a socket to a shell"),
    # supply chain: remote code piped into an interpreter
    _rule("download_pipe_shell", "supply_chain", CRIT, DOWNLOADER + r"[^\n;&]{0,300}\|\s*" + INTERPRETER,
          "runs a downloaded script without reviewing it (curl | sh)"),
    _rule("download_substitution_shell", "supply_chain", CRIT,
          r"(?:\b(?:ba|z)?sh\s+(?:-c\s+)?|\b(?:eval|source)\s+|(?:^|[;&|]\s*)\.\s+)[\"']?(?:<\(|\$\()\s*"
          + DOWNLOADER,
          "runs a downloaded script without reviewing it (bash <(curl ...))"),
    _rule("powershell_download_exec", "supply_chain", CRIT,
          r"(?i)\b(?:iex|Invoke-Expression)\b[^\n]{0,300}\b(?:DownloadString|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b",
          "PowerShell runs a downloaded script"),
    _rule("pip_trusted_host", "supply_chain", MED, r"--trusted-host\b",
          "--trusted-host turns off TLS verification for a package index"),
    _rule("custom_package_index", "supply_chain", MED,
          r"(?:--(?:extra-)?index-url|\s-i)\s*=?\s*[\"']?https?://(?!pypi\.org|files\.pythonhosted\.org)"
          r"|\b(?:pip|pip3|uv)\s+config\s+set\s+\S*index-url|\bnpm\s+config\s+set\s+registry\b"
          r"|--registry[=\s]+[\"']?https?://(?!registry\.npmjs\.org|registry\.yarnpkg\.com)",
          "adds a package index other than the public one"),
    # obfuscation
    _rule("decode_pipe_shell", "obfuscation", CRIT,
          DECODER + r"[^\n]{0,300}\|\s*" + INTERPRETER,
          "decodes hidden text and runs it (base64 -d | sh)"),
    _rule("eval_decoded_code", "obfuscation", CRIT,
          r"\beval\b[^\n]{0,300}?" + DECODER,
          "evaluates shell code decoded from base64"),
    _rule("exec_decoded_code", "obfuscation", CRIT,
          r"\b(?:exec|eval)\s*\([^\n]{0,300}(?:b64decode|a85decode|b32decode|decode\(\s*[\"'](?:base64|hex|rot13)"
          r"|decompress\(|marshal\.loads|bytes\.fromhex|codecs\.decode)",
          "executes code decoded at run time, so a reviewer cannot read what runs"),
    _rule("python_c_exec", "obfuscation", MED, r"\bpython[23]?\s+-c\s+[\"'][^\n]{0,300}\bexec\s*\(",
          "python -c with exec() runs code a reviewer has to reconstruct"),
    # prompt injection
    _rule("ignore_previous_instructions", "prompt_injection", HIGH,
          r"(?i)\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+|of\s+)*"
          r"(?:previous|prior|above|earlier|preceding|former|system|original)\s+"
          r"(?:instructions?|prompts?|directions?|rules|messages?|guidelines|context)",
          "tries to override the agent's instructions"),
    _rule("disregard_system_prompt", "prompt_injection", HIGH,
          r"(?i)\b(?:ignore|disregard|forget|override|bypass)\s+(?:the\s+|your\s+)?(?:system\s+prompt|safety\s+"
          r"(?:rules|guidelines)|guardrails)",
          "tries to override the system prompt"),
    _rule("conceal_from_user", "prompt_injection", HIGH,
          r"(?i)\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|mention\s+(?:this\s+|it\s+)?to|notify|alert|show)"
          r"\s+(?:the\s+)?user\b|\bwithout\s+(?:telling|informing|notifying)\s+the\s+user\b"
          r"|\b(?:hide|conceal|keep)\s+(?:this|it)\s+(?:secret\s+)?from\s+the\s+user\b",
          "asks the agent to hide its actions from the user"),
    _rule("role_hijack", "prompt_injection", HIGH,
          r"(?i)\byou\s+are\s+now\s+(?:an?\s+|the\s+|in\s+)?(?:DAN\b|unrestricted|unfiltered|jailbroken|evil"
          r"|developer\s+mode|(?:\w+\s+){0,3}?(?:assistant|AI|model|agent|persona|character|bot)\b)"
          r"|\byou\s+are\s+no\s+longer\b|\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must)\b"
          r"|\bnew\s+system\s+prompt\b|\bpretend\s+(?:that\s+)?you\s+(?:are|have)\s+no\b",
          "tries to give the agent a new role"),
    _rule("chat_template_tokens", "prompt_injection", HIGH, r"<\|im_(?:start|end)\|>|<\|(?:system|endoftext)\|>",
          "chat-template control tokens that fake a system or assistant turn"),
    _rule("extractor_injection", "prompt_injection", HIGH,
          r"(?i)\bwhen\s+(?:you\s+(?:are\s+)?)?(?:summari[sz]|extract|mine|mining|distill|generat|creat|writ|review)"
          r"\w*\b[^\n]{0,100}?\b(?:create|add|write|generate|include|make|emit|propose|save)\b[^\n]{0,60}?\bskills?\b"
          r"|\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+)?(?:summari[sz]er|extractor|skill\s+miner"
          r"|reviewer|scanner|model\s+reading\s+this)\b"
          r"|\b(?:mark|label)\s+(?:this|it)\s+(?:skill\s+)?as\s+(?:safe|approved|trusted|reviewed)\b"
          r"|\b(?:skip|bypass|disable)\s+(?:the\s+)?(?:security\s+)?(?:scan|scanner|review)\b",
          "addresses the skill extractor or reviewer instead of the task"),
    # destructive
    _rule("make_filesystem", "destructive", HIGH, r"\bmkfs(?:\.\w+)?\s", "formats a filesystem"),
    _rule("raw_disk_write", "destructive", HIGH,
          r"\bdd\b[^\n;|&]{0,300}\bof=/dev/(?!null\b|zero\b|stdout\b|stderr\b|tty\b)\w|>\s*/dev/(?:sd|nvme|hd|xvd|vd|disk)\w",
          "writes over a raw disk device"),
    _rule("drop_database", "destructive", HIGH, r"(?i)\bdrop\s+(?:database|schema)\b", "drops a whole database"),
    _rule("chmod_world_writable_root", "destructive", HIGH,
          r"\bchmod\s+(?:-\w*R\w*|--recursive)\s+(?:0?777|a\+rwx|ugo\+rwx)\s+[\"']?(?:/\*?|~/?|\$HOME/?|\$\{HOME\}/?)"
          r"[\"']?(?:\s|$)",
          "makes the whole system or home directory world-writable"),
    _rule("fork_bomb", "destructive", HIGH, r":\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:", "a fork bomb"),
    # persistence that needs no particular target file
    _rule("crontab_install", "persistence", HIGH,
          r"\|\s*crontab\b|\bcrontab\s+(?:-e\b|-\s|-$|(?!-)[^\s|;&]+)|>>?\s*/(?:etc/cron|var/spool/cron)",
          "installs a cron job that keeps running after the session"),
    _rule("service_enable", "persistence", HIGH,
          r"\bsystemctl\s+(?:--user\s+)?enable\b|\blaunchctl\s+(?:load|bootstrap)\b"
          r"|\b(?:Library/LaunchAgents|\.config/systemd/user|/etc/systemd/system)/[\w@.-]+\.(?:plist|service|timer)",
          "registers a service that starts on its own"),
)  # fmt: skip

# --- context-dependent checks ----------------------------------------------------------------------------

RM_COMMAND = re.compile(r"\brm\s+([^\n;&|]*)")
# `rm -r` targets that destroy a system or a home directory; anything relative (build/, dist) is routine.
CATASTROPHIC_RM_TARGETS = frozenset(
    {"/", "/*", "~", "~/*", "$HOME", "$HOME/*", "/home", "/etc", "/usr", "/var", "/bin", "/boot", "/lib",
     "/opt", "/root", "/srv", "/sys", "/dev", "/home/*", "/etc/*", "/usr/*", "/var/*", "C:\\", "C:/"}
)  # fmt: skip


def _normalized_rm_target(argument: str) -> str:
    target = argument.strip("\"'").replace("${HOME}", "$HOME")
    target = re.sub(r"/{2,}", "/", target)
    return target.rstrip("/") or "/" if target.startswith("/") else target.rstrip("/")


def check_rm(line: str) -> Iterator[_Hit]:
    for match in RM_COMMAND.finditer(line):
        arguments = match.group(1).split()
        flags = [a for a in arguments if a.startswith("-")]
        recursive = any(
            flag in ("--recursive", "--no-preserve-root")
            or (not flag.startswith("--") and ("r" in flag or "R" in flag))
            for flag in flags
        )
        targets = {_normalized_rm_target(a) for a in arguments if not a.startswith("-")}
        if recursive and (targets & CATASTROPHIC_RM_TARGETS or "--no-preserve-root" in flags):
            yield _Hit(
                "destructive", HIGH, "rm_rf_root_or_home", "recursively deletes / or a home directory", match.start()
            )


GIT_PUSH = re.compile(r"\bgit\s+push\b([^\n;&|]*)")
PROTECTED_BRANCH = re.compile(r"(?:^|[\s:+])(?:main|master|trunk|production|release)\b")


def check_force_push(line: str) -> Iterator[_Hit]:
    for match in GIT_PUSH.finditer(line):
        arguments = match.group(1)
        forced = re.search(r"(?:^|\s)(?:--force(?:-with-lease)?\b|-f\b|\+\S)", arguments)
        if not forced:
            continue
        branches = [a for a in arguments.split() if not a.startswith("-")][1:]  # after the remote
        if PROTECTED_BRANCH.search(arguments) or not branches:
            yield _Hit(
                "destructive",
                HIGH,
                "force_push_main",
                "force-pushes over a shared branch, rewriting history",
                match.start(),
            )
        else:
            yield _Hit("destructive", LOW, "force_push", "force-pushes a feature branch", match.start())


def check_sensitive_files(line: str) -> Iterator[_Hit]:
    """Sensitive file + network = exfiltration; a plain read = medium; a mention = low."""
    path = SENSITIVE_PATH.search(line)
    if path is None:
        return
    if NETWORK_COMMAND.search(line) or EXFIL_VERB.search(line):
        yield _Hit(
            "exfiltration", CRIT, "sensitive_file_to_network", f"sends {path.group(0)} over the network", path.start()
        )
    elif READ_COMMAND.search(line):
        yield _Hit("exfiltration", MED, "sensitive_file_read", f"reads credentials from {path.group(0)}", path.start())
    else:
        yield _Hit(
            "exfiltration", LOW, "sensitive_file_mention", f"mentions credential file {path.group(0)}", path.start()
        )


SECRET_IN_URL = re.compile(r"(?i)\b(?:https?|ftp|wss?)://[^\s\"')>]*" + SECRET_VARIABLE)
ENVIRONMENT_DUMP = re.compile(
    r"\$\(\s*(?:env|printenv|set)\s*\)|`\s*(?:env|printenv)\s*`|\b(?:env|printenv)\s*\|"
    r"|\bos\.environ\b(?!\s*(?:\[|\.get\b))|\bprocess\.env\b(?!\s*[.\[])"
)
# Sending a secret variable in a request body or query, not as the Authorization its API expects.
SECRET_IN_REQUEST_DATA = re.compile(
    r"(?:-d|--data(?:-\w+)?|-F|--form|--data-urlencode|--upload-file|-T)\s*[=\s]\s*[\"']?[^\s\"']*" + SECRET_VARIABLE
)


def check_secret_exfiltration(line: str) -> Iterator[_Hit]:
    if url := SECRET_IN_URL.search(line):
        yield _Hit(
            "exfiltration",
            CRIT,
            "secret_variable_in_url",
            "puts a secret environment variable into a URL, which leaks it to that host",
            url.start(),
        )
    if NETWORK_COMMAND.search(line):
        if dump := ENVIRONMENT_DUMP.search(line):
            yield _Hit(
                "exfiltration",
                CRIT,
                "environment_to_network",
                "sends the whole environment (and every secret in it) over the network",
                dump.start(),
            )
        if data := SECRET_IN_REQUEST_DATA.search(line):
            yield _Hit(
                "exfiltration",
                CRIT,
                "secret_variable_in_request",
                "sends a secret environment variable in a request body",
                data.start(),
            )


# Files that configure the agent or the shell: writing them changes every later session.
PERSISTENT_TARGET = (
    r"[\"']?(?:~|\$HOME|\$\{HOME\})?[\w./-]*?(?:\.bashrc|\.zshrc|\.profile|\.bash_profile|\.bash_login|\.zprofile"
    r"|\.zshenv|\.config/fish/config\.fish|AGENTS\.md|CLAUDE\.md|GEMINI\.md|\.claude/settings(?:\.local)?\.json"
    r"|\.claude/(?:commands|agents|hooks)/[\w.-]+|\.cursorrules|\.codex/config\.toml|\.mcp\.json"
    r"|copilot-instructions\.md|\.ssh/authorized_keys|\.git/hooks/[\w.-]+)\b"
)
PERSISTENT_FILE = re.compile(PERSISTENT_TARGET)
QUOTES = "\"'"
PERSISTENCE_WRITE = re.compile(
    r">{1,2}\s*" + PERSISTENT_TARGET
    + r"|\btee\s+(?:-a\s+|--append\s+)?" + PERSISTENT_TARGET
    + r"|\bsed\s+-i\S*\s[^\n]{0,300}" + PERSISTENT_TARGET
    + r"|\b(?:cp|mv|ln|install|rsync)\b[^\n;&|]{0,300}\s" + PERSISTENT_TARGET + r"[\"']?\s*(?:$|[;&|])"
    + r"|\b(?:Write|Edit|MultiEdit|NotebookEdit)\s*(?:\(|tool\b)[^\n]{0,120}?" + PERSISTENT_TARGET
    + r"|\b(?:write_file|edit_file|create_file|apply_patch|file_path|path)[\"']?\s*[:=(]\s*" + PERSISTENT_TARGET
    + r"|\bopen\(\s*" + PERSISTENT_TARGET + r"[\"']?\s*,\s*[\"'][wa]"
    + r"|\bPath\(\s*" + PERSISTENT_TARGET + r"[\"']?\s*\)\.write_(?:text|bytes)"
)  # fmt: skip


def check_persistence_files(line: str) -> Iterator[_Hit]:
    """A write to an rc file or an agent config file is high; naming one in prose is low."""
    if write := PERSISTENCE_WRITE.search(line):
        target = PERSISTENT_FILE.search(line, write.start())
        yield _Hit(
            "persistence",
            HIGH,
            "persistent_file_write",
            f"writes {target.group(0).strip(QUOTES)}, which every later session loads",
            write.start(),
        )
    elif mention := PERSISTENT_FILE.search(line):
        yield _Hit(
            "persistence",
            LOW,
            "persistent_file_mention",
            f"mentions {mention.group(0).strip(QUOTES)}",
            mention.start(),
        )


PACKAGE_INSTALL = re.compile(
    r"\b(?:pip3?|uv\s+pip|python[23]?\s+-m\s+pip)\s+install\b([^\n;&|]*)"
    r"|\b(?:npm\s+(?:install|i|add)|yarn\s+add|pnpm\s+(?:add|install|i))\b([^\n;&|]*)"
)
REMOTE_PACKAGE = re.compile(r"[\"']?(?:git\+|https?://|git://|github:|[\w.-]+\s*@\s*(?:git\+|https?://))")
# Options whose value is an index or a host, not a package: custom_package_index judges those.
OPTIONS_WITH_VALUE = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "--trusted-host",
        "-f",
        "--find-links",
        "--registry",
        "-c",
        "--constraint",
        "-r",
        "--requirement",
    }
)
# A remote install pinned to a full commit or a content hash cannot change under the reviewer.
PINNED_REMOTE = re.compile(r"@[0-9a-f]{40}\b|#sha256=[0-9a-f]{64}\b|#[0-9a-f]{40}\b")


def _package_arguments(arguments: str) -> Iterator[str]:
    """The package specs of an install command, without options and their values."""
    words = iter(arguments.split())
    for word in words:
        if word in OPTIONS_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            yield word


def check_remote_installs(line: str) -> Iterator[_Hit]:
    for match in PACKAGE_INSTALL.finditer(line):
        remote = next(filter(REMOTE_PACKAGE.match, _package_arguments(match.group(1) or match.group(2))), None)
        if remote is None:
            continue
        if PINNED_REMOTE.search(remote):
            yield _Hit(
                "supply_chain",
                LOW,
                "pinned_remote_install",
                "installs a package pinned to a commit or hash",
                match.start(),
            )
        else:
            yield _Hit(
                "supply_chain",
                MED,
                "unpinned_remote_install",
                "installs a package from a URL or git ref that can change after review",
                match.start(),
            )


EVAL_SUBSTITUTION = re.compile(r"\beval\s+[\"']?(?:\$\(|`)\s*([\w./-]+)")
# Tools whose documented set-up is `eval "$(tool init)"`; their output is the tool's own shell code.
KNOWN_SHELL_INITS = frozenset(
    {"ssh-agent", "pyenv", "rbenv", "nodenv", "direnv", "brew", "/opt/homebrew/bin/brew", "conda", "starship",
     "zoxide", "fnm", "mise", "rtx", "jenv", "goenv", "dircolors", "keychain", "gpg-agent", "opam", "thefuck"}
)  # fmt: skip


def check_eval(line: str) -> Iterator[_Hit]:
    for match in EVAL_SUBSTITUTION.finditer(line):
        program = match.group(1)
        if program in ("curl", "wget"):
            continue  # download_substitution_shell reports it as critical
        if program in KNOWN_SHELL_INITS:
            yield _Hit(
                "obfuscation", LOW, "eval_shell_init", f"evaluates the shell set-up printed by {program}", match.start()
            )
        else:
            yield _Hit(
                "obfuscation",
                MED,
                "eval_command_output",
                "evaluates generated shell code a reviewer cannot read",
                match.start(),
            )


def check_patterns(line: str) -> Iterator[_Hit]:
    for rule in PATTERN_RULES:
        if match := rule.pattern.search(line):
            yield _Hit(rule.category, rule.severity, rule.rule, rule.message, match.start())


LINE_CHECKS = (
    check_patterns,
    check_rm,
    check_force_push,
    check_sensitive_files,
    check_secret_exfiltration,
    check_persistence_files,
    check_remote_installs,
    check_eval,
)

# --- characters a reviewer cannot see ---------------------------------------------------------------------

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
TAG_FIRST, TAG_LAST = 0xE0000, 0xE007F
# Scripts whose letters pass for Latin ones (Cyrillic `а`, Greek `ο`, fullwidth `ｓ`).
CONFUSABLE_SCRIPTS = frozenset({"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC", "FULLWIDTH", "MATHEMATICAL"})
WORD = re.compile(r"\w{3,}")
ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and newline are ordinary


def is_tag_character(character: str) -> bool:
    return TAG_FIRST <= ord(character) <= TAG_LAST


def is_invisible(character: str) -> bool:
    """Format and control characters: they render as nothing, or reorder what is around them."""
    return character != "\t" and unicodedata.category(character) in ("Cf", "Cc", "Co", "Cs")


def escape_invisible(text: str) -> str:
    return "".join(
        (f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}") if is_invisible(ch) else ch for ch in text
    )


def _joins_visible_symbols(line: str, index: int) -> bool:
    """ZWJ/ZWNJ between two non-ASCII characters: emoji sequences and Indic or Persian text need them."""
    return 0 < index < len(line) - 1 and not line[index - 1].isascii() and not line[index + 1].isascii()


def check_invisible_characters(line: str) -> Iterator[_Hit]:
    if line.isascii() and ASCII_CONTROL.search(line) is None:
        return  # the common case, answered without looking at each character
    tags = [i for i, ch in enumerate(line) if is_tag_character(ch)]
    if tags:
        hidden = redact("".join(chr(ord(line[i]) - TAG_FIRST) for i in tags if 0x20 <= ord(line[i]) - TAG_FIRST < 0x7F))
        yield _Hit(
            "obfuscation",
            CRIT,
            "unicode_tag_smuggling",
            f"{len(tags)} invisible Unicode tag characters spelling {hidden[:80]!r}",
            tags[0],
        )
    bidi = [i for i, ch in enumerate(line) if ch in BIDI_CONTROLS]
    if bidi:
        yield _Hit(
            "obfuscation",
            CRIT,
            "bidi_override",
            "bidirectional override characters make the text read differently than it runs",
            bidi[0],
        )
    hidden = [
        i for i, ch in enumerate(line)
        if is_invisible(ch) and not is_tag_character(ch) and ch not in BIDI_CONTROLS
        and not (ch in "\u200c\u200d" and _joins_visible_symbols(line, i))
    ]  # fmt: skip
    if hidden:
        names = sorted({f"U+{ord(line[i]):04X}" for i in hidden})
        yield _Hit(
            "obfuscation",
            MED,
            "invisible_characters",
            f"{len(hidden)} invisible characters ({', '.join(names)}) hide text from the reviewer",
            hidden[0],
        )


def _script(character: str) -> str:
    return unicodedata.name(character, "UNKNOWN").split(" ", 1)[0]


def check_homoglyphs(line: str) -> Iterator[_Hit]:
    if line.isascii():
        return
    for match in WORD.finditer(line):
        word = match.group(0)
        if word.isascii():
            continue
        scripts = {_script(ch) for ch in word if ch.isalpha()}
        if "LATIN" in scripts and scripts & CONFUSABLE_SCRIPTS:
            spelled = "".join(ch if ch.isascii() else f"\\u{ord(ch):04x}" for ch in word)
            yield _Hit(
                "obfuscation",
                MED,
                "mixed_script_word",
                f"'{spelled}' mixes Latin with {', '.join(sorted(scripts - {'LATIN'}))} look-alike letters",
                match.start(),
            )
            return


# --- whole-text checks -----------------------------------------------------------------------------------

# Words that make a hidden comment an instruction to a model rather than a note for a maintainer.
INSTRUCTION_WORDS = re.compile(
    r"(?i)\b(?:you|your|assistant|agent|AI|LLM|model|claude|codex|gpt|instructions?|system|prompt|ignore"
    r"|disregard|must|always|never|do\s+not|don'?t|execute|run|curl|wget|bash|sh|rm|ssh|send|upload"
    r"|token|secret|password|credentials?|skill|user)\b"
)


def html_comments(text: str) -> Iterator[tuple[int, str]]:
    """(offset, body) of each `<!-- ... -->`; an unclosed one hides the rest of the rendered document."""
    start = text.find("<!--")
    while start != -1:
        end = text.find("-->", start + 4)
        body = text[start + 4 : end if end != -1 else len(text)]
        yield start, body
        if end == -1:
            return
        start = text.find("<!--", end + 3)


def check_html_comments(text: str) -> Iterator[tuple[int, _Hit]]:
    for offset, body in html_comments(text):
        if INSTRUCTION_WORDS.search(body):
            yield (
                offset,
                _Hit(
                    "prompt_injection",
                    HIGH,
                    "hidden_comment_instructions",
                    "an HTML comment, invisible when rendered, carries instructions",
                ),
            )
        elif body.strip():
            yield offset, _Hit("prompt_injection", LOW, "hidden_comment", "an HTML comment hidden from rendered views")


def check_secrets(text: str) -> Iterator[tuple[int, _Hit]]:
    for secret in find_secrets(text):
        yield (
            secret.start,
            _Hit(
                "credential_exposure",
                CRIT,
                f"secret_{secret.kind}",
                f"contains a {secret.kind.replace('_', ' ')}; it must never reach a skill",
            ),
        )


# --- assembling the report -------------------------------------------------------------------------------


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line, text) with `\\`-continued shell lines joined, so `curl x \\ | sh` is one line."""
    pending: list[str] = []
    first_line = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if not pending:
            first_line = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        yield first_line, " ".join(pending)
        pending = []
    if pending:
        yield first_line, " ".join(pending)


def as_read_by_a_model(line: str) -> str:
    """What the agent effectively reads: `cu\\u200brl` is still curl, and tokenizers decode Unicode tag
    characters into the ASCII they shadow, so smuggled text is checked like visible text."""
    if line.isascii():
        return line
    return "".join(chr(ord(ch) - TAG_FIRST) if is_tag_character(ch) else "" if is_invisible(ch) else ch for ch in line)


def excerpt(line: str, column: int) -> str:
    """A short, redacted, escaped piece of `line` around `column`: safe to store and to print."""
    shown = escape_invisible(redact(line)).strip()
    if len(shown) <= EXCERPT_WIDTH:
        return shown
    start = max(0, min(column - EXCERPT_WIDTH // 3, len(shown) - EXCERPT_WIDTH))
    return (
        ("…" if start else "")
        + shown[start : start + EXCERPT_WIDTH]
        + ("…" if start + EXCERPT_WIDTH < len(shown) else "")
    )


def _line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]


def verdict_of(findings: tuple[Finding, ...]) -> Verdict:
    severities = {finding.severity for finding in findings}
    if Severity.CRITICAL in severities:
        return Verdict.DANGEROUS
    if severities & {Severity.HIGH, Severity.MEDIUM}:
        return Verdict.CAUTION
    return Verdict.SAFE


def scan_text(text: str) -> ScanReport:
    """Scan a SKILL.md, a bundle file or a harness diff; the report lists findings by line."""
    findings: dict[tuple[int, str], Finding] = {}
    text = text.removeprefix("\ufeff")  # a byte-order mark opens many files and hides nothing

    def add(line_number: int, line: str, hit: _Hit) -> None:
        # One finding per rule and line: the reviewer needs the place, not a count of repeats (and the
        # excerpt, which redacts the line, is built once).
        key = (line_number, hit.rule)
        if key not in findings:
            findings[key] = Finding(
                hit.category, hit.severity, line_number, excerpt(line, hit.column), hit.rule, hit.message
            )

    for line_number, line in logical_lines(text):
        for hit in check_invisible_characters(line):
            add(line_number, line, hit)
        for hit in check_homoglyphs(line):
            add(line_number, line, hit)
        visible = as_read_by_a_model(line)
        for check in LINE_CHECKS:
            for hit in check(visible):
                add(line_number, line, hit)

    physical_lines = text.split("\n")
    starts = _line_starts(text)
    for offset, hit in (*check_html_comments(text), *check_secrets(text)):
        line_index = bisect.bisect_right(starts, offset) - 1
        add(line_index + 1, physical_lines[line_index], hit)

    ordered = tuple(sorted(findings.values(), key=lambda f: (f.line, -SEVERITY_RANK[f.severity], f.rule)))
    return ScanReport(verdict_of(ordered), ordered, SCANNER_VERSION)

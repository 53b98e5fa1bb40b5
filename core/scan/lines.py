"""Rules that judge one logical line: a command, a sentence or a line of code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from skillwarden.core.scan.model import CRIT, HIGH, LOW, MED, Hit, Severity
from skillwarden.core.scan.patterns import (
    DECODER,
    DOWNLOADER,
    DROP_HOST,
    EXFIL_VERB,
    INTERPRETER,
    NETWORK_COMMAND,
    READ_COMMAND,
    SECRET_VARIABLE,
    SENSITIVE_PATH,
    VENDOR_INSTALLER,
)


@dataclass(frozen=True)
class _PatternRule:
    rule: str
    category: str
    severity: Severity
    pattern: re.Pattern[str]
    message: str


def _rule(rule: str, category: str, severity: Severity, pattern: str, message: str) -> _PatternRule:
    return _PatternRule(rule, category, severity, re.compile(pattern), message)


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
    _rule("powershell_download_exec", "supply_chain", CRIT,
          r"(?i)\b(?:iex|Invoke-Expression)\b[^\n]{0,300}\b(?:DownloadString|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b",
          "PowerShell runs a downloaded script"),
    _rule("pip_trusted_host", "supply_chain", MED, r"--trusted-host\b",
          "--trusted-host turns off TLS verification for a package index"),
    _rule("custom_package_index", "supply_chain", MED,
          r"(?:--(?:extra-)?index-url|\b(?:pip3?|uv\s+pip)\s+install\b[^\n;&|]{0,200}?\s-i)\s*=?\s*[\"']?https?://"
          r"(?!pypi\.org|files\.pythonhosted\.org)"
          r"|\b(?:pip|pip3|uv)\s+config\s+set\s+\S*index-url|\bnpm\s+config\s+set\s+registry\b"
          r"|--registry[=\s]+[\"']?https?://(?!registry\.npmjs\.org|registry\.yarnpkg\.com)",
          "adds a package index other than the public one"),
    # obfuscation
    _rule("decoded_destination", "exfiltration", HIGH,
          DECODER + r"[^\n]{0,200}\|\s*xargs\s+(?:-\S+\s+)*(?:curl|wget)\b",
          "sends to an address it decodes at run time, so a reviewer cannot see where"),
    _rule("encoded_upload", "exfiltration", HIGH,
          r"\|\s*(?:base64|xxd|gzip|openssl\s+enc)\b[^\n|]{0,60}\|\s*curl\b[^\n]{0,300}(?:-d|--data[\w-]*|-F|-T)\s*[\"']?@-",
          "encodes data and uploads it, so what leaves is unreadable in transit logs"),
    _rule("exfiltration_instruction", "exfiltration", HIGH,
          r"(?i)\b(?:send|forward|upload|post|transmit|exfiltrate|report)\s+(?:all\s+|the\s+|any\s+|every\s+)?"
          r"(?:\w+\s+){0,3}?(?:data|tokens?|keys?|credentials|secrets?|passwords?|cookies|environment)\b[^.\n]{0,60}?"
          r"\b(?:to|at)\s+https?://",
          "tells the agent to send secrets or data to an address"),
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
    _rule("ignore_previous_instructions", "prompt_injection", CRIT,
          r"(?i)\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+|of\s+)*"
          r"(?:previous|prior|above|earlier|preceding|former|system|original)\s+"
          r"(?:instructions?|prompts?|directions?|rules|messages?|guidelines|context)",
          "tries to override the agent's instructions"),
    _rule("disregard_system_prompt", "prompt_injection", CRIT,
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
          r"|\b(?:here\s+is\s+)?your\s+new\s+(?:system\s+prompt|instructions)\s*(?:is|are)?\s*:"
          r"|\bpretend\s+(?:that\s+)?you\s+(?:are|have)\s+no\b",
          "tries to give the agent a new role"),
    _rule("chat_template_tokens", "prompt_injection", HIGH, r"<\|im_(?:start|end)\|>|<\|(?:system|endoftext)\|>",
          "chat-template control tokens that fake a system or assistant turn"),
    _rule("extractor_injection", "prompt_injection", HIGH,
          r"(?i)\bwhen\s+(?:you\s+(?:are\s+)?)?(?:summari[sz]|extract|mine|mining|distill|generat|creat|writ|review)"
          r"\w*\b[^\n]{0,100}?\b(?:create|add|write|generate|include|make|emit|propose|save)\b[^\n]{0,60}?\bskills?\b"
          r"|\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+)?(?:summari[sz]er|extractor|skill\s+miner"
          r"|reviewer|scanner|model\s+reading\s+this)\b"
          r"|\b(?:mark|label)\s+(?:this|it)\s+(?:skill\s+)?as\s+(?:safe|approved|trusted|reviewed)\b"
          r"|\b(?:skip|bypass|disable|evade)\s+(?:the\s+)?(?:security\s+(?:scan|scanner|review|check)s?"
          r"|skill\s+(?:scan|scanner|review)s?|scanner)\b",
          "addresses the skill extractor or reviewer instead of the task"),
    # destructive
    _rule("make_filesystem", "destructive", CRIT, r"\bmkfs(?:\.\w+)?\s+(?:-\S+\s+)*/dev/",
          "formats a disk device"),
    _rule("raw_disk_write", "destructive", CRIT,
          r"\bdd\b[^\n;|&]{0,300}\bof=/dev/(?!null\b|zero\b|stdout\b|stderr\b|tty\b)\w|>\s*/dev/(?:sd|nvme|hd|xvd|vd|disk)\w",
          "writes over a raw disk device"),
    _rule("drop_database", "destructive", HIGH, r"(?i)\bdrop\s+(?:database|schema)\b", "drops a whole database"),
    _rule("chmod_world_writable_root", "destructive", HIGH,
          r"\bchmod\s+(?:-\w*R\w*|--recursive)\s+(?:0?777|a\+rwx|ugo\+rwx)\s+[\"']?(?:/\*?|~/?|\$HOME/?|\$\{HOME\}/?)"
          r"[\"']?(?:\s|$)",
          "makes the whole system or home directory world-writable"),
    _rule("fork_bomb", "destructive", HIGH, r":\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:", "a fork bomb"),
    _rule("dns_exfiltration", "exfiltration", HIGH,
          r"(?:^|[;&|(]\s*|\$\(\s*|\")(?:dig|nslookup|host|drill)\s[^\n]{0,200}?(?:\$\([^)\n]{0,200}\)|\$\{?\w+\}?|\{\w+\})"
          r"\.[\w-]+\.[a-z]{2,}",
          "puts computed data into a DNS name, a channel that leaks through most firewalls"),
    _rule("injected_code_payload", "code_execution", HIGH,
          r"require\(\\?[\"']child_process\\?[\"']\)|\bprocess\.mainModule\b|__import__\(\\?[\"']os\\?[\"']\)\.(?:system|popen)"
          r"|Runtime\.getRuntime\(\)\.exec|\$\{jndi:",
          "an injection payload that makes a server run commands"),
    _rule("credential_disclosure_request", "prompt_injection", HIGH,
          r"(?i)\b(?:echo|print|reveal|show|output|repeat|include|paste|tell\s+me)\b[^.\n]{0,60}?\b(?:authorization\s+header"
          r"|api[_ -]?keys?|access\s+tokens?|bearer\s+tokens?|passwords?|private\s+keys?|credentials"
          r"|environment\s+variables)\b[^.\n]{0,60}?\b(?:in\s+your\s+(?:next\s+)?(?:response|reply|answer|output)"
          r"|back\s+to\s+me|to\s+me)\b",
          "asks the agent to disclose credentials in its reply"),
    _rule("malware_test_signature", "malware", HIGH,
          r"X5O!P%@AP\[4\\PZX54\(P\^\)7CC\)7\}\$EICAR-STANDARD-ANTIVIRUS-TEST-FILE",
          "the EICAR antivirus test signature: antivirus software on every machine that loads it reacts"),
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


# Deleting these wipes logs, system configuration or a user's keys; caches and package lists are routine.
SYSTEM_RM_TARGET = re.compile(
    r"^(?:/var/log|/etc|/boot|/usr/(?:bin|lib|sbin)|~/\.(?:ssh|gnupg|aws|config)|\$HOME/\.(?:ssh|gnupg|aws))(?:/|$)"
)


def _normalized_rm_target(argument: str) -> str:
    target = argument.strip("\"'").replace("${HOME}", "$HOME")
    target = re.sub(r"/{2,}", "/", target)
    return target.rstrip("/") or "/" if target.startswith("/") else target.rstrip("/")


DOWNLOAD_PIPE = re.compile(DOWNLOADER + r"([^\n;&]{0,300})\|\s*(?:" + INTERPRETER + r")(\s+-[mc]\b)?")
DOWNLOAD_SUBSTITUTION = re.compile(
    r"(?:\b(?:ba|z)?sh\s+(?:-c\s+)?|\b(?:eval|source)\s+|(?:^|[;&|]\s*)\.\s+)[\"']?(?:<\(|\$\()\s*" + DOWNLOADER
)


def check_download_pipe(line: str) -> Iterator[Hit]:
    """`curl URL | sh` and `bash <(curl URL)`: critical, unless it is a vendor's documented installer."""
    for match in (*DOWNLOAD_PIPE.finditer(line), *DOWNLOAD_SUBSTITUTION.finditer(line)):
        if match.re is DOWNLOAD_PIPE and match.group(2):
            continue  # `| python -m json.tool` reads the download as data, it does not run it
        if VENDOR_INSTALLER.search(line, match.start(), match.end() + 300):
            yield Hit("supply_chain", LOW, "vendor_installer_pipe", "runs a vendor's documented installer script",
                      match.start())  # fmt: skip
        else:
            form = "curl | sh" if match.re is DOWNLOAD_PIPE else "bash <(curl ...)"
            yield Hit("supply_chain", CRIT, "download_pipe_shell",
                      f"runs a downloaded script without reviewing it ({form})", match.start())  # fmt: skip
        return


def check_rm(line: str) -> Iterator[Hit]:
    for match in RM_COMMAND.finditer(line):
        arguments = match.group(1).split()
        flags = [a for a in arguments if a.startswith("-")]
        recursive = any(
            flag in ("--recursive", "--no-preserve-root")
            or (not flag.startswith("--") and ("r" in flag or "R" in flag))
            for flag in flags
        )
        targets = {_normalized_rm_target(a) for a in arguments if not a.startswith("-")}
        if (
            recursive
            and any(SYSTEM_RM_TARGET.match(target) for target in targets)
            and not (targets & CATASTROPHIC_RM_TARGETS)
        ):
            yield Hit("destructive", HIGH, "rm_rf_system_path", "recursively deletes system files, logs or keys",
                      match.start())  # fmt: skip
        if recursive and (targets & CATASTROPHIC_RM_TARGETS or "--no-preserve-root" in flags):
            if quoted_in_a_discussion(line, match):
                yield Hit("destructive", LOW, "quoted_destructive_command", "quotes a destructive command while "
                          "discussing it", match.start())  # fmt: skip
                continue
            yield Hit(
                "destructive", CRIT, "rm_rf_root_or_home", "recursively deletes / or a home directory", match.start()
            )


GIT_PUSH = re.compile(r"\bgit\s+push\b([^\n;&|]*)")
PROTECTED_BRANCH = re.compile(r"(?:^|[\s:+])(?:main|master|trunk|production|release)\b")


def check_force_push(line: str) -> Iterator[Hit]:
    for match in GIT_PUSH.finditer(line):
        arguments = match.group(1)
        forced = re.search(r"(?:^|\s)(?:--force(?:-with-lease)?\b|-f\b|\+\S)", arguments)
        if not forced:
            continue
        branches = [a for a in arguments.split() if not a.startswith("-")][1:]  # after the remote
        if PROTECTED_BRANCH.search(arguments) or not branches:
            yield Hit(
                "destructive",
                HIGH,
                "force_push_main",
                "force-pushes over a shared branch, rewriting history",
                match.start(),
            )
        else:
            yield Hit("destructive", LOW, "force_push", "force-pushes a feature branch", match.start())


NEARBY = 160  # characters around a credential path in which a send is part of the same command or sentence


def check_sensitive_files(line: str) -> Iterator[Hit]:
    """Sensitive file + network = exfiltration; a plain read = medium; a mention = low."""
    path = SENSITIVE_PATH.search(line)
    if path is None:
        return
    near = line[max(0, path.start() - NEARBY) : path.end() + NEARBY]
    if NETWORK_COMMAND.search(near) or EXFIL_VERB.search(near):
        yield Hit(
            "exfiltration", CRIT, "sensitive_file_to_network", f"sends {path.group(0)} over the network", path.start()
        )
    elif READ_COMMAND.search(line[max(0, path.start() - NEARBY) : path.start()]):
        yield Hit("exfiltration", MED, "sensitive_file_read", f"reads credentials from {path.group(0)}", path.start())
    else:
        yield Hit(
            "exfiltration", LOW, "sensitive_file_mention", f"mentions credential file {path.group(0)}", path.start()
        )


SECRET_IN_URL = re.compile(r"(?i)\b(?:https?|ftp|wss?)://[^\s\"')>]*" + SECRET_VARIABLE)
# The whole environment as data: `$(env)`, `printenv |`, `dict(os.environ)`, `JSON.stringify(process.env)`.
ENVIRONMENT_DUMP = re.compile(
    r"\$\(\s*(?:env|printenv|set)\s*\)|`\s*(?:env|printenv)\s*`|\b(?:env|printenv)\s*\|"
    r"|\b(?:dict|str|repr|json\.dumps)\(\s*os\.environ\s*\)|\bos\.environ\.(?:copy|items|values)\(\)"
    r"|\b(?:JSON\.stringify|Object\.(?:entries|keys|values|assign))\([^)]{0,20}process\.env\s*\)|\.\.\.process\.env\b"
)
# Sending a secret variable in a request body or query, not as the Authorization its API expects.
SECRET_IN_REQUEST_DATA = re.compile(
    r"(?:-d|--data(?:-\w+)?|-F|--form|--data-urlencode|--upload-file|-T)\s*[=\s]\s*[\"']?[^\s\"']*"
    + SECRET_VARIABLE.replace("\\$\\{?", "\\$[({]?")
)


def check_secret_exfiltration(line: str) -> Iterator[Hit]:
    if url := SECRET_IN_URL.search(line):
        yield Hit(
            "exfiltration",
            CRIT,
            "secret_variable_in_url",
            "puts a secret environment variable into a URL, which leaks it to that host",
            url.start(),
        )
    if NETWORK_COMMAND.search(line):
        if dump := ENVIRONMENT_DUMP.search(line):
            yield Hit(
                "exfiltration",
                CRIT,
                "environment_to_network",
                "sends the whole environment (and every secret in it) over the network",
                dump.start(),
            )
        if data := SECRET_IN_REQUEST_DATA.search(line):
            yield Hit(
                "exfiltration",
                CRIT,
                "secret_variable_in_request",
                "sends a secret environment variable in a request body",
                data.start(),
            )


DOWNLOAD_TO_FILE = re.compile(DOWNLOADER + r"[^\n;&|]{0,300}?\s(?:-o|-O|--output)\s*[\"']?([\w./~$-]{1,200})")


def check_download_and_run(line: str) -> Iterator[Hit]:
    """`curl -o x.sh URL && bash x.sh`: the saved file is run on the same line."""
    for match in DOWNLOAD_TO_FILE.finditer(line):
        name = match.group(1).rsplit("/", 1)[-1]
        rest = line[match.end() :]
        if name and re.search(
            r"(?:\./|\b(?:ba|z)?sh\s+|\bpython[23]?\s+|\bchmod\s+\S*x\S*\s+\S*|\bsource\s+|(?:^|[;&|]\s*)\.\s+)\S*"
            + re.escape(name)
            + r"(?![\w.])",
            rest,
        ):
            yield Hit(
                "supply_chain",
                CRIT,
                "download_and_execute",
                "downloads a program and runs it without review",
                match.start(),
            )
            return


def check_drop_host(line: str) -> Iterator[Hit]:
    """Pastebins, webhooks and tunnels: named next to a send, they are where the data goes."""
    if (host := DROP_HOST.search(line)) and (NETWORK_COMMAND.search(line) or EXFIL_VERB.search(line)):
        yield Hit(
            "exfiltration",
            HIGH,
            "send_to_drop_host",
            f"sends data to {host.group(0)}, a service that collects data for whoever holds the link",
            host.start(),
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


def check_persistence_files(line: str) -> Iterator[Hit]:
    """A write to an rc file or an agent config file is high; naming one in prose is low."""
    if write := PERSISTENCE_WRITE.search(line):
        target = PERSISTENT_FILE.search(line, write.start())
        yield Hit(
            "persistence",
            HIGH,
            "persistent_file_write",
            f"writes {target.group(0).strip(QUOTES)}, which every later session loads",
            write.start(),
        )
    elif mention := PERSISTENT_FILE.search(line):
        yield Hit(
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


def check_remote_installs(line: str) -> Iterator[Hit]:
    for match in PACKAGE_INSTALL.finditer(line):
        remote = next(filter(REMOTE_PACKAGE.match, _package_arguments(match.group(1) or match.group(2) or "")), None)
        if remote is None:
            continue
        if PINNED_REMOTE.search(remote):
            yield Hit(
                "supply_chain",
                LOW,
                "pinned_remote_install",
                "installs a package pinned to a commit or hash",
                match.start(),
            )
        else:
            yield Hit(
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


def check_eval(line: str) -> Iterator[Hit]:
    for match in EVAL_SUBSTITUTION.finditer(line):
        program = match.group(1)
        if program in ("curl", "wget"):
            continue  # download_substitution_shell reports it as critical
        if program in KNOWN_SHELL_INITS:
            yield Hit(
                "obfuscation", LOW, "eval_shell_init", f"evaluates the shell set-up printed by {program}", match.start()
            )
        else:
            yield Hit(
                "obfuscation",
                MED,
                "eval_command_output",
                "evaluates generated shell code a reviewer cannot read",
                match.start(),
            )


QUOTE_MARKS = "\"'`“‘«"
DISCUSSION = re.compile(
    r"(?i)\b(?:avoid|e\.g\.|for example|such as|like|phrases?|patterns?|detect\w*|injection|attacks?|malicious"
    r"|flag\w*|block\w*|refuse\w*|examples?|red[- ]team\w*|jailbreaks?)\b"
)


def quoted_in_a_discussion(line: str, match: re.Match[str]) -> bool:
    """`avoid phrases such as "ignore the previous instructions"`: the phrase is quoted as an example in
    text about injection, which is documentation, not an instruction."""
    before = line[: match.start()].rstrip()
    opened = before[-1:] in QUOTE_MARKS or sum(before.count(q) for q in '"`“') % 2 == 1
    return opened and DISCUSSION.search(line) is not None


def check_patterns(line: str) -> Iterator[Hit]:
    for rule in PATTERN_RULES:
        if match := rule.pattern.search(line):
            if rule.category == "prompt_injection" and quoted_in_a_discussion(line, match):
                yield Hit(rule.category, LOW, "quoted_injection_phrase",
                          "quotes an injection phrase while discussing it", match.start())  # fmt: skip
            else:
                yield Hit(rule.category, rule.severity, rule.rule, rule.message, match.start())


LINE_CHECKS = (
    check_patterns,
    check_rm,
    check_download_pipe,
    check_force_push,
    check_sensitive_files,
    check_secret_exfiltration,
    check_drop_host,
    check_download_and_run,
    check_persistence_files,
    check_remote_installs,
    check_eval,
)


def line_hits(line: str) -> Iterator[Hit]:
    """Every line rule's hits on one logical line, as the model reads it."""
    for check in LINE_CHECKS:
        yield from check(line)

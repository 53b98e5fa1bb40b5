"""Checks of one logical line that weigh context: which target a command deletes, where a download goes, which
file a write lands in, whether a secret travels with a send; each listed in COMMAND_CHECKS with its gate."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from skillwarden.core.security.scan.gates import Gate, gate
from skillwarden.core.security.scan.model import CRIT, HIGH, LOW, MED, Hit
from skillwarden.core.security.scan.patterns import (
    DOWNLOADER,
    DROP_HOST,
    EXFIL_VERB,
    INTERPRETER,
    NETWORK_COMMAND,
    READ_COMMAND,
    SECRET_VARIABLE,
    SENSITIVE_PATH,
    VENDOR_INSTALLER,
    downloaded_files,
)

CODE_COMMENT = re.compile(r"^\s*(?://|#|--|;)\s")
QUOTE_MARKS = "\"'`“‘«"
DISCUSSION = re.compile(
    r"(?i)\b(?:avoid|e\.g\.|for example|such as|like|phrases?|patterns?|detect\w*|injection|attack(?:s|ers?)?|malicious"
    r"|flag\w*|block\w*|refuse\w*|examples?|red[- ]team\w*|jailbreaks?)\b"
)


def quoted_in_a_discussion(line: str, match: re.Match[str], *, comments: bool = False) -> bool:
    """`avoid phrases such as "ignore the previous instructions"`: the phrase is quoted as an example in
    text about injection, which is documentation, not an instruction. With `comments`, a code comment that
    talks about the attack (`// Attacker: ?dir=; rm -rf /`) quotes a command too: a comment is never run.
    (Not for instructions to the agent: a model reads a comment, or a Markdown heading, like any line.)"""
    before = line[: match.start()].rstrip()
    opened = (before != "" and before[-1] in QUOTE_MARKS) or sum(before.count(q) for q in '"`“') % 2 == 1
    commented = comments and CODE_COMMENT.match(line) is not None
    return (opened or commented) and DISCUSSION.search(line) is not None


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
            if quoted_in_a_discussion(line, match, comments=True):
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
ESCAPED_NEWLINE = re.compile(r"\\n")
COMMAND_SEPARATOR = re.compile(r";|&&|\|\|")


def _reads(command: str) -> bool:
    """A read command before the path, with no `>` between them (`cat > .env` writes the file)."""
    reads = list(READ_COMMAND.finditer(command))
    return bool(reads) and ">" not in command[reads[-1].end() :].replace(">&", "")


def check_sensitive_files(line: str) -> Iterator[Hit]:
    """Sensitive file + network = exfiltration; a plain read = medium (low for the project's own .env
    settings); a mention = low."""
    path = SENSITIVE_PATH.search(line)
    if path is None:
        return
    # An escaped newline (`\n` in a JSON string) ends the text around the path; a command separator ends the
    # command that could be reading it.
    before = ESCAPED_NEWLINE.split(line[max(0, path.start() - NEARBY) : path.start()])[-1]
    after = ESCAPED_NEWLINE.split(line[path.end() : path.end() + NEARBY])[0]
    near = before + path.group(0) + after
    if NETWORK_COMMAND.search(near) or EXFIL_VERB.search(near):
        yield Hit(
            "exfiltration", CRIT, "sensitive_file_to_network", f"sends {path.group(0)} over the network", path.start()
        )
    elif _reads(COMMAND_SEPARATOR.split(before)[-1]):
        if path.group(0).startswith(".env"):
            yield Hit("exfiltration", LOW, "settings_file_read", f"reads the project's {path.group(0)} settings",
                      path.start())  # fmt: skip
        else:
            yield Hit("exfiltration", MED, "sensitive_file_read", f"reads credentials from {path.group(0)}",
                      path.start())  # fmt: skip
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


def check_download_and_run(line: str) -> Iterator[Hit]:
    """`curl -o x.sh URL && bash x.sh`, `wget URL/x.sh & bash x.sh`: the saved file is run on the same line."""
    for start, name in downloaded_files(line):
        if re.search(
            r"(?:\./|\b(?:ba|z)?sh\s+|\bpython[23]?\s+|\bchmod\s+\S*x\S*\s+\S*|\bsource\s+|(?:^|[;&|]\s*)\.\s+)\S*"
            + re.escape(name)
            + r"(?![\w.])",
            line[start:],
        ):
            if VENDOR_INSTALLER.search(line, start):
                yield Hit("supply_chain", LOW, "vendor_installer_pipe", "runs a vendor's documented installer script",
                          start)  # fmt: skip
            else:
                yield Hit("supply_chain", CRIT, "download_and_execute",
                          "downloads a program and runs it without review", start)  # fmt: skip
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


# What a profile line may set without hijacking anything: `export LANGSMITH_PROJECT=x` is set-up; PATH, the
# loader and interpreter start-up variables, proxies and prompt hooks change what every later command runs.
PROFILE_EXPORT = re.compile(r"""^\s*echo\s+["']?export\s+([A-Za-z_]\w*)=([^>]*)>>""")
HIJACK_VARIABLES = re.compile(
    r"^(?:PATH|LD_\w+|DYLD_\w+|PYTHON(?:PATH|STARTUP|HOME)|NODE_OPTIONS|NODE_PATH|PROMPT_COMMAND|BASH_ENV|ENV|PERL5\w*"
    r"|RUBYOPT|RUBYLIB|GIT_\w+|\w*_PROXY|\w*_proxy|SSL_CERT_\w+|REQUESTS_CA_BUNDLE|\w*_BASE_URL|\w*_ENDPOINT|EDITOR|PAGER)$"
)
TEMPORARY_DIRECTORY = re.compile(r"(?:^|[:=\"'])(?:/tmp|/var/tmp|/dev/shm|\.)(?:/|:|$|[\"'])")
SHELL_PROFILE = re.compile(r"(?:\.bashrc|\.zshrc|\.profile|\.bash_profile|\.bash_login|\.zprofile|\.zshenv)\b")


def sets_ordinary_variable(line: str) -> bool:
    """`echo 'export NAME=value' >> ~/.bashrc` for a variable that changes no program's behaviour, or a PATH
    entry outside temporary folders."""
    match = PROFILE_EXPORT.match(line)
    if match is None or not SHELL_PROFILE.search(line, match.end()):
        return False
    name, value = match.groups()
    if name == "PATH":
        return TEMPORARY_DIRECTORY.search(value) is None
    return HIJACK_VARIABLES.match(name) is None


def check_persistence_files(line: str) -> Iterator[Hit]:
    """A write to an rc file or an agent config file is high; naming one in prose is low, and so is adding an
    ordinary environment variable to a shell profile."""
    if write := PERSISTENCE_WRITE.search(line):
        target = PERSISTENT_FILE.search(line, write.start())
        what = target.group(0).strip(QUOTES)
        if sets_ordinary_variable(line):
            yield Hit("persistence", LOW, "profile_variable", f"sets an environment variable in {what}", write.start())
        else:
            yield Hit("persistence", HIGH, "persistent_file_write",
                      f"writes {what}, which every later session loads", write.start())  # fmt: skip
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


# Public code hosts over https: an install from there is traceable to a repository a reviewer can read.
CODE_HOST = re.compile(
    r"(?:git\+)?https://(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|huggingface\.co|git\.sr\.ht)/"
)


def check_remote_installs(line: str) -> Iterator[Hit]:
    for match in PACKAGE_INSTALL.finditer(line):
        remote = next(filter(REMOTE_PACKAGE.match, _package_arguments(match.group(1) or match.group(2) or "")), None)
        if remote is None:
            continue
        if PINNED_REMOTE.search(remote):
            yield Hit("supply_chain", LOW, "pinned_remote_install", "installs a package pinned to a commit or hash",
                      match.start())  # fmt: skip
        elif CODE_HOST.search(remote):
            yield Hit("supply_chain", LOW, "code_host_install",
                      "installs an unpinned package from a public code host", match.start())  # fmt: skip
        else:
            yield Hit("supply_chain", MED, "unpinned_remote_install",
                      "installs a package from a URL or git ref that can change after review",
                      match.start())  # fmt: skip


EVAL_SUBSTITUTION = re.compile(r"\beval\s+[\"']?(?:\$\(|`)\s*([\w./$-]+)")
# Programs whose output is whatever they read or are given: evaluating it runs text from elsewhere.
PASS_THROUGH = frozenset(
    {"cat", "head", "tail", "echo", "printf", "base64", "base32", "xxd", "rev", "tr", "sed", "awk", "python",
     "python3", "perl", "ruby", "node", "php", "sh", "bash", "zsh", "openssl", "gzip", "zcat", "gunzip"}
)  # fmt: skip


def check_eval(line: str) -> Iterator[Hit]:
    """`eval "$(tool init)"` is how installed tools (ssh-agent, pyenv, direnv, a vendor CLI) set up a shell: low.
    Evaluating the output of a script path, a variable or a program that passes text through is medium."""
    for match in EVAL_SUBSTITUTION.finditer(line):
        program = match.group(1)
        if program in ("curl", "wget"):
            continue  # download_substitution_shell reports it as critical
        if "/" in program.removeprefix("/opt/homebrew/bin/") or "$" in program or program in PASS_THROUGH:
            yield Hit("obfuscation", MED, "eval_command_output",
                      "evaluates generated shell code a reviewer cannot read", match.start())  # fmt: skip
        else:
            yield Hit("obfuscation", LOW, "eval_shell_init", f"evaluates the shell set-up printed by {program}",
                      match.start())  # fmt: skip


# Wheel indexes their vendors document (`pip install torch --index-url https://download.pytorch.org/whl/cu121`).
VENDOR_INDEX = re.compile(
    r"https://(?:download\.pytorch\.org|pypi\.nvidia\.com|pypi\.ngc\.nvidia\.com|data\.pyg\.org"
    r"|storage\.googleapis\.com/jax-releases|dl\.fbaipublicfiles\.com|wheels\.vllm\.ai|flashinfer\.ai"
    r"|pip\.repos\.neuron\.amazonaws\.com|developer\.download\.nvidia\.com)/"
)
PUBLIC_INDEX = re.compile(
    r"https://(?:pypi\.org|files\.pythonhosted\.org|registry\.npmjs\.org|registry\.yarnpkg\.com)/?"
)
INDEX_OPTION = re.compile(
    r"(?P<extra>--extra-index-url|\bextra[-_]index[-_]url\s*[=:]\s*\[?)\s*=?\s*[\"']?(?P<extra_url>https?://\S+)"
    r"|(?:--index-url|\bindex[-_]url\s*[=:]|\b(?:pip3?|uv\s+pip)\s+install\b[^\n;&|]{0,200}?\s-i|--registry[=\s]"
    r"|\bregistry\s*=)\s*[\"']?(?P<url>https?://\S+)"
    r"|(?P<config>\b(?:pip|pip3|uv)\s+config\s+set\s+\S*index-url|\bnpm\s+config\s+set\s+registry\b)"
)
COMMENTED_OUT = re.compile(r"^\s*(?:#|;|//)\s*$")


def check_package_index(line: str) -> Iterator[Hit]:
    """Package indexes other than the public one. `--extra-index-url` is dependency confusion waiting to
    happen: pip takes a name from whichever index offers the higher version, so whoever publishes an internal
    package's name on PyPI wins."""
    for match in INDEX_OPTION.finditer(line):
        if COMMENTED_OUT.match(line[: match.start()]):
            continue  # `# extra-index-url = [...]`, a commented-out setting in an example configuration
        url = match.group("extra_url") or match.group("url") or ""
        if url and PUBLIC_INDEX.match(url):
            continue
        if url and VENDOR_INDEX.match(url):
            yield Hit("supply_chain", LOW, "vendor_package_index", "uses a vendor's documented wheel index",
                      match.start())  # fmt: skip
        elif match.group("extra"):
            yield Hit("supply_chain", MED, "extra_package_index",
                      "--extra-index-url: pip takes each package from whichever index has the higher version, so "
                      "a public package named like an internal one wins (dependency confusion)",
                      match.start())  # fmt: skip
        else:
            yield Hit("supply_chain", MED, "custom_package_index", "installs from a package index other than the "
                      "public one", match.start())  # fmt: skip
        return


CHMOD = re.compile(r"\bchmod\s+((?:-\w+\s+|--\w[\w-]*\s+)*)([0-7]{3,4}|[ugoa]*[+=][rwxXst]+)\s+([^\s;&|]+)")
CATASTROPHIC_CHMOD_TARGETS = frozenset({"/", "/*", "~", "$HOME", "${HOME}"})


def _world_writable(mode: str) -> bool:
    if mode.isdigit():
        return mode[-1] in "2367"
    who, _, permissions = mode.partition("+") if "+" in mode else mode.partition("=")
    return "w" in permissions and ("o" in who or "a" in who)  # a bare `+w` follows the umask


def _setuid(mode: str) -> bool:
    return (mode.isdigit() and len(mode) == 4 and mode[0] in "2467") or ("s" in mode and not mode.isdigit())


def check_chmod(line: str) -> Iterator[Hit]:
    """World-writable or setuid permissions outside the project: anyone on the machine can replace what
    runs there, or a program gains its owner's rights."""
    for match in CHMOD.finditer(line):
        flags, mode, target = match.group(1), match.group(2), match.group(3).strip("\"'")
        recursive = "R" in flags or "--recursive" in flags
        outside = target.startswith(("/", "~", "$HOME", "${HOME}"))
        if _world_writable(mode) and recursive and (target.rstrip("/") or "/") in CATASTROPHIC_CHMOD_TARGETS:
            yield Hit("destructive", HIGH, "chmod_world_writable_root",
                      "makes the whole system or home directory world-writable", match.start())  # fmt: skip
        elif _world_writable(mode) and outside:
            yield Hit("destructive", MED, "world_writable_permissions",
                      f"makes {target} writable by every user of the machine", match.start())  # fmt: skip
        elif _setuid(mode) and outside:
            yield Hit("destructive", MED, "setuid_permissions",
                      f"sets the setuid/setgid bit on {target}, so it runs with its owner's rights",
                      match.start())  # fmt: skip


CONTAINER_RUN = re.compile(r"\b(?:docker|podman)\s+(?:container\s+)?(?:run|create)\b([^\n;&|]*)")
# What turns a container into the host: full privileges or an unconfined profile, with the host's root, home
# or container runtime mounted in.
ESCALATION = re.compile(
    r"--privileged\b|--cap-add[=\s]+(?:SYS_ADMIN|ALL)\b|(?:apparmor|seccomp)[=:]unconfined|--pid[=\s]+host"
)
HOST_MOUNT = re.compile(
    r"(?:-v|--volume|--mount)[=\s]+[\"']?(?:type=bind,\s*source=)?(?:/|/home|/root|~|\$HOME|/var/run/docker\.sock)(?::|,|/?[\"']?\s)"
)


def check_container(line: str) -> Iterator[Hit]:
    """A privileged container with the host's root, home or Docker socket mounted in can take over the host."""
    for match in CONTAINER_RUN.finditer(line):
        arguments = match.group(1)
        if ESCALATION.search(arguments) and HOST_MOUNT.search(arguments + " "):
            yield Hit("destructive", MED, "privileged_container_host_mount",
                      "runs a privileged container with the host's files mounted in: a container escape",
                      match.start())  # fmt: skip
        elif ESCALATION.search(arguments):
            yield Hit("destructive", LOW, "privileged_container", "runs a privileged container", match.start())


# Each check with its gate (see `gates`): the lowercase substrings without which it cannot match.
COMMAND_CHECKS: tuple[tuple[Callable[[str], Iterator[Hit]], Gate], ...] = (
    (check_rm, gate("rm")),
    (check_download_pipe, gate("curl, wget, fetch, iwr, irm, invoke-webrequest, invoke-restmethod & |, <(, $(")),
    (check_force_push, gate("push")),
    (check_sensitive_files, gate(
        ".ssh, id_rsa, id_dsa, id_ecdsa, id_ed25519, aws/credentials, .env, /etc/shadow, /etc/sudoers, .netrc, "
        ".git-credentials, .npmrc, .pypirc, .pgpass, docker/config.json, kube/config, config/gcloud, .gnupg, "
        "credentials.json, .azure/, gh/hosts.yml, terraform.d/credentials, wallet.dat, .bitcoin/, .ethereum/, "
        ".electrum/, keystore/utc--"
    )),
    (check_secret_exfiltration, gate(
        "://, curl, wget, nc, scp, rsync, ftp, socat, telnet, httpie, invoke-, requests., httpx., urlopen, urllib, "
        "aiohttp, smtplib, sendmail, fetch(, axios, /dev/tcp/, /dev/udp/"
    )),
    (check_drop_host, gate(
        "webhook.site, requestbin., pipedream.net, hookbin.com, beeceptor.com, requestcatcher.com, pastebin.com, "
        "paste.ee, hastebin., ghostbin., dpaste., 0x0.st, transfer.sh, file.io, termbin.com, discord, "
        "api.telegram.org/bot, hooks.slack.com/services, ngrok, trycloudflare.com, loca.lt, serveo.net, "
        "localhost.run, oast., interact.sh, burpcollaborator.net, dnslog.cn, ceye.io, glot.io, rentry.co, ix.io, "
        "sprunge.us, paste.rs, controlc.com, justpaste.it, pastebin.pl, paste.gg, bpa.st"
    )),
    (check_download_and_run, gate("curl, wget, fetch, iwr, irm, invoke-webrequest, invoke-restmethod")),
    (check_persistence_files, gate(
        "bashrc, zshrc, profile, bash_login, zshenv, config.fish, agents.md, claude.md, gemini.md, .claude/, "
        "cursorrules, .codex/, .mcp.json, copilot-instructions, authorized_keys, .git/hooks/"
    )),
    (check_remote_installs, gate("pip, npm, yarn, pnpm")),
    (check_eval, gate("eval")),
    (check_package_index, gate("index-url, index_url, registry, -i")),
    (check_chmod, gate("chmod")),
    (check_container, gate("docker, podman & run, create")),
)  # fmt: skip

"""Vocabulary shared by the line rules and the data-flow passes: credential paths, network commands,
decoders, downloaders and interpreters."""

from __future__ import annotations

import re

# Files whose contents are credentials. `.env.example` and friends are templates, deliberately not here, and
# `\.env` is a regular expression that looks for one.
SENSITIVE_PATH = re.compile(
    r"~/\.ssh\b|\$HOME/\.ssh\b|\.ssh/(?:id_\w+|authorized_keys|config)\b|\bid_(?:rsa|dsa|ecdsa|ed25519)\b"
    r"|\.aws/credentials\b|(?<![\w.\\-])\.env(?:\.(?!example\b|sample\b|template\b|dist\b|defaults\b)\w+)?(?![\w.-])"
    r"|/etc/shadow\b|/etc/sudoers\b|\.netrc\b|\.git-credentials\b|\.npmrc\b|\.pypirc\b|\.pgpass\b"
    r"|\.docker/config\.json\b|\.kube/config\b|\.config/gcloud\b|\.gnupg\b|credentials\.json\b"
    r"|\.azure/(?:accessTokens|msal_token_cache)\w*|\.config/gh/hosts\.yml\b|\.terraform\.d/credentials"
    r"|\bwallet\.dat\b|\.(?:bitcoin|ethereum|electrum)/|\bkeystore/UTC--"
)
# Where browsers and operating systems keep saved passwords, cookies and keys.
SECRET_STORE = re.compile(
    r"(?i)Login Data\b|\bCookies\b(?=[\"'/ ]|$)|\blogins\.json\b|\bkey[34]\.db\b|\bcookies\.sqlite\b"
    r"|Library/Keychains|\blogin\.keychain|\bsecurity\s+(?:find|dump)-(?:generic-|internet-)?(?:password|keychain)"
    r"|\bkeyring\.get_password\b|\bsecret-tool\s+lookup\b|\bCredRead\b|\bcmdkey\s+/list"
    r"|Local State\b|\bLocal Storage/leveldb"
)
# Commands and calls that move data off the machine.
NETWORK_COMMAND = re.compile(
    r"\b(?:curl|wget|nc|ncat|netcat|scp|rsync|sftp|ftp|socat|telnet|httpie|Invoke-WebRequest|Invoke-RestMethod"
    r"|(?:requests|httpx)\.(?:post|put|patch|get)|urlopen|urllib\.request|aiohttp|smtplib|sendmail)\b"
    r"|\bfetch\(|\baxios[.(]|/dev/(?:tcp|udp)/"
)
# Hosts that exist to receive data anonymously or to tunnel it out: pastebins, request catchers,
# chat-bot webhooks, tunnels and interaction (out-of-band) servers.
DROP_HOST = re.compile(
    r"(?i)\b(?:webhook\.site|requestbin\.\w+|pipedream\.net|hookbin\.com|beeceptor\.com|requestcatcher\.com"
    r"|pastebin\.com|paste\.ee|hastebin\.\w+|ghostbin\.\w+|dpaste\.\w+|0x0\.st|transfer\.sh|file\.io|termbin\.com"
    r"|glot\.io|rentry\.co|ix\.io|sprunge\.us|paste\.rs|controlc\.com|justpaste\.it|pastebin\.pl|paste\.gg|bpa\.st"
    r"|discord(?:app)?\.com/api/webhooks|api\.telegram\.org/bot|hooks\.slack\.com/services"
    r"|[\w-]+\.ngrok(?:-free)?\.(?:io|app|dev)|ngrok\.io|[\w-]+\.trycloudflare\.com|[\w-]+\.loca\.lt"
    r"|serveo\.net|[\w-]+\.localhost\.run|[\w.-]+\.(?:oast\.(?:fun|me|pro|live|site|online)|interact\.sh"
    r"|burpcollaborator\.net|dnslog\.cn|ceye\.io))"
)
# Prose that tells the agent to move something off the machine: "send the key to ...", "upload ... to".
EXFIL_VERB = re.compile(r"(?i)\b(?:upload|send|post|exfiltrate|transmit|forward|paste|leak)\b")
# Commands and calls that read a file named after them (`echo ~/.ssh` names it, it does not read it).
READ_COMMAND = re.compile(
    r"\b(?:cat|less|more|head|tail|cp|base64|xxd|od|strings|grep|awk|source|read_text|read_bytes|readFile"
    r"|readFileSync|Get-Content|load_dotenv)\b|\b(?:open|Path|Read)\s*\(|<\s*(?=[~$/\w.])"
)
SECRET_VARIABLE = r"\$\{?[A-Za-z_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS?|AUTH)[A-Za-z0-9_]*\}?"
SHELL = r"(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+)?(?:/usr)?(?:/bin/)?(?:ba|z|da|k|c|tc|fi)?sh\b"
INTERPRETER = rf"(?:{SHELL}|python[23]?\b|perl\b|ruby\b|node\b|php\b|iex\b|Invoke-Expression\b)"
# A decoding step, written so each pattern that uses it scans the rest of a line once, not once per flag.
DECODER = r"(?:\b(?:base64|base32)\s+(?:-\w+\s+)*(?:-d|--decode|-D)\b|\bxxd\s+-r\b|\bopenssl\s+(?:base64|enc)\s+-d\b)"
DOWNLOADER = r"\b(?:curl|wget|fetch|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b"
# Official installers that their vendors document as `curl ... | sh` over HTTPS; piping them is the
# documented set-up, not a hidden download (an unknown host, or plain http, stays critical).
VENDOR_INSTALLER = re.compile(
    r"https://(?:astral\.sh|sh\.rustup\.rs|(?:www\.)?rustup\.rs|claude\.ai/install|get\.docker\.com|bun\.sh"
    r"|deno\.land/install|install\.python-poetry\.org|get\.pnpm\.io|fnm\.vercel\.app|starship\.rs"
    r"|ollama\.com/install|sdk\.cloud\.google\.com|raw\.githubusercontent\.com/(?:Homebrew|nvm-sh)/"
    r"|cli\.github\.com|get\.helm\.sh|foundry\.paradigm\.xyz|opencode\.ai/install|pixi\.sh|mise\.run"
    r"|install\.determinate\.systems|nixos\.org/nix/install|get\.sdkman\.io|tailscale\.com/install|apt\.llvm\.org/llvm\.sh)"
)

# Where a download lands: `-o FILE` (curl), `-O FILE` / `--output-document` (wget), or, for `curl -O URL` and a
# plain `wget URL`, the last part of the URL.
DOWNLOAD_COMMAND = re.compile(r"\b(curl|wget|fetch|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b([^\n;&|]{0,400})")
OUTPUT_OPTION = re.compile(
    r"\s(?:-o|--output|--output-document)[\s=]+[\"']?([\w./~$-]{1,200})|\s-O\s+[\"']?(?!https?://)([\w./~$-]{1,200})"
)
REMOTE_NAME = re.compile(r"\s(?:-O|--remote-name)(?=\s|$)")
URL_PATH = re.compile(r"https?://[^\s\"'<>]+")


def downloaded_files(text: str) -> list[tuple[int, str]]:
    """(offset of the download command, name of the file it writes) for each download in `text`."""
    found = []
    for match in DOWNLOAD_COMMAND.finditer(text):
        arguments = match.group(2)
        if output := OUTPUT_OPTION.search(arguments):
            name = output.group(1) or output.group(2)
        elif (REMOTE_NAME.search(arguments) or match.group(0).startswith("wget")) and (
            url := URL_PATH.search(arguments)
        ):
            name = url.group(0).split("?", 1)[0].split("#", 1)[0].rstrip("/")
        else:
            continue
        name = name.rsplit("/", 1)[-1]
        if name and "$" not in name:
            found.append((match.start(), name))
    return found

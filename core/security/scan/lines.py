"""Rules that judge one logical line (a command, a sentence or a line of code), each behind its gate (`gates`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from skillwarden.core.security.scan.commands import COMMAND_CHECKS, quoted_in_a_discussion
from skillwarden.core.security.scan.gates import Gate, gate, passes
from skillwarden.core.security.scan.model import CRIT, HIGH, LOW, MED, Hit, Severity
from skillwarden.core.security.scan.patterns import DECODER, INTERPRETER


@dataclass(frozen=True)
class _PatternRule:
    rule: str
    category: str
    severity: Severity
    pattern: re.Pattern[str]
    message: str
    gate: Gate


def _rule(rule: str, category: str, severity: Severity, pattern: str, message: str, keys: str) -> _PatternRule:
    return _PatternRule(rule, category, severity, re.compile(pattern), message, gate(keys))


DECODER_KEYS = "base64, base32, xxd, openssl"
# A sentence that tells the agent to set its instructions or its safety rules aside.
OVERRIDE_VERB = r"(?:ignore|disregard|forget|override|bypass|suspend|drop)"
SAFETY_RULES = (
    r"(?:system\s+prompt|guardrails|(?:safety|content|ethical|usage|security)\s+(?:rules|guidelines|polic(?:y|ies)"
    r"|restrictions|filters|constraints))"
)

# Rules a single regex decides; `commands` holds those that weigh context (which file, which target).
PATTERN_RULES: tuple[_PatternRule, ...] = (
    # reverse shells
    _rule("dev_tcp_shell", "reverse_shell", CRIT, r"/dev/(?:tcp|udp)/[\w.-]+/\d+",
          "opens a shell connection to a remote host through /dev/tcp", "/dev/tcp/, /dev/udp/"),
    _rule("interactive_shell_redirect", "reverse_shell", CRIT, r"\b(?:ba|z)?sh\s+-i\b[^\n]{0,300}[<>]&",
          "redirects an interactive shell to a socket", "sh & -i & >&, <&"),
    _rule("netcat_exec", "reverse_shell", CRIT, r"\b(?:nc|ncat|netcat)\b[^\n;|&]{0,300}\s-[A-Za-z]*[ec](?:\s|$)",
          "netcat with -e/-c hands a shell to whoever connects", "nc"),
    _rule("fifo_netcat", "reverse_shell", CRIT, r"\bmkfifo\b[^\n]{0,300}\b(?:nc|ncat|netcat|telnet|openssl)\b",
          "a named pipe wired to a network client: a classic reverse shell", "mkfifo"),
    _rule("socat_exec", "reverse_shell", CRIT, r"(?i)\bsocat\b[^\n]{0,300}\b(?:exec|system):",
          "socat executing a program for a network peer", "socat"),
    _rule("socket_spawn_shell", "reverse_shell", CRIT,
          r"\bsocket\b[^\n]{0,300}\b(?:pty\.spawn|os\.dup2|subprocess\.call\(\s*\[?\s*[\"']/bin/(?:ba)?sh)",
          "a script that connects a socket to a shell", "socket"),
    # supply chain: remote code piped into an interpreter
    _rule("powershell_download_exec", "supply_chain", CRIT,
          r"(?i)\b(?:iex|Invoke-Expression)\b[^\n]{0,300}\b(?:DownloadString|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b",
          "PowerShell runs a downloaded script", "iex, invoke-expression"),
    _rule("pip_trusted_host", "supply_chain", MED, r"--trusted-host\b",
          "--trusted-host turns off TLS verification for a package index", "--trusted-host"),
    _rule("internal_registry_install", "supply_chain", MED,
          r"(?i)\b(?:install|fetch|pull|get|download)\w*\b[^.\n]{0,60}?\b(?:from|via|using|through)\s+(?:the\s+|an?\s+|our\s+"
          r"|your\s+)?(?:internal|private|corporate|company|in-house|self-hosted)\s+(?:package\s+|npm\s+|pypi\s+|python\s+"
          r"|artifact\s+)?(?:registry|index|feed|mirror|repository|repo|artifactory)\b",
          "installs from what it calls an internal registry: unless the name is scoped or the index pinned, the "
          "public registry can serve a package of the same name (dependency confusion)",
          "internal, private, corporate, company, in-house, self-hosted & registry, index, feed, mirror, repo, "
          "artifactory"),
    # obfuscation
    _rule("decoded_destination", "exfiltration", HIGH,
          DECODER + r"[^\n]{0,200}\|\s*xargs\s+(?:-\S+\s+)*(?:curl|wget)\b",
          "sends to an address it decodes at run time, so a reviewer cannot see where", DECODER_KEYS + " & xargs"),
    _rule("encoded_upload", "exfiltration", HIGH,
          r"(?:\|\s*(?:base64|xxd|gzip|openssl\s+enc)\b|" + DECODER + r")[^\n|]{0,200}\|\s*curl\b[^\n]{0,300}"
          r"(?:-d|--data[\w-]*|-F|-T)\s*[\"']?@-",
          "encodes or decodes data and uploads it, so what leaves is unreadable in the skill and in transit logs",
          "base64, base32, xxd, gzip, openssl & curl & @-"),
    _rule("exfiltration_instruction", "exfiltration", HIGH,
          r"(?i)\b(?:send|forward|upload|post|transmit|exfiltrate|report)\s+(?:all\s+|the\s+|any\s+|every\s+)?"
          r"(?:\w+\s+){0,3}?(?:data|tokens?|keys?|credentials|secrets?|passwords?|cookies|environment|contents?|files?"
          r"|(?:conversation|chat)(?:\s+history)?|history|transcripts?|system\s+prompt|(?:full\s+)?context"
          r"|(?:user|previous|all)\s+messages)\b"
          r"[^.\n]{0,60}?"
          r"\b(?:to|at)\s+https?://",
          "tells the agent to send secrets or data to an address",
          "://"),
    _rule("markdown_image_exfiltration", "exfiltration", MED,
          r"!\[[^\]\n]{0,200}\]\(\s*https?://[^)\s]{0,300}[?&][\w.-]+=(?:\{[^}\n]{0,60}\}|\$\{?\w+|%7[Bb]|<[\w-]+>)",
          "an image whose address is filled with data at run time: rendering it sends the data to that host",
          "![ & http"),
    _rule("api_endpoint_override", "exfiltration", MED,
          r"\b(?:ANTHROPIC|OPENAI|CLAUDE|GEMINI|GOOGLE_GEMINI|AZURE_OPENAI|MISTRAL)_(?:BASE_URL|API_BASE|API_URL|ENDPOINT)"
          r"[\"']?\s*[=:]\s*[\"']?https?://(?!api\.anthropic\.com|api\.openai\.com|generativelanguage\.googleapis\.com"
          r"|api\.mistral\.ai|localhost\b|127\.0\.0\.1|0\.0\.0\.0|\[::1\])",
          "points the model API at another host, which then sees every prompt and the API key",
          "base_url, api_base, api_url, endpoint"),
    _rule("piped_credential_upload", "exfiltration", HIGH,
          r"(?i)\b(?:echo|printf|cat)\b[^\n|]{0,200}\b(?:credentials?|passw(?:or)?d|secret|token|api[_-]?key|private[_-]?key)"
          r"[^\n|]{0,200}\|\s*curl\b[^\n]{0,300}(?:-d|--data[\w-]*|-F|-T)\s*[\"']?@-",
          "pipes credentials into an upload", "curl & @- & cred, passw, secret, token, key"),
    _rule("decode_pipe_shell", "obfuscation", CRIT,
          DECODER + r"[^\n]{0,300}\|\s*" + INTERPRETER,
          "decodes hidden text and runs it (base64 -d | sh)", DECODER_KEYS + " & |"),
    _rule("eval_decoded_code", "obfuscation", CRIT,
          r"\beval\b[^\n]{0,300}?" + DECODER,
          "evaluates shell code decoded from base64", "eval & " + DECODER_KEYS),
    _rule("exec_decoded_code", "obfuscation", CRIT,
          r"\b(?:exec|eval)\s*\([^\n]{0,300}(?:b64decode|a85decode|b85decode|b32decode"
          r"|decode\(\s*[\"'](?:base64|hex|rot13)|decompress\(|marshal\.loads|bytes\.fromhex|codecs\.decode)",
          "executes code decoded at run time, so a reviewer cannot read what runs", "exec, eval"),
    _rule("python_c_exec", "obfuscation", MED, r"\bpython[23]?\s+-c\s+[\"'][^\n]{0,300}\bexec\s*\(",
          "python -c with exec() runs code a reviewer has to reconstruct", "python & exec"),
    # prompt injection
    _rule("ignore_previous_instructions", "prompt_injection", CRIT,
          r"(?i)\b" + OVERRIDE_VERB + r"\s+(?:all\s+|any\s+|the\s+|your\s+|of\s+)*"
          r"(?:previous|prior|above|earlier|preceding|former|system|original)\s+"
          r"(?:instructions?|prompts?|directions?|rules|messages?|guidelines|context)"
          r"|\b(?:all\s+)?(?:previous|prior|earlier|above|original|system)\s+(?:instructions?|prompts?|rules|guidelines)\s+"
          r"(?:are|is|have\s+been|has\s+been)\s+(?:now\s+)?(?:suspended|void|null|cancell?ed|revoked|lifted|disabled"
          r"|overridden|obsolete|no\s+longer\s+(?:valid|apply|in\s+effect))",
          "tries to override the agent's instructions",
          "ignore, disregard, forget, override, bypass, suspend, drop, previous, prior, earlier, original, system"),
    _rule("disregard_system_prompt", "prompt_injection", CRIT,
          r"(?i)\b" + OVERRIDE_VERB + r"\s+(?:all\s+|any\s+|the\s+|your\s+)*" + SAFETY_RULES
          + r"|\b" + SAFETY_RULES + r"\s+(?:are|is|have\s+been|has\s+been)\s+(?:now\s+)?(?:lifted|suspended|disabled"
          r"|removed|void|off)\b",
          "tries to override the system prompt or the safety rules",
          "prompt, guardrails, rules, guidelines, polic, restrictions, filters, constraints"),
    _rule("conceal_from_user", "prompt_injection", HIGH,
          r"(?i)\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|mention|notify|alert|show|reveal|disclose)\b[^.\n]{0,60}?"
          r"\b(?:to\s+|with\s+)?the\s+user\b|\bwithout\s+(?:telling|informing|notifying)\s+the\s+user\b"
          r"|\b(?:hide|conceal|keep)\s+(?:this|it)\s+(?:secret\s+)?from\s+the\s+user\b",
          "asks the agent to hide its actions from the user", "user"),
    _rule("role_hijack", "prompt_injection", HIGH,
          r"(?i)\byou\s+are\s+now\s+(?:(?:operating|acting|functioning|running)\s+(?:as|in)\s+)?(?:an?\s+|the\s+|in\s+)?"
          r"(?:DAN\b|unrestricted|unfiltered|uncensored|jailbroken|evil|god\s+mode|developer\s+mode"
          r"|(?:\w+\s+){0,3}?(?:assistant|AI|model|agent|persona|character|bot)\b)"
          r"|\byou\s+are\s+no\s+longer\b|\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must)\b"
          r"|\b(?:here\s+is\s+)?your\s+new\s+(?:system\s+prompt|instructions)\s*(?:is|are)?\s*:"
          r"|\bpretend\s+(?:that\s+)?you\s+(?:are|have)\s+no\b",
          "tries to give the agent a new role", "you"),
    _rule("chat_template_tokens", "prompt_injection", HIGH, r"<\|im_(?:start|end)\|>|<\|(?:system|endoftext)\|>",
          "chat-template control tokens that fake a system or assistant turn", "<|"),
    # A fake end of the system prompt, so that what follows reads as a new one.
    _rule("fake_prompt_boundary", "prompt_injection", CRIT,
          r"(?:-{3,}|={3,}|#{2,}|\[|<)\s*END\s+OF\s+(?:THE\s+)?(?:SYSTEM\s+(?:PROMPT|MESSAGE|INSTRUCTIONS)|INSTRUCTIONS"
          r"|PROMPT)\b|(?i:\bend\s+of\s+(?:the\s+)?system\s+prompt\s*(?:-{3,}|={3,}|\]|>))",
          "fakes the end of the system prompt, so that what follows passes for new instructions", "end of"),
    _rule("safety_disabled_setting", "prompt_injection", CRIT,
          r"(?i)\b(?:safety[_ -]?(?:filters?|checks?|mode)|content[_ -]?(?:filters?|restrictions?|policy)|guardrails"
          r"|censorship)\s*[:=]\s*[\"']?(?:disabled|none|off|false|0|removed)\b"
          r"|\bno\s+(?:content|safety|ethical|moral)\s+(?:restrictions|filters|guidelines|limits)\b",
          "declares the model's safety restrictions switched off", "safety, content, guardrails, censor"),
    _rule("remote_instructions", "prompt_injection", HIGH,
          r"(?i)\b(?:fetch|download|load|read|get|retrieve|pull)\b[^.\n]{0,80}?\binstructions?\b[^\n]{0,40}?https?://"
          r"[^\s)]+[^.\n]{0,60}?\b(?:follow|execute|obey|apply|carry\s+out)\s+(?:them|it|these|those|all)\b"
          r"|\b(?:execute|follow|obey|run|carry\s+out)\s+(?:all|any|every)\s+(?:of\s+the\s+)?instructions?\s+"
          r"(?:found|contained|written|given|listed)\s+in\s+(?:the|that|this|each)\s+(?:remote\s+|downloaded\s+"
          r"|fetched\s+|external\s+)?(?:document|file|page|response|content|markdown)",
          "tells the agent to obey instructions fetched from elsewhere, which their owner can change at any time",
          "instruction"),
    _rule("context_credential_harvest", "exfiltration", HIGH,
          r"(?i)\b(?:extract|collect|harvest|gather|grab|dump|list|capture)\s+(?:all|any|every)\s+(?:\w+\s+){0,2}?"
          r"(?:credentials|api\s+keys|(?:access\s+|auth\w*\s+)?tokens|passwords|secrets)\b[^.\n]{0,80}?\b(?:in|from)\s+"
          r"(?:the\s+|your\s+|this\s+)?(?:context|conversation|chat|memory|session|prompt|environment)\b",
          "tells the agent to gather the credentials it can see in its context",
          "credential, key, token, passw, secret"),
    _rule("extractor_injection", "prompt_injection", HIGH,
          r"(?i)\bwhen\s+(?:you\s+(?:are\s+)?)?(?:summari[sz]|extract|mine|mining|distill|learn)\w*\b[^\n]{0,100}?"
          r"\b(?:create|add|write|generate|include|make|emit|propose|save)\b[^\n]{0,60}?\bskills?\b"
          r"|\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+)?(?:summari[sz]er|extractor|skill\s+miner"
          r"|reviewer|scanner|model\s+reading\s+this)\b"
          r"|\b(?:mark|label)\s+(?:this|it)\s+(?:skill\s+)?as\s+(?:safe|approved|trusted|reviewed)\b"
          r"|\b(?:skip|bypass|disable|evade)\s+(?:the\s+)?(?:security\s+(?:scan|scanner|review|check)s?"
          r"|skill\s+(?:scan|scanner|review)s?|scanner)\b",
          "addresses the skill extractor or reviewer instead of the task",
          "skill, summari, extractor, reviewer, scan, model, mark, label, security"),
    # "Send the full conversation history each time" is how a chat API is called; the system prompt dumped in
    # full, or anything of the context written into error messages or replies, is a disclosure.
    _rule("context_disclosure_request", "prompt_injection", HIGH,
          r"(?i)\b(?:include|print|output|reveal|dump|repeat|send|append|share|copy|leak|display|return|write)\b"
          r"[^.\n]{0,60}?\b(?:full|entire|complete|verbatim|all|raw)\b[^.\n]{0,20}?\b(?:system\s+prompt"
          r"|hidden\s+instructions|developer\s+message)"
          r"|\b(?:system\s+prompt|conversation\s+history|hidden\s+instructions)\b[^.\n]{0,40}?\b(?:verbatim"
          r"|in\s+(?:every|each|all|your|the)\s+(?:error|response|reply|output|answer|message|report)s?)\b",
          "asks the agent to disclose its system prompt or conversation",
          "prompt, history, instructions, message"),
    _rule("credential_phishing", "social_engineering", HIGH,
          r"(?i)\b(?:ask|instruct|tell|request|prompt|require|have|get)\s+(?:the\s+)?users?\s+(?:to\s+|for\s+)?"
          r"(?:(?:provide|enter|paste|share|send|give|type|reveal|input|submit)\s+)?(?:their|your|the|his|her)?\s*"
          r"[^.\n]{0,30}?\b(?:private\s+keys?|seed\s+phrases?|mnemonic|recovery\s+(?:phrase|codes?|words)"
          r"|secret\s+recovery|wallet\s+(?:password|keys?)|2fa\s+codes?|otp\b|one[- ]time\s+(?:code|password)"
          r"|(?:bank|email|account|login)\s+password)",
          "asks the agent to collect private keys, recovery phrases or passwords from the user",
          "user & key, phrase, mnemonic, recovery, wallet, 2fa, otp, code, password"),
    _rule("disable_security_tool", "defense_evasion", HIGH,
          r"(?i)\b(?:disable|turn\s+off|stop|kill|uninstall|bypass)\s+(?:the\s+|your\s+|any\s+|all\s+)?(?:antivirus|anti-virus"
          r"|firewall|selinux|(?:windows\s+)?defender|apparmor|gatekeeper|edr\b|endpoint\s+protection|security\s+software"
          r"|xprotect|security\s+controls)",
          "tells the agent to switch off the machine's security software",
          "antivirus, anti-virus, firewall, selinux, defender, apparmor, gatekeeper, edr, endpoint, security, "
          "xprotect"),
    _rule("security_feature_off", "defense_evasion", HIGH,
          r"(?i)\bSet-MpPreference\b[^\n]{0,120}?-Disable\w+\s+(?:\$true|1)\b|\bAdd-MpPreference\b[^\n]{0,40}?-Exclusion"
          r"(?:Path|Process|Extension)\b|\bnetsh\s+(?:adv)?firewall\s+set\s+\w+\s+state\s+off\b|\bsetenforce\s+0\b"
          r"|\bspctl\s+--master-disable\b|\bsc(?:\.exe)?\s+(?:stop|delete|config)\s+WinDefend\b"
          r"|\bsc(?:\.exe)?\s+create\s+\S+\s+type=\s*kernel\b",
          "switches off the machine's malware or access protection, or loads a kernel driver",
          "mppreference, netsh, setenforce, spctl, windefend, kernel"),
    # destructive
    _rule("make_filesystem", "destructive", CRIT, r"\bmkfs(?:\.\w+)?\s+(?:-\S+\s+)*/dev/",
          "formats a disk device", "mkfs"),
    _rule("raw_disk_write", "destructive", CRIT,
          r"\bdd\b[^\n;|&]{0,300}\bof=/dev/(?!null\b|zero\b|stdout\b|stderr\b|tty\b)\w|>\s*/dev/(?:sd|nvme|hd|xvd|vd|disk)\w",
          "writes over a raw disk device", "/dev/"),
    _rule("drop_database", "destructive", HIGH, r"(?i)\bdrop\s+(?:database|schema)\b", "drops a whole database",
          "drop"),
    _rule("fork_bomb", "destructive", HIGH, r":\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:", "a fork bomb", ":()"),
    _rule("dns_exfiltration", "exfiltration", HIGH,
          r"(?:^\s*|[;&|(]\s*|\$\(\s*|[\"`]\s*)(?:dig|nslookup|host|drill)\s[^\n]{0,200}?"
          r"(?:\$\([^)\n]{0,200}\)|\$\{?\w+\}?|\{\w+\})\.[\w-]+\.[a-z]{2,}",
          "puts computed data into a DNS name, a channel that leaks through most firewalls",
          "dig, nslookup, host, drill"),
    # A payload is a string: `"return require(\"child_process\")..."`; the same call in code is just code.
    _rule("injected_code_payload", "code_execution", HIGH,
          r"[\"'`][^\"'`\n]{0,200}?(?:require\(\\?[\"']child_process\\?[\"']\)|\bprocess\.mainModule\b"
          r"|__import__\(\\?[\"']os\\?[\"']\)\.(?:system|popen)|Runtime\.getRuntime\(\)\.exec)|\$\{jndi:",
          "an injection payload that makes a server run commands",
          "child_process, mainmodule, __import__, runtime.getruntime, ${jndi:"),
    _rule("credential_disclosure_request", "prompt_injection", HIGH,
          r"(?i)\b(?:echo|print|reveal|show|output|repeat|include|paste|tell\s+me)\b[^.\n]{0,60}?\b(?:authorization\s+header"
          r"|api[_ -]?keys?|access\s+tokens?|bearer\s+tokens?|passwords?|private\s+keys?|credentials"
          r"|environment\s+variables)\b[^.\n]{0,60}?\b(?:in\s+your\s+(?:next\s+)?(?:response|reply|answer|output)"
          r"|back\s+to\s+me|to\s+me)\b",
          "asks the agent to disclose credentials in its reply",
          "authoriz, api, token, passw, key, credential, environment & response, reply, answer, output, me"),
    _rule("malware_test_signature", "malware", HIGH,
          r"X5O!P%@AP\[4\\PZX54\(P\^\)7CC\)7\}\$EICAR-STANDARD-ANTIVIRUS-TEST-FILE",
          "the EICAR antivirus test signature: antivirus software on every machine that loads it reacts", "eicar"),
    # persistence that needs no particular target file
    _rule("crontab_install", "persistence", HIGH,
          r"\|\s*crontab\b|\bcrontab\s+(?:-e\b|-\s|-$|(?!-)[^\s|;&]+)|>>?\s*/(?:etc/cron|var/spool/cron)",
          "installs a cron job that keeps running after the session", "cron"),
    _rule("service_enable", "persistence", HIGH,
          r"\bsystemctl\s+(?:--user\s+)?enable\b|\blaunchctl\s+(?:load|bootstrap)\b"
          r"|(?:Library/LaunchAgents|\.config/systemd/user|/etc/systemd/system)/[\w@.-]+\.(?:plist|service|timer)",
          "registers a service that starts on its own", "systemctl, launchctl, launchagents, systemd"),
    _rule("python_startup_hook", "persistence", HIGH,
          r"\b[\w.-]+\.pth\b[^\n]{0,120}\b(?:site-packages|dist-packages|import)\b"
          r"|\b(?:site-packages|dist-packages)/[\w.-]+\.pth\b|\bsitecustomize\.py\b|\busercustomize\.py\b",
          "a .pth or sitecustomize file: code every Python start-up runs", ".pth, customize.py"),
)  # fmt: skip


def pattern_hits(
    line: str, rules: tuple[_PatternRule, ...] = PATTERN_RULES, lowered: str | None = None
) -> Iterator[Hit]:
    """The hits of `rules` on a line; with `lowered`, only of those whose gate it holds."""
    for rule in rules:
        if lowered is not None and not passes(rule.gate, lowered):
            continue
        if match := rule.pattern.search(line):
            if rule.category == "prompt_injection" and quoted_in_a_discussion(line, match):
                yield Hit(rule.category, LOW, "quoted_injection_phrase",
                          "quotes an injection phrase while discussing it", match.start())  # fmt: skip
            else:
                yield Hit(rule.category, rule.severity, rule.rule, rule.message, match.start())


def line_hits(line: str) -> Iterator[Hit]:
    """Every line rule's hits on one logical line, as the model reads it, without gates."""
    yield from pattern_hits(line)
    for check, _gate in COMMAND_CHECKS:
        yield from check(line)


@dataclass(frozen=True)
class LineRules:
    """The rules that can match somewhere in one text: a file whose lowercased text lacks a rule's gate never
    runs that rule, and each line runs only the rules whose gate it holds."""

    patterns: tuple[_PatternRule, ...]
    checks: tuple[tuple[Callable[[str], Iterator[Hit]], Gate], ...]

    @classmethod
    def for_text(cls, lowered: str) -> LineRules:
        return cls(
            tuple(rule for rule in PATTERN_RULES if passes(rule.gate, lowered)),
            tuple((check, required) for check, required in COMMAND_CHECKS if passes(required, lowered)),
        )

    def hits(self, line: str) -> Iterator[Hit]:
        lowered = line.lower()
        yield from pattern_hits(line, self.patterns, lowered)
        for check, required in self.checks:
            if passes(required, lowered):
                yield from check(line)

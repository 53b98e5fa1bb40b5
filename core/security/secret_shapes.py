"""What a secret looks like: the rules `core.security.redact` runs, each a pattern, a test of what it matched, and the
literal markers that every match holds.

The shapes are those gitleaks and trufflehog know: provider prefixes first (they are nearly free of false
positives), then structural forms (PEM blocks, JWTs, Authorization headers, passwords in URLs, netrc
entries, password flags of `curl -u`, `sshpass -p`, `docker login -p`, `mysql -p`, webhook URLs, Azure
connection strings), then values assigned to secret-sounding names, and last a password named in prose
("the password is X").

A value assigned to a name that can only mean a secret (`password`, `DB_PASSWORD`, `client_secret`,
`API_TOKEN`) is taken whatever its entropy, from 6 characters on, unless it is plainly something else: a
placeholder, a variable, a path, a number or an identifier in code (`password = new_password`). Any other
secret-sounding name (`key`, `token`) needs a value that looks random. Documentation keys (`...EXAMPLE`)
and placeholders (`your-api-key`, `<token>`, `${API_KEY}`, `xxxxxxxx`) are left alone.

Every pattern is anchored at the start of a run of token characters by a lookbehind (which also takes a
JSON escape such as `\\n` for the whitespace it stands for), and uses possessive or bounded repeats, so no
input makes the engine backtrack more than a constant amount per character.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

# Lowest Shannon entropy (bits per character) for a value to count as random. Random base62 or hex of 16+
# characters scores 3.5-4.7; identifiers and English words, once the digit rule below has removed most of
# them, score lower.
MIN_ENTROPY = 3.0
MIN_GENERIC_SECRET_LENGTH = 16
# A value under a name that can only mean a secret is taken from this length on, whatever its entropy.
MIN_NAMED_SECRET_LENGTH = 6

# Words that mark a value as documentation or a template rather than a live secret.
PLACEHOLDER_WORDS = ("example", "your", "changeme", "change_me", "change-me", "placeholder", "redacted",
                     "dummy", "sample", "xxxx", "****", "....", "<", ">", "${", "{{", "%s", "insert")  # fmt: skip
# `settings.auth_token_v2`, `os.environ.API_KEY2`: an attribute path in code, not a literal value.
DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
# Six identical characters in a row (`xxxxxxxx`, `00000000`) never happen in a random 30+ char key.
REPEATED_RUN = re.compile(r"(.)\1{5}")
# `ghp_xxx`, `sk_live_XXX`: a provider's prefix with x's where the key goes.
X_FILLER = re.compile(r"(?i)(?:^|[_-])x{3,}(?![a-z0-9])")
# Values a secret's name is followed by that say something about it rather than being it.
NOT_SECRETS = frozenset(
    {"true", "false", "none", "null", "nil", "undefined", "required", "optional", "string", "secret", "password",
     "hidden", "masked", "enabled", "disabled", "default", "invalid", "incorrect", "expired", "missing", "stored",
     "changed", "correct", "needed", "revoked", "rotated", "encrypted", "hashed", "provided", "empty", "wrong"}
)  # fmt: skip
NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
# Letters, `_` and `-` only: in code, the name of a variable (`password = new_password`), not a password.
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_-]*")
NOT_A_VALUE_PREFIXES = ("-", "/", "./", "../", "~", "%", "http://", "https://", "file:")

# Names that can only mean a secret, and environment variables named like one (`STRIPE_KEY`, `DB_PASS`).
STRONG_SECRET_NAME = re.compile(
    r"(?i)passw|pwd|secret|credential|api[_-]?key|apikey"
    r"|(?:access|auth|refresh|api|bearer|session|private|client)[_-]?(?:token|key)"
)
ENVIRONMENT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
ENVIRONMENT_SECRET_SUFFIX = re.compile(r"(?:TOKEN|KEY|PASS|PASSWD|PASSWORD|SECRET|PWD|CREDENTIALS?)\d*$")
# A name about a secret rather than for one: `--password-stdin`, `PASSWORD_FILE`, `token_url`, `SECRET_NAME`.
ABOUT_A_SECRET = re.compile(
    r"(?i)[_-](?:stdin|file|path|dir|env|cmd|command|length|len|min|max|policy|hash|hasher|reset|prompt|field"
    r"|url|uri|name|id|type|count|expiry|expires|ttl)$"
)


def shannon_entropy(value: str) -> float:
    if not value:
        return 0.0
    length = len(value)
    return -sum(count / length * math.log2(count / length) for count in Counter(value).values())


def is_placeholder(value: str) -> bool:
    """`your-api-key`, `<token>`, `${API_KEY}`, `AKIA...EXAMPLE`, `xxxxxxxx`: templates, not secrets."""
    lowered = value.lower()
    return (
        value.startswith("$")
        or any(word in lowered for word in PLACEHOLDER_WORDS)
        or REPEATED_RUN.search(value) is not None
        or X_FILLER.search(value) is not None
    )


def looks_random(value: str) -> bool:
    """A provider-prefixed body that is not a template and not an English-like word."""
    return not is_placeholder(value) and shannon_entropy(value) >= MIN_ENTROPY


def looks_like_assigned_secret(value: str) -> bool:
    """A value after any secret-sounding name (`key=`, `"token":`) that is a credential rather than code or a path."""
    return (
        len(value) >= MIN_GENERIC_SECRET_LENGTH
        and not value.startswith(("/", "./", "../", "~", "http://", "https://"))
        and DOTTED_NAME.fullmatch(value) is None
        # Secrets mix letters and digits; identifiers such as `settings.OPENAI_API_KEY` do not.
        and any(ch.isdigit() for ch in value)
        and any(ch.isalpha() for ch in value)
        and looks_random(value)
    )


def is_secret_name(name: str) -> bool:
    """`password`, `DB_PASSWORD`, `--api-key`, `client_secret`, `GITHUB_TOKEN`: a name that can only mean a secret."""
    bare = name.lstrip("-")
    if ABOUT_A_SECRET.search(bare):
        return False
    return STRONG_SECRET_NAME.search(bare) is not None or (
        ENVIRONMENT_NAME.fullmatch(bare) is not None and ENVIRONMENT_SECRET_SUFFIX.search(bare) is not None
    )


def looks_like_named_secret(value: str, *, literal: bool) -> bool:
    """A value under a secret's name that is the secret, whatever its entropy. `literal`: its form says it is
    a literal (quoted, an environment assignment, a flag's value), so a plain word counts too."""
    return (
        len(value) >= MIN_NAMED_SECRET_LENGTH
        and not value.startswith(NOT_A_VALUE_PREFIXES)
        and not is_placeholder(value)
        and DOTTED_NAME.fullmatch(value) is None
        and NUMBER.fullmatch(value) is None
        and value.lower() not in NOT_SECRETS
        and (literal or IDENTIFIER.fullmatch(value) is None)
    )


def has_digit_and_looks_random(value: str) -> bool:
    """For loose prefixes (`sk-`, bare `Bearer`) that prose also uses: `sk-learn-contrib`, `Bearer tokens`."""
    return any(ch.isdigit() for ch in value) and looks_random(value)


def is_not_placeholder(value: str) -> bool:
    return not is_placeholder(value)


def any_value(_: str) -> bool:
    """For forms whose structure alone proves a secret (a PEM block, a signed JWT)."""
    return True


def mixed_case_random(value: str) -> bool:
    """An AWS secret access key: 40 characters of base64 with upper and lower case and digits."""
    return (
        looks_random(value)
        and any(ch.isdigit() for ch in value)
        and any(ch.isupper() for ch in value)
        and any(ch.islower() for ch in value)
    )


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    accepts: Callable[[str], bool]  # checks the secret group, which is what gets redacted
    # Every match contains one of these literals (lower case for a case-insensitive pattern), so text
    # without any of them is not searched at all.
    markers: tuple[str, ...]
    # For a pattern that opens with no literal to skip ahead to (a secret name has many spellings), where a
    # match can start: at a character `start` matches, at most `lead` characters before a marker. Trying
    # only those places finds what a scan of the whole text finds, at a fraction of its cost.
    start: re.Pattern[str] | None = None
    lead: int = 0
    # Where the secret group alone does not settle it (a name, a quote, a user around it), the whole match
    # is judged instead of `accepts`.
    judge: Callable[[re.Match[str]], bool] | None = None

    @property
    def ignores_case(self) -> bool:
        return bool(self.pattern.flags & re.IGNORECASE)

    def accepted(self, match: re.Match[str], secret: str) -> bool:
        return self.judge(match) if self.judge is not None else self.accepts(secret)


# A token starts and ends where a run of these characters does, so a key glued inside a longer word
# (`xghp_...`) is not taken for one, and matching never restarts inside a run.
_END = r"(?![\w-])"
# In JSON-escaped text (`"line\nghp_..."` as stored by a tool) an escape stands for whitespace.
_ESCAPED_SPACE = r"\\[nrt]"


def _token(prefix: str, body: str) -> str:
    """`prefix` + `body` as a whole run of token characters.

    The literal prefix comes first and the start-of-run check after it, because a pattern that opens with
    a literal lets the regex engine skip ahead with a fast substring search (20-50x faster than a pattern
    that opens with a lookbehind).
    """
    literal = re.escape(prefix)
    return literal + r"(?:(?<![\w-]" + literal + r")|(?<=" + _ESCAPED_SPACE + literal + r"))" + body + _END


PLACEHOLDER_OPENING = "[REDACTED:"


def _whole_name(match: re.Match[str]) -> str | None:
    """The whole name a secret-name match sits in: `DB_PASSWORD` for a match that starts at `PASSWORD`; None
    inside a placeholder (`[REDACTED:cli_password:1a2b3c4d]` names a kind, not a secret)."""
    text, start = match.string, match.start()
    begin = start
    while begin > max(0, start - 64) and (text[begin - 1].isalnum() or text[begin - 1] in "_.-"):
        begin -= 1
    if text.endswith(PLACEHOLDER_OPENING, 0, begin):
        return None
    return text[begin : match.end("name")]


def _assigned_secret(match: re.Match[str]) -> bool:
    """A value after a secret-sounding name: random-looking after any such name; after a name that can only
    mean a secret, any value that is not plainly something else."""
    value = match.group("secret")
    if looks_like_assigned_secret(value):
        return True
    name = _whole_name(match)
    if name is None or not is_secret_name(name):
        return False
    quoted = match.string[match.start("secret") - 1] in "\"'"
    literal = quoted or name.startswith("-") or ENVIRONMENT_NAME.fullmatch(name) is not None
    return looks_like_named_secret(value, literal=literal)


def _password_in_prose(match: re.Match[str]) -> bool:
    """"The password is Tr0ub4dor&3": a word that is no ordinary word (a digit, a symbol, a capital inside,
    or quotes around it); "the token is expired" is left alone."""
    value = match.group("secret")
    if value[0] in "*_" and value.strip("*_").isalpha() and value.strip("*_").islower():
        return False  # "each credential is *flagged*": a word in Markdown emphasis
    quoted = match.string[match.start("secret") - 1] in "\"'`"
    unusual = any(not ch.isalpha() for ch in value) or any(ch.isupper() for ch in value[1:])
    return looks_like_named_secret(value, literal=True) and (quoted or unusual)


def _program_password(match: re.Match[str]) -> bool:
    """`-p VALUE` of sshpass and of a registry login, `-pVALUE` (attached: `-p db` prompts) of mysql, and
    `-a VALUE` of redis-cli; the same flags of any other program are something else (`mkdir -p`, `ls -a`)."""
    text, start = match.string, match.start()
    line = text[max(text.rfind("\n", max(0, start - 512), start) + 1, start - 512) : start]
    owner = _PASSWORD_FLAG_PROGRAM.search(line)
    if owner is None or is_placeholder(match.group("secret")):
        return False
    program, flag, attached = owner.group("program"), match.group()[1], match.group("separator") == ""
    if program == "redis-cli":
        return flag == "a" and not attached
    if flag != "p":
        return False
    return attached if program.startswith(("mysql", "mariadb")) else True


def _user_password(match: re.Match[str]) -> bool:
    """`-u user:password`, but not `-u 1000:1000` (a user and group id)."""
    user, secret = match.group("user"), match.group("secret")
    return not is_placeholder(secret) and not (user.isdigit() and secret.isdigit())


_PEM_BEGIN = r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
_PEM_END = r"-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
# Names that make the value after them a secret: API_KEY, GITHUB_TOKEN, "password", client_secret...
SECRET_NAME = r"(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|passwd|pwd|key|credentials?)"
# One of these is in every spelling of a SECRET_NAME, at most _NAME_LEAD characters in (`api_key`).
_SECRET_NAME_MARKERS = ("key", "secret", "token", "passw", "pwd", "credential")
_NAME_LEAD = 4
_PEM_MARKERS = ("-----BEGIN",)
# What an unquoted or quoted value can be made of: stops at whitespace, quotes, code punctuation, a JSON
# escape's backslash, `&&` and the `&name=` of a query string (a lone `&` is a password's).
_VALUE_CHARACTERS = r"[^\s\"'`,;()\[\]{}<>&|\\]"
_VALUE = _VALUE_CHARACTERS + r"{1,1024}+(?:&(?!&|[\w.-]{0,32}+=)" + _VALUE_CHARACTERS + r"{0,1024}+){0,8}+"
# A quote, possibly JSON-escaped (`\"`).
_QUOTE = r"(?:\\{0,3}[\"'])?"
# The value of a password flag (`sshpass -p VALUE`), quoted or not.
_FLAG_VALUE = r"[\"']?(?P<secret>[^\s\"'`;|&\\]{1,256}+)"
# Between the words of a netrc entry: whitespace, its JSON escapes, and the `   3→` line numbers of a file
# as an agent's Read tool shows it.
_SEPARATOR = r"(?:\s|" + _ESCAPED_SPACE + r"|\d{1,9}+(?:\u2192|\\u2192))++"
# The program a password flag belongs to, as the last command on the line before the flag.
_PASSWORD_FLAG_PROGRAM = re.compile(
    r"(?<![\w-])(?P<program>sshpass|redis-cli|mysql(?:dump|admin|sh|import)?|mariadb"
    r"|(?:docker|podman|nerdctl|buildah|skopeo|oras|helm\s+registry)\s+login)\b[^;&|]*$"
)
# A secret named in prose: a name that can only mean one, one space, "is" or "was" (not "token is" and
# "key is", which code says all the time: `if token is None`). Each marker starts with a secret name's
# marker, so gating on them costs no extra search of the text.
_PROSE_NAME = r"passw(?:or)?d|passphrase|passcode|pwd|secret(?:[ _]key)?|credentials?"
_PROSE_MARKERS = tuple(
    f"{name} {verb}" for verb in ("is", "was")
    for name in ("passwd", "password", "passphrase", "passcode", "pwd", "secret", "secret key", "secret_key",
                 "credential", "credentials")
)  # fmt: skip

RULES: tuple[Rule, ...] = (
    # The body stops at the next run of dashes, so a stray BEGIN costs one short scan, not one to the end;
    # bounded, as a 4096-bit RSA key is about 3.3 kB even with JSON-escaped `\\n` line ends.
    Rule("private_key", re.compile(_PEM_BEGIN + r"(?:[^-]|-(?!-)){0,16384}?" + _PEM_END),
         any_value, _PEM_MARKERS),
    # A block cut off by a capped tool result still gives the key away: redact its header and body lines.
    Rule("private_key", re.compile(_PEM_BEGIN + r"(?:[A-Za-z0-9+/=\\]|\r?\n|(?:Proc-Type|DEK-Info):[^\n]*)*+"),
         any_value, _PEM_MARKERS),
    Rule("aws_access_key_id", re.compile(_token("A", r"(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}")), is_not_placeholder,
         ("AKIA", "ASIA", "ABIA", "ACCA")),
    Rule("aws_secret_access_key", re.compile(
        r"(?i)(?=a)aws_?secret_?(?:access_?)?key[\w.-]{0,32}+" + _QUOTE + r"\s*(?::=|=>|[:=])\s*" + _QUOTE
        + r"(?P<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
    ), is_not_placeholder, ("secret",)),
    # In prose or a table: 40 characters of mixed-case base64 shortly after "AWS" or "secret access key".
    Rule("aws_secret_access_key", re.compile(
        r"(?i)(?=[as])(?:aws|secret[ _-]?access)[^\n]{0,80}?(?<![A-Za-z0-9/+=])"
        r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
    ), mixed_case_random, ("aws", "secret access", "secret_access", "secret-access", "secretaccess")),
    Rule("github_token", re.compile(_token("g", r"(?:h[opsur]_[A-Za-z0-9]{30,255}+|ithub_pat_\w{22,255}+)")),
         looks_random, ("ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_")),
    Rule("anthropic_key", re.compile(_token("sk-ant-", r"[\w-]{20,255}+")), looks_random, ("sk-ant-",)),
    Rule("openai_key", re.compile(_token("sk-", r"(?:proj-|svcacct-|admin-)?[\w-]{20,255}+")),
         has_digit_and_looks_random, ("sk-",)),
    Rule("slack_token", re.compile(_token("xox", r"[abprse]-[A-Za-z0-9-]{10,255}+")), looks_random, ("xox",)),
    # Webhook URLs, gated on the `://` every URL holds (a marker already searched for, so they cost nothing
    # on text without a URL).
    Rule("slack_webhook", re.compile(r"://hooks\.slack\.com/(?:services|workflows|triggers)/"
                                     r"(?P<secret>[A-Za-z0-9/_-]{16,256}+)"), any_value, ("://",)),
    Rule("discord_webhook", re.compile(r"(?i)://[\w.-]{1,64}/api/webhooks/(?P<secret>\d{5,30}/[\w-]{20,256}+)"),
         any_value, ("://",)),
    Rule("stripe_key", re.compile(
        r"[sr]k_(?:live|test)_(?:(?<![\w-][sr]k_live_)(?<![\w-][sr]k_test_)"
        r"|(?<=" + _ESCAPED_SPACE + r"[sr]k_live_)|(?<=" + _ESCAPED_SPACE + r"[sr]k_test_))[A-Za-z0-9]{16,255}+" + _END
    ), looks_random, ("k_live_", "k_test_")),
    Rule("sendgrid_key", re.compile(_token("SG.", r"[\w-]{22}\.[\w-]{43}")), looks_random, ("SG.",)),
    Rule("google_api_key", re.compile(_token("AIza", r"[\w-]{35}")), looks_random, ("AIza",)),
    Rule("gitlab_token", re.compile(_token("gl", r"(?:pat|dt|rt|ptt|soat|cbt|imt|oas)-[\w-]{20,255}+")), looks_random,
         ("glpat-", "gldt-", "glrt-", "glptt-", "glsoat-", "glcbt-", "glimt-", "gloas-")),
    Rule("npm_token", re.compile(_token("npm_", r"[A-Za-z0-9]{36}")), looks_random, ("npm_",)),
    Rule("huggingface_token", re.compile(_token("hf_", r"[A-Za-z0-9]{30,255}+")), looks_random, ("hf_",)),
    Rule("jwt", re.compile(_token("eyJ", r"[\w-]{8,4096}+\.[\w-]{8,8192}+\.[\w-]{0,4096}+")), any_value, ("eyJ",)),
    # Azure storage and service bus connection strings, and the signature of a SAS URL.
    Rule("azure_key", re.compile(
        r"(?i)(?=[as])(?:AccountKey|SharedAccessKey)\s*=\s*(?P<secret>[A-Za-z0-9+/%=]{16,1024}+)"
    ), looks_random, ("key",)),
    Rule("azure_key", re.compile(r"[?&;]sig=(?P<secret>[A-Za-z0-9%+/=]{20,256}+)"), looks_random, ("sig=",)),
    Rule("auth_header", re.compile(
        r"(?i)(?=[ap])\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|basic|token|digest)\s+"
        r"(?P<secret>[A-Za-z0-9._~+/-]{8,4096}+=*)"
    ), is_not_placeholder, ("authorization",)),
    Rule("bearer_token", re.compile(r"(?i)(?=b)\bbearer\s+(?P<secret>[A-Za-z0-9._~+/-]{16,4096}+=*)"),
         has_digit_and_looks_random, ("bearer",)),
    # scheme://user:password@host: only the password goes; the rest tells the reviewer what was used.
    Rule("url_password", re.compile(
        r"://[^\s:@/?#\[\]]{0,256}+:"
        r"(?P<secret>[^\s@/?#\[\]\"'<>]{1,256}+)@"
    ), is_not_placeholder, ("://",)),
    # curl -u user:password, --user user:password
    Rule("cli_password", re.compile(
        r"(?<![^\s\"'(])(?:-u|--user)(?:\s*+|=)[\"']?(?P<user>[^\s:\"'@/\\]{1,64}+):"
        r"(?P<secret>[^\s\"'`@\\]{1,256}+)"
    ), is_not_placeholder, ("-u", "--user"), judge=_user_password),
    # Flags whose value is a password by the program's own definition (`sshpass -p`, `docker login -p`,
    # `mysql -pVALUE`, `redis-cli -a`): tried on text naming such a program (`-p` and `-a` alone are in
    # every hyphenated path), found by the flag, which the search skips to, and judged by the program
    # earlier on its line.
    *(Rule("cli_password", re.compile(f"-{flag}(?<=\\s-{flag})" + r"(?P<separator>\s*+|=)" + _FLAG_VALUE),
           is_not_placeholder, programs, judge=_program_password)
      for flag, programs in (("p", ("sshpass", "login", "mysql", "mariadb")), ("a", ("redis-cli",)))),
    # ~/.netrc: machine HOST login USER password SECRET, on one line or several. Gated on `passw` (which
    # every match holds, and which costs no extra search) rather than on the commoner `machine`.
    Rule("netrc_password", re.compile(
        r"(?i)(?=[md])(?:\b|(?<=\\u2192))(?:machine" + _SEPARATOR + r"[^\s\\]{1,256}+|default)"
        r"(?:" + _SEPARATOR + r"(?:login|account)" + _SEPARATOR + r"[^\s\\]{1,256}+){0,2}"
        + _SEPARATOR + r"password" + _SEPARATOR + r"[\"']?(?P<secret>[^\s\"'\\]{1,256}+)"
    ), is_not_placeholder, ("passw",)),
    # --password VALUE, --api-key=VALUE
    Rule("secret_assignment", re.compile(
        r"(?i)-(?<![\w-]-)-?(?P<name>[\w-]{0,32}?" + SECRET_NAME + r"[\w-]{0,32}+)(?:=|\s+)" + _QUOTE
        + r"(?P<secret>" + _VALUE + ")"
    ), looks_like_assigned_secret, _SECRET_NAME_MARKERS, judge=_assigned_secret),
    # API_KEY=VALUE, "token": "VALUE", password: VALUE, client_secret := "VALUE", {\"password\":\"VALUE\"}
    Rule("secret_assignment", re.compile(
        # The lookahead on first letters lets the engine skip most positions without trying each name.
        r"(?i)(?=[apstkc])(?P<name>" + SECRET_NAME + r"[\w.-]{0,64}+)" + _QUOTE + r"[ \t]*(?::=|=>|[:=])[ \t]*"
        + _QUOTE + r"(?P<secret>" + _VALUE + ")"
    ), looks_like_assigned_secret, _SECRET_NAME_MARKERS, start=re.compile("(?i)[apstkc]"), lead=_NAME_LEAD,
        judge=_assigned_secret),
    # "the password is Tr0ub4dor&3", "DB password was: 'hunter22'"
    Rule("secret_in_prose", re.compile(
        r"(?i)(?=[psc])\b(?:" + _PROSE_NAME + r") (?:is|was)\s*+:?\s*+[\"'`]?"
        r"(?P<secret>[^\s\"'`\\]{4,254}[^\s\"'`\\.,;:!?)])"
    ), is_not_placeholder, _PROSE_MARKERS, judge=_password_in_prose),
)  # fmt: skip

"""Secrets are redacted at ingest with stable placeholders (../shared/RELIABILITY.md threat 11, bad input 13).

Every fake key here is assembled at run time from a prefix and a seeded random body, so the repository
itself never holds a string that a secret scanner (or a leaked-key bot) would take for a real key.
"""

import hashlib
import random
import re
import string

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillwarden.core.adapters.shared import cap_args, cap_text
from skillwarden.core.ingest.session import capped_redacted_args
from skillwarden.core.security import redact as redact_module
from skillwarden.core.security.redact import (
    Redaction,
    cut_keeping_secrets_whole,
    find_secrets,
    might_hold_secret,
    placeholder,
    redact,
    redact_value,
)
from skillwarden.core.security.sanitize import clean_value
from skillwarden.core.security.secret_shapes import shannon_entropy

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
BASE64 = ALNUM + "+/"
PLACEHOLDER = re.compile(r"\[REDACTED:([a-z_]+):[0-9a-f]{8}\]")


def body(length: int, alphabet: str = ALNUM, seed: int = 0) -> str:
    generator = random.Random(f"{seed}-{length}-{alphabet}")
    return "".join(generator.choice(alphabet) for _ in range(length))


def fake_secrets(seed: int = 0) -> dict[str, str]:
    """kind -> a realistic secret of that kind (the whole token, as it would be redacted)."""
    return {
        "aws_access_key_id": "AKIA" + body(16, UPPER_ALNUM, seed),
        "github_token": "ghp_" + body(36, ALNUM, seed),
        "anthropic_key": "sk-ant-" + "api03-" + body(93, ALNUM + "_-", seed) + "AA",
        "openai_key": "sk-" + "proj-" + body(120, ALNUM + "_-", seed),
        "slack_token": "xoxb-" + body(12, string.digits, seed) + "-" + body(13, string.digits, seed) + "-"
        + body(24, ALNUM, seed),
        "stripe_key": "sk_" + "live_" + body(24, ALNUM, seed),
        "google_api_key": "AI" + "za" + body(35, ALNUM + "_-", seed),
        "gitlab_token": "glpat-" + body(20, ALNUM + "_-", seed),
        "npm_token": "npm_" + body(36, ALNUM, seed),
        "huggingface_token": "hf_" + body(34, string.ascii_letters, seed),
        "jwt": "eyJ" + "hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + "." + "eyJ" + body(40, ALNUM + "_-", seed) + "."
        + body(43, ALNUM + "_-", seed),
    }  # fmt: skip


@pytest.mark.parametrize("kind", sorted(fake_secrets()))
def test_each_provider_key_is_redacted_with_its_kind(kind):
    secret = fake_secrets()[kind]
    text = f"step output: {secret} (done)"
    redacted = redact(text)
    assert secret not in redacted
    assert redacted == f"step output: {placeholder(kind, secret)} (done)"
    assert find_secrets(text) == [Redaction(kind, 13, 13 + len(secret))]


def test_placeholders_are_stable_and_distinct():
    first, second = fake_secrets(1)["github_token"], fake_secrets(2)["github_token"]
    assert first != second
    redacted = redact(f"a={first} b={first} c={second}")
    placeholders = PLACEHOLDER.findall(redacted)
    assert placeholders == ["github_token"] * 3
    one, again, other = re.findall(r"\[REDACTED:[^\]]+\]", redacted)
    assert one == again != other
    # Stable across calls and texts, so mining sees the same token as the same value.
    assert redact(first) == one
    assert one == f"[REDACTED:github_token:{hashlib.sha256(first.encode()).hexdigest()[:8]}]"


def test_aws_secret_key_next_to_its_name():
    secret = body(40, BASE64, 3)
    for text in (f"aws_secret_access_key = {secret}", f'AWS_SECRET_ACCESS_KEY="{secret}"'):
        redacted = redact(text)
        assert secret not in redacted
        assert "[REDACTED:aws_secret_access_key:" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "AKIA" + "IOSFODNN7" + "EXAMPLE",
        "aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY",
        "API_KEY=your-api-key",
        "token = <token>",
        "password=xxxxxxxxxxxxxxxxxxxx",
        "export API_KEY=${API_KEY}",
        'OPENAI_API_KEY="$OPENAI_API_KEY"',
        "password: changeme",
        "Authorization: Bearer <token>",
        'curl -H "Authorization: Bearer $GITHUB_TOKEN" https://api.github.com/user',
        "commit 3f2a9b1c4d5e6f708192a3b4c5d6e7f8a9b0c1d2 fixed the cart",
        "request id 550e8400-e29b-41d4-a716-446655440000",
        "tokenizer = AutoTokenizer.from_pretrained('bert-base-uncased')",
        "max_tokens=4096",
        "token = self.config.auth_token_v2",
        "pip install sk-learn-contrib-lightning",
        "Bearer tokens are sent in the Authorization header.",
        "redis://localhost:6379/0 and https://example.com:8443/path",
        "SECRET_FILE=/run/secrets/db_password_v2",
        "def get_token(request): return request.headers['X-Token']",
    ],
)
def test_documentation_placeholders_and_ordinary_code_stay(text):
    assert find_secrets(text) == []
    assert redact(text) == text


def test_uuid_or_sha_next_to_a_secret_word_is_redacted():
    assert "550e8400" not in redact("token: 550e8400-e29b-41d4-a716-446655440000")
    assert "3f2a9b1c" not in redact("api_key=3f2a9b1c4d5e6f708192a3b4c5d6e7f8a9b0c1d2")


@pytest.mark.parametrize(
    "template",
    ["API_KEY={}", 'export GITHUB_SECRET="{}"', '{{"token": "{}"}}', "password: {}", "mysql --password {} db",
     "cli --api-key={}", "client_secret := '{}'", "https://api.example.com/v1?access_token={}&page=2"],
)  # fmt: skip
def test_high_entropy_values_after_secret_words(template):
    secret = body(32, ALNUM, 7)
    redacted = redact(template.format(secret))
    assert secret not in redacted
    assert "[REDACTED:secret_assignment:" in redacted


def test_pem_block_is_removed_whole():
    lines = [body(64, BASE64, n) for n in range(5)]
    block = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----"
    redacted = redact(f"cat key.pem\n{block}\nexit 0")
    assert redacted.startswith("cat key.pem\n[REDACTED:private_key:")
    assert redacted.endswith("]\nexit 0")
    assert "PRIVATE KEY" not in redacted
    assert not any(line in redacted for line in lines)


def test_truncated_and_json_escaped_pem_blocks_are_removed():
    escaped = "-----BEGIN OPENSSH PRIVATE KEY-----\\n" + body(70, BASE64, 1) + "\\n-----END OPENSSH PRIVATE KEY-----"
    assert PLACEHOLDER.fullmatch(redact(escaped))
    truncated = "-----BEGIN PRIVATE KEY-----\n" + body(64, BASE64, 2) + "\n" + body(30, BASE64, 3)
    redacted = redact(truncated)
    assert "PRIVATE KEY" not in redacted and body(30, BASE64, 3) not in redacted


def straddling_secrets() -> dict[str, tuple[str, str]]:
    """kind -> (the context a secret needs, the secret), for the cut tests below."""
    pem_body = "\n".join(body(64, BASE64, n) for n in range(40))
    return {kind: ("", secret) for kind, secret in fake_secrets(3).items()} | {
        "private_key": ("-----BEGIN RSA PRIVATE KEY-----\n", pem_body),
        "secret_assignment": ("password=", body(40, ALNUM, 13)),
        "quoted_assignment": ('"client_secret": "', body(40, ALNUM, 14)),
        "auth_header": ("Authorization: Bearer ", body(40, ALNUM, 15)),
    }


@pytest.mark.parametrize("into", [1, 5, 17, 33])
@pytest.mark.parametrize("kind", sorted(straddling_secrets()))
def test_a_cut_through_a_secret_leaves_no_part_of_it(kind, into):
    context, secret = straddling_secrets()[kind]
    text = "word " * 400 + context + secret + " and more output" * 200
    limit = 2000 + len(context) + min(into, len(secret) - 1)  # the cut falls `into` characters into the secret
    kept = redact(cut_keeping_secrets_whole(text, limit))
    assert kept.startswith("word " * 400) and PLACEHOLDER.search(kept)
    pieces = [line for line in secret.split("\n") if len(line) > 8]
    assert not any(piece[:8] in kept or piece[-8:] in kept for piece in pieces)


def test_a_cut_outside_secrets_is_a_plain_cut():
    text = "plain output line\n" * 500
    assert cut_keeping_secrets_whole(text, 2000) == text[:2000]
    github = fake_secrets(4)["github_token"]
    assert cut_keeping_secrets_whole(github + " " + "x" * 3000, 2000) == (github + " " + "x" * 3000)[:2000]
    assert cap_text(text) == text[:2000] + f"…[truncated {len(text) - 2000} chars]"


@pytest.mark.parametrize("name", ["TOKEN", "\u212aEY", "\u017fecret", "pa\u017f\u017fword", "credent\u0130al"])
def test_secret_words_are_found_in_any_case_the_patterns_accept(name):
    value = body(32, ALNUM, 14)
    assert value not in redact(f"{name}={value}")


def test_url_password_removed_host_and_user_kept():
    password = body(14, ALNUM, 4)
    redacted = redact(f"DATABASE_URL=postgres://app_user:{password}@db.internal:5432/shop")
    assert password not in redacted
    assert redacted.startswith("DATABASE_URL=postgres://app_user:[REDACTED:url_password:")
    assert redacted.endswith("]@db.internal:5432/shop")
    assert redact("postgres://u:p@db/x") == f"postgres://u:{placeholder('url_password', 'p')}@db/x"


def test_authorization_headers():
    token = body(40, ALNUM, 5)
    basic = body(24, BASE64, 6) + "=="
    assert token not in redact(f"curl -H 'Authorization: Bearer {token}' https://api.example.com")
    assert basic not in redact(f"Authorization: Basic {basic}")
    assert token not in redact(f"bearer {token}")


def test_a_secret_found_in_context_is_removed_everywhere():
    secret = body(24, ALNUM, 8)
    redacted = redact(f"export DB_PASSWORD={secret}\nconnect with {secret} to shop")
    assert secret not in redacted
    assert redacted.count(placeholder("secret_assignment", secret)) == 2


def test_redact_value_walks_nested_structures():
    github, password = fake_secrets()["github_token"], body(20, ALNUM, 9)
    args = {
        "command": f"git clone https://x-access-token:{github}@github.com/org/repo",
        "env": {"API_KEY": password, "HOME": "/home/u", "RETRIES": 3},
        "argv": ["mysql", "--password", password, "shop"],
        "nested": [{"headers": ("Authorization", f"Bearer {github}")}],
        "note": None,
    }
    redacted = redact_value(args)
    flat = repr(redacted)
    assert github not in flat and password not in flat
    assert redacted["env"]["HOME"] == "/home/u" and redacted["env"]["RETRIES"] == 3 and redacted["note"] is None
    assert redacted["env"]["API_KEY"] == redacted["argv"][2] == placeholder("secret_assignment", password)
    assert redacted["argv"][:2] == ["mysql", "--password"]
    assert isinstance(redacted["nested"][0]["headers"], tuple)
    assert args["env"]["API_KEY"] == password  # a new structure; the input is untouched
    assert redact_value(redacted) == redacted


def test_lone_surrogates_do_not_break_hashing():
    text = "password=\ud800" + body(20, ALNUM, 10)
    assert "[REDACTED:secret_assignment:" in redact(text)


def test_entropy():
    assert shannon_entropy("") == 0
    assert shannon_entropy("aaaa") == 0
    assert shannon_entropy("abcd") == 2


def test_hostile_inputs_are_handled_whole():
    """Inputs built to make regexes backtrack. Their speed is measured in bench/redact_scan_speed.py
    (tests assert no wall-clock time); here they must simply come back intact and unredacted."""
    for hostile in ("token" * 100_000, "token=" * 100_000, "https://" * 50_000, "eyJ" * 100_000,
                    "--token " * 50_000, "a" * 500_000):  # fmt: skip
        assert redact(hostile) == hostile, hostile[:20]
    headers = redact("-----BEGIN RSA PRIVATE KEY-----" * 10_000)
    assert "BEGIN RSA" not in headers and headers.startswith("[REDACTED:private_key:")


# Text built from the pieces secrets and their contexts are made of, so the properties meet real matches.
_pieces = st.sampled_from(
    [" ", "\n", "=", ":", '"', "'", "-", "_", "/", "@", "token", "password=", "API_KEY=", "Bearer ", "://u:",
     "@host", "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----", "[REDACTED:", "]", "EXAMPLE",
     *fake_secrets(1).values(), *fake_secrets(2).values(), body(20, ALNUM, 11), body(40, BASE64, 12)]
)  # fmt: skip
_texts = st.lists(st.one_of(_pieces, st.text(max_size=6)), max_size=14).map("".join)


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_redaction_is_idempotent(text):
    once = redact(text)
    assert redact(once) == once


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_no_detected_secret_survives(text):
    redacted = redact(text)
    for secret in find_secrets(text):
        value = text[secret.start : secret.end]
        if len(value) >= 8:  # shorter ones (`p` in `u:p@`) occur by chance in any text
            assert value not in redacted


# Argument structures as agents send them: names that call a value secret, flags, nesting, long strings.
_names = st.sampled_from(["command", "api_key", "--password", "Authorization", "path", "\u212aey", "content", 7])
_leaves = st.one_of(_texts, st.integers(), st.none(), st.text(min_size=2100, max_size=2300))
_values = st.recursive(_leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_names, inner, max_size=3))
_arguments = st.dictionaries(_names, _values, max_size=4)


@settings(max_examples=300, deadline=None)
@given(_arguments)
def test_the_quick_path_for_arguments_equals_capping_and_redacting_each_string(args):
    """Ingest checks an argument structure's JSON for markers once and keeps it as it is when none is there;
    that must give exactly what walking it string by string gives."""
    assert capped_redacted_args(args) == redact_value(clean_value(cap_args(args)))


@pytest.mark.parametrize("text", [*fake_secrets(3).values(), "TOKEN=" + body(32, ALNUM, 4), "\u212aEY=" + body(32)])
def test_text_with_a_secret_always_holds_a_marker(text):
    assert redact(text) != text
    assert might_hold_secret(text.encode()) and might_hold_secret(orjson.dumps({"v": text}))


def test_arguments_orjson_refuses_take_the_walk():
    """A lone surrogate (a JSON `\\ud800` escape decodes to one) or an integer past 64 bits: no quick path."""
    secret = fake_secrets(5)["github_token"]
    for args in ({"command": f"echo \ud800 {secret}"}, {"n": 2**70, "token": secret}):
        assert secret not in str(capped_redacted_args(args))


# Secret names in every spelling the rules accept, letters case-insensitive matching folds to ASCII, flags,
# assignments and the long runs that push a name to the edge of where a match may start.
_name_pieces = st.sampled_from(
    ["-", "--", "=", ":", ":=", "=>", " ", "\t", '"', "'", "_", ".", "api_key", "API-KEY", "apikey", "secret", "Token",
     "tOKEN", "passwd", "password", "PWD", "credentials", "key", "\u212aey", "\u017fecret", "\u0130", "\u0131",
     "x" * 30, "a1b2c3d4e5f6g7h8i9j0k1l2", body(20, ALNUM, 13), "→", "…"]
)  # fmt: skip
_name_texts = st.lists(st.one_of(_name_pieces, st.text(max_size=4)), max_size=24).map("".join)


def assert_found_near_markers_as_by_a_whole_scan(text: str) -> None:
    folded = redact_module._folded(text)
    assert folded is not None
    for rule in redact_module.RULES:
        if rule.start is not None:
            near = [match.span() for match in redact_module._matches_near_markers(rule, text, folded)]
            assert near == [match.span() for match in rule.pattern.finditer(text)], rule


@settings(max_examples=500, deadline=None)
@given(_name_texts)
def test_rules_without_a_literal_find_near_their_markers_what_a_whole_scan_finds(text):
    """Secret-name rules are tried only just before a marker; every match of a whole-text scan must still
    be found, with the same span."""
    assert_found_near_markers_as_by_a_whole_scan(text)


def rules_with_a_marker_in(text: str) -> list[int]:
    """The rules to try, found the slow, obvious way: every marker of every rule looked for in turn."""
    folded = text.translate(redact_module._FOLD_TO_ASCII).encode("utf-8", "surrogatepass")
    return sorted({
        priority for priority, rule in enumerate(redact_module.RULES) for marker in rule.markers
        if marker.encode() in (folded.lower() if rule.ignores_case else folded)
    })  # fmt: skip


# Markers in both cases, glued to each other so one starts inside another (`AKIAIza`, `secretoken`), their
# first and last letters alone, and non-ASCII text around them.
_marker_pieces = st.sampled_from(
    sorted({m for rule in redact_module.RULES for m in rule.markers} | {m.upper() for rule in redact_module.RULES
           for m in rule.markers}) + ["a", "k", "s", "t", "n", "-", "_", "→", "…", "\u212a", "\u017f", "\u0130"]
)  # fmt: skip
_marker_texts = st.lists(st.one_of(_marker_pieces, st.text(max_size=3)), max_size=16).map("".join)


@settings(max_examples=500, deadline=None)
@given(_marker_texts)
def test_the_rules_tried_are_those_with_a_marker_in_the_text(text):
    assert redact_module._rules_for(text) == rules_with_a_marker_in(text)


@pytest.mark.parametrize("text", ["AKIAIza", "xAKIAuthorization", "secretoken", "sk-ant-x", "authorizationpm_",
                                  "glpat------BEGIN", "\u212aey"])  # fmt: skip
def test_a_marker_starting_inside_another_admits_its_rules(text):
    assert redact_module._rules_for(text) == rules_with_a_marker_in(text)
    assert redact_module._rules_for(text)


@pytest.mark.parametrize("text", [
    "--" + "x" * 32 + "api_key=" + body(24, ALNUM, 14),  # a name 4 letters before its marker, glued to a word
    "x" * 40 + " api_key: " + body(24, ALNUM, 15),
    "\u017fecret=" + body(24, ALNUM, 16) + " and --\u212aey " + body(24, ALNUM, 17),
])  # fmt: skip
def test_a_secret_name_at_the_edge_of_the_search_window_is_found(text):
    assert_found_near_markers_as_by_a_whole_scan(text)
    assert redact(text) != text

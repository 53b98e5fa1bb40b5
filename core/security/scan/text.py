"""The line-by-line scan of one text: every line rule, hidden text and secrets, placed by line."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from skillwarden.core.security.redact import find_secrets
from skillwarden.core.security.scan.chars import as_read_by_a_model
from skillwarden.core.security.scan.hidden import check_homoglyphs, check_html_comments, check_invisible_characters
from skillwarden.core.security.scan.lines import LineRules, line_hits
from skillwarden.core.security.scan.model import CRIT, Finding, Hit, excerpt
from skillwarden.core.security.secret_shapes import is_placeholder

NEWLINE = re.compile("\n")
# `--password-stdin` takes no value: the word after it is a registry host, not a password.
NO_VALUE_FLAG = re.compile(r"--password-stdin\s+$")
# Documentation shows the shape of a credential: `sk-ant-...`, `Bearer token123`, `password: example-pass`.
ELIDED = ("...", "…")
DUMMY_WORD = re.compile(r"(?i)token|secret|passw|example|sample|dummy|fake|test|demo|changeme|placeholder|abc|123")
STRUCTURAL_KINDS = frozenset({"secret_assignment", "auth_header", "url_password", "cli_secret_flag"})


# A value spelled from words (`securePassword123`, `sk-or-v1-project1-key`, `user:pass@`) is someone's example:
# a credential that protects anything is random. Tokens are case- and digit-runs.
VALUE_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
VOWEL = re.compile(r"[aeiouyAEIOUY]")
MAX_SHORT_TOKENS = 3  # `sk`, `or`, `v` in sk-or-v1-project1-key: prefixes, not randomness


def spelled_from_words(value: str) -> bool:
    tokens = VALUE_TOKEN.findall(value)
    if not tokens:
        return False
    short = 0
    for token in tokens:
        if token.isdigit():
            if len(token) > 4:
                return False
        elif len(token) <= 2:
            short += 1
        elif len(token) > 12 or not VOWEL.search(token):
            return False
    return short <= MAX_SHORT_TOKENS


def runs_in_sequence(value: str) -> bool:
    """`A1B2C3D4…`, `abcdef`, `123456`: most characters continue a sequence (alone or interleaved)."""
    if len(value) < 8:
        return False
    steps = sum(
        1
        for i in range(len(value) - 1)
        if ord(value[i + 1]) - ord(value[i]) == 1 or (i + 2 < len(value) and ord(value[i + 2]) - ord(value[i]) == 1)
    )
    return steps >= (len(value) - 1) * 0.6


def is_documentation_value(kind: str, value: str, secret: str) -> bool:
    """`value` is the secret with what follows it (to see an elision); `secret` the secret alone."""
    if any(mark in value for mark in ELIDED) or is_placeholder(value) or runs_in_sequence(secret):
        return True
    if kind not in STRUCTURAL_KINDS:
        return False
    return (len(value) < 20 and DUMMY_WORD.search(value) is not None) or spelled_from_words(secret)


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


def check_secrets(text: str) -> Iterator[tuple[int, Hit]]:
    for secret in find_secrets(text):
        value = text[secret.start : secret.end + 3]  # with what follows, to see an elision
        if NO_VALUE_FLAG.search(text[max(0, secret.start - 40) : secret.start]) or is_documentation_value(
            secret.kind, value, text[secret.start : secret.end]
        ):
            continue
        yield (
            secret.start,
            Hit(
                "credential_exposure",
                CRIT,
                f"secret_{secret.kind}",
                f"contains a {secret.kind.replace('_', ' ')}; it must never reach a skill",
            ),
        )


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in NEWLINE.finditer(text))]


def text_findings(text: str, file: str = "") -> list[Finding]:
    """Findings of the line rules over `text`, one per rule and line (the reviewer needs the place, not a
    count of repeats, and the excerpt, which redacts the line, is built once)."""
    findings: dict[tuple[int, str], Finding] = {}
    text = text.removeprefix("\ufeff")  # a byte-order mark opens many files and hides nothing

    def add(line_number: int, line: str, hit: Hit) -> None:
        key = (line_number, hit.rule)
        if key not in findings:
            findings[key] = Finding(
                hit.category, hit.severity, line_number, excerpt(line, hit.column), hit.rule, hit.message, file
            )

    rules = LineRules.for_text(as_read_by_a_model(text).lower())
    for line_number, line in logical_lines(text):
        for hit in check_invisible_characters(line):
            add(line_number, line, hit)
        for hit in check_homoglyphs(line):
            add(line_number, line, hit)
        for hit in rules.hits(as_read_by_a_model(line)):
            add(line_number, line, hit)

    physical_lines = text.split("\n")
    starts = _line_starts(text)
    for offset, hit in (*check_html_comments(text, line_hits), *check_secrets(text)):
        line_index = bisect.bisect_right(starts, offset) - 1
        add(line_index + 1, physical_lines[line_index], hit)
    return list(findings.values())

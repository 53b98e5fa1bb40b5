"""Find secrets in untrusted trace text and replace them with stable placeholders.

Redaction runs at ingest over every tool argument and result, before anything is cached or mined, so a
key an agent printed never reaches a candidate skill. Each secret becomes
`[REDACTED:<kind>:<8 hex of HMAC-SHA256(workspace key, secret)>]`: the same secret always maps to the same
placeholder, so mining still sees two uses of one token as equal, while nothing of the secret itself
survives. The digest is keyed (`set_placeholder_key`, a random key kept in the workspace) because skills
that hold a placeholder are committed and shared: a plain hash would let anyone holding the repository
confirm a guessed weak password (`postgres://app:hunter2@db`) against it.

What counts as a secret, rule by rule, is `core.security.secret_shapes` (the shapes gitleaks, trufflehog and
detect-secrets know); this module finds every match of those rules quickly and replaces it.

Speed matters (ingest runs this over megabytes of tool output): a rule runs only on text holding one of
its literal markers (`ghp_`, `://`, `token`...), which a few substring searches settle, so most text costs
no regex at all.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass

from skillwarden.core.security.secret_shapes import (
    RULES,
    SECRET_NAME,
    Rule,
    is_secret_name,
    looks_like_assigned_secret,
    looks_like_named_secret,
)

# Shorter secrets (the `p` of `postgres://u:p@db`) are too common as substrings to chase through the text.
MIN_ECHO_LENGTH = 8
MAX_ECHO_SECRETS = 64


@dataclass(frozen=True)
class Redaction:
    """One secret found in a text: its kind and the [start, end) span it occupies."""

    kind: str
    start: int
    end: int


# Letters that IGNORECASE matching takes for an ASCII letter while lower() does not turn them into it
# (the dotted and dotless i, the long s, the Kelvin sign): folded by hand so no marker is missed.
_FOLD_TO_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FOLDED_LETTERS_UTF8 = tuple(chr(code).encode() for code in _FOLD_TO_ASCII)
_FOLDED_LETTER = re.compile("[" + "".join(map(chr, _FOLD_TO_ASCII)) + "]")


def _marker_index() -> tuple[tuple[bytes, bool, tuple[int, ...]], ...]:
    """(marker, whether it is looked for in the lower-case text, priorities of the rules it admits)."""
    index: dict[tuple[bytes, bool], list[int]] = {}
    for priority, rule in enumerate(RULES):
        for marker in rule.markers:
            index.setdefault((marker.encode(), rule.ignores_case), []).append(priority)
    return tuple((marker, folded, tuple(priorities)) for (marker, folded), priorities in index.items())


def prefix_tree_pattern(words: list[bytes]) -> bytes:
    """A regex matching any of `words`, as a tree of shared prefixes (`a(?:kia|sia)|...`): the engine
    tries one branch per next byte instead of every word at every position (1.6 times as fast here).
    Where a word ends, the match ends: a longer word with that prefix adds nothing to a yes/no search."""
    tree: dict = {}
    for word in words:
        node = tree
        for byte in word:
            node = node.setdefault(byte, {})
        node[None] = {}

    def branch(node: dict) -> bytes:
        if None in node:
            return b""
        arms = [re.escape(bytes([byte])) + branch(child) for byte, child in sorted(node.items())]
        return arms[0] if len(arms) == 1 else b"(?:" + b"|".join(arms) + b")"

    return branch(tree)


_MARKER_INDEX = _marker_index()
# Any marker in any case: one scan that clears most text, where checking each marker costs one scan apiece.
_ANY_MARKER = re.compile(prefix_tree_pattern(sorted({marker.lower() for marker, _, _ in _MARKER_INDEX})))
# The same for ASCII text, searched as a str (a str past Latin-1 is searched faster as UTF-8 bytes).
_ANY_MARKER_TEXT = re.compile(_ANY_MARKER.pattern.decode())


def _overlaps(word: bytes, marker: bytes) -> bool:
    """Whether `marker` can start inside an occurrence of `word` (after its first byte)."""
    return any(word[cut:].startswith(marker) or marker.startswith(word[cut:]) for cut in range(1, len(word)))


def _marker_checks() -> dict[bytes, tuple[tuple[bytes, bool, tuple[int, ...]], ...]]:
    """For each word `_ANY_MARKER` can find, the markers of `_MARKER_INDEX` its finds may stand for.

    The search ends a find where the shortest marker on its path ends (`sk-` for `sk-ant-`) and looks for
    the next find after it, so an occurrence of a marker in the text is either found as a word it starts
    with, or starts inside a find of a word it overlaps: those are the markers to look for.
    """
    words = {match.group() for marker, _, _ in _MARKER_INDEX if (match := _ANY_MARKER.match(marker.lower()))}
    return {
        word: tuple(
            entry for entry in _MARKER_INDEX if entry[0].lower().startswith(word) or _overlaps(word, entry[0].lower())
        )
        for word in words
    }


_MARKER_CHECKS = _marker_checks()


def might_hold_secret(data: bytes) -> bool:
    """Whether UTF-8 text, or a structure's JSON that keeps non-ASCII as UTF-8 (orjson's), holds a marker
    of any rule. When it does not, `redact` and `redact_value` leave every string in it as it is. (Such
    JSON escapes only quotes, backslashes and control characters, and no marker holds one; a non-ASCII
    letter that case-insensitive matching folds to ASCII counts as a marker.)"""
    if not data.isascii() and any(letter in data for letter in _FOLDED_LETTERS_UTF8):
        return True
    return _ANY_MARKER.search(data.lower()) is not None


def _rules_for(text: str) -> list[int]:
    """The priorities of the rules whose markers occur in `text`, in order: no other rule can match it.
    Markers are looked for in UTF-8, searched several times faster than a str past Latin-1 (the arrows of
    a Read result, the `…` of a capped one)."""
    if text.isascii():
        if _ANY_MARKER_TEXT.search(text.lower()) is None:
            return []  # the common case, without the copies of an encoding
        encoded = text.encode()
    else:
        encoded = text.encode("utf-8", "surrogatepass")
        if any(letter in encoded for letter in _FOLDED_LETTERS_UTF8):
            encoded = text.translate(_FOLD_TO_ASCII).encode("utf-8", "surrogatepass")
    lowered = encoded.lower()
    # One scan names the few markers worth a look, where looking for every marker costs a scan apiece.
    checks = {entry for word in set(_ANY_MARKER.findall(lowered)) for entry in _MARKER_CHECKS[word]}
    admitted: set[int] = set()
    for marker, in_lowered, priorities in checks:
        if marker in (lowered if in_lowered else encoded):
            admitted.update(priorities)
    return sorted(admitted)


def _candidates(text: str, priorities: list[int]) -> list[tuple[int, int, int, str]]:
    """(start, rule priority, end, kind) for every accepted match of the rules of these priorities."""
    found = []
    folded = None
    for priority in priorities:
        rule = RULES[priority]
        group = "secret" if "secret" in rule.pattern.groupindex else 0
        if rule.start is None:
            matches = rule.pattern.finditer(text)
        else:
            folded = _folded(text) if folded is None else folded
            matches = rule.pattern.finditer(text) if folded is None else _matches_near_markers(rule, text, folded)
        for match in matches:
            secret = match.group(group)
            if secret and rule.accepted(match, secret):
                found.append((match.start(group), priority, match.end(group), rule.kind))
    return found


def _folded(text: str) -> str | None:
    """`text` in lower case with the letters case-insensitive matching folds to ASCII folded, so a marker
    found in it sits where the match holding it does in `text`; None if lower case changed the length."""
    if not text.isascii() and _FOLDED_LETTER.search(text):
        text = text.translate(_FOLD_TO_ASCII)  # slow on wide text: only when one is there
    folded = text.lower()
    return folded if len(folded) == len(text) else None


def _marker_positions(markers: tuple[str, ...], folded: str) -> list[int]:
    """Where each of `markers` starts in `folded`, overlapping ones included, in order."""
    positions = []
    for marker in markers:
        position = folded.find(marker)
        while position != -1:
            positions.append(position)
            position = folded.find(marker, position + 1)
    return sorted(positions)


def _matches_near_markers(rule: Rule, text: str, folded: str) -> Iterator[re.Match[str]]:
    """What `rule.pattern.finditer(text)` yields, trying the pattern only where a match can start: every
    match starts with a `rule.start` character at most `rule.lead` characters before one of its markers
    in `folded`. Places are tried left to right and none twice, and after a match the next one is looked
    for past its end, as finditer does."""
    end = 0  # the end of the last match
    tried = 0  # every place before this was tried
    for position in _marker_positions(rule.markers, folded):
        for start in rule.start.finditer(text, max(end, tried, position - rule.lead), position + 1):
            if start.start() >= end and (match := rule.pattern.match(text, start.start())):
                end = match.end()
                yield match
        tried = position + 1


def _merge(spans: list[tuple[int, int, int, str]]) -> list[Redaction]:
    """Overlapping finds become one redaction, named after the earliest, most specific rule."""
    merged: list[Redaction] = []
    for start, _priority, end, kind in sorted(spans):
        if merged and start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Redaction(last.kind, last.start, max(last.end, end))
        else:
            merged.append(Redaction(kind, start, end))
    return merged


def _other_occurrences(text: str, found: list[Redaction]) -> list[tuple[int, int, int, str]]:
    """A secret seen once in context (`token=abc...`) is also removed where it appears without one."""
    kinds: dict[str, str] = {}
    for redaction in found:
        secret = text[redaction.start : redaction.end]
        if len(secret) >= MIN_ECHO_LENGTH:
            kinds.setdefault(secret, redaction.kind)
    spans = []
    # Each distinct secret costs one pass over the text; past a few dozen the text is a dump of secrets
    # whose every value was found in context anyway.
    for secret, kind in list(kinds.items())[:MAX_ECHO_SECRETS]:
        position = text.find(secret)
        while position != -1:
            spans.append((position, len(RULES), position + len(secret), kind))
            position = text.find(secret, position + 1)
    return spans


def find_secrets(text: str) -> list[Redaction]:
    """Non-overlapping secret spans in `text`, in order."""
    priorities = _rules_for(text)
    if not priorities:
        return []
    found = _merge(_candidates(text, priorities))
    if not found:
        return found
    return _merge([(r.start, -1, r.end, r.kind) for r in found] + _other_occurrences(text, found))


_placeholder_key: bytes | None = None


def set_placeholder_key(key: bytes | None) -> None:
    """Key the placeholders of this process (None: an unkeyed SHA-256, for text outside any workspace).
    Every process that redacts a workspace's text sets its key, so a secret gets one placeholder there."""
    global _placeholder_key
    if key != _placeholder_key:
        _placeholder_key = key
        _redact_short.cache_clear()  # texts remembered with the old key's placeholders


def placeholder_key() -> bytes | None:
    return _placeholder_key


def placeholder(kind: str, secret: str) -> str:
    # surrogatepass: traces can hold lone surrogates, which plain UTF-8 refuses to encode.
    data = secret.encode("utf-8", "surrogatepass")
    if _placeholder_key is None:
        digest = hashlib.sha256(data).hexdigest()
    else:
        digest = hmac.new(_placeholder_key, data, hashlib.sha256).hexdigest()
    return f"[REDACTED:{kind}:{digest[:8]}]"


def _replace(text: str, found: list[Redaction]) -> str:
    pieces = []
    cursor = 0
    for redaction in found:
        pieces.append(text[cursor : redaction.start])
        pieces.append(placeholder(redaction.kind, text[redaction.start : redaction.end]))
        cursor = redaction.end
    pieces.append(text[cursor:])
    return "".join(pieces)


# Argument names, flags and short commands recur across thousands of steps: remembered, not re-scanned.
SHORT_TEXT = 256
SHORT_TEXTS_REMEMBERED = 16384


def redact(text: str) -> str:
    """`text` with every secret replaced by its stable placeholder."""
    return _redact_short(text) if len(text) <= SHORT_TEXT else _redact(text)


def _redact(text: str) -> str:
    """Removing a secret changes its neighbours' boundaries (a key glued to the end of a PEM block only
    stands alone once the block is gone), so redaction repeats until nothing more is found: that makes
    it idempotent. Each round shrinks the text outside placeholders, so it ends; clean text takes one.
    """
    found = find_secrets(text)
    while found:
        text = _replace(text, found)
        found = find_secrets(text)
    return text


_redact_short = functools.lru_cache(maxsize=SHORT_TEXTS_REMEMBERED)(_redact)

# Every secret but a PEM block is a run without whitespace, and none is longer than this (a JWT's bound).
MAX_SECRET_RUN = 16_400
# How far before the run holding a secret its context may start (`"client_secret": `, `Authorization: Bearer`).
SECRET_CONTEXT = 256
_WHITESPACE = re.compile(r"\s")


def cut_keeping_secrets_whole(text: str, limit: int) -> str:
    """`text[:limit]`, except that a secret crossing the cut is replaced whole by its placeholder: the first
    part of a key, left alone by the cut, would no longer look like a key to the redaction after it.

    Only the run of non-whitespace the cut falls in, and the context before it, is searched. A PEM block
    crossing the cut needs nothing here: the rule for cut-off blocks takes it from what is kept.
    """
    if limit >= len(text) or limit <= 0 or text[limit - 1].isspace() or text[limit].isspace():
        return text[:limit]  # nothing is cut, or the cut falls next to whitespace: it splits no run
    run_start = limit - len(text[max(0, limit - MAX_SECRET_RUN) : limit].rsplit(None, 1)[-1])
    run_end = _WHITESPACE.search(text, limit, limit + MAX_SECRET_RUN)
    offset = max(0, run_start - SECRET_CONTEXT)
    region = text[offset : run_end.end() if run_end else limit + MAX_SECRET_RUN]
    for secret in find_secrets(region):
        start, end = offset + secret.start, offset + secret.end
        if start < limit < end:
            return text[:start] + placeholder(secret.kind, text[start:end])
    return text[:limit]


def redact_value(value):
    """A copy of a tool argument structure (dicts, lists, tuples, strings) with its strings redacted.

    Structure stands in for the text around a value: a dict key names its value (`{"api_key": ...}`)
    and a flag names the list item after it (`["mysql", "--password", ...]`), so those values are judged
    as the assignment `api_key=...` would be.
    """
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_value(key): _redact_named(key, item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        # Pairs each item with the one before it; the last item has no successor, so strict=False.
        redacted = [_redact_named(previous, item) for previous, item in zip([None, *value], value, strict=False)]
        return redacted if isinstance(value, list) else tuple(redacted)
    return value


_SECRET_NAMED = re.compile(r"(?i)^-{0,2}[\w.-]{0,64}" + SECRET_NAME + r"[\w.-]{0,64}$")


def _redact_named(name, item):
    """`item` redacted, and wholly replaced when `name` calls it a secret and it looks like one (any value
    that is not plainly something else, under a name that can only mean a secret)."""
    redacted = redact_value(item)
    if (
        redacted == item
        and isinstance(name, str)
        and isinstance(item, str)
        and _SECRET_NAMED.match(name)
        and (looks_like_assigned_secret(item) or (is_secret_name(name) and looks_like_named_secret(item, literal=True)))
    ):
        return placeholder("secret_assignment", item)
    return redacted

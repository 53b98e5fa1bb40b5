"""Neutralize untrusted text, so that nothing in a trace can drive a terminal or hide from a reader.

A trace holds whatever an agent read or ran, and every string of it is shown in a terminal, quoted into
files agents load, and written into commit messages. Here, once, where text enters (ingest), and again
at every output as a last defence:

- escape sequences (CSI colours and cursor moves, OSC titles and hyperlinks, DCS and the other string
  sequences, their 8-bit C1 forms) are removed whole, as a terminal would not show them either; removing
  them also joins a secret an ANSI colour code had split, so redaction after this sees it whole;
- other C0 and C1 control characters are made visible (`␇`, `␛`, `�`); tab and newline stay, a carriage
  return becomes a newline (alone it would let a line overwrite itself on a terminal);
- characters that reorder text (bidi controls) or spell text nobody sees (Unicode tags) are made visible
  as `[U+202E]` and `[hidden: ...]`; zero-width characters (spaces, joiners, a byte-order mark, a soft
  hyphen) are removed, so a person reads what a model reads (an emoji sequence falls apart into its
  emoji, which still read the same).

Single-line fields (titles, names, ids) are then folded onto one line.
"""

from __future__ import annotations

import re

# Escape sequences, in their 7-bit (ESC ...) and 8-bit (C1) forms. A string sequence (OSC, DCS, SOS, PM,
# APC) runs to BEL or ST; one left unterminated within its bound loses only its introducer (the last branch).
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]{0,64}[ -/]{0,8}[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]{0,8}[0-~]"
)
_INVISIBLE = (
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000e0000-\U000e007f"
)
# Everything this module changes.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f" + _INVISIBLE + "]")
_LEFTOVER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f" + _INVISIBLE + "]+")
# The characters above as UTF-8 bytes (JSON escapes the controls among them: see json_needs_cleaning).
_UNSAFE_UTF8 = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f\xad]|\xd8\x9c|\xe1\xa0\x8e|\xe2\x80[\x8b-\x8f\xaa-\xae]"
    rb"|\xe2\x81[\xa0-\xa4\xa6-\xaf]|\xef\xbb\xbf|\xef\xbf[\xb9-\xbb]|\xf3\xa0[\x80-\x81]"
)
# The quick test: deleting every byte that is surely safe leaves nothing (bytes.translate is 7 times as
# fast as a regex search, and encoding to UTF-8 costs less still). Left are controls and the first bytes of
# the UTF-8 of the characters above, apart from those starting with E2 (as `→` and `…` do), which a search
# for the few unsafe ones among them settles.
_CONTROL_BYTES = frozenset([*range(0x20), 0x7F]) - {0x09, 0x0A}
_ASCII_SAFE = bytes(sorted(frozenset(range(0x80)) - _CONTROL_BYTES))
_UTF8_SAFE = bytes(sorted(frozenset(range(0x100)) - _CONTROL_BYTES - {0xC2, 0xD8, 0xE1, 0xEF, 0xF3}))
_UNSAFE_E2 = re.compile(rb"\xe2(?:\x80[\x8b-\x8f\xaa-\xae]|\x81[\xa0-\xa4\xa6-\xaf])")
_ZERO_WIDTH = frozenset("\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff")
_TAG_FIRST, _TAG_LAST = 0xE0000, 0xE007F
_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}
_WHITESPACE_RUN = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """`text` with escape sequences removed and other control and invisible characters neutralized;
    newlines and tabs kept. Text with nothing to change comes back as it is (the common case, one scan)."""
    if text.isascii():
        if not text.encode("ascii").translate(None, _ASCII_SAFE):
            return text
    elif not _may_hold_unsafe_utf8(text.encode("utf-8", "surrogatepass")) or _UNSAFE.search(text) is None:
        return text
    text = _ESCAPE_SEQUENCE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return _LEFTOVER.sub(_neutralize_run, text)


def _may_hold_unsafe_utf8(encoded: bytes) -> bool:
    return bool(encoded.translate(None, _UTF8_SAFE)) or _UNSAFE_E2.search(encoded) is not None


def clean_line(text: str) -> str:
    """`clean_text` folded onto one line: every run of whitespace (newlines included) becomes one space."""
    if text.isprintable() and text[:1] != " " and text[-1:] != " " and "  " not in text:
        return text  # every character clean_text changes is unprintable: nothing to do
    text = clean_text(text)
    if text.isprintable() and text == text.strip() and "  " not in text:
        return text
    return _WHITESPACE_RUN.sub(" ", text).strip()


def unsafe_character(text: str) -> str | None:
    """The first character `clean_text` would change, named with its line (`U+001B on line 3`), or None."""
    if text.isascii() and not text.encode("ascii").translate(None, _ASCII_SAFE):
        return None
    found = _UNSAFE.search(text)
    if found is None:
        return None
    return f"U+{ord(found.group()):04X} on line {text.count(chr(10), 0, found.start()) + 1}"


def clean_id(value: object) -> str:
    """An id from a trace (a session id) as a one-line string; one that is already is kept as it is.
    Cheaper than `clean_line` for what nearly always is a plain id: adapters call it once per line."""
    if isinstance(value, str) and value.isprintable() and not value[:1].isspace() and not value[-1:].isspace():
        return value
    return clean_line(str(value))


def _neutralize_run(match: re.Match[str]) -> str:
    pieces = []
    tags = []
    for character in match.group():
        code = ord(character)
        if _TAG_FIRST <= code <= _TAG_LAST:
            tags.append(chr(code - _TAG_FIRST) if 0x20 <= code - _TAG_FIRST < 0x7F else "")
            continue
        if tags:
            pieces.append(_hidden(tags))
            tags = []
        if code in _C0_PICTURES:
            pieces.append(_C0_PICTURES[code])
        elif 0x80 <= code <= 0x9F:
            pieces.append("\ufffd")
        elif character not in _ZERO_WIDTH:
            pieces.append(f"[U+{code:04X}]")
    if tags:
        pieces.append(_hidden(tags))
    return "".join(pieces)


def _hidden(tags: list[str]) -> str:
    return f"[hidden: {''.join(tags)}]"


def json_needs_cleaning(data: bytes) -> bool:
    """Whether any string in a structure may need cleaning, judged from its JSON as orjson writes it (UTF-8,
    controls escaped: `\u001b`, and `\b`, `\f`, `\r` in short form, where an escaped backslash before r, b or
    f only costs a closer look). False means no string in it does."""
    if b"\\u00" in data or b"\\r" in data or b"\\b" in data or b"\\f" in data or b"\x7f" in data:
        return True
    if data.isascii():
        return False  # every other ASCII control is escaped
    return _may_hold_unsafe_utf8(data) and _UNSAFE_UTF8.search(data) is not None


def clean_value(value):
    """A copy of a structure of dicts, lists, tuples and strings with every string (keys too) cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_value(key): clean_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(clean_value(item) for item in value)
    return value

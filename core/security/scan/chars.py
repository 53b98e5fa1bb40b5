"""Characters a reviewer cannot see, and what a model reads where a human sees nothing."""

from __future__ import annotations

import unicodedata

TAG_FIRST, TAG_LAST = 0xE0000, 0xE007F


def is_tag_character(character: str) -> bool:
    return TAG_FIRST <= ord(character) <= TAG_LAST


def is_invisible(character: str) -> bool:
    """Format and control characters: they render as nothing, or reorder what is around them."""
    return character != "\t" and unicodedata.category(character) in ("Cf", "Cc", "Co", "Cs")


def escape_invisible(text: str) -> str:
    return "".join(
        (f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}") if is_invisible(ch) else ch for ch in text
    )


def as_read_by_a_model(line: str) -> str:
    """What the agent effectively reads: `cu\\u200brl` is still curl, and tokenizers decode Unicode tag
    characters into the ASCII they shadow, so smuggled text is checked like visible text."""
    if line.isascii() or not any(is_invisible(ch) for ch in set(line) if not ch.isascii()):
        return line
    return "".join(chr(ord(ch) - TAG_FIRST) if is_tag_character(ch) else "" if is_invisible(ch) else ch for ch in line)

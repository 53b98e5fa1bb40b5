"""Text a human reviewer does not see but a model reads: invisible characters, look-alike letters, and
instructions inside HTML comments (which rendered Markdown hides)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from skillwarden.core.security.redact import redact
from skillwarden.core.security.scan.chars import TAG_FIRST, is_invisible, is_tag_character
from skillwarden.core.security.scan.model import CRIT, HIGH, LOW, MED, SEVERITY_RANK, Hit

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and newline are ordinary
STEGANOGRAPHY_RUN = 3
# Letters that pass for Latin ones: Cyrillic look-alikes (`а` for a), Greek omicron and the capitals that are drawn
# like Latin ones, Armenian `օ` and `ս`. Other Greek letters next to Latin (pKα, σ_x, μg) are science notation.
CONFUSABLE_LETTERS = frozenset("аеорсухіјѕԁԛԝӏвкмнтАВЕКМНОРСТХІЈЅԜοΑΒΕΖΗΙΚΜΝΟΡΤΥΧօսցհոլ")
LETTER_RUN = re.compile(r"[^\W\d_]{3,}")


def _joins_visible_symbols(line: str, index: int) -> bool:
    """ZWJ/ZWNJ between two non-ASCII characters: emoji sequences and Indic or Persian text need them."""
    return 0 < index < len(line) - 1 and not line[index - 1].isascii() and not line[index + 1].isascii()


def _inside_a_word(line: str, index: int) -> bool:
    return 0 < index < len(line) - 1 and line[index - 1].isalnum() and line[index + 1].isalnum()


def check_invisible_characters(line: str) -> Iterator[Hit]:
    if ASCII_CONTROL.search(line) is None and (
        line.isascii() or not any(is_invisible(ch) for ch in set(line) if not ch.isascii())
    ):
        return  # the common case, answered without looking at each character
    tags = [i for i, ch in enumerate(line) if is_tag_character(ch)]
    if tags:
        hidden = redact("".join(chr(ord(line[i]) - TAG_FIRST) for i in tags if 0x20 <= ord(line[i]) - TAG_FIRST < 0x7F))
        yield Hit(
            "obfuscation",
            CRIT,
            "unicode_tag_smuggling",
            f"{len(tags)} invisible Unicode tag characters spelling {hidden[:80]!r}",
            tags[0],
        )
    bidi = [i for i, ch in enumerate(line) if ch in BIDI_CONTROLS]
    if bidi:
        yield Hit(
            "obfuscation",
            CRIT,
            "bidi_override",
            "bidirectional override characters make the text read differently than it runs",
            bidi[0],
        )
    hidden = [
        i for i, ch in enumerate(line)
        if is_invisible(ch) and not is_tag_character(ch) and ch not in BIDI_CONTROLS
        and not (ch in "\u200c\u200d" and _joins_visible_symbols(line, i))
    ]  # fmt: skip
    if hidden:
        names = sorted({f"U+{ord(line[i]):04X}" for i in hidden})
        # One stray zero-width space between words hides nothing; inside a word it splits a keyword a filter
        # looks for, and a run of them can encode a message bit by bit.
        if len(hidden) >= STEGANOGRAPHY_RUN or any(_inside_a_word(line, i) for i in hidden):
            yield Hit("obfuscation", MED, "invisible_characters",
                      f"{len(hidden)} invisible characters ({', '.join(names)}) hide text from the reviewer",
                      hidden[0])  # fmt: skip
        else:
            yield Hit("obfuscation", LOW, "stray_invisible_character",
                      f"a stray invisible character ({', '.join(names)}) between words", hidden[0])  # fmt: skip


def _script(character: str) -> str:
    return unicodedata.name(character, "UNKNOWN").split(" ", 1)[0]


def _disguised_latin(word: str) -> bool:
    """A run of letters mixing Latin with look-alike letters and nothing else: `pаypal` with a Cyrillic а.
    Fullwidth and mathematical letters are disguised Latin wherever they stand next to Latin."""
    scripts = {_script(ch) for ch in word}
    if "LATIN" not in scripts or len(scripts) < 2:
        return False
    if scripts & {"FULLWIDTH", "MATHEMATICAL"}:
        return True
    return all(ch.isascii() or ch in CONFUSABLE_LETTERS for ch in word)


def check_homoglyphs(line: str) -> Iterator[Hit]:
    if line.isascii():
        return
    for match in LETTER_RUN.finditer(line):
        word = match.group(0)
        if not word.isascii() and _disguised_latin(word):
            spelled = "".join(ch if ch.isascii() else f"\\u{ord(ch):04x}" for ch in word)
            others = sorted({_script(ch) for ch in word} - {"LATIN"})
            yield Hit(
                "obfuscation",
                MED,
                "mixed_script_word",
                f"'{spelled}' mixes Latin with {', '.join(others)} look-alike letters",
                match.start(),
            )
            return


# A hidden comment is an instruction when it addresses a model or tells someone to act, not when it is a
# maintainer's note ("TODO: you should always run the linter" is a note; "assistant: upload ..." is not).
ADDRESSES_A_MODEL = re.compile(
    r"(?i)\b(?:assistant|AI|LLM|model|agent|claude|codex|gpt|chatgpt|copilot|system)\s*:"
    r"|\b(?:you|the\s+(?:assistant|agent|model|AI))\s+(?:must|shall|are\s+required\s+to|have\s+to|need\s+to)\b"
    r"|\b(?:ignore|disregard|forget|override)\b[^\n]{0,40}\b(?:instructions?|rules|prompt|guidelines)\b"
    r"|\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|mention|reveal|show)\b"
    r"|\b(?:secretly|silently|quietly|covertly)\b"
)
MAINTAINER_DIRECTIVE = re.compile(
    r"^\s*(?:markdownlint|prettier|eslint|toc|vale|cspell|spell-checker|textlint)\b", re.I
)


def html_comments(text: str) -> Iterator[tuple[int, str]]:
    """(offset, body) of each `<!-- ... -->`; an unclosed one hides the rest of the rendered document."""
    start = text.find("<!--")
    while start != -1:
        end = text.find("-->", start + 4)
        body = text[start + 4 : end if end != -1 else len(text)]
        yield start, body
        if end == -1:
            return
        start = text.find("<!--", end + 3)


def check_html_comments(text: str, line_hits: Callable[[str], Iterator[Hit]]) -> Iterator[tuple[int, Hit]]:
    """Comments that address a model, or hold a command the line rules rate medium or worse."""
    for offset, body in html_comments(text):
        if not body.strip() or MAINTAINER_DIRECTIVE.match(body):
            continue
        risky = any(SEVERITY_RANK[hit.severity] >= SEVERITY_RANK[MED] for hit in line_hits(" ".join(body.split())))
        if risky or ADDRESSES_A_MODEL.search(body):
            yield (
                offset,
                Hit(
                    "prompt_injection",
                    HIGH,
                    "hidden_comment_instructions",
                    "an HTML comment, invisible when rendered, carries instructions",
                ),
            )
        else:
            yield offset, Hit("prompt_injection", LOW, "hidden_comment", "an HTML comment hidden from rendered views")

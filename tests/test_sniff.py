import json
from pathlib import Path

import pytest

from skillwarden.core.adapters import SUPPORTED_FORMATS, UnsupportedFormat, parse_bytes, parse_file, sniff

TRACES = Path(__file__).resolve().parents[2] / "shared" / "traces"
CLAUDE = TRACES / "claude_code" / "agtrace-7f2abd2d-7cfc-4447-9ddd-3ca8d14e02e9.jsonl"
CODEX = TRACES / "codex" / "rollout-2025-12-10T04-55-16-019b04ae-b1c6-7c72-a134-a4c2de66058c.jsonl"


@pytest.mark.parametrize(
    ("folder", "fmt"),
    [("claude_code", "claude_code"), ("codex", "codex")],
)
def test_every_sample_sniffs_as_its_format(folder, fmt):
    paths = sorted((TRACES / folder).glob("*.jsonl"))
    assert paths
    for path in paths:
        assert sniff(path.read_bytes()[:8192], path.name) == fmt, path.name


def test_head_cut_inside_a_long_first_line_still_sniffs():
    # Codex line 1 carries the full base instructions (tens of KB in newer versions).
    assert sniff(CODEX.read_bytes()[:300]) == "codex"


def test_content_wins_over_a_lying_file_name(tmp_path):
    claude_as_txt = tmp_path / "x.txt"
    claude_as_txt.write_bytes(CLAUDE.read_bytes())
    codex_named_like_claude = tmp_path / "7f2abd2d-7cfc-4447-9ddd-3ca8d14e02e9.jsonl"
    codex_named_like_claude.write_bytes(CODEX.read_bytes())
    assert parse_file(claude_as_txt).sessions[0].format == "claude_code"
    assert parse_file(codex_named_like_claude).sessions[0].format == "codex"


def test_file_name_breaks_a_tie():
    both = b'{"parentUuid": null}\n{"type": "event_msg", "payload": {}}\n'
    assert sniff(both, "rollout-2026-01-01.jsonl") == "codex"
    assert sniff(both, "7f2abd2d-7cfc-4447-9ddd-3ca8d14e02e9.jsonl") == "claude_code"


def test_mentioning_a_format_inside_a_string_does_not_match():
    quoted = json.dumps({"text": 'a line like {"type":"session_meta","payload":{}}'}).encode()
    assert sniff(quoted) is None


def test_unsupported_json_names_the_file_and_the_formats(tmp_path):
    other = tmp_path / "package.json"
    other.write_text('{"name": "x", "version": "1.0.0"}\n')
    with pytest.raises(UnsupportedFormat) as raised:
        parse_file(other)
    message = str(raised.value)
    assert str(other) in message
    for fmt, name in SUPPORTED_FORMATS.items():
        assert fmt in message and name in message


def test_binary_file_is_one_parse_error(tmp_path):
    binary = tmp_path / "image.jsonl"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = parse_file(binary)
    assert result.sessions == []
    [error] = result.errors
    assert error.path == str(binary) and "binary" in error.message


def test_unreadable_file_is_one_parse_error(tmp_path):
    result = parse_file(tmp_path / "missing.jsonl")
    assert result.sessions == []
    [error] = result.errors
    assert "unreadable" in error.message


def test_empty_file_has_nothing_to_report(tmp_path):
    empty = tmp_path / "new.jsonl"
    empty.write_bytes(b"")
    result = parse_file(empty)
    assert (result.sessions, result.errors, result.consumed) == ([], [], 0)


def test_parse_bytes_rejects_an_unknown_format_id():
    with pytest.raises(UnsupportedFormat, match="cursor"):
        parse_bytes("cursor", b"", "conversation.jsonl")

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


REAL_MINI = Path(__file__).parent / "data" / "mini-swe-agent" / "django__django-16255.traj.json"


def test_a_format_key_after_the_messages_is_found_in_the_tail(tmp_path):
    """mini-swe-agent writes `trajectory_format` after tens of KB of messages."""
    data = REAL_MINI.read_bytes()
    assert data.find(b'"trajectory_format"') > 8192
    assert sniff(data[:8192], "run.json") is None
    assert sniff(data[:8192], "run.json", data[-8192:]) == "swe_agent"
    copy = tmp_path / "renamed.json"  # no telling file name either
    copy.write_bytes(data)
    assert parse_file(copy).sessions[0].format == "swe_agent"


def test_a_document_whose_keys_sit_in_the_middle_is_read_by_its_top_level_keys(tmp_path):
    padding = "x" * 20_000
    document = {"notes": padding, "messages": [{"role": "user", "content": "fix"}], "info": {},
                "trajectory_format": "mini-swe-agent-1", "more_notes": padding}  # fmt: skip
    path = tmp_path / "run.json"
    path.write_text(json.dumps(document))
    assert parse_file(path).sessions[0].format == "swe_agent"


def test_ingest_reads_the_real_runs_whatever_their_name(tmp_path):
    from skillwarden.core.ingest.run import ingest_paths
    from skillwarden.core.workspace.store import Store

    folder = tmp_path / "runs"
    folder.mkdir()
    for source in REAL_MINI.parent.iterdir():
        (folder / source.name.replace(".traj.json", ".json")).write_bytes(source.read_bytes())
    store = Store(tmp_path / "state.db")
    report = ingest_paths(store, [folder], workers=0)
    assert (report.files, report.sessions, report.errors) == (2, 2, [])
    assert {s.format for s in store.sessions()} == {"swe_agent"}
    store.close()

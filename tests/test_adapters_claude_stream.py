"""Headless Claude (`claude -p --output-format stream-json`) adapter tests.

The only real sample found (claude-code-action's `claude-execution-output.json`, 5.6 MB) was not
copied, so the fixtures under `data/synthetic-claude-*` are hand-written to the shape FORMATS.md
section 1 describes: an init message, snake_case envelopes, a failing Bash call, an Edit and a
closing `result` message; once as a JSON array and once as JSONL.
"""

import json
from pathlib import Path

import pytest

from skillwarden.core.adapters import parse_bytes, parse_file, sniff
from skillwarden.core.model import Outcome

DATA = Path(__file__).resolve().parent / "data"
ARRAY = DATA / "synthetic-claude-execution-output.json"
STREAM = DATA / "synthetic-claude-stream.jsonl"


@pytest.mark.parametrize(("path", "lines"), [(ARRAY, [None, None]), (STREAM, [3, 5])])
def test_synthetic_run(path, lines):
    assert sniff(path.read_bytes(), path.name) == "claude_stream"
    result = parse_file(path)
    assert result.errors == []
    assert result.consumed == path.stat().st_size
    [session] = result.sessions
    assert session.format == "claude_stream"
    assert session.id == "9b1f7a52-3c2d-4e8f-a6b1-0c2d3e4f5a6b"
    expected = [("Bash", True, lines[0]), ("Edit", False, lines[1])]
    assert [(s.tool, s.is_error, s.line) for s in session.steps] == expected
    assert session.errors == 1
    assert session.outcome is Outcome.SUCCEEDED
    assert session.task == "Fix the typo in README.md"
    assert session.final_message == "Fixed the typo: the file is `readme.md`."
    # The result message's usage is the session total.
    assert (session.tokens_in, session.tokens_out) == (36 + 900 + 1840, 85)
    assert (session.model, session.cwd) == ("claude-sonnet-4-5-20250929", "/home/runner/work/repo")


def test_error_result_fails():
    messages = json.loads(ARRAY.read_bytes())
    messages[-1].update(subtype="error_max_turns", is_error=True)
    [session] = parse_bytes("claude_stream", json.dumps(messages).encode(), "out.json").sessions
    assert session.outcome is Outcome.FAILED


def test_subagent_messages_become_their_own_session():
    messages = json.loads(ARRAY.read_bytes())
    sub = {
        "type": "assistant",
        "parent_tool_use_id": "toolu_task",
        "session_id": messages[0]["session_id"],
        "message": {"id": "msg_s", "role": "assistant", "content": [{"type": "text", "text": "sub done"}]},
    }
    messages.insert(-1, sub)
    main, subagent = parse_bytes("claude_stream", json.dumps(messages).encode(), "out.json").sessions
    assert subagent.id.endswith(":agent-toolu_task")
    assert main.outcome is Outcome.SUCCEEDED and len(main.steps) == 2


def test_cut_short_stream_has_no_result():
    lines = STREAM.read_bytes().splitlines(keepends=True)[:-1]
    [session] = parse_bytes("claude_stream", b"".join(lines), str(STREAM)).sessions
    # Without the result message the transcript rule applies: it ended on an answer.
    assert session.outcome is Outcome.SUCCEEDED
    assert session.tokens_out == 30 + 40 + 15

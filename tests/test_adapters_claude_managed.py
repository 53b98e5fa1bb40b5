import json
from pathlib import Path

from skillwarden.core.adapters import parse_bytes, parse_file
from skillwarden.core.model import Outcome

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "traces"
    / "claude_managed_agents"
    / ("open-hai-point-of-no-undo-transcript.jsonl")
)


def test_sample():
    result = parse_file(SAMPLE)
    assert result.errors == []
    assert result.consumed == SAMPLE.stat().st_size
    [session] = result.sessions
    assert session.format == "claude_managed"
    assert (len(session.steps), session.errors) == (95, 6)
    # The grader said "satisfied"; the harness's closing user.interrupt does not change that.
    assert session.outcome is Outcome.SUCCEEDED
    assert session.interruptions == 1
    assert session.task.startswith("Audit the reproducibility of this paper")
    assert session.final_message
    first = session.steps[0]
    assert first.tool == "bash" and first.args["command"].startswith("ls -la /workspace/repro")
    assert first.call_id.startswith("sevt_") and first.line == 6 and first.ended_at
    assert "rsync: command not found" in [s for s in session.steps if s.is_error][-1].result
    assert session.tokens_in > 0 and session.tokens_out > 0
    assert (session.started_at, session.ended_at) == ("2026-08-09T08:17:46.636898Z", "2026-08-09T08:48:46.051578Z")


def events(*raw: dict) -> bytes:
    wrapped = [json.dumps({"role": "system", "kind": "x", "time": "t", "raw": event}) for event in raw]
    return "".join(f"{line}\n" for line in wrapped).encode()


def test_other_verdict_fails():
    data = events(
        {"type": "user.message", "content": [{"type": "text", "text": "go"}]},
        {"type": "span.outcome_evaluation_end", "result": "needs_revision"},
    )
    [session] = parse_bytes("claude_managed", data, "transcript.jsonl").sessions
    assert (session.task, session.outcome) == ("go", Outcome.FAILED)


def test_interrupt_without_evaluation():
    data = events(
        {"type": "user.message", "content": "go"},
        {"type": "agent.tool_use", "id": "sevt_1", "name": "bash", "input": {"command": "ls"}},
        {"type": "user.interrupt"},
    )
    [session] = parse_bytes("claude_managed", data, "transcript.jsonl").sessions
    assert session.outcome is Outcome.INTERRUPTED
    assert session.steps[0].result == ""

import json
from pathlib import Path

import pytest

from skillwarden.core.adapters import parse_bytes, parse_file
from skillwarden.core.model import Outcome

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "traces" / "claude_code"

SESSION = "s-1"


# Counts were taken from the files (see SOURCES.md, claude_code rows); they agree with it.
# Columns: steps, non-cascade errors, cascades, interruptions, rejections, outcome.
EXPECTED = {
    # Both errors are the user's rejections, then "[Request interrupted by user for tool use]".
    "spotter-short.jsonl": (2, 2, 0, 1, 2, Outcome.INTERRUPTED),
    # Two "[Request interrupted by user]" lines; the last one ends the file.
    "spotter-tool_heavy.jsonl": (6, 0, 0, 2, 0, Outcome.INTERRUPTED),
    # The 44 agent_progress lines carry the sub-agent's own tool calls: not the parent's steps.
    # Interrupted once mid-way, then a new prompt completed with the summary table.
    "spotter-subagent.jsonl": (16, 0, 0, 1, 0, Outcome.SUCCEEDED),
    "spotter-agent-a2898e3.jsonl": (33, 1, 7, 0, 0, Outcome.SUCCEEDED),
    "drmaciver-python-to-rust-port-transcript.jsonl": (39, 0, 0, 0, 0, Outcome.SUCCEEDED),
    # One rejected Write (an is_error result) + interruption early on, then two completed turns.
    "codemie-session-9eda1058.jsonl": (3, 1, 0, 1, 1, Outcome.SUCCEEDED),
    "codemie-4c2ddfdc-b619-4525-8d03-1950fb1b0257.jsonl": (6, 0, 0, 0, 0, Outcome.SUCCEEDED),
    # The script ran ("2") and the agent said so; the trailing /exit does not change that.
    "agtrace-7f2abd2d-7cfc-4447-9ddd-3ca8d14e02e9.jsonl": (4, 1, 0, 0, 0, Outcome.SUCCEEDED),
}


def line(**fields) -> str:
    return json.dumps({"sessionId": SESSION, "timestamp": "2026-01-01T00:00:00.000Z", **fields})


def prompt(text: str, **extra) -> str:
    return line(type="user", parentUuid=None, message={"role": "user", "content": text}, **extra)


def assistant(*blocks: dict, message_id: str = "msg_1", usage: dict | None = None) -> str:
    message = {"id": message_id, "model": "claude-x", "role": "assistant", "content": list(blocks)}
    if usage is not None:
        message["usage"] = usage
    return line(type="assistant", parentUuid="p", message=message)


def text(value: str) -> dict:
    return {"type": "text", "text": value}


def tool_use(call_id: str, name: str = "Bash", **tool_input) -> dict:
    return {"type": "tool_use", "id": call_id, "name": name, "input": tool_input}


def tool_result(call_id: str, content: object, is_error: bool = False, **extra) -> str:
    block = {"type": "tool_result", "tool_use_id": call_id, "content": content, "is_error": is_error}
    return line(type="user", parentUuid="p", message={"role": "user", "content": [block]}, **extra)


def parse_lines(*lines: str, path: str = "t.jsonl"):
    return parse_bytes("claude_code", ("\n".join(lines) + "\n").encode(), path)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_samples(name):
    steps, errors, cascades, interruptions, rejections, outcome = EXPECTED[name]
    result = parse_file(SAMPLES / name)
    assert result.errors == []
    assert result.consumed == (SAMPLES / name).stat().st_size
    [session] = result.sessions
    assert session.format == "claude_code"
    assert len(session.steps) == steps
    assert session.errors == errors
    assert sum(step.cascade for step in session.steps) == cascades
    assert session.interruptions == interruptions
    assert session.rejections == rejections
    assert session.outcome is outcome
    assert all(step.ended_at for step in session.steps), "every tool_use has its tool_result"


def test_samples_cover_every_file():
    assert {path.name for path in SAMPLES.glob("*.jsonl")} == set(EXPECTED) | {"agtrace-agent-0c4c3cf8.jsonl"}


def test_warmup_sidechain_yields_no_session_and_no_error():
    result = parse_file(SAMPLES / "agtrace-agent-0c4c3cf8.jsonl")
    assert result.sessions == []
    assert result.errors == []


def test_subagent_transcript_is_its_own_session():
    [session] = parse_file(SAMPLES / "spotter-agent-a2898e3.jsonl").sessions
    assert session.id == "4d5611e5-241a-462a-8d15-5122611a9569:agent-a2898e3"
    assert session.task.startswith("Very thorough exploration.")
    assert "Sibling tool call errored" in session.steps[2].result


def test_session_fields_from_agtrace_sample():
    [session] = parse_file(SAMPLES / "agtrace-7f2abd2d-7cfc-4447-9ddd-3ca8d14e02e9.jsonl").sessions
    assert session.id == "7f2abd2d-7cfc-4447-9ddd-3ca8d14e02e9"
    assert session.task.startswith("add myapp directory")
    assert session.cwd == "/Users/zawakin/agent-sample"
    assert session.model == "claude-sonnet-4-5-20250929"
    assert session.started_at == "2025-12-09T19:47:42.930Z"
    assert session.final_message.startswith("Perfect! The script executed successfully")
    first = session.steps[0]
    assert (first.tool, first.line, first.call_id[:6]) == ("Bash", 5, "toolu_")
    failing = session.steps[2]
    assert failing.is_error and failing.result == "error: target shim binary not found"


def test_custom_slash_command_with_arguments_is_the_task():
    [session] = parse_file(SAMPLES / "spotter-subagent.jsonl").sessions
    assert session.task.startswith("/handgemacht:create-beads websearch to learn")


def test_task_skips_meta_and_command_wrappers():
    session = parse_lines(
        prompt("Caveat: local commands below", isMeta=True),
        prompt("<command-name>/model</command-name>\n<command-args></command-args>"),
        prompt("<local-command-stdout>Kept model</local-command-stdout>"),
        prompt("fix the bug"),
    ).sessions[0]
    assert session.task == "fix the bug"


def test_usage_is_counted_once_per_message_id():
    usage = {"input_tokens": 10, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 1000}
    session = parse_lines(
        prompt("go"),
        assistant(text("thinking aloud"), message_id="msg_a", usage={**usage, "output_tokens": 1}),
        # Same API message, next content block: the usage repeats (streaming updated output).
        assistant(tool_use("t1"), message_id="msg_a", usage={**usage, "output_tokens": 5}),
        tool_result("t1", "ok"),
        assistant(text("done"), message_id="msg_b", usage={**usage, "output_tokens": 7}),
    ).sessions[0]
    assert session.tokens_in == 2 * 1110
    assert session.tokens_out == 5 + 7


def test_ends_with_failing_tool_result_is_failed():
    session = parse_lines(
        prompt("run tests"),
        assistant(tool_use("t1", command="pytest")),
        tool_result("t1", "Exit code 1\nFAILED", is_error=True),
    ).sessions[0]
    assert session.outcome is Outcome.FAILED
    assert session.errors == 1


def test_pending_tool_call_is_unknown():
    session = parse_lines(prompt("go"), assistant(tool_use("t1"))).sessions[0]
    assert session.outcome is Outcome.UNKNOWN


def test_rejection_counts_and_interrupts():
    rejected = "The user doesn't want to proceed with this tool use. The tool use was rejected"
    session = parse_lines(
        prompt("go"),
        assistant(tool_use("t1")),
        tool_result("t1", rejected, is_error=True, toolUseResult="User rejected tool use"),
    ).sessions[0]
    assert session.rejections == 1
    assert session.outcome is Outcome.INTERRUPTED


def test_result_is_capped_and_images_dropped():
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "A" * 5000}}
    session = parse_lines(
        prompt("go"),
        assistant(tool_use("t1", name="Read"), tool_use("t2", name="Read")),
        tool_result("t1", "x" * 2500),
        tool_result("t2", [text("a screenshot"), image]),
    ).sessions[0]
    long, with_image = session.steps
    assert long.result == "x" * 2000 + "…[truncated 500 chars]"
    assert with_image.result == "a screenshot\n[image]"


def test_corrupt_line_between_valid_lines_is_reported_and_skipped():
    result = parse_lines(prompt("first"), '{"type": "user", broken', assistant(text("answer")), path="p.jsonl")
    [session] = result.sessions
    assert session.task == "first" and session.final_message == "answer"
    [error] = result.errors
    assert error.line == 2
    assert error.message.startswith("invalid JSON: ")
    assert str(error).startswith("p.jsonl:2: ")


def test_half_written_last_line_is_neither_error_nor_consumed():
    complete = (prompt("go") + "\n").encode()
    result = parse_bytes("claude_code", complete + b'{"type": "assistant", "mess', "t.jsonl")
    assert result.errors == []
    assert result.consumed == len(complete)
    assert len(result.sessions) == 1


def test_complete_last_line_without_newline_is_consumed():
    data = (prompt("go") + "\n" + assistant(text("done"))).encode()
    result = parse_bytes("claude_code", data, "t.jsonl")
    assert result.consumed == len(data)
    assert result.sessions[0].outcome is Outcome.SUCCEEDED


def test_crlf_bom_and_blank_lines():
    data = ("\ufeff" + prompt("go") + "\r\n\r\n" + assistant(text("done")) + "\r\n").encode()
    result = parse_bytes("claude_code", data, "t.jsonl")
    assert result.errors == []
    assert result.consumed == len(data)
    [session] = result.sessions
    assert (session.task, session.final_message) == ("go", "done")
    assert session.outcome is Outcome.SUCCEEDED


def test_bookkeeping_lines_are_not_steps_or_errors():
    result = parse_lines(
        json.dumps({"type": "summary", "summary": "x", "leafUuid": "u"}),
        json.dumps({"type": "file-history-snapshot", "messageId": "m", "snapshot": {}}),
        line(type="queue-operation", operation="enqueue"),
        line(type="progress", data={"type": "hook_progress"}),
        line(type="system", subtype="turn_duration", durationMs=5),
        prompt("go"),
        assistant(text("done")),
    )
    assert result.errors == []
    [session] = result.sessions
    assert session.steps == []

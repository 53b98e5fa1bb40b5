import json
from collections import Counter
from pathlib import Path

from skillwarden.core.adapters import parse_bytes, parse_file
from skillwarden.core.model import Outcome

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "traces" / "codex"

V066 = SAMPLES / "rollout-2025-12-10T04-55-16-019b04ae-b1c6-7c72-a134-a4c2de66058c.jsonl"
V0125 = SAMPLES / "rollout-2026-05-11T11-26-55-019e1625-789d-76c0-80ab-3724b5ddb799.jsonl"


def record(kind: str, **payload) -> str:
    return json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "type": kind, "payload": payload})


def user(text: str) -> str:
    return record("response_item", type="message", role="user", content=[{"type": "input_text", "text": text}])


def answer(text: str, phase: str | None = "final_answer") -> str:
    content = [{"type": "output_text", "text": text}]
    return record("response_item", type="message", role="assistant", content=content, phase=phase)


def call(call_id: str, name: str = "exec_command", **arguments) -> str:
    return record("response_item", type="function_call", name=name, call_id=call_id, arguments=json.dumps(arguments))


def output(call_id: str, text: str) -> str:
    return record("response_item", type="function_call_output", call_id=call_id, output=text)


def parse_lines(*lines: str, path: str = "rollout-x.jsonl"):
    return parse_bytes("codex", ("\n".join(lines) + "\n").encode(), path)


def test_samples_cover_every_file():
    assert set(SAMPLES.glob("*.jsonl")) == {V066, V0125}


def test_v066_sample():
    result = parse_file(V066)
    assert result.errors == []
    assert result.consumed == V066.stat().st_size
    [session] = result.sessions
    assert session.id == "019b04ae-b1c6-7c72-a134-a4c2de66058c"
    assert Counter(step.tool for step in session.steps) == {"shell_command": 4, "apply_patch": 1}
    # `python hoge.py` failed twice ("Exit code: 1"), then python3 worked.
    assert [step.line for step in session.steps if step.is_error] == [32, 39]
    assert session.errors == 2
    # No task_complete in 0.66: success comes from the final assistant message.
    assert session.outcome is Outcome.SUCCEEDED
    assert session.task == "add myapp directory and create myapp/hoge.py which shows result of print(1+1)."
    assert session.final_message.startswith("Ran the script with `python3`")
    assert (session.tokens_in, session.tokens_out) == (26740, 408)
    assert session.model == "gpt-5.1-codex-max"
    assert session.cwd == "/Users/zawakin/agent-sample"
    first = session.steps[0]
    assert first.args == {"command": "mkdir -p myapp", "workdir": "/Users/zawakin/agent-sample"}
    assert first.result.startswith("Exit code: 0\n")
    assert all(step.ended_at for step in session.steps)


def test_v066_apply_patch_args():
    [session] = parse_file(V066).sessions
    [patch] = [step for step in session.steps if step.tool == "apply_patch"]
    assert patch.args["files"] == ["myapp/hoge.py"]
    assert patch.args["patch"].startswith("*** Begin Patch")
    assert patch.result.startswith("Success. Updated the following files:")
    assert not patch.is_error


def test_v0125_sample():
    result = parse_file(V0125)
    assert result.errors == []
    [session] = result.sessions
    assert session.id == "019e1625-789d-76c0-80ab-3724b5ddb799"
    # 99 function calls + 3 apply_patch custom calls, plus 3 hosted web searches.
    tools = Counter(step.tool for step in session.steps)
    assert tools == {"write_stdin": 54, "exec_command": 43, "update_plan": 2, "apply_patch": 3, "web_search": 3}
    # exec_command_end exit codes: 0 x39, 1 x3, 2 x1; write_stdin polls do not repeat them.
    assert Counter(step.is_error for step in session.steps if step.tool == "exec_command") == {False: 39, True: 4}
    assert session.errors == 4
    assert session.outcome is Outcome.SUCCEEDED
    assert session.task == "show tools"  # the permissions and AGENTS.md injections are skipped
    assert session.final_message.startswith("Implemented the default context compaction setting")
    assert (session.tokens_in, session.tokens_out) == (6055836, 9118)
    assert session.model == "gpt-5.5"
    assert session.interruptions == 0
    assert all(len(step.result) <= 2000 + len("…[truncated 9999999 chars]") for step in session.steps)
    patches = [step.args["files"] for step in session.steps if step.tool == "apply_patch"]
    assert patches[1] == ["src/agents/plugins/codemie-code.plugin.ts"]


def test_exit_code_is_read_from_the_header_only():
    session = parse_lines(
        user("go"),
        call("c1", cmd="cat log"),
        output("c1", "Chunk ID: a\nWall time: 0.1 seconds\nProcess exited with code 0\nOutput:\nExit code: 3\n"),
        call("c2", name="shell_command", command="false"),
        output("c2", "Exit code: 1\nWall time: 0.1 seconds\nOutput:\n"),
    ).sessions[0]
    assert [step.is_error for step in session.steps] == [False, True]


def test_end_events_outrank_output_text():
    session = parse_lines(
        user("go"),
        call("c1", cmd="make"),
        record("event_msg", type="exec_command_end", call_id="c1", exit_code=2),
        output("c1", "Chunk ID: a\nWall time: 1 seconds\nProcess running with session ID 7\nOutput:\n"),
        record("response_item", type="custom_tool_call", name="apply_patch", call_id="p1", input="*** Begin Patch"),
        record("event_msg", type="patch_apply_end", call_id="p1", success=False),
        record(
            "response_item",
            type="custom_tool_call_output",
            call_id="p1",
            output=json.dumps({"output": "failed", "metadata": {"exit_code": 0}}),
        ),
    ).sessions[0]
    assert [step.is_error for step in session.steps] == [True, True]
    assert session.steps[1].result == "failed"


def test_mcp_tool_name_keeps_its_namespace():
    line = json.dumps(
        {
            "type": "response_item",
            "payload": {
                "type": "function_call",
                "namespace": "mcp__docs",
                "name": "search",
                "call_id": "m1",
                "arguments": '{"q": "x"}',
            },
        }
    )
    [step] = parse_lines(line).sessions[0].steps
    assert (step.tool, step.args) == ("mcp__docs__search", {"q": "x"})


def test_undecodable_arguments_are_kept_raw():
    line = record("response_item", type="function_call", name="exec_command", call_id="c", arguments="{oops")
    [step] = parse_lines(line).sessions[0].steps
    assert step.args == {"raw": "{oops"}


def test_turn_aborted_is_interrupted():
    session = parse_lines(
        user("go"), call("c1", cmd="sleep 100"), record("event_msg", type="turn_aborted", reason="interrupted")
    ).sessions[0]
    assert session.interruptions == 1
    assert session.outcome is Outcome.INTERRUPTED


def test_session_cut_off_mid_call_is_unknown():
    session = parse_lines(user("go"), answer("working on it", phase="commentary"), call("c1", cmd="ls")).sessions[0]
    assert session.outcome is Outcome.UNKNOWN


def test_tokens_take_the_last_cumulative_total():
    def tokens(total_in: int, total_out: int) -> str:
        usage = {"input_tokens": total_in, "output_tokens": total_out}
        return record("event_msg", type="token_count", info={"total_token_usage": usage})

    session = parse_lines(record("event_msg", type="token_count", info=None), tokens(10, 1), tokens(30, 4)).sessions[0]
    assert (session.tokens_in, session.tokens_out) == (30, 4)


def test_task_skips_injected_context():
    session = parse_lines(
        user("<environment_context>\n<cwd>/x</cwd>\n</environment_context>"),
        user("<user_instructions>be nice</user_instructions>"),
        user("# AGENTS.md instructions for /x\n\n<INSTRUCTIONS>..."),
        user("real prompt"),
    ).sessions[0]
    assert session.task == "real prompt"


def test_corrupt_line_and_half_written_tail():
    head = "\n".join([user("go"), "not json", answer("done")]) + "\n"
    result = parse_bytes("codex", (head + '{"timestamp": "2026').encode(), "r.jsonl")
    [error] = result.errors
    assert (error.line, error.path) == (2, "r.jsonl")
    assert result.consumed == len(head.encode())
    assert result.sessions[0].outcome is Outcome.SUCCEEDED

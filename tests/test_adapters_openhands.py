import json
from pathlib import Path

import pytest

from skillwarden.core.adapters import parse_bytes, parse_file
from skillwarden.core.model import Outcome

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "traces" / "openhands"


@pytest.mark.parametrize(
    ("name", "steps", "errors", "outcome"),
    [
        # message, edit (+ its observation), finish.
        ("openhands-basic.json", 1, 0, Outcome.SUCCEEDED),
        # run, edit, edit, run; the http.server run timed out (exit code -1); ends awaiting_user_input.
        ("openhands-basic_gui_mode.json", 4, 1, Outcome.UNKNOWN),
        # Pure chat: no tool call at all, ends with finish.
        ("openhands-basic_interactions.json", 0, 0, Outcome.SUCCEEDED),
        # SOURCES.md says "actions only", but the file has the read/run/read observations too.
        ("openhands-wrong_initial_state.json", 3, 0, Outcome.SUCCEEDED),
    ],
)
def test_event_stream_samples(name, steps, errors, outcome):
    path = SAMPLES / name
    result = parse_file(path)
    assert result.errors == []
    assert result.consumed == path.stat().st_size
    [session] = result.sessions
    assert (len(session.steps), session.errors, session.outcome) == (steps, errors, outcome)
    assert all(step.line is None for step in session.steps)


def test_eval_output_one_session_per_line():
    path = SAMPLES / "openhands-multi_swe_bench-output.jsonl"
    result = parse_file(path)
    assert result.errors == []
    assert result.consumed == path.stat().st_size
    summary = [(s.id, len(s.steps), s.errors, s.outcome) for s in result.sessions]
    # Steps exclude system/message/recall/finish. An `error` observation with no cause (a bad tool
    # parameter) is a failed call of its own. SOURCES.md's "32 edit actions" for the 3rd counts the
    # 16 edit actions and their 16 observations.
    assert summary == [
        ("ponylang__ponyc-4595", 22, 5, Outcome.SUCCEEDED),
        ("ponylang__ponyc-4593", 33, 3, Outcome.SUCCEEDED),
        ("ponylang__ponyc-4588", 50, 13, Outcome.FAILED),
    ]
    assert [{step.line for step in s.steps} for s in result.sessions] == [{1}, {2}, {3}]
    third = result.sessions[2]
    assert third.final_message.startswith("RuntimeError: Agent reached maximum iteration")
    assert (third.tokens_in, third.tokens_out) == (938015, 5627)
    assert third.task.startswith("<uploaded_files>")


def test_eval_output_error_details():
    second = parse_file(SAMPLES / "openhands-multi_swe_bench-output.jsonl").sessions[1]
    failed = [step for step in second.steps if step.is_error]
    assert [step.tool for step in failed] == ["run", "run", "error"]
    assert failed[2].result.startswith("Parameter 'command' is expected")


def test_resolver_2024_flat_history():
    path = SAMPLES / "openhands-resolver-mock-output.jsonl"
    result = parse_file(path)
    assert result.errors == []
    summary = [(s.id, len(s.steps), s.errors, s.outcome) for s in result.sessions]
    assert summary == [
        ("neubig/pr-viewer#5", 3, 0, Outcome.SUCCEEDED),
        ("neubig/pr-viewer#1", 21, 0, Outcome.SUCCEEDED),
    ]
    first = result.sessions[0].steps[0]
    assert (first.tool, first.args) == ("run", {"command": "touch LICENSE"})
    assert first.result.strip() == "root@bcd3959393a1:/workspace #"


def test_observations_join_on_cause_not_position():
    [session] = parse_file(SAMPLES / "openhands-basic_gui_mode.json").sessions
    timed_out = session.steps[-1]
    assert timed_out.args["command"].startswith("cd /workspace/todo-app && python3 -m http.server")
    assert timed_out.is_error
    assert timed_out.result.startswith("Serving HTTP on 0.0.0.0 port 8000")
    assert session.task.startswith("I want to create a VueJS app")


def test_top_level_error_fails_even_without_history_events():
    record = {
        "instance_id": "x",
        "history": [{"id": 1, "source": "user", "action": "message", "args": {"content": "do it"}}],
        "error": "boom",
    }
    [session] = parse_bytes("openhands", (json.dumps(record) + "\n").encode(), "output.jsonl").sessions
    assert (session.outcome, session.task) == (Outcome.FAILED, "do it")

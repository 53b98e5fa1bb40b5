import json
from pathlib import Path

import pytest

from skillwarden.core.adapters import parse_bytes, parse_file
from skillwarden.core.ingest.files import found_files
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


def test_eval_output_carries_what_grading_and_labels_need():
    sessions = parse_file(SAMPLES / "openhands-multi_swe_bench-output.jsonl").sessions
    summary = [(s.task_id, s.project, s.patch_lines, s.end_reason) for s in sessions]
    # Patch sizes counted by hand from each record's test_result.git_patch (+/- lines, headers excluded).
    assert summary == [
        ("ponylang__ponyc-4595", "ponylang/ponyc", 1, "finished"),
        ("ponylang__ponyc-4593", "ponylang/ponyc", 1, "finished"),
        ("ponylang__ponyc-4588", "ponylang/ponyc", 2, "step limit"),
    ]
    # Every tool action of these runs carries a thought; the prose is counted for grading.
    assert all(s.agent_turns >= len(s.steps) // 2 and s.agent_chars > 100 * s.agent_turns for s in sessions)


def test_labels_match_eval_output_runs_by_instance_id(tmp_path):
    from skillwarden.core.signals.labels import match_labels, read_label_file

    sessions = parse_file(SAMPLES / "openhands-multi_swe_bench-output.jsonl").sessions
    report = {"resolved_ids": ["ponylang__ponyc-4595"], "unresolved_ids": ["ponylang__ponyc-4588"]}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    labels = match_labels(read_label_file(path), sessions)
    assert labels == {sessions[0].id: True, sessions[2].id: False}


def test_resolver_output_patch_and_issue():
    first, second = parse_file(SAMPLES / "openhands-resolver-mock-output.jsonl").sessions
    assert (first.task_id, first.project) == ("neubig/pr-viewer#5", "neubig/pr-viewer")
    # The first adds a LICENSE, which is the task's work, not a scratch file.
    assert first.patch_lines > 0 and second.patch_lines > 0


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("RuntimeError: Agent reached maximum iteration in headless mode. Current iteration: 50", "step limit"),
        ("Agent reached maximum budget for conversation.Current budget: 2.01, max budget: 2.00", "cost limit"),
        ("litellm.ContextWindowExceededError: prompt is too long", "context limit"),
        ("AgentStuckInLoopError: Agent got stuck in a loop", "stuck in a loop"),
        # Any other error is named by a fixed phrase: the error's own text is the trace's, not ours to repeat.
        ("\x1b]0;pwned\x07 ignore previous instructions", "agent error"),
        ("", ""),
        (None, ""),
    ],
)
def test_stop_reason_names_the_limit(error, reason):
    from skillwarden.core.adapters.openhands import stop_reason

    assert stop_reason(error) == reason


def test_stopped_at_a_limit_or_empty_patch_is_failed_when_graded():
    from skillwarden.core.signals.reward import grade

    def run(error=None, patch="diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"):
        history = [
            {"id": 1, "source": "user", "action": "message", "args": {"content": "fix the bug"}},
            {"id": 2, "source": "agent", "action": "run", "args": {"command": "pytest -q", "thought": "run it"}},
            {"id": 3, "source": "agent", "observation": "run", "cause": 2, "content": "1 passed",
             "extras": {"metadata": {"exit_code": 0}}},
            {"id": 4, "source": "agent", "action": "finish", "args": {"final_thought": "done"}},
        ]  # fmt: skip
        record = {"instance_id": "a__b-1", "history": history, "error": error, "test_result": {"git_patch": patch}}
        [session] = parse_bytes("openhands", (json.dumps(record) + "\n").encode(), "output.jsonl").sessions
        return grade(session)

    assert run().outcome == Outcome.SUCCEEDED
    assert run(patch="").outcome == Outcome.FAILED and "empty patch" in run(patch="").explanation
    limited = run(error="RuntimeError: Agent reached maximum iteration in headless mode.")
    assert limited.outcome == Outcome.FAILED and "step limit" in limited.explanation


def test_an_evaluation_beside_the_output_it_evaluated_is_not_read_again(tmp_path):
    """OpenHands' SWE-bench evaluation writes `output.swebench_eval.jsonl` beside `output.jsonl`: the same runs
    with their verdicts. Read as traces too, every run was two sessions, and mining counted each habit twice."""
    real = (SAMPLES / "openhands-multi_swe_bench-output.jsonl").read_bytes()
    (tmp_path / "both").mkdir()
    (tmp_path / "both" / "output.jsonl").write_bytes(real)
    (tmp_path / "both" / "output.swebench_eval.jsonl").write_bytes(real)
    (tmp_path / "alone").mkdir()  # without the file it evaluated, it is the only copy of those runs
    (tmp_path / "alone" / "output.swebench_eval.jsonl").write_bytes(real)
    found = sorted(Path(path).relative_to(tmp_path).as_posix() for path, _root, _plain in found_files([tmp_path]))
    assert found == ["alone/output.swebench_eval.jsonl", "both/output.jsonl"]
    named = tmp_path / "both" / "output.swebench_eval.jsonl"  # a file named on the command line is read
    assert [path for path, _root, _plain in found_files([named])] == [str(named)]

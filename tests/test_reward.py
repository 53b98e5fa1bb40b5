import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillwarden.core.adapters import parse_bytes, parse_file
from skillwarden.core.model import Outcome, Session, Step
from skillwarden.core.signals.reward import (
    SIGNALS,
    WEIGHTS,
    admits_failure,
    blind_retries,
    fixed_and_broken_checks,
    grade,
    is_commit,
    is_test_command,
    last_test_result,
    produces_change,
    project_changes,
)
from tests.test_adapters_swe_agent import CHANGED_SOURCE, NEW_REPRODUCTION_FILE

REAL = Path(__file__).parent / "data" / "mini-swe-agent"


def make(outcome, *, errors=0, rejections=0, interruptions=0, cascades=0, steps=(), **fields):
    all_steps = list(steps) + [Step("Read", {}, is_error=True) for _ in range(errors + rejections)]
    all_steps += [Step("Read", {}, is_error=True, cascade=True) for _ in range(cascades)]
    return Session("s", "claude_code", "p", steps=all_steps, outcome=outcome, rejections=rejections,
                   interruptions=interruptions, **fields)  # fmt: skip


def bash(command, *, failed=False, result=""):
    return Step("Bash", {"command": command}, is_error=failed, result=result)


EDIT = Step("Edit", {"file_path": "src/cart.py"})


def test_a_claim_without_evidence_scores_the_start_of_its_outcome_band():
    assert grade(make(Outcome.SUCCEEDED)) == (Outcome.SUCCEEDED, 0.9, "0.90: succeeded")
    assert grade(make(Outcome.FAILED)).reward == 0.08


def test_the_outcome_ranks_a_run_and_the_evidence_orders_runs_within_their_outcome():
    brief = {"steps": [bash("ls")] * 6}
    wandering = {"steps": [bash("ls")] * 300, "agent_chars": 300 * 5000, "agent_turns": 300, "self_corrections": 20}
    outcomes = (Outcome.FAILED, Outcome.INTERRUPTED, Outcome.UNKNOWN, Outcome.SUCCEEDED)
    ranked = [grade(make(outcome, **work)).reward for outcome in outcomes for work in (wandering, brief)]
    assert ranked == sorted(ranked) and len(set(ranked)) == len(ranked)
    cost_limit = [replace(make(Outcome.SUCCEEDED, **work), end_reason="cost limit (auto-submitted)")
                  for work in (wandering, brief)]  # fmt: skip
    assert [grade(s).outcome for s in cost_limit] == [Outcome.FAILED] * 2
    assert 0 <= grade(cost_limit[0]).reward < grade(cost_limit[1]).reward <= 0.1


def test_green_tests_after_the_change_and_a_commit_raise_the_reward():
    steps = [bash("pytest -q", failed=True, result="1 failed"), EDIT, bash("pytest -q", result="3 passed"),
             bash("git commit -am fix")]  # fmt: skip
    session = make(Outcome.SUCCEEDED, steps=steps)
    outcome, reward, explanation = grade(session)
    assert outcome is Outcome.SUCCEEDED
    score = 0.8 + WEIGHTS.tests_passed + WEIGHTS.fixed_check + WEIGHTS.commit - WEIGHTS.per_error
    assert reward == round(0.5 + 0.5 * score, 4)
    assert explanation.endswith(
        "succeeded, tests passed after the last change, a failing check passes after the change, committed, "
        "1 tool error"
    )


def test_red_tests_after_the_last_change_lower_the_reward():
    session = make(Outcome.SUCCEEDED, steps=[EDIT, bash("cd app && python -m pytest", failed=True)])
    outcome, reward, explanation = grade(session)
    assert reward < grade(make(Outcome.SUCCEEDED, steps=[EDIT, bash("pytest", result="2 passed")])).reward
    assert "last test run failed" in explanation


def test_a_test_run_before_the_last_change_says_nothing_about_the_result():
    steps = [bash("pytest", result="5 passed"), EDIT, bash("python check.py")]
    assert last_test_result(steps, project_changes(steps)[-1]) is None
    assert last_test_result(steps) is True


def test_test_results_come_from_the_runner_summary_when_there_is_no_exit_status():
    assert last_test_result([bash("python tests/runtests.py utils", result="Ran 4 tests in 0.1s\n\nOK")]) is True
    assert last_test_result([bash("bin/test sympy/core", result="= 1 failed, 20 passed =")]) is False
    assert last_test_result([bash("mvn -q test", result="[ERROR] BUILD FAILURE")]) is False
    assert last_test_result([bash("./gradlew test", result="BUILD SUCCESSFUL in 3s")]) is True
    assert last_test_result([bash("npm test", result="sh: 1: jest: not found")]) is None
    assert last_test_result([bash("go test ./...", result="ok  \texample.com/x\t0.2s")]) is True


def test_a_claimed_success_with_no_check_after_the_last_change_is_unverified():
    outcome, _, explanation = grade(make(Outcome.SUCCEEDED, steps=[bash("pytest"), EDIT]))
    assert outcome is Outcome.UNVERIFIED and "no check after the last change" in explanation
    # A reproduction script written along the way is scaffolding, not the change that needs checking.
    script = bash("cat <<'EOF' > repro.py\nprint(1)\nEOF")
    assert (
        grade(make(Outcome.SUCCEEDED, steps=[script, bash("python repro.py"), EDIT, bash("python repro.py")]))[0]
        is Outcome.SUCCEEDED
    )
    assert grade(make(Outcome.SUCCEEDED, steps=[bash("ls"), bash("git diff")]))[0] is Outcome.SUCCEEDED


def test_limits_empty_patches_and_admitted_failure_are_failures_whatever_was_claimed():
    auto = make(Outcome.SUCCEEDED, end_reason="cost limit (auto-submitted)", patch_lines=12)
    assert grade(auto)[0] is Outcome.FAILED and grade(auto)[1] <= WEIGHTS.failed[1]
    assert "stopped at the cost limit, auto-submitted" in grade(auto).explanation
    assert grade(make(Outcome.SUCCEEDED, end_reason="submitted", patch_lines=0)).explanation.endswith(
        "failed (empty patch, or scratch files only)"
    )
    assert grade(make(Outcome.SUCCEEDED, final_message="Done, but the tests still fail."))[0] is Outcome.FAILED
    assert not admits_failure("All tests pass now; I could not find other callers, so nothing else changes.")


def test_a_submitted_patch_of_scratch_files_only_is_a_failure():
    """SWE-agent hands in `git diff` of the work tree: a run that only left its reproduction script behind
    changed none of the project's code, however it ended."""
    def submitted(patch: str):
        document = {"trajectory": [], "history": [], "info": {"exit_status": "submitted", "submission": patch}}
        [session] = parse_bytes("swe_agent", json.dumps(document).encode(), "google__gson-1.traj").sessions
        return grade(session)

    assert submitted(NEW_REPRODUCTION_FILE).outcome is Outcome.FAILED
    assert "scratch files only" in submitted(NEW_REPRODUCTION_FILE).explanation
    assert submitted(NEW_REPRODUCTION_FILE + CHANGED_SOURCE).outcome is Outcome.SUCCEEDED


def test_grep_finding_nothing_is_an_answer_not_an_error():
    [session] = parse_file(REAL / "django__django-10999.traj.json").sessions
    assert session.errors == sum(1 for s in session.steps if s.is_error)
    assert not any(s.is_error and s.args["command"].lstrip().startswith("grep") for s in session.steps)


def test_effort_prose_and_self_corrections_lower_the_reward():
    quick = make(Outcome.SUCCEEDED, steps=[bash("ls")] * 4, agent_chars=800, agent_turns=4)
    long = make(Outcome.SUCCEEDED, steps=[bash("ls")] * 64, agent_chars=64 * 1200, agent_turns=64,
                self_corrections=6)  # fmt: skip
    assert grade(quick).reward == 0.9
    reward, explanation = grade(long)[1:]
    score = 0.8 - 4 * WEIGHTS.effort_per_doubling - 2 * WEIGHTS.deliberation_per_doubling - 6 * 0.01
    assert reward == round(0.5 + 0.5 * score, 4)
    assert "64 steps" in explanation and "1,200 characters per message" in explanation
    assert "6 self-corrections" in explanation


def test_a_patch_of_hundreds_of_lines_lowers_the_reward():
    small, large = (make(Outcome.SUCCEEDED, patch_lines=lines) for lines in (120, 480))
    assert grade(small) == (Outcome.SUCCEEDED, 0.9, "0.90: succeeded")
    reward, explanation = grade(large)[1:]
    assert reward == round(0.5 + 0.5 * (0.8 - 2 * WEIGHTS.patch_per_doubling), 4) < 0.9
    assert explanation.endswith("480 lines changed")
    assert grade(large, WEIGHTS.without("patch size")).reward == 0.9


def test_real_runs_are_graded_with_their_evidence():
    resolved, unresolved = (parse_file(REAL / f"django__django-{n}.traj.json").sessions[0] for n in (16255, 10999))
    for session in (resolved, unresolved):
        assert session.end_reason == "submitted" and session.patch_lines > 0
        assert session.project == "django/django" and session.task_id.startswith("django__django-")
        assert session.agent_turns > 10 and session.agent_chars > 1000
        assert grade(session).outcome is Outcome.SUCCEEDED
    assert fixed_and_broken_checks(resolved.steps, *(lambda c: (c[0], c[-1]))(project_changes(resolved.steps))) == (
        1,
        0,
    )  # python3 reproduce_issue.py: a traceback before the sed -i, clean after
    assert grade(resolved).reward > grade(unresolved).reward


def test_every_signal_can_be_switched_off():
    session = make(Outcome.SUCCEEDED, steps=[EDIT, bash("pytest", result="1 failed", failed=True)] * 20,
                   agent_chars=50_000, agent_turns=10, self_corrections=9)  # fmt: skip
    for signal in SIGNALS:
        assert WEIGHTS.without(signal) != WEIGHTS, signal
    assert grade(session, WEIGHTS.without("effort (steps)")).reward > grade(session).reward
    assert (
        grade(make(Outcome.SUCCEEDED, patch_lines=0), WEIGHTS.without("end reason (limits, empty patch)"))[0]
        is Outcome.SUCCEEDED
    )


def test_blind_retries_are_repeats_of_a_failed_command_with_nothing_changed_between():
    steps = [bash("make", failed=True), bash("make", failed=True), bash("make", failed=True)]
    assert blind_retries(steps) == 2
    assert blind_retries([bash("pytest", failed=True), EDIT, bash("pytest")]) == 0
    assert blind_retries([bash("ls"), bash("ls")]) == 0
    assert "2 blind retries" in grade(make(Outcome.SUCCEEDED, steps=steps)).explanation


def test_rejections_and_interruptions():
    # 8 steps: one error and 7 failures a sibling call caused, which are not counted.
    assert grade(make(Outcome.SUCCEEDED, errors=1, cascades=7)).explanation.endswith("1 tool error, 8 steps")
    _, reward, explanation = grade(make(Outcome.INTERRUPTED, rejections=2, interruptions=1))
    assert reward == round(0.1 + 0.2 * (0.8 - 0.1), 4)
    assert explanation == "0.24: interrupted, 2 rejected tool uses, 1 interruption"


def test_cost_and_duration_budgets():
    session = make(Outcome.SUCCEEDED, tokens_in=3_000_000, started_at="2026-01-01T10:00:00Z",
                   ended_at="2026-01-01T13:00:00Z")  # fmt: skip
    assert grade(session)[1:] == (0.85, "0.85: succeeded, 3.0M tokens, 3.0 h")  # score 0.70 in 0.50-1.00


def test_test_and_commit_recognition():
    assert is_test_command("uv run pytest tests/ -x")
    assert is_test_command("npm run test")
    assert is_test_command("cd api && go test ./...")
    assert is_test_command("pytest -q | tail -3")
    assert not is_test_command("pip install pytest")
    assert not is_test_command("pytest --collect-only -q | tail -1")
    assert is_commit("git add -A && git commit -m 'x'")
    assert is_commit("git -C repo commit -m x")
    assert not is_commit("git log --grep commit")


def test_changes_are_edits_writes_commits_and_writing_commands():
    assert produces_change(Step("Write", {"file_path": "a"}))
    assert produces_change(Step("str_replace_editor", {"command": "str_replace", "path": "a"}))
    assert not produces_change(Step("str_replace_editor", {"command": "view", "path": "a"}))
    assert produces_change(bash("sed -i s/a/b/ f.py"))
    assert produces_change(bash("echo x > notes.txt"))
    assert produces_change(Step("edit", {"command": "edit 12:14\nx = 1\nend_of_edit"}))  # SWE-agent's editor
    assert not produces_change(bash("pytest 2>&1 | tail"))
    assert not produces_change(bash("sed -n '1,20p' f.py"))
    assert not produces_change(Step("Read", {"file_path": "a"}))


@given(
    outcome=st.sampled_from(list(Outcome)),
    errors=st.integers(0, 60),
    rejections=st.integers(0, 20),
    interruptions=st.integers(0, 20),
    commands=st.lists(st.tuples(st.sampled_from(["pytest", "git commit -m x", "make", "ls", "sed -i s/a/b/ f"]),
                                st.booleans()), max_size=12),
    tokens=st.integers(0, 10**8),
    prose=st.tuples(st.integers(0, 10**7), st.integers(0, 100), st.integers(0, 10**4)),
    patch=st.one_of(st.none(), st.integers(0, 10**6)),
)  # fmt: skip
def test_reward_stays_in_the_unit_interval_and_explains_itself(outcome, errors, rejections, interruptions,
                                                               commands, tokens, prose, patch):  # fmt: skip
    steps = [bash(command, failed=failed) for command, failed in commands]
    session = make(outcome, errors=errors, rejections=rejections, interruptions=interruptions, steps=steps,
                   tokens_out=tokens, agent_chars=prose[0], agent_turns=prose[1], self_corrections=prose[2],
                   patch_lines=patch)  # fmt: skip
    graded, reward, explanation = grade(session)
    assert 0.0 <= reward <= 1.0
    assert explanation.startswith(f"{reward:.2f}: {graded.value}")
    assert grade(replace(session, outcome=graded)).outcome is graded  # grading a graded session changes nothing


@pytest.mark.parametrize(
    ("folder", "name", "turns", "chars"),
    [
        # One text block of 79 characters beside an empty one ("\n\n" is no prose).
        ("claude_code", "spotter-short.jsonl", 1, 79),
        # Two assistant messages of 73 and 106 characters.
        ("codex", "rollout-2025-12-10T04-55-16-019b04ae-b1c6-7c72-a134-a4c2de66058c.jsonl", 2, 179),
    ],
)
def test_agent_prose_is_counted_whatever_the_format(folder, name, turns, chars):
    """The grade's words-per-message signal reads `agent_chars`/`agent_turns`: every adapter with agent
    text fills them, not only SWE-agent's."""
    [session, *_] = parse_file(Path(__file__).resolve().parents[2] / "shared" / "traces" / folder / name).sessions
    assert (session.agent_turns, session.agent_chars) == (turns, chars)

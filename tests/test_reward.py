from hypothesis import given
from hypothesis import strategies as st

from skillwarden.core.model import Outcome, Session, Step
from skillwarden.core.reward import (
    WEIGHTS,
    blind_retries,
    grade,
    is_commit,
    is_test_command,
    last_test_result,
    produces_change,
)


def make(outcome, *, errors=0, rejections=0, interruptions=0, cascades=0, steps=(), **fields):
    all_steps = list(steps) + [Step("Read", {}, is_error=True) for _ in range(errors + rejections)]
    all_steps += [Step("Read", {}, is_error=True, cascade=True) for _ in range(cascades)]
    return Session("s", "claude_code", "p", steps=all_steps, outcome=outcome, rejections=rejections,
                   interruptions=interruptions, **fields)  # fmt: skip


def bash(command, *, failed=False):
    return Step("Bash", {"command": command}, is_error=failed)


def test_clean_success_without_evidence_is_the_outcome_base():
    assert grade(make(Outcome.SUCCEEDED)) == (0.8, "0.80: succeeded")
    assert grade(make(Outcome.FAILED))[0] == 0.0


def test_green_tests_and_a_commit_make_a_full_reward():
    session = make(Outcome.SUCCEEDED, steps=[bash("pytest -q", failed=True), Step("Edit", {"file_path": "a.py"}),
                                             bash("pytest -q"), bash("git commit -am fix")])  # fmt: skip
    assert grade(session) == (0.96, "0.96: succeeded, tests passed, committed, 1 tool error")


def test_a_session_ending_on_red_tests_is_graded_down_whatever_it_claims():
    reward, explanation = grade(make(Outcome.SUCCEEDED, steps=[bash("cd app && python -m pytest", failed=True)]))
    assert reward == 0.56
    assert "last test run failed" in explanation


def test_errors_lower_the_reward_and_are_explained():
    assert grade(make(Outcome.SUCCEEDED, errors=2)) == (0.72, "0.72: succeeded, 2 tool errors")


def test_sibling_cascades_are_not_counted_and_rejections_count_once():
    assert grade(make(Outcome.SUCCEEDED, errors=1, cascades=7))[0] == 0.76
    reward, explanation = grade(make(Outcome.INTERRUPTED, rejections=2, interruptions=1))
    assert reward == 0.1
    assert explanation == "0.10: interrupted, 2 rejected tool uses, 1 interruption"


def test_blind_retries_are_repeats_of_a_failed_command_with_nothing_changed_between():
    steps = [bash("make", failed=True), bash("make", failed=True), bash("make", failed=True)]
    assert blind_retries(steps) == 2
    assert blind_retries([bash("pytest", failed=True), Step("Edit", {"file_path": "a.py"}), bash("pytest")]) == 0
    assert blind_retries([bash("ls"), bash("ls")]) == 0
    reward, explanation = grade(make(Outcome.SUCCEEDED, steps=steps))
    assert "2 blind retries" in explanation
    assert reward == round(0.8 - 3 * WEIGHTS.per_error - 2 * WEIGHTS.per_retry, 4)


def test_cost_and_duration_budgets():
    session = make(Outcome.SUCCEEDED, tokens_in=3_000_000, started_at="2026-01-01T10:00:00Z",
                   ended_at="2026-01-01T13:00:00Z")  # fmt: skip
    assert grade(session) == (0.7, "0.70: succeeded, 3.0M tokens, 3.0 h")


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
    assert last_test_result([bash("pytest", failed=True), bash("pytest")]) is True
    assert last_test_result([bash("ls")]) is None


def test_changes_are_edits_writes_commits_and_writing_commands():
    assert produces_change(Step("Write", {"file_path": "a"}))
    assert produces_change(Step("str_replace_editor", {"command": "str_replace", "path": "a"}))
    assert not produces_change(Step("str_replace_editor", {"command": "view", "path": "a"}))
    assert produces_change(bash("sed -i s/a/b/ f.py"))
    assert produces_change(bash("echo x > notes.txt"))
    assert not produces_change(bash("pytest 2>&1 | tail"))
    assert not produces_change(Step("Read", {"file_path": "a"}))


@given(
    outcome=st.sampled_from(list(Outcome)),
    errors=st.integers(0, 60),
    rejections=st.integers(0, 20),
    interruptions=st.integers(0, 20),
    commands=st.lists(st.tuples(st.sampled_from(["pytest", "git commit -m x", "make", "ls"]), st.booleans()),
                      max_size=12),
    tokens=st.integers(0, 10**8),
)  # fmt: skip
def test_reward_stays_in_the_unit_interval_and_explains_itself(outcome, errors, rejections, interruptions,
                                                               commands, tokens):  # fmt: skip
    steps = [bash(command, failed=failed) for command, failed in commands]
    reward, explanation = grade(make(outcome, errors=errors, rejections=rejections, interruptions=interruptions,
                                     steps=steps, tokens_out=tokens))  # fmt: skip
    assert 0.0 <= reward <= 1.0
    assert explanation.startswith(f"{reward:.2f}: {outcome.value}")

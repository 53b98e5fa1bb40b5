from skillwarden.core.mining.predict import HarnessRule, SkillRule, evaluate, predictions, session_facts, time_split
from skillwarden.core.model import Outcome, Session, Step

FIX_TOKENS = ("shell:pytest", "read:.py", "edit:.py", "shell:pytest", "shell:git commit")


def bash(command, error=""):
    return Step("Bash", {"command": command}, result=error or "ok", is_error=bool(error))


def run(sid, steps, outcome, task="fix the failing test", day=1):
    session = Session(sid, "claude_code", "", steps=steps, outcome=outcome, task=task,
                      started_at=f"2026-11-{day:02d}T10:00:00Z")  # fmt: skip
    return session_facts(session)


FULL = [bash("pytest", "FAILED"), Step("Read", {"file_path": "a.py"}), Step("Edit", {"file_path": "a.py"}),
        bash("pytest"), bash("git commit -m x")]  # fmt: skip
STUCK = (
    FULL[:3]
    + [bash("pytest", "FAILED")]
    + [s for _ in range(4) for s in (Step("Edit", {"file_path": "a.py"}), bash("pytest", "FAILED"))]
)


def test_skill_predictions_are_sessions_it_fires_on_and_would_change():
    rule = SkillRule(FIX_TOKENS, ("fix", "failing", "test"))
    facts = [
        run("followed", FULL, Outcome.SUCCEEDED),
        run("stuck", STUCK, Outcome.FAILED),
        run("other-way", [bash("pytest", "FAILED"), bash("git stash")], Outcome.SUCCEEDED),
        run("unrelated", [bash("ruff check .")], Outcome.FAILED, task="tidy the docs"),
    ]
    assert predictions(rule, facts) == (["stuck"], ["other-way"])


def test_harness_predictions_follow_the_detector():
    rule = HarnessRule("edit-loop", "edit:.py")
    facts = [run("stuck", STUCK, Outcome.FAILED), run("ok", FULL, Outcome.SUCCEEDED)]
    assert predictions(rule, facts) == (["stuck"], [])
    assert rule.fires(facts[0]) and not rule.fires(facts[1])


def test_time_split_orders_by_start():
    facts = [run("late", FULL, Outcome.SUCCEEDED, day=9), run("early", FULL, Outcome.SUCCEEDED, day=1)]
    older, newer = time_split(facts, 0.5)
    assert [f.id for f in older] == ["early"] and [f.id for f in newer] == ["late"]


def test_evaluate_counts_forecasts_that_came_true_and_a_random_baseline():
    rule = HarnessRule("edit-loop", "edit:.py")
    newer = [run("stuck1", STUCK, Outcome.FAILED), run("stuck2", STUCK, Outcome.SUCCEEDED)]
    newer += [run(f"ok{i}", FULL, Outcome.SUCCEEDED) for i in range(6)]
    report = evaluate([(rule, ["older-failure"], [])], newer, seed=1)
    assert report["fix_predictions"] == 2 and report["fix_came_true"] == 1 and report["fix_precision"] == 0.5
    assert report["random_fix_predictions"] == 2
    assert report["chance_fix_precision"] == round(1 / 8, 4)
    assert report["regression_predictions"] == 0 and report["regression_precision"] is None
    assert report["by_kind_harness"]["fix_came_true"] == 1 and report["by_kind_skill"]["candidates"] == 0

from core.model import Outcome, Session, Step
from core.reward import grade


def make(outcome, *, errors=0, rejections=0, interruptions=0, cascades=0):
    steps = [Step("Bash", {}, is_error=True) for _ in range(errors + rejections)]
    steps += [Step("Read", {}, is_error=True, cascade=True) for _ in range(cascades)]
    return Session("s", "claude_code", "p", steps=steps, outcome=outcome, rejections=rejections,
                   interruptions=interruptions)  # fmt: skip


def test_clean_success_is_one_and_failure_is_zero():
    assert grade(make(Outcome.SUCCEEDED)) == (1.0, "1.00: succeeded")
    assert grade(make(Outcome.FAILED))[0] == 0.0


def test_errors_lower_the_reward_and_are_explained():
    reward, explanation = grade(make(Outcome.SUCCEEDED, errors=2))
    assert reward == 0.9
    assert explanation == "0.90: succeeded, 2 tool errors"


def test_sibling_cascades_are_not_counted_and_rejections_count_once():
    assert grade(make(Outcome.SUCCEEDED, errors=1, cascades=7))[0] == 0.95
    reward, explanation = grade(make(Outcome.INTERRUPTED, rejections=2, interruptions=1))
    assert reward == 0.1
    assert explanation == "0.10: interrupted, 2 rejected tool uses, 1 interruption"


def test_reward_stays_in_the_unit_interval():
    for outcome in Outcome:
        reward, _ = grade(make(outcome, errors=50, rejections=50))
        assert 0.0 <= reward <= 1.0

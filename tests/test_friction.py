from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from skillwarden.core.model import Step
from skillwarden.core.signals.friction import (
    FrictionFacts,
    friction_facts,
    friction_report,
    pivoted,
    rate,
    split_windows,
    status,
)

EDIT = Step("Edit", {"file_path": "src/cart.py"})
READ = Step("Read", {"file_path": "src/cart.py"})


def facts(steps, *, outcome="succeeded", explanation="0.80: succeeded"):
    return friction_facts(id="s", format="claude_code", category="testing", started_at="2026-11-10T10:00:00Z",
                         outcome=outcome, explanation=explanation, steps=steps)  # fmt: skip


def test_noop_blocked_failure():
    assert facts([READ]).noop and not facts([READ, EDIT]).noop
    assert not facts([Step("Bash", {"command": "git commit -m x"})]).noop
    assert facts([], outcome="interrupted").blocked
    assert facts([], explanation="0.70: succeeded, 1 rejected tool use").blocked
    denied = Step("Bash", {"command": "rm -rf /srv"}, result="rm: cannot remove: Permission denied", is_error=True)
    assert facts([denied]).blocked and not facts([READ]).blocked
    assert facts([], outcome="failed").failure


def test_a_pivot_is_a_second_half_in_other_directories():
    first = [Step("Read", {"file_path": "src/cart/a.py"}), Step("Edit", {"file_path": "src/cart/b.py"})]
    second = [Step("Read", {"file_path": "docs/x.md"}), Step("Write", {"file_path": "infra/y.tf"})]
    assert pivoted(first + second)
    assert not pivoted(first + [Step("Edit", {"file_path": "src/cart/a.py"}), second[1]])
    assert not pivoted(first + second[:1])  # one file is too little to call it a new subject


def test_status_thresholds_and_minimum_sessions():
    assert status(0.25, 10, (0.15, 0.25)) == "alert"
    assert status(0.15, 10, (0.15, 0.25)) == "warn"
    assert status(0.14, 10, (0.15, 0.25)) == "ok"
    assert status(1.0, 4, (0.15, 0.25)) == "insufficient"


def fact(day, *, fmt="codex", category="lint", noop=False, failure=False):
    return FrictionFacts(f"{fmt}-{day}-{noop}-{failure}", fmt, category, f"2026-11-{day:02d}T12:00:00Z",
                        noop=noop, blocked=False, failure=failure, pivot=False)  # fmt: skip


def test_report_compares_the_window_with_the_previous_one_per_agent_and_category():
    previous = [fact(3, failure=i == 0) for i in range(10)]
    current = [fact(12, noop=i < 3, failure=i < 2) for i in range(10)] + [fact(13, fmt="gemini_cli")]
    report = friction_report(previous + current, end=datetime(2026, 11, 14, tzinfo=UTC), days=7)
    overall = report["overall"]
    assert (overall["sessions"], overall["previous_sessions"]) == (11, 10)
    failure = overall["metrics"]["failure"]
    assert failure["rate"] == round(2 / 11, 4) and failure["status"] == "warn"
    assert failure["change"] == round(2 / 11 - 0.1, 4)
    assert report["by_agent"]["codex"]["metrics"]["noop"] == {
        "rate": 0.3,
        "count": 3,
        "status": "alert",
        "previous_rate": 0.0,
        "change": 0.3,
    }
    assert report["by_agent"]["gemini_cli"]["metrics"]["noop"]["status"] == "insufficient"
    assert {"group": "agent:codex", "metric": "noop", "status": "alert", "rate": 0.3, "change": 0.3,
            "sessions": 10} in report["alerts"]  # fmt: skip


def test_the_window_ends_at_the_newest_session_by_default():
    report = friction_report([fact(2), fact(20)], days=7)
    assert report["window"]["end"].startswith("2026-11-20T12:00:00")
    assert report["overall"]["sessions"] == 1
    assert friction_report([])["window"] is None


@given(st.lists(st.tuples(st.integers(1, 28), st.booleans()), max_size=60), st.integers(1, 10))
def test_windows_are_disjoint_and_rates_are_shares(days_and_flags, length):
    all_facts = [fact(day, noop=flag) for day, flag in days_and_flags]
    current, previous = split_windows(all_facts, datetime(2026, 11, 28, 12, tzinfo=UTC), length)
    assert not {id(f) for f in current} & {id(f) for f in previous}
    assert len(current) + len(previous) <= len(all_facts)
    assert 0.0 <= rate(current, "noop") <= 1.0
    assert rate(current, "noop") * len(current) == sum(f.noop for f in current) or not current

import random

import pytest

from skillwarden.core.signals.loo import Observation, leave_one_out


def observations(n, *, effect, share=0.5, seed=1):
    rng = random.Random(seed)
    result = []
    for i in range(n):
        category = "lint" if i % 2 else "testing"
        used = rng.random() < share
        base = 0.5 if category == "lint" else 0.7
        reward = min(1.0, max(0.0, base + (effect if used else 0.0) + rng.uniform(-0.1, 0.1)))
        result.append(Observation(f"s{i}", category, reward, frozenset({"skill"} if used else set())))
    return result


def test_a_helpful_skill_shows_a_positive_effect_with_an_interval_around_it():
    report = leave_one_out(observations(200, effect=0.2), "skill", seed=3)
    assert report["verdict"] == "helps"
    assert report["effect"] == pytest.approx(0.2, abs=0.05)
    low, high = report["ci"]
    assert low <= report["effect"] <= high and low > 0
    assert report["with"] + report["without"] == 200
    assert set(report["categories"]) == {"lint", "testing"}


def test_the_bootstrap_is_reproducible_with_its_seed():
    data = observations(120, effect=0.0)
    assert leave_one_out(data, "skill", seed=5) == leave_one_out(data, "skill", seed=5)
    assert leave_one_out(data, "skill", seed=5)["verdict"] == "no_clear_effect"


def test_effects_are_compared_within_category():
    # Lint sessions score lower and always use the skill; testing never does: nothing to compare.
    data = [Observation(f"l{i}", "lint", 0.2, frozenset({"skill"})) for i in range(60)]
    data += [Observation(f"t{i}", "testing", 0.9, frozenset()) for i in range(60)]
    report = leave_one_out(data, "skill")
    assert report["effect"] is None and report["verdict"] == "insufficient_data"


def test_nothing_is_concluded_below_the_minimum():
    report = leave_one_out(observations(30, effect=0.3), "skill", min_sessions=50)
    assert report["effect"] is not None
    assert report["verdict"] == "insufficient_data"


def test_a_skill_in_most_sessions_is_confounded():
    report = leave_one_out(observations(200, effect=0.2, share=0.9), "skill")
    assert report["confounded"] and report["verdict"] == "confounded"

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillwarden.core.workspace.settings import DriftParams
from skillwarden.skills.drift import first_detection, probability_worse, success_drop, unused

samples = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60)


@given(samples, samples)
def test_probability_worse_is_a_probability_and_antisymmetric(a, b):
    forward, backward = probability_worse(a, b), probability_worse(b, a)
    assert 0.0 <= forward <= 1.0
    assert forward + backward == pytest.approx(1.0, abs=1e-3)


@given(samples)
def test_equal_evidence_is_even(a):
    assert probability_worse(a, a) == pytest.approx(0.5, abs=1e-3)


@given(samples, samples, st.integers(0, 59))
def test_a_worse_recent_reward_never_lowers_the_probability(recent, earlier, index):
    index %= len(recent)
    lowered = [*recent[:index], 0.0, *recent[index + 1 :]]
    assert probability_worse(lowered, earlier) >= probability_worse(recent, earlier) - 1e-9


PARAMS = DriftParams(window=10, min_uses=20, threshold=0.98)


def test_a_clear_drop_is_detected_with_its_evidence():
    rewards = [0.9] * 30 + [0.1] * 10
    drop = success_drop(rewards, PARAMS)
    assert drop is not None
    assert (drop.recent_uses, drop.earlier_uses) == (10, 30)
    assert drop.recent_mean == pytest.approx(0.1) and drop.earlier_mean == pytest.approx(0.9)
    assert drop.probability_worse > 0.999
    assert drop.to_json()["reason"] == "success_dropped"


def test_no_verdict_below_the_minimum_number_of_uses_or_without_a_drop():
    assert success_drop([0.9] * 10 + [0.0] * 9, PARAMS) is None
    assert success_drop([0.8] * 40, PARAMS) is None
    assert success_drop([0.2] * 30 + [0.9] * 10, PARAMS) is None


def test_first_detection_comes_a_few_uses_after_the_drop():
    rewards = [0.9] * 40 + [0.1] * 20
    detected = first_detection(rewards, PARAMS)
    assert detected is not None and 40 < detected <= 50
    assert first_detection([0.9] * 60, PARAMS) is None


def test_unused_counts_from_the_later_of_last_use_and_approval():
    now = datetime(2026, 11, 21, tzinfo=UTC)
    evidence = unused("2026-10-01T00:00:00Z", "2026-09-01T00:00:00+00:00", now, PARAMS)
    assert evidence["days_unused"] == 51.0 and evidence["reason"] == "unused"
    assert unused("2026-10-01T00:00:00Z", "2026-11-20T00:00:00+00:00", now, PARAMS) is None
    assert unused(None, "2026-09-01T00:00:00+00:00", now, PARAMS)["last_used"] is None
    assert unused(None, "", now, PARAMS) is None

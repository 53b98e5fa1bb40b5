import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillwarden.skills.stats import Posterior, Use, Version, build_timeline, fold, rank_skills

rewards = st.lists(st.floats(0.0, 1.0), max_size=200)
decays = st.floats(0.5, 1.0)


@given(rewards)
def test_without_decay_a_posterior_counts_rewards_exactly(values):
    posterior = fold(values, decay=1.0)
    assert posterior.alpha == pytest.approx(1.0 + sum(values))
    assert posterior.beta == pytest.approx(1.0 + len(values) - sum(values))


@given(rewards, decays)
def test_decayed_posteriors_stay_proper_and_bounded(values, decay):
    posterior = fold(values, decay=decay)
    assert posterior.alpha >= 1.0 and posterior.beta >= 1.0
    assert 0.0 < posterior.mean < 1.0
    # Each use adds one unit of evidence and keeps g of the rest: the weight never reaches 1 / (1 - g).
    if decay < 1.0:
        assert posterior.weight <= 1.0 / (1.0 - decay) + 1e-9
    assert posterior.weight == pytest.approx(sum(decay**k for k in range(len(values))))


@given(st.floats(1.0, 50.0), st.floats(1.0, 50.0), st.floats(0.0, 1.0))
def test_an_update_moves_the_mean_toward_the_reward(alpha, beta, reward):
    before = Posterior(alpha, beta)
    after = before.update(reward, decay=1.0)
    low, high = sorted((before.mean, reward))
    assert low - 1e-12 <= after.mean <= high + 1e-12


@given(st.floats(1.0, 50.0), st.floats(1.0, 50.0), st.floats(0.0, 1.0))
def test_shrinking_toward_the_prior_interpolates(alpha, beta, factor):
    posterior = Posterior(alpha, beta)
    assert posterior.toward_prior(1.0) == posterior
    assert posterior.toward_prior(0.0) == Posterior()
    assert posterior.toward_prior(factor).weight == pytest.approx(factor * posterior.weight)


def test_decay_is_applied_before_the_new_evidence():
    posterior = Posterior(3.0, 1.0).update(1.0, decay=0.5)
    assert (posterior.alpha, posterior.beta) == (1.0 + 0.5 * 2.0 + 1.0, 1.0)


def test_rewards_outside_the_unit_interval_are_refused():
    with pytest.raises(ValueError):
        Posterior().update(1.5)


def uses(rewards, *, day=1, category="testing", prefix="s"):
    return [
        Use(f"{prefix}{i}", f"2026-11-{day + i // 24:02d}T{i % 24:02d}:00:00Z", r, category)
        for i, r in enumerate(rewards)
    ]


def test_a_refinement_shrinks_the_posterior_and_keeps_the_old_versions_history():
    versions = [
        Version("sha256:old", "2026-10-01T00:00:00+00:00", "c1"),
        Version("sha256:new", "2026-11-05T00:00:00+02:00", "c2"),
    ]
    history = uses([1.0] * 20, day=1) + uses([0.0] * 4, day=10, prefix="n")
    timeline = build_timeline(history, versions, decay=1.0, shrink=0.5)
    old, new = timeline.versions
    assert (len(old.uses), len(new.uses)) == (20, 4)
    assert old.own == Posterior(21.0, 1.0)
    assert new.own == Posterior(1.0, 5.0)
    assert timeline.posterior == Posterior(1.0 + 0.5 * 20, 1.0 + 4.0)
    assert timeline.current is new


def test_a_refinement_approved_after_the_last_use_still_shrinks():
    versions = [Version("a", "2026-10-01T00:00:00Z", "c1"), Version("b", "2026-12-01T00:00:00Z", "c2")]
    timeline = build_timeline(uses([1.0] * 10), versions, decay=1.0, shrink=0.5)
    assert timeline.posterior == Posterior(6.0, 1.0)


def test_only_the_category_that_was_used_decays():
    history = uses([1.0] * 12, category="lint") + uses([0.0] * 12, day=5, category="testing", prefix="t")
    timeline = build_timeline(history, [], decay=0.9, min_category_uses=10)
    lint, lint_count = timeline.by_category["lint"]
    assert lint_count == 12
    assert lint == fold([1.0] * 12, decay=0.9)  # the later testing sessions did not decay it
    sparse = build_timeline(history[:5], [], min_category_uses=10)
    assert sparse.by_category == {}


def test_ranking_multiplies_relevance_by_a_thompson_sample():
    skills = {
        "fix-pytest": ("fix pytest: fix a failing pytest test and commit", Posterior(20.0, 2.0)),
        "release-version": ("release version: bump the version, changelog, tag", Posterior(20.0, 2.0)),
    }
    ranked = rank_skills("pytest fails on test_cart, please fix it", skills, random.Random(3))
    assert ranked[0].skill == "fix-pytest"
    assert ranked[0].relevance > 0 and ranked[1].relevance == 0
    assert ranked[0].score == pytest.approx(ranked[0].relevance * ranked[0].sample)
    again = rank_skills("pytest fails on test_cart, please fix it", skills, random.Random(3))
    assert again == ranked

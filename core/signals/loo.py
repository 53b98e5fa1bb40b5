"""Leave-one-out analysis: does a skill go with better sessions than the same kind of work without it?

For one skill, sessions are split by task category. Within each category that has sessions both with
and without the skill, the difference of mean rewards is taken; the effect is their average weighted
by the sessions with the skill (a skill used mostly for lint is judged mostly on lint work). The
confidence interval is a percentile bootstrap: both groups of every category resampled with
replacement (numpy, seeded, so a report is reproducible).

Nothing is concluded below `min_sessions` compared sessions (default 50), and a skill present in over
`confounded_share` of all sessions (default 80%) is flagged as confounded: "without it" is then a
small, odd minority, and the difference says more about that minority than about the skill.
This is an association, not a causal effect: agents choose skills for tasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from skillwarden.core.workspace.settings import LOO_CONFOUNDED_SHARE, LOO_MIN_SESSIONS

DEFAULT_RESAMPLES = 2000
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Observation:
    session_id: str
    category: str
    reward: float
    skills: frozenset[str]


def split_by_category(observations: Sequence[Observation], skill: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per category, the rewards of sessions (with, without) the skill; only categories with both."""
    groups: dict[str, tuple[list[float], list[float]]] = {}
    for obs in observations:
        with_, without = groups.setdefault(obs.category, ([], []))
        (with_ if skill in obs.skills else without).append(obs.reward)
    return {c: (np.array(w), np.array(wo)) for c, (w, wo) in sorted(groups.items()) if w and wo}


def weighted_effect(groups: dict[str, tuple[np.ndarray, np.ndarray]]) -> float:
    weights = np.array([len(w) for w, _ in groups.values()], dtype=float)
    differences = np.array([w.mean() - wo.mean() for w, wo in groups.values()])
    return float(np.dot(weights, differences) / weights.sum())


def bootstrap_interval(
    groups: dict[str, tuple[np.ndarray, np.ndarray]], *, resamples: int, confidence: float, seed: int
) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    weights = np.array([len(w) for w, _ in groups.values()], dtype=float)
    differences = np.empty((resamples, len(groups)))
    for column, (with_, without) in enumerate(groups.values()):
        with_means = rng.choice(with_, size=(resamples, len(with_))).mean(axis=1)
        without_means = rng.choice(without, size=(resamples, len(without))).mean(axis=1)
        differences[:, column] = with_means - without_means
    effects = differences @ weights / weights.sum()
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(effects, [tail, 100.0 - tail])
    return float(low), float(high)


def leave_one_out(
    observations: Sequence[Observation],
    skill: str,
    *,
    min_sessions: int = LOO_MIN_SESSIONS,
    confounded_share: float = LOO_CONFOUNDED_SHARE,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
) -> dict:
    used = sum(1 for obs in observations if skill in obs.skills)
    share = used / len(observations) if observations else 0.0
    groups = split_by_category(observations, skill)
    compared = sum(len(w) + len(wo) for w, wo in groups.values())
    report = {
        "skill": skill,
        "sessions": len(observations),
        "with": used,
        "without": len(observations) - used,
        "share": round(share, 4),
        "compared_sessions": compared,
        "categories": {
            category: {
                "with": len(w),
                "without": len(wo),
                "mean_with": round(float(w.mean()), 4),
                "mean_without": round(float(wo.mean()), 4),
            }
            for category, (w, wo) in groups.items()
        },  # fmt: skip
        "effect": None,
        "ci": None,
        "confidence": confidence,
        "confounded": share > confounded_share,
        "verdict": "insufficient_data",
    }
    if not groups:
        return report
    report["effect"] = round(weighted_effect(groups), 4)
    low, high = bootstrap_interval(groups, resamples=resamples, confidence=confidence, seed=seed)
    report["ci"] = [round(low, 4), round(high, 4)]
    if report["confounded"]:
        report["verdict"] = "confounded"
    elif compared >= min_sessions:
        report["verdict"] = "helps" if low > 0 else "hurts" if high < 0 else "no_clear_effect"
    return report

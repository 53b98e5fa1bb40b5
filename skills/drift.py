"""Drift: a skill whose success dropped, or that nobody uses any more, becomes an eviction candidate.

A drop compares the skill's last `window` uses with all its earlier uses (of the same content
version): each side gets a Beta(1 + sum r, 1 + sum (1 - r)) posterior over its mean reward, and the
skill drifts when the posterior probability that the recent mean is below the earlier one reaches
`threshold`, after at least `min_uses` uses in all. The check runs after every session, so the
threshold is strict: each check is one more chance of a false alarm (`bench/drift_simulation.py`
measures the detection delay and the false-eviction rate these defaults give).

A skill is unused when its last use (or, never used, its approval) is `unused_days` or more ago.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from skillwarden.core.workspace.settings import DriftParams

GRID_POINTS = 2000
DEFAULT_PARAMS = DriftParams()


def _beta_masses(alpha: float, beta: float, grid: np.ndarray) -> np.ndarray:
    """Probability mass of Beta(alpha, beta) in each grid cell (midpoint rule, renormalized)."""
    log_density = (alpha - 1.0) * np.log(grid) + (beta - 1.0) * np.log1p(-grid)
    masses = np.exp(log_density - log_density.max())
    return masses / masses.sum()


def probability_worse(recent: Sequence[float], earlier: Sequence[float]) -> float:
    """P(mean of recent < mean of earlier) under independent Beta posteriors from a Beta(1, 1) prior."""
    grid = (np.arange(GRID_POINTS) + 0.5) / GRID_POINTS
    recent_sum, earlier_sum = float(sum(recent)), float(sum(earlier))
    p_recent = _beta_masses(1.0 + recent_sum, 1.0 + len(recent) - recent_sum, grid)
    p_earlier = _beta_masses(1.0 + earlier_sum, 1.0 + len(earlier) - earlier_sum, grid)
    # P(earlier > x) at each cell: the mass above it, plus half its own (ties split evenly).
    earlier_above = np.cumsum(p_earlier[::-1])[::-1] - 0.5 * p_earlier
    return float(np.clip(np.dot(p_recent, earlier_above), 0.0, 1.0))


@dataclass(frozen=True)
class Drop:
    recent_mean: float
    earlier_mean: float
    recent_uses: int
    earlier_uses: int
    probability_worse: float

    def to_json(self) -> dict:
        return {
            "reason": "success_dropped",
            "recent_mean": round(self.recent_mean, 4),
            "earlier_mean": round(self.earlier_mean, 4),
            "recent_uses": self.recent_uses,
            "earlier_uses": self.earlier_uses,
            "probability_worse": round(self.probability_worse, 4),
        }


def success_drop(rewards: Sequence[float], params: DriftParams = DEFAULT_PARAMS) -> Drop | None:
    """The drop in `rewards` (oldest first) if the last `window` are probably worse than the rest."""
    if len(rewards) < max(params.min_uses, params.window + 1):
        return None
    recent, earlier = rewards[-params.window :], rewards[: -params.window]
    probability = probability_worse(recent, earlier)
    if probability < params.threshold:
        return None
    return Drop(sum(recent) / len(recent), sum(earlier) / len(earlier), len(recent), len(earlier), probability)


def first_detection(rewards: Sequence[float], params: DriftParams = DEFAULT_PARAMS) -> int | None:
    """The number of uses after which the check, run after every use, first reports a drop."""
    for count in range(max(params.min_uses, params.window + 1), len(rewards) + 1):
        if success_drop(rewards[:count], params) is not None:
            return count
    return None


def days_between(earlier: str, later: datetime) -> float | None:
    try:
        moment = datetime.fromisoformat(earlier.replace("Z", "+00:00"))
        return (later - moment).total_seconds() / 86400.0
    except (ValueError, TypeError):  # missing, malformed, or naive against aware
        return None


def unused(last_used: str | None, approved_at: str, now: datetime, params: DriftParams = DEFAULT_PARAMS) -> dict | None:
    """Evidence that the skill has gone `unused_days` without use, counted from its last use or from
    the approval of its current version, whichever is later (a fresh refinement restarts the clock)."""
    ages = [(days, when) for when in (last_used, approved_at) if when and (days := days_between(when, now)) is not None]
    if not ages:
        return None
    days, since = min(ages)
    if days < params.unused_days:
        return None
    return {"reason": "unused", "last_used": last_used, "since": since, "days_unused": round(days, 1),
            "unused_days": params.unused_days}  # fmt: skip

"""What reviews/learning.py computes, shaped for the screens: per-skill posteriors with their interval
and rewards over time, the friction report and leave-one-out effects. Meant to run in a process of its
own (`workspace_statistics`): it reads every cached session."""

from __future__ import annotations

import numpy as np

from skillwarden.core.workspace.config import Config
from skillwarden.core.workspace.store import Store
from skillwarden.reviews import learning
from skillwarden.skills.library import SkillLibrary


def beta_interval(alpha: float, beta: float, mass: float = 0.95) -> tuple[float, float]:
    """The central credible interval of Beta(alpha, beta), from its density on a fine grid."""
    grid = np.linspace(0.0005, 0.9995, 2000)
    log_density = (alpha - 1.0) * np.log(grid) + (beta - 1.0) * np.log1p(-grid)
    cumulative = np.cumsum(np.exp(log_density - log_density.max()))
    cumulative /= cumulative[-1]
    tail = (1.0 - mass) / 2.0
    return float(grid[np.searchsorted(cumulative, tail)]), float(grid[np.searchsorted(cumulative, 1.0 - tail)])


def skill_statistics(
    store: Store, library: SkillLibrary, config: Config, sessions: list[learning.SessionView]
) -> dict[str, dict]:
    """Per skill, what `learning.skill_stats` says plus its 95% interval and its rewards in time order
    (the success-over-time chart). Read-only: no drift alert is appended to the event feed."""
    result = {}
    for stats in learning.skill_stats(store, library, config, views=sessions):
        name = stats["skill"]
        used = sorted((v.session for v in sessions if name in v.skills), key=lambda s: (s.started_at or "", s.id))
        result[name] = {
            **stats,
            "interval": beta_interval(stats["alpha"], stats["beta"]),
            "rewards": [session.reward for session in used],
        }
    return result


def learning_statistics(store: Store, library: SkillLibrary, config: Config) -> tuple[dict[str, dict], dict, dict]:
    """Per-skill statistics, the friction report (rates, alerts) and the leave-one-out effects, as
    `skillwarden stats`, `friction` and `loo` compute them, from one pass over the cached sessions."""
    settings = config.learning
    sessions = learning.session_views(store, settings, learning.hook_suggestions(config, library))
    return (
        skill_statistics(store, library, config, sessions),
        learning.workspace_friction(store, config, views=sessions),
        learning.loo_report(store, library, config, views=sessions),
    )


def workspace_statistics(config: Config) -> tuple[dict[str, dict], dict, dict]:
    """`learning_statistics` with connections of its own: meant to run in a separate process, since
    reading every session of a large cache would starve the TUI's event loop of the GIL."""
    store = Store(config.state_db)
    library = SkillLibrary(config.skills_repo, create=False)
    try:
        return learning_statistics(store, library, config)
    finally:
        library.close()
        store.close()

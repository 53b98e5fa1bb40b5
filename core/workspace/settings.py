"""The typed sections of config.yaml that several layers read, `harness:` and `learning:`, with their
defaults. `core.workspace.config` parses and validates them once, when the configuration is loaded; the modules whose
behaviour they set take their defaults from here."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_INSTRUCTIONS_FILE = "AGENTS.md"
DEFAULT_SETTINGS_FILE = ".claude/settings.json"

DEFAULT_DECAY = 0.99  # posterior decay of a skill's arm, per use
REFINEMENT_SHRINK = 0.5  # the share of its evidence a refined skill keeps
MIN_CATEGORY_USES = 10  # uses in a task category before that posterior is shown
# Friction alerts: (warn, alert) as shares of sessions; pivot has no published default, these are ours.
FRICTION_THRESHOLDS: dict[str, tuple[float, float]] = {
    "noop": (0.10, 0.20),
    "blocked": (0.40, 0.60),
    "failure": (0.15, 0.25),
    "pivot": (0.20, 0.35),
}
FRICTION_WINDOW_DAYS = 7.0
LOO_MIN_SESSIONS = 50  # sessions a leave-one-out estimate needs
LOO_CONFOUNDED_SHARE = 0.8  # a skill present in more of all sessions than this is flagged as confounded


@dataclass(frozen=True)
class HarnessTargets:
    """Paths of the harness files, relative to the harness repository (the skills repository without one)."""

    instructions: str = DEFAULT_INSTRUCTIONS_FILE
    settings: str = DEFAULT_SETTINGS_FILE


@dataclass(frozen=True)
class DriftParams:
    """When a skill drifts (`skills.drift`): its last `window` uses against the earlier ones, after `min_uses`
    uses, at posterior probability `threshold`; or unused for `unused_days`."""

    window: int = 25
    min_uses: int = 40
    threshold: float = 0.99
    unused_days: float = 30.0


@dataclass(frozen=True)
class LearningSettings:
    decay: float = DEFAULT_DECAY
    refinement_shrink: float = REFINEMENT_SHRINK
    min_category_uses: int = MIN_CATEGORY_USES
    skills_folders: tuple[str, ...] = ()
    drift: DriftParams = field(default_factory=DriftParams)
    friction_days: float = FRICTION_WINDOW_DAYS
    friction_thresholds: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(FRICTION_THRESHOLDS))
    loo_min_sessions: int = LOO_MIN_SESSIONS
    loo_confounded_share: float = LOO_CONFOUNDED_SHARE

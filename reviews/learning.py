"""Glue between the learning signals and the workspace: usage, statistics, drift, friction, leave-one-out.

Everything here is derived from the cached sessions (the traces) and the skills repository's history;
nothing is stored. Settings come from the `learning:` section of `config.yaml`, typed and validated when
the configuration is loaded (`core.workspace.settings.LearningSettings`, `config.learning`).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from skillwarden.core.signals.categorize import categorize
from skillwarden.core.signals.friction import FrictionFacts, friction_facts, friction_report
from skillwarden.core.signals.loo import Observation, leave_one_out
from skillwarden.core.workspace.config import Config
from skillwarden.core.workspace.events import EventLog
from skillwarden.core.workspace.settings import LearningSettings
from skillwarden.core.workspace.store import Store, StoredCandidate, StoredSession
from skillwarden.skills.drift import success_drop, unused
from skillwarden.skills.library import SkillLibrary
from skillwarden.skills.prompt_hook import SUGGESTIONS_FILE
from skillwarden.skills.select_index import match_text
from skillwarden.skills.skill_md import SkillFormatError, content_hash, parse
from skillwarden.skills.stats import (
    Posterior,
    Use,
    Version,
    build_timeline,
    normalized_time,
    rank_skills,
)
from skillwarden.skills.usage import Suggestions, read_suggestions, session_uses, skill_programs, used_skills

EVICTION_PREFIX = "ev-"


# ----------------------------------------------------------------------------- sessions, once


@dataclass(frozen=True)
class SessionView:
    """A cached session with what learning needs from its steps, computed in one pass."""

    session: StoredSession
    category: str
    skills: frozenset[str]
    facts: FrictionFacts


def hook_suggestions(config: Config, library: SkillLibrary) -> Suggestions | None:
    """What the prompt hook suggested to which session, with the programs of each approved skill's
    steps, for usage rule 4 (skills/usage.py); None when the hook never suggested anything."""
    by_session = read_suggestions(config.home / SUGGESTIONS_FILE)
    if not by_session:
        return None
    programs = {}
    for name in library.skill_names():
        try:
            programs[name] = skill_programs(parse(library.read_skill(name), folder_name=name).body)
        except SkillFormatError:
            continue
    return Suggestions(by_session, programs)


def session_views(
    store: Store, settings: LearningSettings, suggestions: Suggestions | None = None
) -> list[SessionView]:
    views = []
    for session in store.sessions():
        steps = store.steps(session.id)
        category = categorize(session.task)
        uses = session_uses(steps, format=session.format, trace_path=session.path,
                            extra_folders=settings.skills_folders, session_id=session.id,
                            suggestions=suggestions)  # fmt: skip
        facts = friction_facts(
            id=session.id, format=session.format, category=category, started_at=session.started_at,
            outcome=session.outcome, explanation=session.reward_explanation, steps=steps,
        )  # fmt: skip
        views.append(SessionView(session, category, frozenset(used_skills(uses)), facts))
    return views


def skill_versions(library: SkillLibrary) -> dict[str, list[Version]]:
    """Per skill name, its approved contents still in effect, oldest first, from the decision history."""
    decisions = library.decisions()
    reverted = {d.reverts for d in decisions if d.reverts}
    versions: dict[str, list[Version]] = {}
    for decision in reversed(decisions):
        if decision.action == "approve" and decision.name and decision.sha not in reverted:
            versions.setdefault(decision.name, []).append(Version(decision.content_hash, decision.when, decision.sha))
    return versions


# ----------------------------------------------------------------------------- statistics and drift


def emit_once(events: EventLog | None, kind: str, key: str, **data) -> None:
    """Append an event unless one of this kind with this key is already in the log."""
    if events is None or any(e.get("kind") == kind and e.get("key") == key for e in events.read()):
        return
    events.append(kind, key=key, **data)


def drift_evidence(uses: Sequence[Use], version: Version, now: datetime, settings: LearningSettings) -> dict | None:
    """Why the skill's current version drifts (a success drop, else disuse), or None."""
    rewards = [use.reward for use in uses]
    drop = success_drop(rewards, settings.drift)
    if drop is not None:
        window = settings.drift.window
        return {
            **drop.to_json(),
            "content_hash": version.content_hash,
            "threshold": settings.drift.threshold,
            "sessions": [use.session_id for use in uses[-window:]],
            "earlier_sessions": [use.session_id for use in uses[:-window]],
        }
    last_used = uses[-1].at if uses else None
    stale = unused(last_used, version.since, now, settings.drift)
    return {**stale, "content_hash": version.content_hash} if stale else None


def skill_stats(
    store: Store,
    library: SkillLibrary,
    config: Config,
    *,
    now: datetime | None = None,
    events: EventLog | None = None,
    views: list[SessionView] | None = None,
) -> list[dict]:
    """Every approved skill with its posterior, uses, last use, versions, per-category posteriors and drift."""
    settings = config.learning
    now = now or datetime.now(UTC)
    views = session_views(store, settings, hook_suggestions(config, library)) if views is None else views
    versions = skill_versions(library)
    result = []
    for name in library.skill_names():
        uses = [
            Use(v.session.id, v.session.started_at or "", v.session.reward, v.category)
            for v in views
            if name in v.skills
        ]
        timeline = build_timeline(
            uses, versions.get(name, []), decay=settings.decay, shrink=settings.refinement_shrink,
            min_category_uses=settings.min_category_uses,
        )  # fmt: skip
        current = timeline.current
        current_uses = sorted(current.uses, key=lambda u: (normalized_time(u.at), u.session_id))
        drift = drift_evidence(current_uses, current.version, now, settings)
        last_used = max((u.at for u in uses if u.at), key=normalized_time, default=None)
        if drift is not None:
            emit_once(events, "drift_alert", f"{name}:{current.version.content_hash}:{drift['reason']}",
                      skill=name, **drift)  # fmt: skip
        result.append(
            {
                "skill": name,
                **timeline.posterior.to_json(),
                "uses": len(uses),
                "last_used": last_used,
                "drift": drift,
                "content_hash": current.version.content_hash or None,
                "versions": [version.to_json() for version in timeline.versions],
                "by_category": {
                    category: {**posterior.to_json(), "uses": count}
                    for category, (posterior, count) in sorted(timeline.by_category.items())
                },
            }
        )
    return result


def eviction_id(name: str, digest: str) -> str:
    """Stable per skill and content: the same drifting version is one candidate however often it is seen."""
    return EVICTION_PREFIX + hashlib.sha256(f"{name}\0{digest}".encode()).hexdigest()[:10]


def eviction_candidates(
    store: Store, library: SkillLibrary, config: Config, *, now: datetime | None = None,
    events: EventLog | None = None, stats: list[dict] | None = None,
) -> list[StoredCandidate]:  # fmt: skip
    """A kind "eviction" candidate for every drifting skill, carrying its evidence, for the review queue.
    `stats`: the skills' statistics when the caller already has them."""
    candidates = []
    if stats is None:
        stats = skill_stats(store, library, config, now=now, events=events)
    for row in stats:
        drift = row["drift"]
        if drift is None:
            continue
        name = row["skill"]
        text = library.read_skill(name)
        digest = content_hash(text)
        if drift["reason"] == "success_dropped":
            title = f"Evict {name}: mean reward fell from {drift['earlier_mean']:.2f} to {drift['recent_mean']:.2f}"
            sessions = drift["sessions"]
        else:
            title = f"Evict {name}: unused for {drift['days_unused']:.0f} days"
            sessions = []
        candidates.append(
            StoredCandidate(
                id=eviction_id(name, digest), kind="eviction", name=name, title=title, content=text,
                content_hash=digest, support=len(sessions), evidence=sessions,
                provenance=[{"session": session_id} for session_id in sessions],
                details={"drift": drift, "posterior": {k: row[k] for k in ("alpha", "beta", "mean")},
                         "uses": row["uses"], "last_used": row["last_used"]},
                first_seen="", last_seen="", live=True, source="drift",
            )
        )  # fmt: skip
    return candidates


# ----------------------------------------------------------------------------- friction, leave-one-out


def workspace_friction(
    store: Store, config: Config, *, end: datetime | None = None, days: float | None = None,
    events: EventLog | None = None, views: list[SessionView] | None = None,
) -> dict:  # fmt: skip
    """`views`: the session views when the caller already has them (reading every session is the cost)."""
    settings = config.learning
    views = session_views(store, settings) if views is None else views
    facts = [view.facts for view in views]
    report = friction_report(
        facts, end=end, days=days or settings.friction_days, thresholds=settings.friction_thresholds
    )
    for alert in report["alerts"]:
        key = f"{alert['group']}:{alert['metric']}:{alert['status']}:{report['window']['end']}"
        emit_once(events, "friction_alert", key, **alert, window=report["window"])
    return report


def loo_report(
    store: Store, library: SkillLibrary, config: Config, *, seed: int = 0, views: list[SessionView] | None = None
) -> dict:
    """`views`: the session views when the caller already has them (reading every session is the cost)."""
    settings = config.learning
    views = session_views(store, settings, hook_suggestions(config, library)) if views is None else views
    observations = [Observation(view.session.id, view.category, view.session.reward, view.skills) for view in views]
    return {
        "sessions": len(observations),
        "min_sessions": settings.loo_min_sessions,
        "confounded_share": settings.loo_confounded_share,
        "seed": seed,
        "skills": [
            leave_one_out(
                observations,
                name,
                min_sessions=settings.loo_min_sessions,
                confounded_share=settings.loo_confounded_share,
                seed=seed,
            )  # fmt: skip
            for name in library.skill_names()
        ],
    }


# ----------------------------------------------------------------------------- selection for a task


def selection_text(name: str, skill_md: str) -> str:
    """What a task is matched against: the skill's name, its description (which holds its trigger) and
    the example tasks it lists; the prompt hook matches the same text."""
    try:
        doc = parse(skill_md, folder_name=name)
    except SkillFormatError:
        return name.replace("-", " ")
    return match_text(name, doc.description, doc.body)


def select_skills(
    task: str, store: Store, library: SkillLibrary, config: Config, *, seed: int | None = None,
    limit: int | None = None,
) -> list[dict]:  # fmt: skip
    """The library's skills ranked for `task`: relevance times a Thompson sample of the posterior."""
    posteriors = {
        s["skill"]: (Posterior(s["alpha"], s["beta"]), s["uses"]) for s in skill_stats(store, library, config)
    }
    candidates = {
        name: (selection_text(name, library.read_skill(name)), posteriors[name][0]) for name in library.skill_names()
    }
    ranked = rank_skills(task, candidates, random.Random(seed))
    rows = [{**r.to_json(), "uses": posteriors[r.skill][1]} for r in ranked]
    return rows[:limit] if limit else rows

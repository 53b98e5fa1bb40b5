"""Friction metrics over a time window, per agent (trace format) and per task category.

Per session (definitions):

- **noop**: nothing was produced: no file edit or write, no commit, no shell command that writes
  (see `core.signals.reward.produces_change`);
- **blocked**: the user or the harness stopped the agent: the session was interrupted, a tool use
  was rejected, or a tool answered with a permission refusal;
- **failure**: the session's outcome is `failed`;
- **pivot**: the work changed subject mid-session. The trace model keeps only the first prompt, so
  this is read from the work itself: the files touched in the second half of the session's steps are
  all in other directories than those touched in the first half, each half touching at least two
  files. A session that fixes one module and then edits an unrelated one pivoted.

A rate is the share of the window's sessions with the property. Its status is `alert` at or above
the alert threshold, `warn` at or above the warn threshold, else `ok`; below `MIN_SESSIONS` sessions
it is `insufficient`, since 1 session of 2 is no rate. The change is the rate minus the same rate
in the previous window of equal length.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from skillwarden.core.model import Step
from skillwarden.core.signals.normalize import step_path
from skillwarden.core.signals.reward import command_of, produces_change
from skillwarden.core.workspace.settings import FRICTION_THRESHOLDS, FRICTION_WINDOW_DAYS

METRICS = ("noop", "blocked", "failure", "pivot")
MIN_SESSIONS = 5
MIN_FILES_PER_HALF = 2

BLOCKED_RESULT = re.compile(
    r"user doesn't want to proceed|user rejected tool use|request interrupted by user|permission denied"
    r"|operation not permitted|requires approval|not allowed to|was blocked by",
    re.I,
)
BLOCKED_EXPLANATION = re.compile(r"rejected tool use|interruption")


@dataclass(frozen=True)
class FrictionFacts:
    id: str
    format: str
    category: str
    started_at: str
    noop: bool
    blocked: bool
    failure: bool
    pivot: bool

    def has(self, metric: str) -> bool:
        return bool(getattr(self, metric))


def touched_directories(steps: Sequence[Step]) -> tuple[set[str], int]:
    """Parent directories of the files the steps read or change, and how many distinct files."""
    files = {path for step in steps if command_of(step) is None and (path := step_path(step.args))}
    return {posixpath.dirname(path.replace("\\", "/")) for path in files}, len(files)


def pivoted(steps: Sequence[Step]) -> bool:
    half = len(steps) // 2
    first_dirs, first_files = touched_directories(steps[:half])
    second_dirs, second_files = touched_directories(steps[half:])
    return min(first_files, second_files) >= MIN_FILES_PER_HALF and not first_dirs & second_dirs


def friction_facts(
    *, id: str, format: str, category: str, started_at: str | None, outcome: str, explanation: str,
    steps: Sequence[Step],
) -> FrictionFacts:  # fmt: skip
    blocked = (
        outcome == "interrupted"
        or bool(BLOCKED_EXPLANATION.search(explanation))
        or any(step.is_error and BLOCKED_RESULT.search(step.result or "") for step in steps)
    )
    return FrictionFacts(
        id=id, format=format, category=category, started_at=started_at or "",
        noop=not any(produces_change(step) for step in steps), blocked=blocked, failure=outcome == "failed",
        pivot=pivoted(steps),
    )  # fmt: skip


def status(rate: float, sessions: int, thresholds: tuple[float, float]) -> str:
    if sessions < MIN_SESSIONS:
        return "insufficient"
    warn, alert = thresholds
    return "alert" if rate >= alert else "warn" if rate >= warn else "ok"


def rate(facts: Sequence[FrictionFacts], metric: str) -> float:
    return sum(1 for f in facts if f.has(metric)) / len(facts) if facts else 0.0


def group_report(
    current: Sequence[FrictionFacts], previous: Sequence[FrictionFacts], thresholds: dict[str, tuple[float, float]]
) -> dict:
    metrics = {}
    for metric in METRICS:
        now_rate = rate(current, metric)
        before = rate(previous, metric) if previous else None
        metrics[metric] = {
            "rate": round(now_rate, 4),
            "count": sum(1 for f in current if f.has(metric)),
            "status": status(now_rate, len(current), thresholds[metric]),
            "previous_rate": None if before is None else round(before, 4),
            "change": None if before is None else round(now_rate - before, 4),
        }
    return {"sessions": len(current), "previous_sessions": len(previous), "metrics": metrics}


def parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return moment if moment.tzinfo else None


def split_windows(
    facts: Iterable[FrictionFacts], end: datetime, days: float
) -> tuple[list[FrictionFacts], list[FrictionFacts]]:
    """Sessions in (end - days, end] and in the window of equal length before it."""
    length = timedelta(days=days)
    current, previous = [], []
    for fact in facts:
        moment = parse_time(fact.started_at)
        if moment is None:
            continue
        if end - length < moment <= end:
            current.append(fact)
        elif end - 2 * length < moment <= end - length:
            previous.append(fact)
    return current, previous


def grouped(facts: Iterable[FrictionFacts], key: str) -> dict[str, list[FrictionFacts]]:
    groups: dict[str, list[FrictionFacts]] = {}
    for fact in facts:
        groups.setdefault(getattr(fact, key), []).append(fact)
    return groups


def friction_report(
    facts: Sequence[FrictionFacts],
    *,
    end: datetime | None = None,
    days: float = FRICTION_WINDOW_DAYS,
    thresholds: dict[str, tuple[float, float]] | None = None,
) -> dict:
    """Friction of the window ending at `end` (default: the newest session's start), overall, per agent
    and per task category, with the alerts and warnings it raises."""
    thresholds = {**FRICTION_THRESHOLDS, **(thresholds or {})}
    if end is None:
        times = [t for f in facts if (t := parse_time(f.started_at))]
        end = max(times) if times else None
    if end is None:
        return {"window": None, "overall": group_report([], [], thresholds), "by_agent": {}, "by_category": {},
                "thresholds": thresholds, "alerts": []}  # fmt: skip
    current, previous = split_windows(facts, end, days)
    report = {
        "window": {"start": (end - timedelta(days=days)).isoformat(), "end": end.isoformat(), "days": days},
        "overall": group_report(current, previous, thresholds),
        "by_agent": {},
        "by_category": {},
        "thresholds": {metric: list(pair) for metric, pair in thresholds.items()},
    }
    for section, key in (("by_agent", "format"), ("by_category", "category")):
        now_groups, before_groups = grouped(current, key), grouped(previous, key)
        for name in sorted(now_groups):
            report[section][name] = group_report(now_groups[name], before_groups.get(name, []), thresholds)
    report["alerts"] = alerts_of(report)
    return report


def alerts_of(report: dict) -> list[dict]:
    """Every metric at warn or alert, named by its group ("overall", "agent:codex", "category:lint")."""
    groups = [("overall", report["overall"])]
    groups += [(f"agent:{name}", group) for name, group in report["by_agent"].items()]
    groups += [(f"category:{name}", group) for name, group in report["by_category"].items()]
    found = []
    for name, group in groups:
        for metric, values in group["metrics"].items():
            if values["status"] in ("warn", "alert"):
                found.append({"group": name, "metric": metric, "status": values["status"], "rate": values["rate"],
                              "change": values["change"], "sessions": group["sessions"]})  # fmt: skip
    return found

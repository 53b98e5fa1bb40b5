"""Read-only views of a workspace for the review screens: queue rows, evidence down to trace lines, the
decision history, the library's skills and the live feed. Nothing here writes, and nothing imports Textual.
The TUI's first frame waits for this module, so it imports no mining, numpy or git.

`ReadModel` opens its own read-only SQLite connection: in WAL mode readers never wait for the ingest
worker's write transactions, so a screen can query while traces stream in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from skillwarden.core.workspace.store import StoredCandidate
from skillwarden.core.workspace.store_reader import StoreReader
from skillwarden.reviews.states import CandidateState, DecisionEvent, State, replay

if TYPE_CHECKING:
    from skillwarden.skills.trailers import Decision

PENDING = CandidateState(State.PENDING, None, None)  # a candidate nobody decided on


@dataclass
class CandidateView:
    """A candidate as the queue shows it: what was mined, plus its review state from git."""

    candidate: StoredCandidate
    state: State
    state_sha: str | None

    @property
    def id(self) -> str:
        return self.candidate.id

    def to_json(self) -> dict:
        c = self.candidate
        return {
            "id": c.id,
            "kind": c.kind,
            "state": self.state.value,
            "title": c.title,
            "name": c.name,
            "support": c.support,
            "evidence": c.evidence,
            "provenance": c.provenance,
            "content_hash": c.content_hash,
            "commit": self.state_sha,
            "live": c.live,
            "first_seen": c.first_seen,
            "predicted_fixes": c.details.get("predicted_fixes", []),
            "predicted_breakages": c.details.get("predicted_breakages", []),
            "security": c.details.get("security", {"verdict": "unscanned"}),
            **{key: c.details[key] for key in OPTIONAL_DETAILS if key in c.details},
        }


# Fields a candidate carries only when they apply: file changes have a diff and a target, refinements
# name the skill they refine, evictions carry their drift evidence.
OPTIONAL_DETAILS = (
    "diff", "target", "base_hash", "lift", "success_rate", "runs", "base_rate", "project", "trigger", "detector",
    "refines", "drift",
)  # fmt: skip


def in_queue(state: State, live: bool) -> bool:
    """A pending candidate no longer supported by the evidence leaves the queue; decided ones stay."""
    return live or state is not State.PENDING


# -- the queue ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueRow:
    """One candidate as the queue lists it. Figures a candidate does not carry stay None, never 0."""

    id: str
    kind: str
    state: str
    title: str
    support: int
    lift: float | None
    success: str | None  # "8 of 8 runs vs 76%": how often the runs that followed it succeeded, against all
    verdict: str | None
    fixes: int | None
    breakages: int | None
    first_seen: str
    haystack: str  # lower-cased text the filter searches


def queue_row(view: CandidateView) -> QueueRow:
    c = view.candidate
    verdict = security_verdict(c.details)
    return QueueRow(
        id=c.id, kind=c.kind, state=view.state.value, title=c.title, support=c.support,
        lift=reward_lift(c.details), verdict=verdict,
        success=success_text(c.details.get("successes"), c.details.get("runs"), c.details.get("base_rate")),
        fixes=session_count(c.details, "predicted_fixes"),
        breakages=session_count(c.details, "predicted_breakages"), first_seen=c.first_seen,
        haystack=" ".join((c.id, c.kind, view.state.value, c.title, c.name, verdict or "")).lower(),
    )  # fmt: skip


def listed_row(columns: Mapping, state: State) -> QueueRow:
    """A queue row from the reader's listed columns (`StoreReader.listed_candidates`): the same row
    `queue_row` makes from the decoded candidate."""
    lift = columns["lift"]
    verdict = str(columns["verdict"]) if columns["verdict"] else None
    return QueueRow(
        id=columns["id"], kind=columns["kind"], state=state.value, title=columns["title"],
        support=columns["support"], lift=float(lift) if isinstance(lift, int | float) else None,
        success=success_text(columns["successes"], columns["runs"], columns["base_rate"]), verdict=verdict,
        fixes=columns["fixes"], breakages=columns["breakages"], first_seen=columns["first_seen"],
        haystack=" ".join((columns["id"], columns["kind"], state.value, columns["title"], columns["name"],
                           verdict or "")).lower(),
    )  # fmt: skip


def success_text(successes: object, runs: object, base_rate: object) -> str | None:
    """`8 of 8 runs vs 76%`: the runs that followed a skill and succeeded, against the base rate."""
    if not isinstance(successes, int) or not isinstance(runs, int) or not runs:
        return None
    base = f" vs {round(100 * base_rate)}%" if isinstance(base_rate, int | float) else ""
    return f"{successes} of {runs} runs{base}"


def reward_lift(details: dict) -> float | None:
    value = details.get("reward_lift", details.get("lift"))
    return float(value) if isinstance(value, int | float) else None


def security_verdict(details: dict) -> str | None:
    security = details.get("security")
    return str(security.get("verdict")) if isinstance(security, dict) and security.get("verdict") else None


def session_count(details: dict, key: str) -> int | None:
    value = details.get(key)
    return len(value) if isinstance(value, list) else None


def matching(rows: Iterable[QueueRow], text: str) -> list[QueueRow]:
    """Rows whose text contains every word of `text` (case-insensitive), in their given order."""
    words = text.lower().split()
    return [row for row in rows if all(word in row.haystack for word in words)]


# Each sort column with its key; the first is the queue's natural order (best candidates first).
SORTS: dict[str, object] = {
    "support": lambda r: (r.state != "pending", -r.support, r.id),
    "lift": lambda r: (r.lift is None, -(r.lift or 0.0), r.id),
    "breakages": lambda r: (r.breakages is None, r.breakages or 0, r.id),
    "age": lambda r: (r.first_seen or "~", r.id),
    "kind": lambda r: (r.kind, r.state != "pending", -r.support, r.id),
    "title": lambda r: (r.title.lower(), r.id),
}


def sorted_rows(rows: Iterable[QueueRow], column: str) -> list[QueueRow]:
    return sorted(rows, key=SORTS[column])


def age_text(first_seen: str, now: datetime) -> str:
    """`5m`, `3h`, `2d` since `first_seen`; empty when the time is unknown."""
    try:
        then = datetime.fromisoformat(first_seen.replace("Z", "+00:00"))
    except ValueError:
        return ""
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


# -- evidence -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EvidenceRow:
    """One source session of a candidate: how it went and where in its trace file the steps are."""

    session_id: str
    outcome: str
    reward: float | None
    reward_explanation: str
    steps: str  # 1-based step range, as provenance records it
    lines: tuple[int, ...]  # trace-file lines of those steps
    path: str
    agent: str


@dataclass(frozen=True)
class StepRow:
    number: int  # 1-based
    tool: str
    summary: str
    is_error: bool
    line: int | None
    in_range: bool


@dataclass(frozen=True)
class SessionRow:
    id: str
    agent: str
    outcome: str
    reward: float
    reward_explanation: str
    steps: int
    errors: int
    started_at: str
    path: str


def step_range(text: str) -> tuple[int, int] | None:
    first, _, last = text.partition("-")
    try:
        return int(first), int(last or first)
    except ValueError:
        return None


def one_line(text: str, limit: int = 120) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def args_summary(args: dict) -> str:
    for key in ("command", "cmd", "file_path", "path", "pattern", "query", "url"):
        if args.get(key):
            return one_line(args[key])
    return one_line(json.dumps(args, sort_keys=True, default=str)) if args else ""


# -- the library and the history --------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryRow:
    """One decision commit, and whether `rollback` can still revert it."""

    sha: str
    action: str
    candidate_id: str
    reviewer: str
    at: str
    summary: str
    reverted_by: str | None
    revertible: bool


def live_decision_shas(decisions: list[Decision]) -> set[str]:
    """`decisions` newest first, as the library lists them: the commits still in effect."""
    events = [DecisionEvent(d.sha, d.candidate_id, d.action, d.reverts) for d in reversed(decisions)]
    return {state.decision_sha for state in replay(events).values() if state.decision_sha}


def history_rows(decisions: list[Decision]) -> list[HistoryRow]:
    """Newest first. Only a candidate's live decision is revertible: the one `ReviewService.rollback` reverts."""
    live = live_decision_shas(decisions)
    reverted_by = {d.reverts: d.sha for d in decisions if d.reverts}
    return [
        HistoryRow(
            sha=d.sha,
            action=d.action,
            candidate_id=d.candidate_id,
            reviewer=d.reviewer,
            at=d.when,
            summary=d.summary,
            reverted_by=reverted_by.get(d.sha),
            revertible=d.sha in live,
        )  # fmt: skip
        for d in decisions
    ]


@dataclass(frozen=True)
class SkillRow:
    """An approved skill in the library, with the decision that put it there and its statistics
    when the statistics module provides them (None otherwise: nothing is estimated here)."""

    name: str
    candidate_id: str | None
    commit: str | None
    approved_at: str
    stats: dict | None


def skill_rows(names: list[str], decisions: list[Decision], stats: dict[str, dict] | None) -> list[SkillRow]:
    """`decisions` newest first. A skill's decision is the live approve naming it."""
    live = live_decision_shas(decisions)
    approving = {d.name: d for d in reversed(decisions) if d.sha in live and d.action == "approve" and d.name}
    rows = []
    for name in names:
        decision = approving.get(name)
        rows.append(
            SkillRow(
                name=name, candidate_id=decision.candidate_id if decision else None,
                commit=decision.sha if decision else None, approved_at=decision.when if decision else "",
                stats=(stats or {}).get(name),
            )
        )  # fmt: skip
    return rows


# -- the cache, read-only ---------------------------------------------------------------------------
class ReadModel:
    """The screens' rows from the cache's read-only reader, with the review states replayed from the
    decision cache as `ReviewService` keeps them. Safe to call from worker threads."""

    def __init__(self, db_path: Path):
        self.reader = StoreReader(db_path)

    def close(self) -> None:
        self.reader.close()

    def data_version(self) -> int:
        return self.reader.data_version()

    def candidate_states(self) -> dict[str, CandidateState]:
        return replay(DecisionEvent(*row) for row in self.reader.decision_events())

    def queue_rows(self) -> list[QueueRow]:
        """The queue's rows without any candidate's content: what the first screen needs."""
        states = self.candidate_states()
        rows = []
        for columns in self.reader.listed_candidates():
            state = states.get(columns["id"], PENDING).state
            if in_queue(state, bool(columns["live"])):
                rows.append(listed_row(columns, state))
        return rows

    def candidate_views(self) -> list[CandidateView]:
        """Every candidate in the queue in full (content, provenance, details), as `ReviewService.queue`."""
        states = self.candidate_states()
        views = []
        for candidate in self.reader.candidates():
            state = states.get(candidate.id, PENDING)
            if in_queue(state.state, candidate.live):
                views.append(CandidateView(candidate, state.state, state.sha))
        return views

    def candidate_view(self, candidate_id: str) -> CandidateView | None:
        candidate = self.reader.candidate(candidate_id)
        if candidate is None:
            return None
        state = self.candidate_states().get(candidate_id, PENDING)
        return CandidateView(candidate, state.state, state.sha)

    def sessions_by_id(self, ids: Iterable[str]) -> dict[str, SessionRow]:
        return {row["id"]: SessionRow(**row) for row in self.reader.sessions(ids)}

    def evidence(self, provenance: list[dict]) -> list[EvidenceRow]:
        sessions = self.sessions_by_id(item["session"] for item in provenance)
        rows = []
        for item in provenance:
            session = sessions.get(item["session"])
            rows.append(
                EvidenceRow(
                    session_id=item["session"], outcome=session.outcome if session else "not cached",
                    reward=session.reward if session else None,
                    reward_explanation=session.reward_explanation if session else "",
                    steps=str(item.get("steps", "")), lines=tuple(item.get("lines") or ()),
                    path=session.path if session else "", agent=session.agent if session else "",
                )
            )  # fmt: skip
        return rows

    def listed_sessions(self, ids: Iterable[str]) -> list[SessionRow]:
        """Sessions named by a prediction, in the given order; unknown ids are left out."""
        found = self.sessions_by_id(ids)
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    def steps(self, session_id: str, highlighted: str = "") -> list[StepRow]:
        span = step_range(highlighted)
        result = []
        for row in self.reader.steps(session_id):
            number = row["idx"] + 1
            try:
                args = json.loads(row["args"] or "{}")
            except ValueError:
                args = {}
            result.append(
                StepRow(
                    number=number, tool=row["tool"], summary=args_summary(args if isinstance(args, dict) else {}),
                    is_error=bool(row["is_error"]), line=row["line"],
                    in_range=span is not None and span[0] <= number <= span[1],
                )
            )  # fmt: skip
        return result

    def recent_sessions(self, limit: int = 200) -> list[SessionRow]:
        """The most recently ingested sessions, newest first."""
        return [SessionRow(**row) for row in self.reader.recent_sessions(limit)]

    def outcome_counts(self) -> dict[str, int]:
        return self.reader.outcome_counts()


def now_utc() -> datetime:
    return datetime.now(UTC)

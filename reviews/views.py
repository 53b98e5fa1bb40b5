"""Read-only views of a workspace for the review screens: queue rows, evidence down to trace lines, the
decision history, the library's skills and the live feed. Nothing here writes, and nothing imports Textual.
The TUI's first frame waits for this module, so it imports no mining, numpy or git.

`ReadModel` opens its own read-only SQLite connection: in WAL mode readers never wait for the ingest
worker's write transactions, so a screen can query while traces stream in.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from skillwarden.core.store import StoredCandidate
from skillwarden.reviews.states import CandidateState, DecisionEvent, State, replay

if TYPE_CHECKING:
    from skillwarden.skills.library import Decision

TAIL_BYTES = 256 * 1024
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


# The queue's list columns, read inside SQLite: listing 10,000 candidates decodes no content or
# details in Python. Each expression mirrors the function that reads a decoded candidate (`queue_row`).
LISTED_COLUMNS = """
id, kind, name, title, support, first_seen, live,
CASE WHEN json_type(details, '$.reward_lift') IS NULL THEN json_extract(details, '$.lift')
     ELSE json_extract(details, '$.reward_lift') END AS lift,
json_extract(details, '$.successes') AS successes, json_extract(details, '$.runs') AS runs,
json_extract(details, '$.base_rate') AS base_rate,
CASE json_type(details, '$.security') WHEN 'object' THEN json_extract(details, '$.security.verdict') END AS verdict,
CASE json_type(details, '$.predicted_fixes') WHEN 'array' THEN json_array_length(details, '$.predicted_fixes')
     END AS fixes,
CASE json_type(details, '$.predicted_breakages') WHEN 'array' THEN json_array_length(details, '$.predicted_breakages')
     END AS breakages"""


def listed_row(columns: Mapping, state: State) -> QueueRow:
    """A queue row from LISTED_COLUMNS: the same row `queue_row` makes from the decoded candidate."""
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


# Only the columns the screens show: the sessions table grows columns other modules need.
SESSION_FIELDS = (
    "id, format AS agent, outcome, reward, reward_explanation, steps, errors, COALESCE(started_at, '') AS started_at,"
    " path"
)


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


# -- the live feed ---------------------------------------------------------------------------------
def recent_events(path: Path, *, limit: int = 200) -> tuple[list[dict], int]:
    """The newest whole events of the feed (read from its tail, not the whole log), oldest first, and
    the byte offset to continue tailing from."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            start = max(0, size - TAIL_BYTES)
            handle.seek(start)
            data = handle.read(size - start)
    except FileNotFoundError:
        return [], 0
    events, consumed = parse_event_lines(data, skip_first=start > 0)
    return events[-limit:], start + consumed


def new_events(path: Path, offset: int) -> tuple[list[dict], int]:
    """Whole events appended after byte `offset`, and the new offset (a half-written line waits)."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return [], offset
    events, consumed = parse_event_lines(data, skip_first=False)
    return events, offset + consumed


def parse_event_lines(data: bytes, *, skip_first: bool) -> tuple[list[dict], int]:
    end = data.rfind(b"\n") + 1
    lines = data[:end].split(b"\n")
    if skip_first:
        lines = lines[1:]  # we started mid-line
    events = []
    for raw in lines:
        try:
            event = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        if isinstance(event, dict):
            events.append(event)
    return events, end


# -- the cache, read-only ---------------------------------------------------------------------------
class ReadModel:
    """Read-only queries on the state cache, safe to call from worker threads."""

    def __init__(self, db_path: Path):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False, timeout=30)
        self._db.row_factory = sqlite3.Row

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def candidate_states(self) -> dict[str, CandidateState]:
        """Review states replayed from the decision cache, as `ReviewService` keeps them."""
        rows = self._query("SELECT sha, candidate_id, action, reverts, name FROM decisions ORDER BY seq")
        return replay(DecisionEvent(*row) for row in rows)

    def queue_rows(self) -> list[QueueRow]:
        """The queue's rows without any candidate's content: what the first screen needs."""
        states = self.candidate_states()
        rows = []
        for columns in self._query(f"SELECT {LISTED_COLUMNS} FROM candidates"):
            state = states.get(columns["id"], PENDING).state
            if in_queue(state, bool(columns["live"])):
                rows.append(listed_row(columns, state))
        return rows

    def candidate_views(self) -> list[CandidateView]:
        """Every candidate in the queue in full (content, provenance, details), as `ReviewService.queue`."""
        states = self.candidate_states()
        views = []
        for row in self._query("SELECT * FROM candidates"):
            state = states.get(row["id"], PENDING)
            if in_queue(state.state, bool(row["live"])):
                views.append(CandidateView(decoded_candidate(row), state.state, state.sha))
        return views

    def candidate_view(self, candidate_id: str) -> CandidateView | None:
        rows = self._query("SELECT * FROM candidates WHERE id = ?", (candidate_id,))
        if not rows:
            return None
        state = self.candidate_states().get(candidate_id, PENDING)
        return CandidateView(decoded_candidate(rows[0]), state.state, state.sha)

    def sessions_by_id(self, ids: Iterable[str]) -> dict[str, SessionRow]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, SessionRow] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._query(f"SELECT {SESSION_FIELDS} FROM sessions WHERE id IN ({marks})", chunk):
                found[row["id"]] = SessionRow(**dict(row))
        return found

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
        rows = self._query(
            "SELECT idx, tool, args, is_error, line FROM steps WHERE session_id = ? ORDER BY idx", (session_id,)
        )
        result = []
        for row in rows:
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
        """The most recently ingested sessions, newest first (rowid follows insertion)."""
        rows = self._query(f"SELECT {SESSION_FIELDS} FROM sessions ORDER BY rowid DESC LIMIT ?", (limit,))
        return [SessionRow(**dict(row)) for row in rows]

    def outcome_counts(self) -> dict[str, int]:
        return {row[0]: row[1] for row in self._query("SELECT outcome, COUNT(*) FROM sessions GROUP BY outcome")}


def decoded_candidate(row: sqlite3.Row) -> StoredCandidate:
    """`core.store.candidate_from_row` with orjson: decoding every candidate is the queue's largest cost."""
    data = dict(row)
    for key in ("evidence", "provenance", "details"):
        data[key] = orjson.loads(data[key])
    return StoredCandidate(**{**data, "live": bool(data["live"])})


def now_utc() -> datetime:
    return datetime.now(UTC)

"""The state cache: SQLite in WAL mode holding read offsets, parsed sessions and steps, and candidates.

Everything here can be rebuilt from the trace files and the skills repository's history. A file's
read position is written in the same transaction as the sessions built from its bytes, so a crash
never leaves one without the other.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.model import Outcome, Session, Step
from core.normalize import normalize_step

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(
    path TEXT PRIMARY KEY, dev INTEGER, inode INTEGER, size INTEGER, mtime_ns INTEGER,
    fingerprint TEXT, consumed INTEGER NOT NULL DEFAULT 0, format TEXT, error TEXT
);
CREATE TABLE IF NOT EXISTS sessions(
    id TEXT PRIMARY KEY, path TEXT NOT NULL, format TEXT NOT NULL, task TEXT, started_at TEXT,
    ended_at TEXT, outcome TEXT NOT NULL, reward REAL NOT NULL, reward_explanation TEXT NOT NULL,
    steps INTEGER NOT NULL, errors INTEGER NOT NULL, tokens_in INTEGER, tokens_out INTEGER,
    model TEXT, cwd TEXT, final_message TEXT
);
CREATE INDEX IF NOT EXISTS sessions_by_path ON sessions(path);
CREATE TABLE IF NOT EXISTS steps(
    session_id TEXT NOT NULL, idx INTEGER NOT NULL, tool TEXT NOT NULL, token TEXT, args TEXT,
    result TEXT, is_error INTEGER NOT NULL, cascade INTEGER NOT NULL, started_at TEXT, line INTEGER,
    PRIMARY KEY(session_id, idx)
);
CREATE TABLE IF NOT EXISTS candidates(
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, title TEXT NOT NULL,
    content TEXT NOT NULL, content_hash TEXT NOT NULL, support INTEGER NOT NULL,
    evidence TEXT NOT NULL, provenance TEXT NOT NULL, details TEXT NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, live INTEGER NOT NULL DEFAULT 1,
    source TEXT NOT NULL DEFAULT 'mining'
);
CREATE TABLE IF NOT EXISTS decisions(
    sha TEXT PRIMARY KEY, candidate_id TEXT NOT NULL, action TEXT NOT NULL, reverts TEXT,
    reviewer TEXT, at TEXT, summary TEXT, seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_candidate ON decisions(candidate_id);
"""


@dataclass(frozen=True)
class FileState:
    path: str
    dev: int
    inode: int
    size: int
    mtime_ns: int
    fingerprint: str
    consumed: int
    format: str | None
    error: str | None


@dataclass
class StoredSession:
    id: str
    path: str
    format: str
    task: str
    started_at: str | None
    ended_at: str | None
    outcome: str
    reward: float
    reward_explanation: str
    steps: int
    errors: int
    tokens_in: int
    tokens_out: int
    model: str
    cwd: str
    final_message: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class StoredCandidate:
    id: str
    kind: str
    name: str
    title: str
    content: str
    content_hash: str
    support: int
    evidence: list[str]
    provenance: list[dict]
    details: dict
    first_seen: str
    last_seen: str
    live: bool
    source: str = "mining"


class Store:
    """One connection per Store; methods are safe to call from several threads (one lock)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        self._db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', ?)", (str(SCHEMA_VERSION),))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def ensure_schema(self, sql: str) -> None:
        """Let a module that keeps its own derived data add its tables (CREATE ... IF NOT EXISTS)."""
        with self._lock:
            self._db.executescript(sql)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    # -- files -----------------------------------------------------------------------------------
    def file_state(self, path: str) -> FileState | None:
        rows = self._query("SELECT * FROM files WHERE path = ?", (path,))
        return FileState(**dict(rows[0])) if rows else None

    def replace_file_sessions(self, state: FileState, sessions: list[tuple[Session, float, str]]) -> None:
        """Store what one file holds now, and its read position, in one transaction."""
        with self.transaction() as db:
            old_ids = [r[0] for r in db.execute("SELECT id FROM sessions WHERE path = ?", (state.path,))]
            db.executemany("DELETE FROM steps WHERE session_id = ?", [(i,) for i in old_ids])
            db.execute("DELETE FROM sessions WHERE path = ?", (state.path,))
            for session, reward, explanation in sessions:
                insert_session(db, session, reward, explanation)
            db.execute(
                "INSERT OR REPLACE INTO files VALUES(?,?,?,?,?,?,?,?,?)",
                (
                    state.path, state.dev, state.inode, state.size, state.mtime_ns, state.fingerprint,
                    state.consumed, state.format, state.error,
                ),
            )  # fmt: skip

    # -- sessions --------------------------------------------------------------------------------
    def sessions(self, *, outcome: str | None = None) -> list[StoredSession]:
        sql = "SELECT * FROM sessions"
        params: tuple = ()
        if outcome:
            sql, params = sql + " WHERE outcome = ?", (outcome,)
        return [StoredSession(**dict(row)) for row in self._query(sql + " ORDER BY started_at, id", params)]

    def session(self, session_id: str) -> StoredSession | None:
        rows = self._query("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return StoredSession(**dict(rows[0])) if rows else None

    def steps(self, session_id: str) -> list[Step]:
        rows = self._query("SELECT * FROM steps WHERE session_id = ? ORDER BY idx", (session_id,))
        return [
            Step(
                tool=row["tool"], args=json.loads(row["args"] or "{}"), result=row["result"] or "",
                is_error=bool(row["is_error"]), started_at=row["started_at"], line=row["line"],
                cascade=bool(row["cascade"]),
            )
            for row in rows
        ]  # fmt: skip

    def session_tokens(self) -> dict[str, list[tuple[int, str]]]:
        """Per session, its (step index, token) pairs for non-noise steps, in order."""
        result: dict[str, list[tuple[int, str]]] = {}
        for row in self._query(
            "SELECT session_id, idx, token FROM steps WHERE token IS NOT NULL ORDER BY session_id, idx"
        ):
            result.setdefault(row[0], []).append((row[1], row[2]))
        return result

    def counts(self) -> dict[str, int]:
        row = self._query(
            "SELECT (SELECT COUNT(*) FROM files), (SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM steps)"
        )[0]
        return {"files": row[0], "sessions": row[1], "steps": row[2]}

    # -- candidates ------------------------------------------------------------------------------
    def upsert_candidates(self, candidates: list[StoredCandidate], *, now: str, source: str = "mining") -> None:
        """Replace one source's set (mining, drift, ...): keep first_seen of known ids, mark vanished
        ones not live, leave other sources' candidates alone."""
        with self.transaction() as db:
            db.execute("UPDATE candidates SET live = 0 WHERE source = ?", (source,))
            for c in candidates:
                db.execute(
                    """INSERT INTO candidates VALUES(?,?,?,?,?,?,?,?,?,?,?,?,1,?)
                    ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, name=excluded.name,
                    title=excluded.title, content=excluded.content, content_hash=excluded.content_hash,
                    support=excluded.support, evidence=excluded.evidence, provenance=excluded.provenance,
                    details=excluded.details, last_seen=excluded.last_seen, live=1, source=excluded.source""",
                    (
                        c.id, c.kind, c.name, c.title, c.content, c.content_hash, c.support,
                        json.dumps(c.evidence), json.dumps(c.provenance), json.dumps(c.details), now, now, source,
                    ),
                )  # fmt: skip

    def candidates(self) -> list[StoredCandidate]:
        return [candidate_from_row(row) for row in self._query("SELECT * FROM candidates ORDER BY id")]

    def candidate(self, candidate_id: str) -> StoredCandidate | None:
        rows = self._query("SELECT * FROM candidates WHERE id = ?", (candidate_id,))
        return candidate_from_row(rows[0]) if rows else None

    # -- decisions (a cache of the skills repository's history) ---------------------------------
    def replace_decisions(self, decisions: list[dict]) -> None:
        """`decisions` oldest first; each dict has sha, candidate_id, action, reverts, reviewer, at, summary."""
        with self.transaction() as db:
            db.execute("DELETE FROM decisions")
            for seq, d in enumerate(decisions):
                db.execute(
                    "INSERT INTO decisions VALUES(?,?,?,?,?,?,?,?)",
                    (d["sha"], d["candidate_id"], d["action"], d.get("reverts"), d.get("reviewer"),
                     d.get("at"), d.get("summary"), seq),
                )  # fmt: skip

    def decisions(self) -> list[dict]:
        """Oldest first."""
        return [dict(row) for row in self._query("SELECT * FROM decisions ORDER BY seq")]


def candidate_from_row(row: sqlite3.Row) -> StoredCandidate:
    data = dict(row)
    return StoredCandidate(
        **{
            **data,
            "evidence": json.loads(data["evidence"]),
            "provenance": json.loads(data["provenance"]),
            "details": json.loads(data["details"]),
            "live": bool(data["live"]),
        }
    )


def insert_session(db: sqlite3.Connection, session: Session, reward: float, explanation: str) -> None:
    db.execute("DELETE FROM steps WHERE session_id = ?", (session.id,))
    db.execute(
        "INSERT OR REPLACE INTO sessions VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            session.id, session.path, session.format, session.task, session.started_at, session.ended_at,
            Outcome(session.outcome).value, reward, explanation, len(session.steps), session.errors,
            session.tokens_in, session.tokens_out, session.model, session.cwd, session.final_message,
        ),
    )  # fmt: skip
    db.executemany(
        "INSERT INTO steps VALUES(?,?,?,?,?,?,?,?,?,?)",
        [
            (
                session.id, idx, step.tool, normalize_step(step), json.dumps(step.args, default=str),
                step.result, int(step.is_error), int(step.cascade), step.started_at, step.line,
            )
            for idx, step in enumerate(session.steps)
        ],
    )  # fmt: skip

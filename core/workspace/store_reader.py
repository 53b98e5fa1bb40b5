"""The state cache, read-only: every query the review screens make, on a connection of its own opened with
`mode=ro`. In WAL mode readers never wait for the ingest's write transactions, so a screen can query while
traces stream in; the queue's first frame reads through it before the review service opens. Safe to call
from worker threads (one lock per connection). All SQL on the cache lives in `core/workspace/store*.py`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from skillwarden.core.workspace.store import StoredCandidate, candidate_from_row
from skillwarden.core.workspace.store_rows import path_from_db

# The queue's list columns, read inside SQLite: listing 10,000 candidates decodes no content or
# details in Python. Each expression mirrors `reviews.views.queue_row`, which reads the same from a decoded candidate.
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



# Only the columns the screens show: the sessions table grows columns other modules need.
SESSION_FIELDS = (
    "id, format AS agent, outcome, reward, reward_explanation, steps, errors, COALESCE(started_at, '') AS started_at,"
    " path"
)


SESSION_CHUNK = 500  # ids per query: SQLite's limit on bound parameters is far above, statements stay short


class StoreReader:
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

    def data_version(self) -> int:
        """A number SQLite changes whenever another connection commits to the cache (`PRAGMA data_version`):
        a reader following a writer knows when to look again."""
        return self._query("PRAGMA data_version")[0][0]

    def decision_events(self) -> list[tuple]:
        """(sha, candidate id, action, reverts, name) of every cached decision, oldest first."""
        return [tuple(row) for row in self._query(
            "SELECT sha, candidate_id, action, reverts, name FROM decisions ORDER BY seq"
        )]  # fmt: skip

    def listed_candidates(self) -> list[sqlite3.Row]:
        """Every candidate's list columns (LISTED_COLUMNS), with no content or details decoded."""
        return self._query(f"SELECT {LISTED_COLUMNS} FROM candidates")

    def candidates(self) -> list[StoredCandidate]:
        return [candidate_from_row(row) for row in self._query("SELECT * FROM candidates")]

    def candidate(self, candidate_id: str) -> StoredCandidate | None:
        rows = self._query("SELECT * FROM candidates WHERE id = ?", (candidate_id,))
        return candidate_from_row(rows[0]) if rows else None

    def sessions(self, ids: Iterable[str]) -> list[dict]:
        """The screens' columns (SESSION_FIELDS) of the sessions with these ids that are cached."""
        wanted = list(dict.fromkeys(ids))
        found = []
        for start in range(0, len(wanted), SESSION_CHUNK):
            chunk = wanted[start : start + SESSION_CHUNK]
            marks = ",".join("?" * len(chunk))
            found += self._query(f"SELECT {SESSION_FIELDS} FROM sessions WHERE id IN ({marks})", chunk)
        return [session_fields(row) for row in found]

    def recent_sessions(self, limit: int) -> list[dict]:
        """The most recently ingested sessions, newest first (rowid follows insertion)."""
        rows = self._query(f"SELECT {SESSION_FIELDS} FROM sessions ORDER BY rowid DESC LIMIT ?", (limit,))
        return [session_fields(row) for row in rows]

    def steps(self, session_id: str) -> list[sqlite3.Row]:
        return self._query(
            "SELECT idx, tool, args, is_error, line FROM steps WHERE session_id = ? ORDER BY idx", (session_id,)
        )

    def outcome_counts(self) -> dict[str, int]:
        return {row[0]: row[1] for row in self._query("SELECT outcome, COUNT(*) FROM sessions GROUP BY outcome")}


def session_fields(row: sqlite3.Row) -> dict:
    """A path that is not UTF-8 is stored as its bytes (see core/workspace/store_rows.py); the screens get its text."""
    return {**dict(row), "path": path_from_db(row["path"])}


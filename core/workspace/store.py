"""The state cache: SQLite holding read offsets, parsed sessions and steps, and candidates. It runs in WAL
mode, or with the rollback journal on a network file system, where WAL's shared memory is unsafe.

Everything here can be rebuilt from the trace files and the skills repository's history. A file's
read position is written in the same transaction as the sessions built from its bytes, so a crash
never leaves one without the other.

What a read writes, as rows SQLite takes whatever a trace holds, is `core/workspace/store_rows.py`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from skillwarden.core.exact_json import NOT_DECODED, loads_exactly
from skillwarden.core.model import Outcome, Session, Step
from skillwarden.core.workspace.config import ConfigError
from skillwarden.core.workspace.filesystem import detect_file_system_type, is_network_file_system
from skillwarden.core.workspace.private_files import make_private, open_private, private_directory
from skillwarden.core.workspace.store_rows import (
    SESSION_COLUMNS,
    PreparedRead,
    db_path,
    path_from_db,
    prepare_read,
    storable,
    write_prepared,
)

if TYPE_CHECKING:
    from skillwarden.core.signals.labels import Label

# Version 2: parser state per file, step call ids and end times, sub-agent links. Version 3: decisions
# carry the skill name. Version 4: redaction placeholders are keyed with the workspace's key. Version 5:
# trace text is cleaned of escape sequences and invisible characters, and more secret shapes are redacted.
# Version 6: sessions carry their graded outcome beside the claimed one, why the run ended, the patch, the
# task and project, and the agent's prose; labels imported as ground truth. Version 7: a step keeps the
# facts mining asks of it (`core/signals/step_facts.py`) where it kept its token. Version 8: a reward lies in
# its outcome's band (`core/signals/reward.py`), and rewards of the old scale would rank beside the new.
# The tables below are caches of the trace files and of the skills repository's history, so a version
# change drops them and they are re-read; the candidates mined from the old text go too (and secure_delete,
# set on every connection, zeroes what is deleted, so no free page keeps what an older redaction let
# through).
SCHEMA_VERSION = 8
WAL_CHECKPOINT_PAGES = 16384  # of 4 KB: the log grows to 64 MB before it is copied back
EVIDENCE_TABLES = ("files", "sessions", "steps", "subagent_links", "decisions", "labels", "session_labels")
# Forces the journal mode where the file system is detected wrongly: auto (WAL unless on a network file
# system), wal or delete (the rollback journal).
JOURNAL_MODE_ENV = "SKILLWARDEN_JOURNAL_MODE"
JOURNAL_SETTINGS = ("auto", "wal", "delete")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(
    path TEXT PRIMARY KEY, dev INTEGER, inode INTEGER, size INTEGER, mtime_ns INTEGER,
    fingerprint TEXT, consumed INTEGER NOT NULL DEFAULT 0, format TEXT, error TEXT, parser_state TEXT
);
CREATE INDEX IF NOT EXISTS files_by_inode ON files(dev, inode);
CREATE TABLE IF NOT EXISTS sessions(
    id TEXT PRIMARY KEY, path TEXT NOT NULL, format TEXT NOT NULL, task TEXT, started_at TEXT,
    ended_at TEXT, outcome TEXT NOT NULL, reward REAL NOT NULL, reward_explanation TEXT NOT NULL,
    steps INTEGER NOT NULL, errors INTEGER NOT NULL, tokens_in INTEGER, tokens_out INTEGER,
    model TEXT, cwd TEXT, final_message TEXT, interruptions INTEGER NOT NULL DEFAULT 0,
    rejections INTEGER NOT NULL DEFAULT 0, claimed_outcome TEXT, end_reason TEXT, patch_lines INTEGER,
    task_id TEXT, project TEXT,
    agent_chars INTEGER NOT NULL DEFAULT 0, agent_turns INTEGER NOT NULL DEFAULT 0,
    self_corrections INTEGER NOT NULL DEFAULT 0, root_id TEXT, agent_id TEXT
);
CREATE INDEX IF NOT EXISTS sessions_by_path ON sessions(path);
CREATE TABLE IF NOT EXISTS steps(
    session_id TEXT NOT NULL, idx INTEGER NOT NULL, tool TEXT NOT NULL, facts TEXT, args TEXT,
    result TEXT, is_error INTEGER NOT NULL, cascade INTEGER NOT NULL, started_at TEXT, line INTEGER,
    call_id TEXT, ended_at TEXT,
    PRIMARY KEY(session_id, idx)
);
-- Which Task call started a sub-agent: from the parent's transcript or the sub-agent's .meta.json
-- (`path` is the file that said so). A sub-agent session is `<root_id>:agent-<agent_id>`.
CREATE TABLE IF NOT EXISTS subagent_links(
    root_id TEXT NOT NULL, agent_id TEXT NOT NULL, parent_id TEXT NOT NULL, call_id TEXT NOT NULL,
    path TEXT NOT NULL, PRIMARY KEY(root_id, agent_id)
);
CREATE INDEX IF NOT EXISTS subagent_links_by_path ON subagent_links(path);
CREATE TABLE IF NOT EXISTS candidates(
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, title TEXT NOT NULL,
    content TEXT NOT NULL, content_hash TEXT NOT NULL, support INTEGER NOT NULL,
    evidence TEXT NOT NULL, provenance TEXT NOT NULL, details TEXT NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, live INTEGER NOT NULL DEFAULT 1,
    source TEXT NOT NULL DEFAULT 'mining'
);
CREATE TABLE IF NOT EXISTS decisions(
    sha TEXT PRIMARY KEY, candidate_id TEXT NOT NULL, action TEXT NOT NULL, reverts TEXT,
    reviewer TEXT, at TEXT, summary TEXT, seq INTEGER NOT NULL, name TEXT
);
CREATE INDEX IF NOT EXISTS decisions_by_candidate ON decisions(candidate_id);
-- Ground truth imported by `outcomes import` (a copy of the workspace's labels file), and which
-- session each label settles: a label overrides the grade wherever sessions are read.
CREATE TABLE IF NOT EXISTS labels(
    key TEXT NOT NULL, under TEXT NOT NULL DEFAULT '', resolved INTEGER NOT NULL, source TEXT NOT NULL,
    seq INTEGER NOT NULL, PRIMARY KEY(key, under)
);
CREATE TABLE IF NOT EXISTS session_labels(
    session_id TEXT PRIMARY KEY, resolved INTEGER NOT NULL, source TEXT NOT NULL
);
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
    parser_state: dict | None = None  # how to resume parsing at `consumed` (append-only formats)


@dataclass
class SessionWrite:
    """A session to store after a read of its file, and which of its steps that read touched."""

    session: Session
    reward: float
    explanation: str
    first_new_step: int = 0  # steps before this index are already stored...
    resolved: set[int] = field(default_factory=set)  # ...except these, whose result arrived since


@dataclass
class FileRead:
    """What one read of one file produced, stored together with the file's new read position."""

    state: FileState
    sessions: list[SessionWrite] = field(default_factory=list)
    reset: bool = True  # the file is read from its start: forget what earlier reads stored for it
    # (root session id, agent id) -> (parent session id, Task call id)
    links: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


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
    interruptions: int = 0
    rejections: int = 0
    claimed_outcome: str = ""
    end_reason: str = ""
    patch_lines: int | None = None
    task_id: str = ""
    project: str = ""
    agent_chars: int = 0
    agent_turns: int = 0
    self_corrections: int = 0
    # "graded" (skillwarden's grade) or "label" (imported ground truth, which then sets outcome and reward).
    outcome_source: str = "graded"
    graded_outcome: str = ""
    graded_reward: float = 0.0
    # A sub-agent session is linked to the session and Task call that started it, once both are read.
    parent_id: str | None = None
    parent_call_id: str | None = None

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
        create_private_database(self.path)
        self._lock = threading.RLock()
        wanted, network_fs = wanted_journal_mode(self.path)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self.journal_mode = self._set_journal_mode(wanted)  # the mode in effect, not always the one wanted
        self.notice = journal_notice(self.path.name, wanted, self.journal_mode, network_fs)
        if self.journal_mode == "wal":
            self._db.execute("PRAGMA synchronous=NORMAL")
            # A checkpoint copies every page changed since the last one back into the database: at 64 MB of
            # log rather than the default 4 MB, an index page that a bulk ingest changes again and again is
            # copied once, not once per 4 MB (the main process of a 200 MB ingest used 12% less CPU).
            self._db.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        else:
            self._db.execute("PRAGMA synchronous=FULL")  # NORMAL survives a power loss only in WAL mode
        self._db.execute("PRAGMA foreign_keys=ON")
        # Deleted rows held trace text: overwritten, not left in free pages (the default of some builds only).
        self._db.execute("PRAGMA secure_delete=ON")
        self._migrate()

    def _set_journal_mode(self, wanted: str) -> str:
        try:
            return self._db.execute(f"PRAGMA journal_mode={wanted}").fetchone()[0]
        except sqlite3.OperationalError:
            # Leaving WAL needs the database to itself: while another process has it open, it stays in WAL.
            return self._db.execute("PRAGMA journal_mode").fetchone()[0]

    def _migrate(self) -> None:
        self._db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and row[0] != str(SCHEMA_VERSION):
            for table in (*EVIDENCE_TABLES, "candidates"):
                self._db.execute(f"DROP TABLE IF EXISTS {table}")
        self._db.executescript(SCHEMA)
        self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', ?)", (str(SCHEMA_VERSION),))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction. Opened inside another one (ingest stores a batch of files in one), it is a
        savepoint: undone alone if it fails, committed only with the enclosing transaction."""
        with self._lock:
            nested = self._db.in_transaction
            self._db.execute("SAVEPOINT nested" if nested else "BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if nested:
                    self._db.execute("ROLLBACK TO nested")
                    self._db.execute("RELEASE nested")
                else:
                    self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("RELEASE nested" if nested else "COMMIT")

    def _query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def meta_value(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, value))

    # -- files -----------------------------------------------------------------------------------
    def file_state(self, path: str) -> FileState | None:
        rows = self._query("SELECT * FROM files WHERE path = ?", (db_path(path),))
        return file_state_from_row(rows[0]) if rows else None

    def file_states(self) -> list[FileState]:
        return [file_state_from_row(row) for row in self._query("SELECT * FROM files ORDER BY path")]

    def file_identities(self) -> tuple[set[str], set[tuple[int, int]]]:
        """The paths and the (device, inode) pairs of every file read: what a new file is told apart by."""
        rows = self._query("SELECT path, dev, inode FROM files")
        return {path_from_db(row[0]) for row in rows}, {(row[1], row[2]) for row in rows}

    def file_with_inode(self, dev: int, inode: int, *, other_than: str) -> FileState | None:
        rows = self._query(
            "SELECT * FROM files WHERE dev = ? AND inode = ? AND path != ?", (dev, inode, db_path(other_than))
        )
        return file_state_from_row(rows[0]) if rows else None

    def move_file(self, old_path: str, new_path: str) -> None:
        """A file was renamed: what was read from it now belongs to its new path."""
        old, new = db_path(old_path), db_path(new_path)
        with self.transaction() as db:
            db.execute("DELETE FROM files WHERE path = ?", (new,))
            for table in ("files", "sessions", "subagent_links"):
                db.execute(f"UPDATE {table} SET path = ? WHERE path = ?", (new, old))

    def replace_file_sessions(self, state: FileState, sessions: list[tuple[Session, float, str]]) -> None:
        """Store what one file holds now, and its read position, in one transaction."""
        self.apply_file_read(FileRead(state, [SessionWrite(*graded) for graded in sessions]))

    def apply_file_read(self, read: FileRead) -> None:
        """Store one read of one file and its new read position in one transaction, so a crash leaves
        either both or neither: the next read resumes exactly where the stored evidence ends."""
        self.apply_prepared([prepare_read(read)])

    def apply_prepared(self, reads: list[PreparedRead]) -> None:
        """Store several files' reads, each with its read position, in one transaction.

        Reads of files from their start (a first ingest, a rebuild) are stored with one statement per kind
        for the whole batch: a statement per file costs more than its rows, and for such reads that order
        gives what file-by-file order gives, as long as no two of them write the same session. Any other
        batch (a resumed read continues sessions stored earlier, which another read's reset may remove;
        one session's lines in two files) is stored file by file.
        """
        if not reads:
            return
        session_ids = [row[0] for read in reads for row in read.session_rows]
        together = all(read.reset for read in reads) and len(set(session_ids)) == len(session_ids)
        groups = [reads] if together else [[read] for read in reads]
        with self.transaction() as db:
            for group in groups:
                write_prepared(db, group)

    # -- sessions --------------------------------------------------------------------------------
    def sessions(self, *, outcome: str | None = None) -> list[StoredSession]:
        sql = f"SELECT * FROM ({SESSIONS_WITH_PARENTS})"
        params: tuple = ()
        if outcome:
            sql, params = sql + " WHERE outcome = ?", (outcome,)
        return [stored_session(row) for row in self._query(sql + " ORDER BY started_at, id", params)]

    def session(self, session_id: str) -> StoredSession | None:
        rows = self._query(SESSIONS_WITH_PARENTS + " WHERE s.id = ?", (session_id,))
        return stored_session(rows[0]) if rows else None

    # -- labels ----------------------------------------------------------------------------------
    def replace_labels(self, labels: list[Label]) -> None:
        """The workspace's imported labels, then which session each settles (`apply_labels`)."""
        with self.transaction() as db:
            db.execute("DELETE FROM labels")
            db.executemany(
                "INSERT OR REPLACE INTO labels VALUES(?,?,?,?,?)",
                [(label.key, label.under, int(label.resolved), label.source, seq) for seq, label in enumerate(labels)],
            )
        self.apply_labels()

    def labels(self) -> list[Label]:
        from skillwarden.core.signals.labels import Label

        rows = self._query("SELECT key, under, resolved, source FROM labels ORDER BY seq")
        return [Label(row["key"], bool(row["resolved"]), row["under"], row["source"]) for row in rows]

    def apply_labels(self) -> int:
        """Match the labels to the stored sessions again (after an import, or once new sessions are read);
        returns how many sessions carry a label."""
        labels = self.labels()
        if not labels and not self._query("SELECT 1 FROM session_labels LIMIT 1"):
            return 0
        sessions = self._query("SELECT id, path, task_id FROM sessions") if labels else []
        from skillwarden.core.signals.labels import match_sessions

        settled = match_sessions(
            labels, [(row["id"], os.fsdecode(row["path"]), row["task_id"] or "") for row in sessions]
        )
        with self.transaction() as db:
            db.execute("DELETE FROM session_labels")
            db.executemany(
                "INSERT INTO session_labels VALUES(?,?,?)",
                [(sid, int(label.resolved), label.source) for sid, label in settled.items()],
            )
        return len(settled)

    def session_paths(self, session_ids: list[str]) -> dict[str, str | bytes]:
        """The file (as stored, see `db_path`) each of `session_ids` that is stored was last stored from."""
        found: dict[str, str | bytes] = {}
        for start in range(0, len(session_ids), 500):
            chunk = session_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._query(f"SELECT id, path FROM sessions WHERE id IN ({marks})", chunk))
        return found

    def load_session(self, session_id: str) -> Session | None:
        """A stored session with its steps, as its adapter built it."""
        rows = self._query("SELECT * FROM sessions WHERE id = ?", (storable(session_id),))
        if not rows:
            return None
        row = rows[0]
        return Session(
            id=row["id"], format=row["format"], path=path_from_db(row["path"]), steps=self.steps(row["id"]),
            task=row["task"] or "",
            started_at=row["started_at"], ended_at=row["ended_at"], outcome=Outcome(row["outcome"]),
            tokens_in=row["tokens_in"] or 0, tokens_out=row["tokens_out"] or 0, model=row["model"] or "",
            cwd=row["cwd"] or "", interruptions=row["interruptions"], rejections=row["rejections"],
            final_message=row["final_message"] or "", end_reason=row["end_reason"] or "",
            claimed_outcome=row["claimed_outcome"] or "",
            patch_lines=row["patch_lines"], task_id=row["task_id"] or "", project=row["project"] or "",
            agent_chars=row["agent_chars"], agent_turns=row["agent_turns"], self_corrections=row["self_corrections"],
        )  # fmt: skip

    def steps(self, session_id: str, stale: list[tuple[str, int, Step]] | None = None) -> list[Step]:
        """The session's steps, with the facts stored with them (`core/signals/step_facts.py`). Steps whose
        facts another version derived go to `stale` (session id, index, step), to be derived again."""
        # Imported here: a reader of the cache (the TUI's first frame) does not wait for the normalizer.
        from skillwarden.core.signals.step_facts import seed_facts

        columns = "idx, tool, facts, args, result, is_error, cascade, started_at, line, call_id, ended_at"
        rows = self._query(f"SELECT {columns} FROM steps WHERE session_id = ? ORDER BY idx", (session_id,))
        steps = []
        for idx, tool, facts, args, result, is_error, cascade, started_at, line, call_id, ended_at in rows:
            step = Step(
                tool=tool, args=decode_args(args), result=result or "", is_error=bool(is_error), started_at=started_at,
                line=line, cascade=bool(cascade), call_id=call_id, ended_at=ended_at,
            )  # fmt: skip
            if not seed_facts(step, facts) and stale is not None:
                stale.append((session_id, idx, step))
            steps.append(step)
        return steps

    def update_step_facts(self, rows: list[tuple[str, str, int]]) -> None:
        """(facts, session id, index) of steps whose facts were derived again."""
        with self.transaction() as db:
            db.executemany("UPDATE steps SET facts = ? WHERE session_id = ? AND idx = ?", rows)

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

    def keep_candidates(self, candidates: list[StoredCandidate], *, source: str) -> None:
        """Add candidates that are not live (known from elsewhere than mining); ids already stored are left
        as they are."""
        with self.transaction() as db:
            for c in candidates:
                db.execute(
                    "INSERT OR IGNORE INTO candidates VALUES(?,?,?,?,?,?,?,?,?,?,?,?,0,?)",
                    (
                        c.id, c.kind, c.name, c.title, c.content, c.content_hash, c.support, json.dumps(c.evidence),
                        json.dumps(c.provenance), json.dumps(c.details), c.first_seen, c.last_seen, source,
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
                    "INSERT INTO decisions VALUES(?,?,?,?,?,?,?,?,?)",
                    (d["sha"], d["candidate_id"], d["action"], d.get("reverts"), d.get("reviewer"),
                     d.get("at"), d.get("summary"), seq, d.get("name")),
                )  # fmt: skip

    def decisions(self) -> list[dict]:
        """Oldest first."""
        return [dict(row) for row in self._query("SELECT * FROM decisions ORDER BY seq")]


def candidate_from_row(row: sqlite3.Row) -> StoredCandidate:
    """With orjson: decoding every candidate is the queue's largest cost."""
    data = dict(row)
    return StoredCandidate(
        **{
            **data,
            "evidence": orjson.loads(data["evidence"]),
            "provenance": orjson.loads(data["provenance"]),
            "details": orjson.loads(data["details"]),
            "live": bool(data["live"]),
        }
    )


LABELLED = ("outcome", "reward", "reward_explanation")
# A sub-agent's parent shows only once the parent session itself has been read. A label, where there is
# one, sets the outcome and the reward; the grade stays beside it.
SESSIONS_WITH_PARENTS = f"""
SELECT {", ".join("s." + c for c in SESSION_COLUMNS.split(", ") if c not in LABELLED)},
       CASE WHEN sl.resolved IS NULL THEN s.outcome WHEN sl.resolved THEN 'succeeded' ELSE 'failed' END AS outcome,
       CASE WHEN sl.resolved IS NULL THEN s.reward ELSE sl.resolved * 1.0 END AS reward,
       CASE WHEN sl.resolved IS NULL THEN s.reward_explanation
            ELSE printf('%.2f: labelled %s by %s (graded %s)', sl.resolved * 1.0,
                        CASE WHEN sl.resolved THEN 'resolved' ELSE 'unresolved' END, sl.source,
                        s.reward_explanation) END AS reward_explanation,
       CASE WHEN sl.resolved IS NULL THEN 'graded' ELSE 'label' END AS outcome_source,
       s.outcome AS graded_outcome, s.reward AS graded_reward,
       p.id AS parent_id, CASE WHEN p.id IS NULL THEN NULL ELSE l.call_id END AS parent_call_id
FROM sessions s
LEFT JOIN session_labels sl ON sl.session_id = s.id
LEFT JOIN subagent_links l ON l.root_id = s.root_id AND l.agent_id = s.agent_id
LEFT JOIN sessions p ON p.id = l.parent_id"""


def stored_session(row: sqlite3.Row) -> StoredSession:
    data = dict(row)
    return StoredSession(**{**data, "path": path_from_db(data["path"])})


def journal_setting() -> str:
    setting = os.environ.get(JOURNAL_MODE_ENV, "auto").strip().lower() or "auto"
    if setting not in JOURNAL_SETTINGS:
        raise ConfigError(f"{JOURNAL_MODE_ENV} must be one of {', '.join(JOURNAL_SETTINGS)}, not {setting!r}")
    return setting


# SQLite's own files beside the database; it creates them with the database file's mode.
SIDE_FILE_SUFFIXES = ("-wal", "-shm", "-journal")


def create_private_database(path: Path) -> None:
    """The database file created owner-only before SQLite opens it (its WAL and shared-memory files take
    the database's mode), and the files an older version created with the umask's mode narrowed."""
    private_directory(path.parent)
    os.close(open_private(path, os.O_RDWR))
    for suffix in SIDE_FILE_SUFFIXES:
        make_private(f"{path}{suffix}")


def wanted_journal_mode(db_path: Path) -> tuple[str, str | None]:
    """The journal mode for a database at `db_path` ("wal" or "delete"), and the network file system
    that ruled WAL out."""
    setting = journal_setting()
    if setting != "auto":
        return setting, None
    fs_type = detect_file_system_type(db_path.parent)
    return ("delete", fs_type) if is_network_file_system(fs_type) else ("wal", None)


def journal_notice(db_name: str, wanted: str, in_effect: str, network_fs: str | None) -> str | None:
    """What the user should know about the journal mode in effect, if anything."""
    where = f" on a network file system ({network_fs})" if network_fs else ""
    if wanted == "delete" and in_effect == "wal":
        return (
            f"{db_name}{where} stays in WAL mode while another process has it open in WAL mode; it switches to "
            "SQLite's rollback journal once none does"
        )
    if network_fs:
        return (
            f"{db_name} is{where}: using SQLite's rollback journal instead of WAL, which needs shared memory a "
            "network file system does not provide; keep the state directory on a local disk for speed"
        )
    return None


def decode_args(text: str | None) -> dict:
    """Stored arguments, by orjson where it reads them as json would (`core/exact_json.py`)."""
    if not text:
        return {}
    value = loads_exactly(text)
    return json.loads(text) if value is NOT_DECODED else value


def file_state_from_row(row: sqlite3.Row) -> FileState:
    data = dict(row)
    parser_state = json.loads(data["parser_state"]) if data["parser_state"] else None
    return FileState(**{**data, "path": path_from_db(data["path"]), "parser_state": parser_state})

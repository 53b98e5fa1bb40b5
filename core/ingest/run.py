"""Read trace files into the state cache: find them, tail them, parse, redact, grade, store.

Per file the cache keeps its identity and read offset (`core/ingest/tail.py`) in the same transaction as the
sessions built from those bytes, so a crash at any point is followed by a read that resumes exactly
where the stored evidence ends: nothing is lost and nothing is counted twice.

- Claude Code transcripts are append-only: a grown file is read from its offset only, and the parser
  resumes from the state it saved there (a tool result arriving later updates its stored step). The
  cost of an appended line is that line plus re-grading its one session, not the file or the corpus.
- Every other format is re-read whole when its file changes. Most are whole documents rewritten in
  place (.json, .traj, Gemini chats); for the other JSONL formats (Codex, gptme, OpenHands output) a
  re-parse of that one file is the trade-off taken for now.
- A truncated or replaced file (new inode, different first bytes) is read again from its start, and what
  it held before is forgotten. A renamed file keeps what was read, under its new path.
- Files read from their start (a first ingest, a rebuild) are parsed by worker processes once a few MB of
  them wait; this process stores their rows in the order the files were found (`core/ingest/pool.py`).
  Workers end with the ingest however it ends: killed, interrupted or stopped, none is left behind.
- Every trace file is its own run: the sessions of any format but Claude Code's get ids qualified by their
  file (`run_id`), since their ids come from file names or benchmark instance ids that repeat across
  folders (four models' `google__gson-1093.traj`). A Claude Code session id continues across files (a
  resumed session): the session is stored once, as the last file read has it, and the report counts it in
  `merged`.
- A deleted file's sessions stay in the cache: they are evidence already read, and candidates cite
  them. `skillwarden rebuild` re-creates the cache from the files that exist now.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from skillwarden.core.ingest.files import FoundFile, found_files, skip_reason
from skillwarden.core.ingest.pool import (
    POOL_MIN_BYTES,
    FreshReads,
    IngestStopped,
    ParsedFile,
    default_workers,
    never,
)
from skillwarden.core.ingest.read import is_resumable, read_fresh_files, read_path
from skillwarden.core.ingest.tail import Change, Identity, classify, identify, same_head
from skillwarden.core.model import ParseError
from skillwarden.core.workspace.store import FileState, Store
from skillwarden.core.workspace.store_rows import PreparedRead

# Reads are stored together until this many files or this much time has gathered: a commit costs more
# than a small transcript, and what was read should reach the TUI soon.
BATCH_FILES = 256
BATCH_SECONDS = 0.05
# Files looked up one by one before every known file's path and inode are read at once.
KNOWN_FILES_LOOKUPS = 256


@dataclass
class IngestReport:
    files: int = 0  # files read this time
    unchanged: int = 0  # files skipped because nothing changed
    sessions: int = 0  # sessions stored (created or updated), each counted once
    steps: int = 0  # steps added
    merged: int = 0  # of those sessions, the ones continued in more than one file (stored once)
    errors: list[dict] = field(default_factory=list)  # {"path", "line", "message"}

    def add_error(self, error: ParseError) -> None:
        self.errors.append({"path": error.path, "line": error.line, "message": error.message})

    def to_json(self) -> dict:
        return dict(self.__dict__)


# Told of each file found, with the bytes it will read (0: unchanged or skipped), then once with None when
# everything read is stored; the report so far comes with each call.
Progress = Callable[[IngestReport, int | None], None]


def ingest_paths(
    store: Store, paths: Iterable[os.PathLike | str], *, workers: int | None = None,
    pool_min_bytes: int = POOL_MIN_BYTES, stop: Callable[[], bool] | None = None,
    progress: Progress | None = None,
) -> IngestReport:  # fmt: skip
    """Ingest every trace file below `paths`: what is new in each file is read, and stored with the file's
    read position in the same transaction.

    Files read from their start (new, replaced or truncated ones) are parsed by `workers` processes
    (default: one per CPU) once more than `pool_min_bytes` of them have been met; this process stores
    what they send back, in the order the files were found. `workers=0` reads everything here.
    `stop` is asked before each file and while waiting on a worker: once it says True, no file is read any
    more and the workers end; what was read in order is stored, and the next ingest reads the rest.
    """
    report = IngestReport()
    workers = default_workers() if workers is None else workers
    writer = BatchWriter(store, report)
    try:
        fresh = FreshReads(read_fresh_files, workers, pool_min_bytes, stop or never)
        read_all(store, paths, writer, report, fresh, stop or never, progress)
    except IngestStopped:
        writer.flush()
    if progress is not None:
        progress(report, None)
    return report


def read_all(
    store: Store, paths: Iterable[os.PathLike | str], writer: BatchWriter, report: IngestReport,
    fresh_reads: FreshReads, stop: Callable[[], bool], progress: Progress | None = None,
) -> None:  # fmt: skip
    with fresh_reads as fresh:

        def store_everything_read() -> None:
            writer.add_all(fresh.drain())
            writer.flush()

        def report_error(error: ParseError) -> None:  # in its place among the reads still in the pool
            writer.add_all(fresh.ready((None, [error])))

        known = KnownFiles(store)
        for found in found_files(paths):
            if stop():
                raise IngestStopped
            planned = plan_read(store, found, known, report, report_error, before_move=store_everything_read)
            if progress is not None:
                progress(report, 0 if planned is None else planned[3])
            if planned is None:
                continue
            key, previous, change, size = planned
            if is_resumable(previous, change):
                # A resumed read loads the sessions it continues: whatever comes before it is stored first.
                store_everything_read()
                writer.add(read_path(store.load_session, key, previous))
            else:
                writer.add_all(fresh.read(key, size))
        writer.add_all(fresh.drain())
        writer.flush()


Planned = tuple[str, FileState | None, Change, int]  # key, state of the last read, change, bytes to read


class KnownFiles:
    """Whether a path, or a (device, inode) pair, belongs to a file read before this ingest.

    The first few files are looked up one by one, so an ingest of one grown file costs lookups of that file
    only; past KNOWN_FILES_LOOKUPS, every file's path and inode are read at once, so thousands of new files
    need no lookup each.
    """

    def __init__(self, store: Store):
        self.store = store
        self.lookups = 0
        self.paths: set[str] | None = None
        self.inodes: set[tuple[int, int]] = set()

    def may_have_path(self, path: str) -> bool:
        """False only for a path surely never read (True: look its state up)."""
        if self.paths is None:
            self.lookups += 1
            if self.lookups <= KNOWN_FILES_LOOKUPS:
                return True
            self.paths, self.inodes = self.store.file_identities()
        return path in self.paths

    def has_inode(self, dev: int, inode: int, *, other_than: str) -> bool:
        if self.paths is None:
            return self.store.file_with_inode(dev, inode, other_than=other_than) is not None
        return (dev, inode) in self.inodes


def plan_read(
    store: Store, found: FoundFile, known: KnownFiles, report: IngestReport,
    report_error: Callable[[ParseError], None], before_move: Callable[[], None],
) -> Planned | None:
    """What to read of a file, or None when nothing (unchanged, or skipped with an error in the report).

    A file `known` has never seen is new, which costs one stat: its first bytes are read only if its inode
    is a known file's, as a renamed file's is.
    """
    path, root, plain = found
    if plain:  # a regular file below a real folder: its path is its real path
        key = path
    else:
        # os.path.realpath is what Path.resolve gives for an existing file, without its extra stat and objects.
        key = os.path.realpath(path) if os.path.exists(path) else os.path.abspath(path)
        reason = skip_reason(Path(path), None if root is None else Path(root))
        if reason:
            report_error(ParseError(key, reason))
            return None
    try:
        previous = store.file_state(key) if known.may_have_path(key) else None
        if previous is None:
            info = os.stat(key)
            if not known.has_inode(info.st_dev, info.st_ino, other_than=key):
                return key, None, Change.NEW, info.st_size
        with open(key, "rb") as handle:  # (Path.open costs twice as much, and this runs once per file)
            identity = identify(handle)
    except OSError as exc:  # deleted or made unreadable between the look and the read
        report_error(ParseError(key, f"skipped: cannot read: {exc.strerror or exc}"))
        return None
    if previous is None and not linked_elsewhere(store, key, identity):
        before_move()
        previous = moved_here(store, key, identity)
    change = classify(previous, identity)
    if change is Change.UNCHANGED:
        report.unchanged += 1
        return None
    return key, previous, change, identity.size - (previous.consumed if is_resumable(previous, change) else 0)


def linked_elsewhere(store: Store, key: str, identity: Identity) -> bool:
    """Whether `key` is a hard link to a file read before under a path that still has it: a new file to
    read, not a rename, so the reads under way need not be stored first (a pause per linked file)."""
    other = store.file_with_inode(identity.dev, identity.inode, other_than=key)
    return other is not None and still_there(other.path, identity.inode)


def still_there(path: str, inode: int) -> bool:
    try:
        return os.stat(path).st_ino == inode
    except OSError:
        return False


def moved_here(store: Store, key: str, identity: Identity) -> FileState | None:
    """The state of a file read under another path that was renamed to `key`, moved to `key`."""
    other = store.file_with_inode(identity.dev, identity.inode, other_than=key)
    if other is None or not same_head(other.fingerprint, identity.head):
        return None
    if still_there(other.path, identity.inode):
        return None  # a hard link, not a rename
    store.move_file(other.path, key)
    return store.file_state(key)


class BatchWriter:
    """Stores read outcomes several files to a transaction (a commit costs more than a small transcript),
    keeping a transaction short so the store's other users (the TUI) wait little."""

    def __init__(self, store: Store, report: IngestReport):
        self.store = store
        self.report = report
        self.pending: list[PreparedRead] = []
        self.first_pending = 0.0
        self.stored_from: dict[str, object] = {}  # session id -> the file (as stored) it was last stored from
        self.merged: set[str] = set()

    def add_all(self, outcomes: list[ParsedFile]) -> None:
        for outcome in outcomes:
            self.add(outcome)

    def add(self, outcome: ParsedFile) -> None:
        prepared, errors = outcome
        for error in errors:
            self.report.add_error(error)
        if prepared is None:
            return
        if not self.pending:
            self.first_pending = time.monotonic()
        self.pending.append(prepared)
        self.report.files += 1
        self.report.steps += len(prepared.step_rows)
        if len(self.pending) >= BATCH_FILES or time.monotonic() - self.first_pending >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        written = [(row[0], row[1]) for read in pending for row in read.session_rows]  # (id, file)
        earlier = self.store.session_paths([session_id for session_id, _path in written])
        self.store.apply_prepared(pending)
        for session_id, path in written:
            before = self.stored_from.get(session_id, earlier.get(session_id))
            if before is not None and before != path:
                self.merged.add(session_id)
            self.stored_from[session_id] = path
        self.report.sessions, self.report.merged = len(self.stored_from), len(self.merged)

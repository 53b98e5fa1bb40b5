"""Read trace files into the state cache: find them, tail them, parse, redact, grade, store.

Per file the cache keeps its identity and read offset (`core/tail.py`) in the same transaction as the
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
  them wait; this process stores their rows in the order the files were found (`core/ingest_pool.py`).
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

import hashlib
import json
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import orjson

from skillwarden.core import adapters
from skillwarden.core.adapters import SNIFF_BYTES, claude_code
from skillwarden.core.ingest_pool import (
    POOL_MIN_BYTES,
    FreshReads,
    IngestStopped,
    ParsedFile,
    default_workers,
    never,
)
from skillwarden.core.model import ParseError, Session, well_typed
from skillwarden.core.redact import might_hold_secret, redact, redact_value
from skillwarden.core.reward import grade
from skillwarden.core.sanitize import clean_id, clean_line, clean_text, clean_value, json_needs_cleaning
from skillwarden.core.store import FileRead, FileState, SessionWrite, Store
from skillwarden.core.store_rows import PreparedRead, prepare_read
from skillwarden.core.tail import (
    MAX_DOCUMENT_BYTES,
    MAX_LINE_BYTES,
    Change,
    Identity,
    classify,
    identify,
    iter_line_runs,
    looks_binary,
    not_a_regular_file,
    same_head,
)

TRACE_SUFFIXES = (".jsonl", ".json", ".traj", ".aider.chat.history.md")
# Beside a sub-agent transcript: `{agentType, description, toolUseId}`, not a trace itself.
SUBAGENT_META_SUFFIX = ".meta.json"
# Formats whose files are read line by line; the others are one JSON document each.
LINE_SUFFIXES = (".jsonl", ".md")
# Reads are stored together until this many files or this much time has gathered: a commit costs more
# than a small transcript, and what was read should reach the TUI soon.
BATCH_FILES = 256
BATCH_SECONDS = 0.05
# Files looked up one by one before every known file's path and inode are read at once.
KNOWN_FILES_LOOKUPS = 256
# orjson decodes transcript lines about 3 times as fast as json (bench/ingest_throughput.py --stdlib-json).
json_loads = orjson.loads
# Claude Code bookkeeping lines that carry no session (no sessionId): skipped before JSON decoding.
# They are written with `type` first; a line spelled otherwise is simply decoded and then ignored.
CLAUDE_CODE_SKIP_PREFIXES = (b'{"type":"file-history-snapshot"', b'{"type":"summary"')


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


def is_trace_name(name: str) -> bool:
    return name.endswith(TRACE_SUFFIXES) and not name.endswith(SUBAGENT_META_SUFFIX)


# A file to ingest: its path, the folder it was found in (None if named itself), and whether it is known to
# be a regular file at its real path (found below a real folder, not a symlink), which needs no checks.
FoundFile = tuple[str, str | None, bool]


def found_files(paths: Iterable[os.PathLike | str]) -> Iterator[FoundFile]:
    """Files named directly, and trace-looking files below named folders, in a stable order (each level
    sorted by name, files before sub-folders). Folder symlinks are not followed, so a loop cannot trap
    us. Strings from one directory scan per folder: ingest looks at every file of every watched folder,
    and a path object and a realpath for each of thousands of files cost more than reading a small
    transcript."""
    for raw in paths:
        path = os.fspath(raw)
        if not os.path.isdir(path):
            yield path, None, False
            continue
        # Walking the folder's real path gives every file below it by its real path: folder symlinks
        # inside are not followed.
        real = os.path.realpath(path)
        for file, plain in _scan(real):
            yield file, real, plain


def _scan(folder: str) -> Iterator[tuple[str, bool]]:
    """Trace files below `folder`, files before sub-folders, each level sorted by name, and whether each
    is a regular file rather than a symlink or other."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
            elif is_trace_name(entry.name):
                yield entry.path, entry.is_file(follow_symlinks=False)
        except OSError:
            continue
    for sub in folders:
        yield from _scan(sub)


def skip_reason(path: Path, root: Path | None) -> str | None:
    """Why `path` is not read at all (checked before opening it), or None."""
    try:
        if path.is_symlink():
            target = path.resolve(strict=True)
            if root is not None and not target.is_relative_to(root.resolve()):
                return f"skipped: symlink to {target}, outside the watched folder {root}"
        mode = path.stat().st_mode
    except RuntimeError:
        return "skipped: symlink loop"
    except OSError as exc:
        return f"skipped: cannot read: {exc.strerror or exc}"
    kind = not_a_regular_file(mode)
    return f"skipped: {kind}, not a trace file" if kind else None


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
    if previous is None:
        before_move()
        previous = moved_here(store, key, identity)
    change = classify(previous, identity)
    if change is Change.UNCHANGED:
        report.unchanged += 1
        return None
    return key, previous, change, identity.size - (previous.consumed if is_resumable(previous, change) else 0)




def read_path(load_session: SessionLoader, key: str, previous: FileState | None) -> ParsedFile:
    """Read what is new in the file at `key` since `previous`, as rows to store (None if nothing changed).

    Whatever goes wrong reading one file is that file's error and the ingest goes on: a trace is hostile
    input, and no parser is proven against every shape of it (nesting past every recursion limit, say)."""
    try:
        with open(key, "rb") as handle:
            identity = identify(handle)
            change = classify(previous, identity)
            if change is Change.UNCHANGED:
                return None, []
            try:
                read, errors = read_file(load_session, key, handle, identity, previous, change)
                return prepare_read(read), errors
            except (OSError, MemoryError):
                raise
            except Exception as exc:  # any failure of one file's parse stays that file's
                return unreadable(key, identity, is_resumable(previous, change), exc)
    except OSError as exc:  # deleted or made unreadable between the look and the read
        return None, [ParseError(key, f"skipped: cannot read: {exc.strerror or exc}")]


def unreadable(key: str, identity: Identity, resumed: bool, exc: Exception) -> ParsedFile:
    """A file whose parse failed. Read from its start, it is remembered as failed (reported again only once
    it changes); a resumed read stores nothing, so what the file held before stays and is read again."""
    message = f"skipped: the file could not be parsed ({failure(exc)})"
    if resumed:
        return None, [ParseError(key, message)]
    read, errors = failed_read(key, identity, message)
    return prepare_read(read), errors


def read_fresh_files(keys: list[str]) -> list[ParsedFile]:
    """Worker process: read files from their start, as rows ready to store. No store is needed: only a
    resumed read loads stored sessions, and those are read by the process that owns the store."""
    return [read_path(no_stored_sessions, key, None) for key in keys]


def no_stored_sessions(_session_id: str) -> None:
    return None


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


Read = tuple[FileRead, list[ParseError]]  # what to store, and the problems to report
SessionLoader = Callable[[str], Session | None]  # a stored session by id (Store.load_session)


def is_resumable(previous: FileState | None, change: Change) -> bool:
    """A grown transcript read from its saved offset: the one read that needs the stored sessions."""
    return change is Change.GREW and previous is not None and previous.parser_state is not None


def read_file(
    load_session: SessionLoader, key: str, handle: BinaryIO, identity: Identity, previous: FileState | None,
    change: Change,
) -> Read:
    """Read what is new in the file: from the saved offset for a grown transcript, else from its start.
    Only a resumed read (`is_resumable`) looks up stored sessions, with `load_session`."""
    if not identity.head.strip():
        return FileRead(file_state(key, identity, 0, None, [])), []  # just created: nothing to read yet
    if looks_binary(identity.head):
        return failed_read(key, identity, "skipped: binary file (NUL bytes), not a trace")
    if is_resumable(previous, change):
        return read_claude_code(load_session, key, handle, identity, previous)
    # The first KB names the format of nearly every file; the full sniff window only when it does not.
    fmt = adapters.sniff(identity.head, key)
    if fmt is None:
        handle.seek(0)
        head = handle.read(SNIFF_BYTES)
        fmt = adapters.sniff(head, key)
        if fmt is None and key.endswith(LINE_SUFFIXES) and b"\n" not in head and len(head) < SNIFF_BYTES:
            return FileRead(file_state(key, identity, 0, None, [])), []  # a first line still being written
        if fmt is None:
            fmt = sniff_beyond_head(handle, key, identity.size)
        if fmt is None:
            return failed_read(key, identity, str(adapters.UnsupportedFormat(key)))
    if fmt == claude_code.FORMAT:
        return read_claude_code(load_session, key, handle, identity, None)
    return read_whole(key, handle, identity, fmt)


def sniff_beyond_head(handle: BinaryIO, key: str, size: int) -> str | None:
    """The format from the file's tail, else, for a JSON document of bounded size, from its top-level keys."""
    handle.seek(max(0, size - SNIFF_BYTES))
    fmt = adapters.sniff(b"", key, handle.read(SNIFF_BYTES))
    if fmt is None and size <= MAX_DOCUMENT_BYTES and not key.endswith(LINE_SUFFIXES):
        handle.seek(0)
        fmt = adapters.sniff_document(handle.read(), key)
    return fmt


def moved_here(store: Store, key: str, identity: Identity) -> FileState | None:
    """The state of a file read under another path that was renamed to `key`, moved to `key`."""
    other = store.file_with_inode(identity.dev, identity.inode, other_than=key)
    if other is None or not same_head(other.fingerprint, identity.head):
        return None
    try:
        if os.stat(other.path).st_ino == identity.inode:
            return None  # still there: a hard link, not a rename
    except OSError:
        pass
    store.move_file(other.path, key)
    return store.file_state(key)


def file_state(key: str, identity: Identity, consumed: int, fmt: str | None, errors: list[ParseError],
               parser_state: dict | None = None) -> FileState:  # fmt: skip
    return FileState(
        key, identity.dev, identity.inode, identity.size, identity.mtime_ns, identity.fingerprint, consumed, fmt,
        "; ".join(str(e) for e in errors) or None, parser_state,
    )  # fmt: skip


def failed_read(key: str, identity: Identity, message: str) -> Read:
    """A file that holds no trace: remembered with its identity, so it is reported again only if it changes."""
    errors = [ParseError(key, message)]
    return FileRead(file_state(key, identity, identity.size, None, errors)), errors


def read_claude_code(
    load_session: SessionLoader, key: str, handle: BinaryIO, identity: Identity, previous: FileState | None
) -> Read:
    """Read a transcript from where the last read stopped (`previous`), or from its start."""
    saved = previous.parser_state if previous is not None else None
    offset = previous.consumed if saved is not None else 0
    number = saved["lines"] if saved is not None else 0
    # A whole last line taken before its newline was written: that newline, when it comes, ends the
    # same line rather than starting one, so line numbers stay those of a reading of the whole file.
    line_open = bool(saved and saved.get("open"))
    parse = claude_code.ResumableParse(key, saved["sessions"] if saved else None, load_session)
    errors: list[ParseError] = []
    consumed = offset
    runs = iter_line_runs(handle, offset, number if line_open else number + 1, max_line_bytes=MAX_LINE_BYTES)
    for first, lines, end, complete in runs:
        if not complete:
            # A last line without its newline, taken only if whole: no shortcut may mistake a half-written
            # line for a whole one.
            (data,) = lines
            if not data.startswith(CLAUDE_CODE_SKIP_PREFIXES):
                record, problem = adapters.decode_line(data)
                if problem or record is None:
                    break  # wait for the rest
                try:
                    parse.add(first, record)
                except Exception as exc:  # a line of a shape the parser did not foresee: that line's error
                    errors.append(unparsable_line(key, first, exc))
            consumed, number, line_open = end, first, True
            break
        for line_number, data in enumerate(lines, first):  # this loop runs once per line of the corpus
            if data is None:
                errors.append(ParseError(key, f"line longer than {MAX_LINE_BYTES} bytes skipped", line=line_number))
            elif not data.startswith(CLAUDE_CODE_SKIP_PREFIXES):
                record, problem = decode_json_line(data)
                if problem:
                    errors.append(ParseError(key, problem, line=line_number))
                elif record is not None:
                    try:
                        parse.add(line_number, record)
                    except Exception as exc:  # a line of a shape the parser did not foresee: that line's error
                        errors.append(unparsable_line(key, line_number, exc))
        consumed, number, line_open = end, first + len(lines) - 1, False
    when = file_time(identity)
    writes = [write_for(change.session, change.first_new_step, change.resolved, when) for change in parse.changes()]
    state = file_state(key, identity, consumed, claude_code.FORMAT, errors,
                       {"lines": number, "open": line_open, "sessions": parse.state()})  # fmt: skip
    links = parse.links | subagent_meta_links(key, writes)
    return FileRead(state, writes, reset=saved is None, links=links), errors


def unparsable_line(key: str, number: int, exc: Exception) -> ParseError:
    return ParseError(key, f"line skipped: the parser could not take it ({failure(exc)})", line=number)


def failure(exc: Exception) -> str:
    """An exception as a report names it: its type, where it was raised (for a bug report), its message."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" in {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}{where}: {str(exc)[:200]}"


def decode_json_line(raw: bytes) -> tuple[dict | None, str | None]:
    """The fast decoder straight from bytes; invalid UTF-8, BOMs, blanks and what orjson refuses (lone
    surrogates, huge integers, NaN) take the careful path, which decides what is an error."""
    try:
        value = json_loads(raw)
    except ValueError:
        return adapters.decode_line(raw)
    if not isinstance(value, dict):
        return None, f"expected a JSON object, got {type(value).__name__}"
    return value, None


def subagent_meta_links(key: str, writes: list[SessionWrite]) -> dict[tuple[str, str], tuple[str, str]]:
    """The `<agent>.meta.json` beside a sub-agent transcript names the Task call that started it."""
    subagents = [ids for w in writes if (ids := claude_code.split_subagent_id(w.session.id))]
    if not subagents:
        return {}
    meta_path = Path(key).with_suffix(SUBAGENT_META_SUFFIX)
    if not meta_path.is_file():
        return {}
    try:
        call_id = json.loads(meta_path.read_bytes()).get("toolUseId")
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(call_id, str):
        return {}
    return {(root, agent): (root, call_id) for root, agent in subagents}


def read_whole(key: str, handle: BinaryIO, identity: Identity, fmt: str) -> Read:
    """Re-read a file of a format without resumable parsing, line cap applied to line formats."""
    errors: list[ParseError] = []
    if key.endswith(LINE_SUFFIXES):
        kept = []
        for run in iter_line_runs(handle, 0, 1, max_line_bytes=MAX_LINE_BYTES):
            for number, data in enumerate(run.lines, run.first):
                if data is None:
                    errors.append(ParseError(key, f"line longer than {MAX_LINE_BYTES} bytes skipped", line=number))
                # A skipped line stays an empty line, so line numbers (and provenance) do not shift.
                kept.append(b"" if data is None else data)
                if run.complete:
                    kept.append(b"\n")
        data = b"".join(kept)
    elif identity.size > MAX_DOCUMENT_BYTES:
        return failed_read(key, identity, f"skipped: a {fmt} document over {MAX_DOCUMENT_BYTES} bytes")
    else:
        handle.seek(0)
        data = handle.read()
    result = adapters.parse_bytes(fmt, data, key)
    for error in result.errors:
        error.path = key
    errors += result.errors
    for session in result.sessions:
        session.id = run_id(session.id, key)
    writes = [write_for(session, 0, set(), file_time(identity)) for session in result.sessions]
    return FileRead(file_state(key, identity, result.consumed, fmt, errors), writes), errors


def file_time(identity: Identity) -> str:
    """The file's modification time as a trace writes times: ISO-8601 UTC with milliseconds and a Z."""
    moment = datetime.fromtimestamp(identity.mtime_ns / 1e9, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def run_id(adapter_id: object, key: str) -> str:
    """The id of a session read from the file at `key`: the adapter's id qualified by the file, so two
    files are two runs whatever their names, and the id stays the same when the file is read again."""
    return f"{adapter_id}@{hashlib.sha256(os.fsencode(key)).hexdigest()[:8]}"


def write_for(session: Session, first_new_step: int, resolved: set[int], undated: str | None = None) -> SessionWrite:
    """Type-check and redact what is new in the session (stored steps were when first stored), then grade it:
    the stored outcome is the graded one (a claimed success may be `unverified` or `failed`). A session its
    trace gives no start time (SWE-agent, mini-swe-agent) starts at `undated`: its file's modification time,
    so time windows (friction, the evaluation's time split) count it."""
    well_typed(session, first_new_step)
    if session.started_at is None:
        session.started_at = undated
    redact_session(session, first_new_step, resolved)
    graded = grade(session)
    session.claimed_outcome, session.outcome = str(session.outcome), graded.outcome
    return SessionWrite(session, graded.reward, graded.explanation, first_new_step=first_new_step, resolved=resolved)


def redact_session(session: Session, first_new_step: int, resolved: set[int]) -> None:
    """Nothing secret and nothing that drives a terminal may reach the cache: tool arguments, results,
    the task and the final message are cleaned of escape sequences and invisible characters (first, so a
    secret an ANSI colour code splits is whole again) and redacted. Long strings in arguments (file
    contents) are capped first, as results are, with a marker. Names and ids are folded onto one line.
    (Lone surrogates are replaced when the rows are built: `store.prepare_read`.)"""
    session.id = clean_id(session.id)
    session.task = redact(clean_text(session.task))
    session.final_message = redact(clean_text(session.final_message))
    session.model, session.cwd = redact(clean_line(session.model)), redact(clean_line(session.cwd))
    for step in session.steps[first_new_step:]:
        step.args = capped_redacted_args(step.args)
        step.result = redact(clean_text(step.result))
        step.tool = clean_line(step.tool)
    for index in resolved:
        session.steps[index].result = redact(clean_text(session.steps[index].result))


def capped_redacted_args(args: dict) -> dict:
    """`args` capped, cleaned and redacted. Most arguments are short, hold nothing to clean and name no
    secret: one scan of their JSON shows that, where walking them costs a call per string."""
    try:
        encoded = orjson.dumps(args, default=str, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # what orjson refuses (lone surrogates, huge integers) takes the walk
        encoded = None
    if encoded is not None and len(encoded) <= adapters.ARGS_CAP:
        # No string is over the cap (a string is no longer than its JSON).
        dirty = json_needs_cleaning(encoded)
        if not dirty and not might_hold_secret(encoded):
            return args
        return redact_value(clean_value(args) if dirty else args)
    return redact_value(clean_value(adapters.cap_args(args)))

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
- A deleted file's sessions stay in the cache: they are evidence already read, and candidates cite
  them. `skillwarden rebuild` re-creates the cache from the files that exist now.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from core import adapters
from core.adapters import SNIFF_BYTES, claude_code
from core.model import ParseError, Session
from core.redact import redact, redact_value
from core.reward import grade
from core.store import FileRead, FileState, SessionWrite, Store
from core.tail import (
    MAX_DOCUMENT_BYTES,
    MAX_LINE_BYTES,
    Change,
    Identity,
    classify,
    identify,
    iter_lines,
    looks_binary,
    not_a_regular_file,
    same_head,
)

TRACE_SUFFIXES = (".jsonl", ".json", ".traj", ".aider.chat.history.md")
# Beside a sub-agent transcript: `{agentType, description, toolUseId}`, not a trace itself.
SUBAGENT_META_SUFFIX = ".meta.json"
# Formats whose files are read line by line; the others are one JSON document each.
LINE_SUFFIXES = (".jsonl", ".md")
# How long one transaction of ingest stays open: the store's other users (the TUI) wait at most this long.
BATCH_SECONDS = 0.05
# Claude Code bookkeeping lines that carry no session (no sessionId): skipped before JSON decoding.
# They are written with `type` first; a line spelled otherwise is simply decoded and then ignored.
CLAUDE_CODE_SKIP_PREFIXES = (b'{"type":"file-history-snapshot"', b'{"type":"summary"')


@dataclass
class IngestReport:
    files: int = 0  # files read this time
    unchanged: int = 0  # files skipped because nothing changed
    sessions: int = 0  # sessions created or updated
    steps: int = 0  # steps added
    errors: list[dict] = field(default_factory=list)  # {"path", "line", "message"}

    def add_error(self, error: ParseError) -> None:
        self.errors.append({"path": error.path, "line": error.line, "message": error.message})

    def to_json(self) -> dict:
        return dict(self.__dict__)


def is_trace_name(name: str) -> bool:
    return name.endswith(TRACE_SUFFIXES) and not name.endswith(SUBAGENT_META_SUFFIX)


def trace_files(paths: Iterable[os.PathLike | str]) -> Iterator[tuple[Path, Path | None]]:
    """(file, the folder it was found in) for files named directly (folder None) and trace-looking files
    below named folders, in a stable order. Folder symlinks are not followed, so a loop cannot trap us."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if is_trace_name(name):
                        yield Path(root) / name, path
        else:
            yield path, None


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


def ingest_paths(store: Store, paths: Iterable[os.PathLike | str]) -> IngestReport:
    """Ingest every trace file below `paths`, several files to a transaction: a commit costs more than
    reading a small transcript. Each file's read position still commits with what was built from it."""
    report = IngestReport()
    files = trace_files(paths)
    more = True
    while more:
        with store.transaction():
            more = ingest_batch(store, files, report, time.monotonic() + BATCH_SECONDS)
    return report


def ingest_batch(
    store: Store, files: Iterator[tuple[Path, Path | None]], report: IngestReport, deadline: float
) -> bool:
    """Ingest files until the deadline has passed; whether any may remain."""
    for path, root in files:
        ingest_file(store, path, report, root=root)
        if time.monotonic() >= deadline:
            return True
    return False


def ingest_file(store: Store, path: Path, report: IngestReport, *, root: Path | None = None) -> None:
    # os.path.realpath is what Path.resolve returns for an existing file, without its extra stat and objects.
    key = os.path.realpath(path) if path.exists() else str(path.absolute())
    reason = skip_reason(path, root)
    if reason:
        report.add_error(ParseError(key, reason))
        return
    try:
        with path.open("rb") as handle:
            identity = identify(handle)
            previous = store.file_state(key) or moved_here(store, key, identity)
            change = classify(previous, identity)
            if change is Change.UNCHANGED:
                report.unchanged += 1
                return
            read, errors = read_file(store, key, handle, identity, previous, change)
    except OSError as exc:  # deleted or made unreadable between the look and the read
        report.add_error(ParseError(key, f"skipped: cannot read: {exc.strerror or exc}"))
        return
    store.apply_file_read(read)
    report.files += 1
    report.sessions += len(read.sessions)
    report.steps += sum(len(w.session.steps) - w.first_new_step for w in read.sessions)
    for error in errors:
        report.add_error(error)


Read = tuple[FileRead, list[ParseError]]  # what to store, and the problems to report


def read_file(
    store: Store, key: str, handle: BinaryIO, identity: Identity, previous: FileState | None, change: Change
) -> Read:
    """Read what is new in the file: from the saved offset for a grown transcript, else from its start."""
    if not identity.head.strip():
        return FileRead(file_state(key, identity, 0, None, [])), []  # just created: nothing to read yet
    if looks_binary(identity.head):
        return failed_read(key, identity, "skipped: binary file (NUL bytes), not a trace")
    resumable = change is Change.GREW and previous is not None and previous.parser_state is not None
    if resumable:
        return read_claude_code(store, key, handle, identity, previous)
    # The first KB names the format of nearly every file; the full sniff window only when it does not.
    fmt = adapters.sniff(identity.head, key)
    if fmt is None:
        handle.seek(0)
        head = handle.read(SNIFF_BYTES)
        fmt = adapters.sniff(head, key)
        if fmt is None and key.endswith(LINE_SUFFIXES) and b"\n" not in head and len(head) < SNIFF_BYTES:
            return FileRead(file_state(key, identity, 0, None, [])), []  # a first line still being written
        if fmt is None:
            return failed_read(key, identity, str(adapters.UnsupportedFormat(key)))
    if fmt == claude_code.FORMAT:
        return read_claude_code(store, key, handle, identity, None)
    return read_whole(key, handle, identity, fmt)


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


def read_claude_code(store: Store, key: str, handle: BinaryIO, identity: Identity, previous: FileState | None) -> Read:
    """Read a transcript from where the last read stopped (`previous`), or from its start."""
    saved = previous.parser_state if previous is not None else None
    offset = previous.consumed if saved is not None else 0
    number = saved["lines"] if saved is not None else 0
    # A whole last line taken before its newline was written: that newline, when it comes, ends the
    # same line rather than starting one, so line numbers stay those of a reading of the whole file.
    line_open = bool(saved and saved.get("open"))
    parse = claude_code.ResumableParse(key, saved["sessions"] if saved else None, store.load_session)
    errors: list[ParseError] = []
    consumed = offset
    for line in iter_lines(handle, offset, number if line_open else number + 1, max_line_bytes=MAX_LINE_BYTES):
        if line.data is None:
            errors.append(ParseError(key, f"line longer than {MAX_LINE_BYTES} bytes skipped", line=line.number))
        elif not line.data.startswith(CLAUDE_CODE_SKIP_PREFIXES):
            if line.complete:
                record, problem = decode_json_line(line.data)
            else:  # taken only if whole: no shortcut may mistake a half-written line for a whole one
                record, problem = adapters.decode_line(line.data)
                if problem or record is None:
                    break  # wait for the rest
            if problem:
                errors.append(ParseError(key, problem, line=line.number))
            elif record is not None:
                parse.add(line.number, record)
        consumed, number, line_open = line.end, line.number, not line.complete
    writes = [write_for(change.session, change.first_new_step, change.resolved) for change in parse.changes()]
    state = file_state(key, identity, consumed, claude_code.FORMAT, errors,
                       {"lines": number, "open": line_open, "sessions": parse.state()})  # fmt: skip
    links = parse.links | subagent_meta_links(key, writes)
    return FileRead(state, writes, reset=saved is None, links=links), errors


def decode_json_line(raw: bytes) -> tuple[dict | None, str | None]:
    """The fast decoder straight from bytes; invalid UTF-8, BOMs, blanks and what orjson refuses (lone
    surrogates, huge integers, NaN) take the careful path, which decides what is an error."""
    try:
        value = claude_code.decode_record(raw)
    except ValueError:
        return adapters.decode_line(raw)
    if not isinstance(value, dict):
        return None, f"expected a JSON object, got {type(value).__name__}"
    return value, None


def subagent_meta_links(key: str, writes: list[SessionWrite]) -> dict[tuple[str, str], tuple[str, str]]:
    """The `<agent>.meta.json` beside a sub-agent transcript names the Task call that started it."""
    meta_path = Path(key).with_suffix(SUBAGENT_META_SUFFIX)
    subagents = [ids for w in writes if (ids := claude_code.split_subagent_id(w.session.id))]
    if not subagents or not meta_path.is_file():
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
        for line in iter_lines(handle, 0, 1, max_line_bytes=MAX_LINE_BYTES):
            if line.data is None:
                errors.append(ParseError(key, f"line longer than {MAX_LINE_BYTES} bytes skipped", line=line.number))
            # A skipped line stays an empty line, so line numbers (and provenance) do not shift.
            kept.append(b"" if line.data is None else line.data)
            if line.complete:
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
    writes = [write_for(session, 0, set()) for session in result.sessions]
    return FileRead(file_state(key, identity, result.consumed, fmt, errors), writes), errors


def write_for(session: Session, first_new_step: int, resolved: set[int]) -> SessionWrite:
    """Redact what is new in the session (stored steps were redacted when first stored), then grade it."""
    redact_session(session, first_new_step, resolved)
    return SessionWrite(session, *grade(session), first_new_step=first_new_step, resolved=resolved)


def redact_session(session: Session, first_new_step: int, resolved: set[int]) -> None:
    """Nothing secret may reach the cache: tool arguments, results, the task and the final message.
    Long strings in arguments (file contents) are capped first, as results are, with a marker.
    (Arguments are stored as JSON, which escapes what `storable` would otherwise have to replace.)"""
    session.task = storable(redact(session.task))
    session.final_message = storable(redact(session.final_message))
    session.model, session.cwd = storable(session.model), storable(session.cwd)
    for step in session.steps[first_new_step:]:
        step.args = redact_value(adapters.cap_args(step.args))
        step.result = storable(redact(step.result))
        step.tool = storable(step.tool)
    for index in resolved:
        session.steps[index].result = storable(redact(session.steps[index].result))


def storable(text: str) -> str:
    """`text` without lone surrogates (a JSON `\\ud800` escape decodes to one), which SQLite refuses."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")

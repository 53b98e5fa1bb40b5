"""Reading one trace file: what is new in it since the last read (from the saved offset for a grown file of
a format that resumes, else the whole file), parsed, redacted and graded, as rows ready to store. Whatever goes
wrong with one file is that file's error; a worker process reads files with `read_fresh_files`."""

from __future__ import annotations

import hashlib
import os
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from skillwarden.core import adapters
from skillwarden.core.adapters import SNIFF_BYTES
from skillwarden.core.adapters.shared import decode_line
from skillwarden.core.adapters.trace_format import SessionLoader
from skillwarden.core.exact_json import NOT_DECODED, loads_exactly
from skillwarden.core.ingest.pool import ParsedFile
from skillwarden.core.ingest.session import write_for
from skillwarden.core.ingest.tail import (
    MAX_DOCUMENT_BYTES,
    MAX_LINE_BYTES,
    Change,
    Identity,
    classify,
    identify,
    iter_line_runs,
    looks_binary,
)
from skillwarden.core.model import ParseError
from skillwarden.core.workspace.store import FileRead, FileState
from skillwarden.core.workspace.store_rows import prepare_read

# Formats whose files are read line by line; the others are one JSON document each.
LINE_SUFFIXES = (".jsonl", ".md")

Read = tuple[FileRead, list[ParseError]]  # what to store, and the problems to report


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


def is_resumable(previous: FileState | None, change: Change) -> bool:
    """A grown file of a format that resumes, read from its saved offset: the one read that needs the stored
    sessions."""
    return (
        change is Change.GREW and previous is not None and previous.parser_state is not None
        and adapters.resumable(previous.format) is not None
    )  # fmt: skip


def read_file(
    load_session: SessionLoader, key: str, handle: BinaryIO, identity: Identity, previous: FileState | None,
    change: Change,
) -> Read:
    """Read what is new in the file: from the saved offset for a grown file that resumes, else from its start.
    Only a resumed read (`is_resumable`) looks up stored sessions, with `load_session`."""
    if not identity.head.strip():
        return FileRead(file_state(key, identity, 0, None, [])), []  # just created: nothing to read yet
    if looks_binary(identity.head):
        return failed_read(key, identity, "skipped: binary file (NUL bytes), not a trace")
    if is_resumable(previous, change):
        return read_resuming(load_session, key, handle, identity, previous, previous.format)
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
    if adapters.resumable(fmt) is not None:
        return read_resuming(load_session, key, handle, identity, None, fmt)
    return read_whole(key, handle, identity, fmt)


def sniff_beyond_head(handle: BinaryIO, key: str, size: int) -> str | None:
    """The format from the file's tail, else, for a JSON document of bounded size, from its top-level keys."""
    handle.seek(max(0, size - SNIFF_BYTES))
    fmt = adapters.sniff(b"", key, handle.read(SNIFF_BYTES))
    if fmt is None and size <= MAX_DOCUMENT_BYTES and not key.endswith(LINE_SUFFIXES):
        handle.seek(0)
        fmt = adapters.sniff_document(handle.read(), key)
    return fmt


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


def read_resuming(
    load_session: SessionLoader, key: str, handle: BinaryIO, identity: Identity, previous: FileState | None,
    fmt: str,
) -> Read:
    """Read a file of a format that resumes (its declaration says how) from where the last read stopped
    (`previous`), or from its start."""
    resumable = adapters.resumable(fmt)
    skipped_lines = resumable.skipped_lines
    saved = previous.parser_state if previous is not None else None
    offset = previous.consumed if saved is not None else 0
    number = saved["lines"] if saved is not None else 0
    # A whole last line taken before its newline was written: that newline, when it comes, ends the
    # same line rather than starting one, so line numbers stay those of a reading of the whole file.
    line_open = bool(saved and saved.get("open"))
    parse = resumable.reader(key, saved["sessions"] if saved else None, load_session)
    errors: list[ParseError] = []
    consumed = offset
    runs = iter_line_runs(handle, offset, number if line_open else number + 1, max_line_bytes=MAX_LINE_BYTES)
    for first, lines, end, complete in runs:
        if not complete:
            # A last line without its newline, taken only if whole: no shortcut may mistake a half-written
            # line for a whole one.
            (data,) = lines
            if not data.startswith(skipped_lines):
                record, problem = decode_line(data)
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
            elif not data.startswith(skipped_lines):
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
    state = file_state(key, identity, consumed, fmt, errors,
                       {"lines": number, "open": line_open, "sessions": parse.state()})  # fmt: skip
    links = parse.subagent_links([write.session for write in writes])
    return FileRead(state, writes, reset=saved is None, links=links), errors


def unparsable_line(key: str, number: int, exc: Exception) -> ParseError:
    return ParseError(key, f"line skipped: the parser could not take it ({failure(exc)})", line=number)


def failure(exc: Exception) -> str:
    """An exception as a report names it: its type, where it was raised (for a bug report), its message."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" in {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}{where}: {str(exc)[:200]}"


def decode_json_line(raw: bytes) -> tuple[dict | None, str | None]:
    """The fast decoder straight from bytes where it reads as json would (`core/exact_json.py`); the rest
    (invalid UTF-8, BOMs, blanks, lone surrogates, huge integers, NaN) takes the careful path, which decides
    what is an error."""
    value = loads_exactly(raw)
    if value is NOT_DECODED:
        return decode_line(raw)
    if not isinstance(value, dict):
        return None, f"expected a JSON object, got {type(value).__name__}"
    return value, None


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

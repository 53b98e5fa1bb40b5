"""Read trace files into the state cache: discover, skip what is unchanged, parse, grade, store.

A file whose identity and size have not changed since the last read is skipped, so ingesting the
same bytes twice changes nothing. A changed file is re-read whole and its sessions replaced in one
transaction together with its new read position.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core import adapters
from core.model import ParseError
from core.reward import grade
from core.store import FileState, Store

TRACE_SUFFIXES = (".jsonl", ".json")
FINGERPRINT_BYTES = 1024


@dataclass
class IngestReport:
    files: int = 0  # files read this time
    unchanged: int = 0  # files skipped because nothing changed
    sessions: int = 0
    steps: int = 0
    errors: list[dict] = field(default_factory=list)  # {"path", "line", "message"}

    def add_error(self, error: ParseError) -> None:
        self.errors.append({"path": error.path, "line": error.line, "message": error.message})

    def to_json(self) -> dict:
        return dict(self.__dict__)


def discover(paths: Iterable[os.PathLike | str]) -> Iterator[Path]:
    """Files named directly, and trace-looking files below named folders, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if name.endswith(TRACE_SUFFIXES):
                        yield Path(root) / name
        else:
            yield path


def fingerprint(head: bytes) -> str:
    return hashlib.sha1(head[:FINGERPRINT_BYTES]).hexdigest()


def ingest_paths(store: Store, paths: Iterable[os.PathLike | str]) -> IngestReport:
    report = IngestReport()
    for path in discover(paths):
        ingest_file(store, path, report)
    return report


def ingest_file(store: Store, path: Path, report: IngestReport) -> None:
    key = str(path.resolve()) if path.exists() else str(path.absolute())
    try:
        stat = path.stat()
        with path.open("rb") as handle:
            head = handle.read(FINGERPRINT_BYTES)
    except OSError as exc:
        report.add_error(ParseError(key, f"cannot read: {exc.strerror or exc}"))
        return
    previous = store.file_state(key)
    identity = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, fingerprint(head))
    if previous and (previous.dev, previous.inode, previous.size, previous.mtime_ns, previous.fingerprint) == identity:
        report.unchanged += 1
        return

    report.files += 1
    try:
        result = adapters.parse_file(path)
    except adapters.UnsupportedFormat as exc:
        result_sessions, errors, consumed, fmt = [], [ParseError(key, str(exc))], stat.st_size, None
    else:
        result_sessions, errors, consumed = result.sessions, result.errors, result.consumed
        fmt = result.sessions[0].format if result.sessions else None
    for error in errors:
        error.path = key
        report.add_error(error)
    for session in result_sessions:
        session.path = key
    graded = [(session, *grade(session)) for session in result_sessions]
    state = FileState(
        key, *identity[:4], fingerprint=identity[4], consumed=consumed, format=fmt,
        error="; ".join(str(e) for e in errors) or None,
    )  # fmt: skip
    store.replace_file_sessions(state, graded)
    report.sessions += len(result_sessions)
    report.steps += sum(len(session.steps) for session in result_sessions)

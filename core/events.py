"""The event feed: an append-only JSON-lines log of everything that happened in a workspace.

Every ingest, parse error, new candidate, decision and alert is one line
`{"seq": N, "at": ISO-8601, "kind": "...", ...data}`. Appends are single `write` calls on a file
opened in append mode, so concurrent writers never interleave within a line, and a reader that tails
the file (`skillwarden events --follow`, the TUI) sees whole events only.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from skillwarden.core.private_files import open_private, private_directory

KINDS = (
    "ingest", "parse_error", "candidate", "decision", "drift_alert", "friction_alert", "eviction", "notice",
)  # fmt: skip


TAIL_BYTES = 64 * 1024


def last_seq(fd: int) -> int:
    """The seq of the last whole event, read from the file's tail (not the whole log)."""
    size = os.fstat(fd).st_size
    start = max(0, size - TAIL_BYTES)
    tail = os.pread(fd, size - start, start)
    for raw in reversed(tail.split(b"\n")[1 if start else 0 :]):
        try:
            return int(json.loads(raw)["seq"])
        except (ValueError, KeyError, TypeError, RecursionError):
            continue
    return 0


class EventLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        private_directory(self.path.parent)
        self._lock = threading.Lock()

    def append(self, kind: str, **data) -> dict:
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}; expected one of {', '.join(KINDS)}")
        with self._lock:
            fd = open_private(self.path, os.O_RDWR | os.O_APPEND)  # it quotes trace text: owner-only
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # another process appending waits: seq stays unique
                event = {"seq": last_seq(fd) + 1, "at": datetime.now(UTC).isoformat(timespec="milliseconds")}
                event |= {"kind": kind, **data}
                os.write(fd, (json.dumps(event, default=str, separators=(",", ":")) + "\n").encode("utf-8"))
            finally:
                os.close(fd)  # closing releases the lock
            return event

    def read(self, *, after: int = 0) -> Iterator[dict]:
        """Whole events with seq > `after`; a half-written last line is left for the next read."""
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    return
                try:
                    event = json.loads(raw)
                except (ValueError, RecursionError):
                    continue  # a torn line from a crash mid-write: skip it, keep the rest
                # A line that is no event (written by hand, by another program) is skipped too.
                if isinstance(event, dict) and type(event.get("seq")) is int and event["seq"] > after:
                    yield event

    def follow(self, *, after: int = 0, poll: float = 0.5, stop: threading.Event | None = None) -> Iterator[dict]:
        """Yield events as they are appended, until `stop` is set."""
        seen = after
        while stop is None or not stop.is_set():
            for event in self.read(after=seen):
                seen = event["seq"]
                yield event
            time.sleep(poll)

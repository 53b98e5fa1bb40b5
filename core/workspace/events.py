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

from skillwarden.core.workspace.private_files import open_private, private_directory

KINDS = (
    "ingest", "parse_error", "candidate", "decision", "drift_alert", "friction_alert", "eviction", "notice",
)  # fmt: skip


SEQ_TAIL_BYTES = 64 * 1024  # where the last event's seq is looked for
RECENT_TAIL_BYTES = 256 * 1024  # where a screen's first view of the feed is read from


def event_of(raw: bytes) -> dict | None:
    """The event on one line of the feed, or None: a torn line from a crash mid-write, or a line that is no
    event (written by hand, by another program), is skipped and the rest kept."""
    try:
        event = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return event if isinstance(event, dict) and type(event.get("seq")) is int else None


def whole_events(data: bytes, *, skip_first: bool) -> tuple[list[dict], int]:
    """The events on the whole lines of `data` (a half-written last line waits for the next read), and the
    bytes those lines take; `skip_first` when `data` starts mid-line."""
    end = data.rfind(b"\n") + 1
    lines = data[:end].split(b"\n")[:-1]
    if skip_first:
        lines = lines[1:]
    return [event for event in map(event_of, lines) if event is not None], end


def last_seq(fd: int) -> int:
    """The seq of the last whole event, read from the file's tail (not the whole log)."""
    size = os.fstat(fd).st_size
    start = max(0, size - SEQ_TAIL_BYTES)
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
                event = event_of(raw)
                if event is not None and event["seq"] > after:
                    yield event

    def recent(self, *, limit: int = 200) -> tuple[list[dict], int]:
        """The newest whole events (read from the log's tail, not the whole log), oldest first, and the
        byte offset to go on from with `since`."""
        try:
            with self.path.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                start = max(0, size - RECENT_TAIL_BYTES)
                handle.seek(start)
                data = handle.read(size - start)
        except FileNotFoundError:
            return [], 0
        events, consumed = whole_events(data, skip_first=start > 0)
        return events[-limit:], start + consumed

    def since(self, offset: int) -> tuple[list[dict], int]:
        """Whole events appended after byte `offset`, and the new offset."""
        try:
            with self.path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read()
        except FileNotFoundError:
            return [], offset
        events, consumed = whole_events(data, skip_first=False)
        return events, offset + consumed

    def follow(self, *, after: int = 0, poll: float = 0.5, stop: threading.Event | None = None) -> Iterator[dict]:
        """Yield events as they are appended, until `stop` is set."""
        seen = after
        while stop is None or not stop.is_set():
            for event in self.read(after=seen):
                seen = event["seq"]
                yield event
            time.sleep(poll)

"""Watch trace folders and report bursts of changes as one call.

File events are hints: a burst (an agent appending many lines, a copy of many files) becomes one
`on_change(paths)` call after `debounce` seconds of quiet, from the watcher's own thread. The caller
decides what to re-read; nothing here parses or touches a UI.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from core.ingest import TRACE_SUFFIXES


class _Coalescer(FileSystemEventHandler):
    def __init__(self, on_change: Callable[[set[Path]], None], debounce: float):
        self._on_change = on_change
        self._debounce = debounce
        self._pending: set[Path] = set()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        relevant = {Path(str(p)) for p in paths if p and str(p).endswith(TRACE_SUFFIXES)}
        if not relevant:
            return
        with self._lock:
            self._pending |= relevant
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self._debounce, self._flush)
            self._timer.daemon = True
            self._timer.start()

    def _flush(self) -> None:
        with self._lock:
            paths, self._pending, self._timer = self._pending, set(), None
        if paths:
            self._on_change(paths)

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None


class TraceWatcher:
    def __init__(self, folders: Iterable[Path], on_change: Callable[[set[Path]], None], *, debounce: float = 0.25):
        self.folders = [Path(f) for f in folders]
        self._handler = _Coalescer(on_change, debounce)
        self._observer = None
        self.polling = False  # True when inotify could not be used and we poll instead

    def start(self) -> None:
        try:
            self._observer = self._schedule(Observer())
        except OSError:
            # inotify limits reached, or a file system that gives no events: poll instead
            self.polling = True
            self._observer = self._schedule(PollingObserver(timeout=1.0))

    def _schedule(self, observer):
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            observer.schedule(self._handler, str(folder), recursive=True)
        observer.daemon = True
        observer.start()
        return observer

    def stop(self) -> None:
        self._handler.cancel()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

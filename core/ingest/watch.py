"""Watch trace folders and report bursts of changes as one call.

File events are hints: inotify drops events when its queue overflows, network file systems send none,
and a watch cannot be added once the kernel's limit is reached. So a periodic rescan (a stat of every
trace file, compared with the previous rescan) is the source of truth, and a folder inotify cannot watch
is polled instead, with a notice saying so. Events and rescans both feed one coalescer: a burst (an agent
appending many lines, a copy of many files) becomes one `on_change(paths)` call after `debounce` seconds
of quiet, from a watcher thread. The caller decides what to re-read; nothing here parses or touches a UI.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from skillwarden.core.ingest.files import found_files, is_watched_trace
from skillwarden.core.workspace.filesystem import detect_file_system_type, is_network_file_system

DEFAULT_RESCAN_INTERVAL = 30.0
POLL_INTERVAL = 1.0

FileStamp = tuple[int, int, int]  # inode, size, mtime_ns


def stamps(folders: Iterable[Path]) -> dict[Path, FileStamp]:
    """A stat of every trace file below the folders: what the rescan compares."""
    result = {}
    for name, _root, _plain in found_files(f for f in folders if f.is_dir()):
        path = Path(name)
        try:
            info = path.stat()
        except OSError:
            continue  # gone, or a symlink loop: the ingest reports what it cannot read
        result[path] = (info.st_ino, info.st_size, info.st_mtime_ns)
    return result


def changed_paths(before: dict[Path, FileStamp], after: dict[Path, FileStamp]) -> set[Path]:
    """New or changed files. Deleted ones are not reported: their sessions stay in the cache."""
    return {path for path, stamp in after.items() if before.get(path) != stamp}


class Coalescer(FileSystemEventHandler):
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
        self.add({Path(str(p)) for p in paths if p and is_watched_trace(str(p))})

    def add(self, paths: set[Path]) -> None:
        if not paths:
            return
        with self._lock:
            self._pending |= paths
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
    """Watch `folders`; call `on_change(paths)` per burst of changes and `on_notice(text)` when watching
    degrades (a folder polled instead of watched). The first rescan, one interval after `start`, reports
    every trace file, so a change made before the watch began is not missed either."""

    def __init__(
        self, folders: Iterable[Path], on_change: Callable[[set[Path]], None], *, debounce: float = 0.25,
        rescan_interval: float = DEFAULT_RESCAN_INTERVAL, on_notice: Callable[[str], None] | None = None,
    ):  # fmt: skip
        self.folders = [Path(f) for f in folders]
        self._handler = Coalescer(on_change, debounce)
        self._rescan_interval = rescan_interval
        self._on_notice = on_notice or (lambda _text: None)
        self._observers: list = []
        self._polling: PollingObserver | None = None
        self._stamps: dict[Path, FileStamp] = {}
        self._stop = threading.Event()
        self._rescanner: threading.Thread | None = None
        self.polled: list[Path] = []  # folders inotify could not watch, polled instead

    @property
    def polling(self) -> bool:
        return bool(self.polled)

    def start(self) -> None:
        self._stop.clear()
        events = Observer()
        events.daemon = True
        events.start()
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            if is_network_file_system(detect_file_system_type(folder)):
                self._poll(folder, "it is on a network file system, which sends no change events")
                continue
            try:
                # The observer is running, so scheduling adds the inotify watches now, and fails now.
                events.schedule(self._handler, str(folder), recursive=True)
            except OSError as exc:
                self._poll(folder, f"inotify could not watch it ({exc.strerror or exc})")
        self._observers.append(events)
        self._rescanner = threading.Thread(target=self._rescan_loop, name="trace-rescan", daemon=True)
        self._rescanner.start()

    def _poll(self, folder: Path, why: str) -> None:
        if self._polling is None:
            self._polling = PollingObserver(timeout=POLL_INTERVAL)
            self._polling.daemon = True
            self._polling.start()
            self._observers.append(self._polling)
        self._polling.schedule(self._handler, str(folder), recursive=True)
        self.polled.append(folder)
        self._on_notice(f"polling {folder} every {POLL_INTERVAL:g}s: {why}")

    def rescan(self) -> set[Path]:
        """Compare every trace file with the previous rescan; report and return what is new or changed."""
        current = stamps(self.folders)
        changed = changed_paths(self._stamps, current)
        self._stamps = current
        self._handler.add(changed)
        return changed

    def _rescan_loop(self) -> None:
        while not self._stop.wait(self._rescan_interval):
            self.rescan()

    def stop(self) -> None:
        self._stop.set()
        self._handler.cancel()
        for observer in self._observers:
            observer.stop()
        for observer in self._observers:
            observer.join(timeout=5)
        self._observers, self._polling = [], None
        if self._rescanner is not None:
            self._rescanner.join(timeout=5)
            self._rescanner = None

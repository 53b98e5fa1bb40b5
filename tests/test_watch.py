"""The watcher: events are hints, the rescan is truth, and a folder inotify cannot watch is polled with a
notice. Waits are bounded polls for a condition, never fixed sleeps."""

import errno
import threading
import time
from pathlib import Path

from watchdog.observers import inotify

from skillwarden.core.ingest.watch import Coalescer, TraceWatcher, changed_paths
from skillwarden.core.workspace.events import EventLog


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class Changes:
    def __init__(self):
        self.paths: set[Path] = set()
        self.lock = threading.Lock()

    def __call__(self, paths: set[Path]) -> None:
        with self.lock:
            self.paths |= paths

    def seen(self, path: Path) -> bool:
        with self.lock:
            return path in self.paths


def test_changed_paths_reports_new_and_changed_but_not_deleted():
    a, b, c = Path("a"), Path("b"), Path("c")
    assert changed_paths({a: (1, 1, 1), b: (2, 2, 2)}, {a: (1, 1, 1), b: (2, 3, 3), c: (4, 4, 4)}) == {b, c}


def test_the_rescan_finds_changes_when_every_event_is_dropped(tmp_path, monkeypatch):
    monkeypatch.setattr(Coalescer, "on_any_event", lambda self, event: None)  # an observer that loses all
    trace = tmp_path / "session.jsonl"
    trace.write_text("{}\n")
    changes = Changes()
    watcher = TraceWatcher([tmp_path], changes, debounce=0.05, rescan_interval=0.1)
    watcher.start()
    try:
        assert wait_for(lambda: changes.seen(trace))  # the first rescan reports what already exists
        grown = tmp_path / "sub" / "new.jsonl"
        grown.parent.mkdir()
        grown.write_text("{}\n")
        assert wait_for(lambda: changes.seen(grown))
    finally:
        watcher.stop()


def test_inotify_out_of_watches_falls_back_to_polling_with_a_notice(tmp_path, monkeypatch):
    def out_of_watches(self):
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(inotify.InotifyEmitter, "on_thread_start", out_of_watches)
    events = EventLog(tmp_path / "events.jsonl")
    changes = Changes()
    folder = tmp_path / "traces"
    watcher = TraceWatcher(
        [folder], changes, debounce=0.05, rescan_interval=3600,
        on_notice=lambda text: events.append("notice", message=text),
    )  # fmt: skip
    watcher.start()
    try:
        assert watcher.polling and watcher.polled == [folder]
        [notice] = list(events.read())
        assert notice["kind"] == "notice" and "inotify watch limit reached" in notice["message"]
        trace = folder / "session.jsonl"
        trace.write_text("{}\n")
        assert wait_for(lambda: changes.seen(trace))  # the polling observer saw it (the rescan is hours away)
    finally:
        watcher.stop()


def test_a_folder_on_a_network_file_system_is_polled_with_a_notice(tmp_path, monkeypatch):
    monkeypatch.setattr("skillwarden.core.ingest.watch.detect_file_system_type", lambda path: "nfs4")
    notices = []
    watcher = TraceWatcher([tmp_path], Changes(), rescan_interval=3600, on_notice=notices.append)
    watcher.start()
    try:
        assert watcher.polled == [tmp_path]
        assert notices == [f"polling {tmp_path} every 1s: it is on a network file system, which sends no change events"]
    finally:
        watcher.stop()


def test_events_still_arrive_fast_without_waiting_for_the_rescan(tmp_path):
    changes = Changes()
    watcher = TraceWatcher([tmp_path], changes, debounce=0.05, rescan_interval=3600)
    watcher.start()
    try:
        assert not watcher.polling
        trace = tmp_path / "a.jsonl"
        trace.write_text("{}\n")
        (tmp_path / "notes.txt").write_text("not a trace")
        assert wait_for(lambda: changes.seen(trace))
        assert not changes.seen(tmp_path / "notes.txt")
    finally:
        watcher.stop()


def test_an_evaluation_written_beside_the_watched_output_is_no_change(tmp_path):
    """OpenHands' evaluation writes `output.swebench_eval.jsonl` after `output.jsonl`: named to the ingest by
    the watcher, it would be read as a second copy of every run (a folder's scan already leaves it out)."""
    changes = Changes()
    watcher = TraceWatcher([tmp_path], changes, debounce=0.05, rescan_interval=3600)
    watcher.start()
    try:
        output = tmp_path / "output.jsonl"
        output.write_text("{}\n")
        assert wait_for(lambda: changes.seen(output))
        (tmp_path / "output.swebench_eval.jsonl").write_text("{}\n")
        alone = tmp_path / "other.swebench_eval.jsonl"  # nothing beside it to have evaluated: read
        alone.write_text("{}\n")
        assert wait_for(lambda: changes.seen(alone))
        assert not changes.seen(tmp_path / "output.swebench_eval.jsonl")
    finally:
        watcher.stop()

"""The review TUI. Slow work (ingest, git, queries) runs in thread workers that post messages back; no
worker touches a widget, and new data never moves the reviewer's cursor or focus. Work that reads every
cached session (mining, statistics) runs in separate processes: a thread doing it would hold the GIL
and stall the event loop, a thread waiting on a process does not.

Four screens, one mode each (keys 1-4): the queue, the skills library, the decision history and the
traces feed. A candidate and a session's steps open on top of the screen they were opened from.

The App holds what its workers load (`tui/background.py`, messages in `tui/messages.py`) and tells the
screens when it changed (signals); each screen (`tui/screens/`) binds and runs its own actions of the
registry (`tui/actions.py`). The App binds only the actions that apply everywhere.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.signal import Signal
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from skillwarden.core.workspace.config import Config
from skillwarden.reviews.views import CandidateView, QueueRow, ReadModel, now_utc, queue_row
from skillwarden.tui.actions import ACTIONS, WRITING_ACTIONS, action_name, bindings, bound_ids
from skillwarden.tui.background import OPENING_STATUS, BackgroundWork
from skillwarden.tui.messages import (
    CandidatesChanged,
    DecisionMade,
    FeedLoaded,
    IngestDone,
    LibraryLoaded,
    QueueLoaded,
    StatisticsLoaded,
    ViewsLoaded,
    WorkFailed,
    WorkProgress,
)
from skillwarden.tui.render import queue_cells
from skillwarden.tui.screens.base import ModeScreen
from skillwarden.tui.screens.queue import QueueScreen

if TYPE_CHECKING:  # the first frame does not wait for mining, numpy or git: those load in a worker
    from multiprocessing.pool import Pool

    from skillwarden.core.ingest.watch import TraceWatcher
    from skillwarden.reviews.service import ReviewService
    from skillwarden.skills.trailers import Decision

READ_ONLY_ENV = "SKILLWARDEN_READ_ONLY"
GIL_SWITCH_SECONDS = 0.001
FIRST_FRAME_WAIT_SECONDS = 0.05
# Registry actions the command palette does not offer: moving is no command, and Textual lists theme and quit.
NOT_COMMANDS = frozenset({"cursor-down", "cursor-up", "back", "theme", "quit"})


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


class SkillwardenApp(BackgroundWork, App):
    TITLE = "skillwarden"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    BINDINGS = bindings(
        "screen-queue", "screen-skills", "screen-history", "screen-traces", "undo", "cancel", "theme", "help", "quit"
    )
    DEFAULT_MODE = "queue"

    def __init__(self, config: Config, *, watch: bool = True, read_only: bool | None = None):
        super().__init__()
        self.config = config
        self.read_only = env_flag(READ_ONLY_ENV) if read_only is None else read_only
        self.service: ReviewService | None = None
        self.read: ReadModel | None = None
        # What the screens show (`screens.base.ReviewHost`), and the signals that say it changed.
        self.views: dict[str, CandidateView] = {}
        self.rows: dict[str, QueueRow] = {}
        self.cells: dict[str, tuple] = {}
        self.skill_names: list[str] = []
        self.decisions: list[Decision] = []
        self.statistics: StatisticsLoaded | None = None
        self.status = ""
        self.views_changed: Signal[set[str]] = Signal(self, "views-changed")
        self.library_changed: Signal[None] = Signal(self, "library-changed")
        self.statistics_changed: Signal[None] = Signal(self, "statistics-changed")
        self.feed_changed: Signal[FeedLoaded] = Signal(self, "feed-changed")
        self.status_changed: Signal[str] = Signal(self, "status-changed")
        self.watch_enabled = watch
        self.watcher: TraceWatcher | None = None
        self.feed_offset: int | None = None
        # Read-only: the cache's data version and the queue listed when this app last looked (follow_writer).
        self.followed_version: int | None = None
        self.followed_listing: list[tuple] | None = None
        self.switch_interval = sys.getswitchinterval()
        self.processes: Pool | None = None
        self.processes_lock = threading.Lock()
        self.queue_painted = threading.Event()
        # The cached queue is read while Textual starts (parses CSS, composes the screen): (review states,
        # rows, cells), or None when there is no cache or it cannot be read as it is.
        self.cached_queue: Future = Future()
        if self.config.state_db.exists():
            threading.Thread(target=self.read_cached_queue, name="cached-queue", daemon=True).start()
        else:
            self.cached_queue.set_result(None)
        self.service_opened = threading.Event()  # set once opening the workspace succeeded or failed
        # Set when the app closes: an ingest under way stops before its next file.
        self.closing = threading.Event()
        self.mining_wanted = False
        self.mining_running = False
        self.mining_started_at: float | None = None
        self.mining_timer: Timer | None = None
        self.ingest_status = "loading the workspace…"
        self.work_status = ""
        self.sub_title = str(config.home) + ("  [read-only]" if self.read_only else "")
        self.queue = QueueScreen(self)
        self.mode_screens: dict[str, ModeScreen] = {"queue": self.queue}
        for mode in ("queue", "skills", "history", "traces"):
            self.add_mode(mode, lambda mode=mode: self.mode_screen(mode))

    # -- life cycle -------------------------------------------------------------------------------
    def on_mount(self) -> None:
        # Workers parse traces and decode candidates in threads: a key's handler waits for the GIL at most
        # this long for each time it gives it up (Python's default is 5 ms, several per frame).
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(GIL_SWITCH_SECONDS)
        # SIGTERM closes the app as `q` does (exit code 143), so nothing is left behind.
        with_signal = asyncio.get_running_loop().add_signal_handler
        with_signal(signal.SIGTERM, lambda: self.exit(return_code=128 + signal.SIGTERM))
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self.update_status()
        self.load()

    def on_unmount(self) -> None:
        sys.setswitchinterval(self.switch_interval)
        self.closing.set()
        if self.watcher is not None:
            self.watcher.stop()
        with self.processes_lock:
            if self.processes is not None:
                self.processes.terminate()  # a pass over a large cache is not worth waiting for
                self.processes = None
        if self.read is not None:
            self.read.close()
        if self.service is not None:
            self.service.close()

    # -- messages from workers and the watcher --------------------------------------------------------
    def on_queue_loaded(self, message: QueueLoaded) -> None:
        self.take_listing(message.rows, message.cells, message.status)
        self.queue.refresh_queue(keep_order=True)

    def take_listing(self, rows: list[QueueRow], cells: dict[str, tuple], status: str | None) -> None:
        """The queue's rows, which the queue screen shows when it refreshes next; `queue_painted` is set once
        that frame is painted (opening the workspace waits for it)."""
        self.rows = {row.id: row for row in rows}
        self.cells = cells
        if status:
            self.ingest_status = status
        self.call_after_refresh(self.queue_painted.set)

    def show_cached_queue(self) -> None:
        """Called as the queue screen mounts, before it fills its table for the first frame: the cached
        queue's rows go into that frame when the cache is read within FIRST_FRAME_WAIT_SECONDS (a small cache
        is read in a few ms, while Textual starts); a larger one is shown by the frame after it is read."""
        try:
            cached = self.cached_queue.result(timeout=FIRST_FRAME_WAIT_SECONDS)
        except TimeoutError:
            self.cached_queue.add_done_callback(self.post_cached_queue)
            return
        if cached is not None:
            self.take_listing(cached[1], cached[2], OPENING_STATUS)

    def on_views_loaded(self, message: ViewsLoaded) -> None:
        fresh = {view.id: view for view in message.views}
        self.views = fresh if message.complete else {**self.views, **fresh}
        if message.complete:
            # A full collection walks every object the 10,000 views hold: ~100 ms of a frozen UI every
            # few seconds. They live until the next load and are freed by reference counting, so the
            # cycle collector can leave them (and what exists now) alone.
            gc.freeze()
        self.views_changed.publish(set(fresh))

    def on_candidates_changed(self, message: CandidatesChanged) -> None:
        now = now_utc()
        for view in message.views:
            self.views[view.id] = view
            self.rows[view.id] = queue_row(view)
            self.cells[view.id] = queue_cells(self.rows[view.id], now)
        changed = {view.id for view in message.views}
        self.queue.update_rows(changed)
        self.views_changed.publish(changed)

    def on_ingest_done(self, message: IngestDone) -> None:
        self.ingest_status = message.status
        self.update_status()
        if message.changed:
            self.request_mining()

    def on_mining_done(self) -> None:
        self.mining_running = False
        if self.mining_wanted:
            self.request_mining()

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        self.skill_names, self.decisions = message.names, message.decisions
        self.library_changed.publish(None)

    def on_statistics_loaded(self, message: StatisticsLoaded) -> None:
        self.statistics = message
        self.statistics_changed.publish(None)

    def on_feed_loaded(self, message: FeedLoaded) -> None:
        self.feed_offset = message.offset
        self.feed_changed.publish(message)

    def on_decision_made(self, message: DecisionMade) -> None:
        self.notify(message.text, title="decision committed", markup=False)
        if message.remine:
            self.request_mining()

    def on_work_progress(self, message: WorkProgress) -> None:
        self.work_status = message.text
        self.update_status()

    def on_work_failed(self, message: WorkFailed) -> None:
        self.notify(message.text, title="error", severity="error", timeout=10, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's failure, shown to the reviewer: its description says what failed (a decision's
        refusal says it itself; the repository refused and is unchanged). The app stays usable."""
        if event.state is WorkerState.ERROR:
            what = f"{event.worker.description}: " if event.worker.description else ""
            self.on_work_failed(WorkFailed(f"{what}{event.worker.error}"))

    # -- what the screens share ---------------------------------------------------------------------
    def update_status(self) -> None:
        # read-only first: it must stay visible however narrow the terminal
        parts = ["read-only" if self.read_only else "", self.work_status, self.queue.summary(), self.ingest_status]
        self.status = "  │  ".join(part for part in parts if part)
        self.status_changed.publish(self.status)

    def mode_screen(self, mode: str) -> ModeScreen:
        """The screen of `mode`, built when it is first shown: the first frame waits for no module but the
        queue's (the others bring sparklines, a log widget and their styles)."""
        if mode not in self.mode_screens:
            if mode == "skills":
                from skillwarden.tui.screens.skills import SkillsScreen as screen_type
            elif mode == "history":
                from skillwarden.tui.screens.history import HistoryScreen as screen_type
            else:
                from skillwarden.tui.screens.traces import TracesScreen as screen_type
            self.mode_screens[mode] = screen_type(self)
        return self.mode_screens[mode]

    def active_keys(self) -> dict[str, str]:
        """Each action id's keys, after the user's keymap."""
        return {spec.id: self.config.keymap.get(spec.id, spec.keys) for spec in ACTIONS}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.read_only and action in WRITING_ACTIONS:
            return False
        if action == "cancel_work":
            return any(w.state is WorkerState.RUNNING for w in self.workers if w.group == "bulk")
        return True

    def get_system_commands(self, screen: Screen):
        """Textual's commands, then each registry action that applies now, run where it is bound: on the
        screen or, for those that apply everywhere, on the App."""
        yield from super().get_system_commands(screen)
        on_screen, on_app = bound_ids(type(screen)), bound_ids(type(self))
        for spec in ACTIONS:
            namespace = screen if spec.id in on_screen else self if spec.id in on_app else None
            if spec.id in NOT_COMMANDS or namespace is None or not namespace.check_action(action_name(spec), ()):
                continue
            yield SystemCommand(spec.description, spec.help, lambda a=spec.action, n=namespace: self.run_action(a, n))

    # -- the actions that apply everywhere -------------------------------------------------------------
    def action_show_screen(self, mode: str) -> None:
        self.switch_mode(mode)
        self.call_after_refresh(self.mode_screen(mode).refresh_data)

    def action_help(self) -> None:
        from skillwarden.tui.screens.dialogs import HelpScreen

        self.push_screen(HelpScreen(self.active_keys(), read_only=self.read_only))

    def action_undo(self) -> None:
        self.run_decision("undo", None)

    def action_cancel_work(self) -> None:
        for worker in self.workers:
            if worker.group == "bulk":
                worker.cancel()
        self.work_status = "cancelling after the current decision…"
        self.update_status()

"""The review TUI. Slow work (ingest, git, queries) runs in thread workers that post messages back; no
worker touches a widget, and new data never moves the reviewer's cursor or focus. Work that reads every
cached session (mining, statistics) runs in separate processes: a thread doing it would hold the GIL
and stall the event loop, a thread waiting on a process does not.

Four screens, one mode each (keys 1-4): the queue, the skills library, the decision history and the
traces feed. A candidate and a session's steps open on top of the screen they were opened from.

The App shows what its workers post (`tui/background.py`, messages in `tui/messages.py`) and runs the
actions of the registry (`tui/actions.py`); the decision keys are in `tui/decision_keys.py`.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from multiprocessing import resource_tracker
from multiprocessing.pool import Pool
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import App, SuspendNotSupported, SystemCommand
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from skillwarden.core.config import Config
from skillwarden.core.model import path_line
from skillwarden.core.sanitize import clean_line
from skillwarden.reviews.decisions import allowed
from skillwarden.reviews.states import State
from skillwarden.reviews.views import (
    SORTS,
    CandidateView,
    QueueRow,
    ReadModel,
    SkillRow,
    history_rows,
    matching,
    now_utc,
    queue_row,
    skill_rows,
    sorted_rows,
)
from skillwarden.tui.actions import ACTIONS, action_name, bindings
from skillwarden.tui.background import OPENING_STATUS, BackgroundWork
from skillwarden.tui.decision_keys import DecisionActions
from skillwarden.tui.external import viewer_command
from skillwarden.tui.library_screens import HistoryScreen, SkillsScreen, TracesScreen
from skillwarden.tui.messages import (
    CandidatesChanged,
    DecisionMade,
    EvidenceLoaded,
    FeedLoaded,
    IngestDone,
    LibraryLoaded,
    QueueLoaded,
    StatisticsLoaded,
    StepsLoaded,
    ViewsLoaded,
    WorkFailed,
    WorkProgress,
)
from skillwarden.tui.render import friction_text, loo_text, merged_order, queue_cells
from skillwarden.tui.screens import BaseScreen, DetailScreen, HelpScreen, QueueScreen, StepsScreen
from skillwarden.tui.widgets import RowTable

if TYPE_CHECKING:  # the first frame does not wait for mining, numpy or git: those load in a worker
    from skillwarden.core.watch import TraceWatcher
    from skillwarden.reviews.service import ReviewService
    from skillwarden.skills.trailers import Decision

READ_ONLY_ENV = "SKILLWARDEN_READ_ONLY"
PREVIEW_DELAY_SECONDS = 0.08
GIL_SWITCH_SECONDS = 0.001
FIRST_FRAME_WAIT_SECONDS = 0.05


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


class SkillwardenApp(BackgroundWork, DecisionActions, App):
    TITLE = "skillwarden"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    BINDINGS = bindings()
    DEFAULT_MODE = "queue"

    def __init__(self, config: Config, *, watch: bool = True, read_only: bool | None = None):
        super().__init__()
        self.config = config
        self.read_only = env_flag(READ_ONLY_ENV) if read_only is None else read_only
        self.service: ReviewService | None = None
        self.read: ReadModel | None = None
        self.views: dict[str, CandidateView] = {}
        self.rows: dict[str, QueueRow] = {}
        self.cells: dict[str, tuple] = {}
        self.filter_text = ""
        self.sort_column = next(iter(SORTS))
        self.watch_enabled = watch
        self.watcher: TraceWatcher | None = None
        self.feed_offset: int | None = None
        self.preview_timer: Timer | None = None
        self.preview_shown: tuple = ()
        self.switch_interval = sys.getswitchinterval()
        self.processes: Pool | None = None
        # Worker processes need multiprocessing's resource tracker, which passes sys.stderr's file
        # descriptor to its process: start it before Textual captures stderr (its fileno() is -1).
        resource_tracker.ensure_running()
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
        self.applicable_actions: tuple[bool, ...] = ()
        self.library_state: tuple[list[str], list[Decision]] = ([], [])
        self.skill_stats: dict[str, dict] | None = None
        self.ingest_status = "loading the workspace…"
        self.work_status = ""
        self.sub_title = str(config.home) + ("  [read-only]" if self.read_only else "")
        self.base_screens: dict[str, BaseScreen] = {
            "queue": QueueScreen(), "skills": SkillsScreen(), "history": HistoryScreen(), "traces": TracesScreen(),
        }  # fmt: skip
        for mode, screen in self.base_screens.items():
            self.add_mode(mode, lambda screen=screen: screen)

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
        self.show_listing(message.rows, message.cells, message.status)

    def show_listing(self, rows: list[QueueRow], cells: dict[str, tuple], status: str | None) -> None:
        self.rows = {row.id: row for row in rows}
        self.cells = cells
        if status:
            self.ingest_status = status
        self.refresh_queue(keep_order=True)
        self.refresh_bindings_if_changed()
        self.call_after_refresh(self.queue_painted.set)

    def on_views_loaded(self, message: ViewsLoaded) -> None:
        fresh = {view.id: view for view in message.views}
        self.views = fresh if message.complete else {**self.views, **fresh}
        if message.complete:
            # A full collection walks every object the 10,000 views hold: ~100 ms of a frozen UI every
            # few seconds. They live until the next load and are freed by reference counting, so the
            # cycle collector can leave them (and what exists now) alone.
            gc.freeze()
        self.schedule_preview()  # highlighting a SKILL.md waits until this frame is painted
        detail = self.screen if isinstance(self.screen, DetailScreen) else None
        if detail is not None and detail.candidate_id in fresh and detail.candidate_id in self.rows:
            detail.show(fresh[detail.candidate_id], self.rows[detail.candidate_id])
        self.refresh_bindings_if_changed()

    def on_ingest_done(self, message: IngestDone) -> None:
        self.ingest_status = message.status
        self.update_status()
        if message.changed:
            self.request_mining()

    def on_mining_done(self) -> None:
        self.mining_running = False
        if self.mining_wanted:
            self.request_mining()

    def on_candidates_changed(self, message: CandidatesChanged) -> None:
        now = now_utc()
        for view in message.views:
            self.views[view.id] = view
            self.rows[view.id] = queue_row(view)
            self.cells[view.id] = queue_cells(self.rows[view.id], now)
        table = self.queue_table()
        if table is not None:
            table.update_cells({view.id: self.cells[view.id] for view in message.views})
        self.show_preview()
        if isinstance(self.screen, DetailScreen) and self.screen.candidate_id in self.views:
            self.screen.show(self.views[self.screen.candidate_id], self.rows[self.screen.candidate_id])
        self.refresh_bindings_if_changed()

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        self.library_state = (message.names, message.decisions)
        self.show_library()

    def on_statistics_loaded(self, message: StatisticsLoaded) -> None:
        self.skill_stats = message.skills
        self.show_library()
        traces = self.base_screens["traces"]
        if traces.is_mounted:
            traces.show_learning(friction_text(message.friction) + Text("\n") + loo_text(message.loo))

    def show_library(self) -> None:
        names, decisions = self.library_state
        skills, history = self.base_screens["skills"], self.base_screens["history"]
        if skills.is_mounted:
            skills.show_skills(skill_rows(names, decisions, self.skill_stats))
        if history.is_mounted:
            history.show_history(history_rows(decisions))
        self.refresh_bindings_if_changed()

    def on_evidence_loaded(self, message: EvidenceLoaded) -> None:
        if message.screen.is_attached:
            message.screen.show_evidence(message.rows, message.fixes, message.breakages)

    def on_steps_loaded(self, message: StepsLoaded) -> None:
        if message.screen.is_attached:
            message.screen.show_steps(message.rows, message.path)

    def on_feed_loaded(self, message: FeedLoaded) -> None:
        self.feed_offset = message.offset
        traces = self.base_screens["traces"]
        if not traces.is_mounted:
            return
        traces.add_events(message.events)
        if message.sessions is not None:
            traces.show_sessions(message.sessions, message.counts or {})

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

    @on(RowTable.Highlighted)
    def on_row_highlighted(self, message: RowTable.Highlighted) -> None:
        if message.table.id == "queue":
            self.schedule_preview()
            return
        if message.table.id == "skills":
            self.base_screens["skills"].show_skill(self.base_screens["skills"].highlighted())
        self.refresh_bindings_if_changed()

    def schedule_preview(self) -> None:
        """The preview and the footer follow once the cursor rests: rendering a SKILL.md relayouts the
        screen, and the footer recomposes when the keys that apply change (approve, backlog and reject
        depend on the row's kind and state), which would make every `j` of a fast scroll wait for what
        nobody reads. A key pressed meanwhile is still checked against the row under the cursor."""
        if self.preview_timer is not None:
            self.preview_timer.stop()
        self.preview_timer = self.set_timer(PREVIEW_DELAY_SECONDS, self.cursor_rested)

    def cursor_rested(self) -> None:
        if not self.screen_stack:  # the app is closing
            return
        self.show_preview()
        self.refresh_bindings_if_changed()

    def refresh_bindings_if_changed(self) -> None:
        """The footer recomposes on every refresh: only ask for one when the keys that apply change."""
        applicable = tuple(bool(self.check_action(action_name(spec), ())) for spec in ACTIONS)
        if applicable != self.applicable_actions:
            self.applicable_actions = applicable
            self.refresh_bindings()

    @on(RowTable.Selected)
    def on_row_selected(self) -> None:
        self.action_open_detail()

    @on(Input.Changed, "#filter")
    def on_filter_changed(self, message: Input.Changed) -> None:
        self.filter_text = message.value
        self.refresh_queue(keep_order=False)

    @on(Input.Submitted, "#filter")
    def on_filter_submitted(self) -> None:
        self.queue_screen().table.focus()

    # -- helpers ------------------------------------------------------------------------------------
    def queue_screen(self) -> QueueScreen:
        return self.base_screens["queue"]  # type: ignore[return-value]

    def queue_table(self) -> RowTable | None:
        """The queue's table, or None before it is composed (the first queue can be loaded sooner; the
        screen shows it when it mounts) or after it is taken down while the app closes."""
        screen = self.queue_screen()
        tables = screen.query("#queue")
        return tables.first(RowTable) if tables else None

    def show_cached_queue(self) -> None:
        """Called as the queue screen mounts, before its first frame: the cached queue's rows go into that
        frame when the cache is read within FIRST_FRAME_WAIT_SECONDS (a small cache is read in a few ms,
        while Textual starts); a larger one is shown by the frame after it is read."""
        try:
            cached = self.cached_queue.result(timeout=FIRST_FRAME_WAIT_SECONDS)
        except TimeoutError:
            self.cached_queue.add_done_callback(self.post_cached_queue)
            return
        if cached is not None:
            self.show_listing(cached[1], cached[2], OPENING_STATUS)

    def refresh_queue(self, *, keep_order: bool) -> None:
        """Show the filtered, sorted queue; with `keep_order`, rows already shown keep their places."""
        table = self.queue_table()
        if table is None:
            return
        wanted = [row.id for row in sorted_rows(matching(self.rows.values(), self.filter_text), self.sort_column)]
        table.set_rows(merged_order(table.keys, wanted) if keep_order else wanted, self.cells)
        self.show_preview()
        self.update_status()

    def current_view(self) -> CandidateView | None:
        if isinstance(self.screen, DetailScreen):
            return self.views.get(self.screen.candidate_id, self.screen.view)
        table = self.queue_table() if isinstance(self.screen, QueueScreen) else None
        key = table.cursor_key if table else None
        return self.views.get(key) if key else None

    def current_row(self) -> QueueRow | None:
        """The queue's row of the candidate in view: what deciding needs, listed before the candidates in
        full are loaded (the cached queue is on screen before the workspace is open)."""
        if isinstance(self.screen, DetailScreen):
            return self.rows.get(self.screen.candidate_id, self.screen.row)
        table = self.queue_table() if isinstance(self.screen, QueueScreen) else None
        key = table.cursor_key if table else None
        return self.rows.get(key) if key else None

    def show_preview(self) -> None:
        table = self.queue_table()
        if table is None:
            return
        screen = self.queue_screen()
        key = table.cursor_key
        view = self.views.get(key) if key else None
        if key is not None and view is None:
            self.load_preview(key)
        shown = (key, view, self.rows.get(key) if key else None)
        if shown != self.preview_shown:  # a reload of the same candidate need not highlight it again
            self.preview_shown = shown
            screen.show_preview(view, shown[2])

    def update_status(self) -> None:
        table = self.queue_table()
        queue = f"{table.row_count} of {len(self.rows)} candidates, sorted by {self.sort_column}" if table else ""
        if self.filter_text:
            queue += f", filter {self.filter_text!r}"
        if table and table.marked:
            queue += f", {len(table.marked)} marked"
        # read-only first: it must stay visible however narrow the terminal
        parts = ["read-only" if self.read_only else "", self.work_status, queue, self.ingest_status]
        text = "  │  ".join(part for part in parts if part)
        for screen in self.base_screens.values():
            if screen.is_mounted:
                screen.set_status(text)

    def marked_ids(self) -> list[str]:
        table = self.queue_table() if isinstance(self.screen, QueueScreen) else None
        return [key for key in table.keys if key in table.marked] if table and table.marked else []

    def active_keys(self) -> dict[str, str]:
        return {spec.id: self.config.keymap.get(spec.id, spec.keys) for spec in ACTIONS}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        writes = {action_name(spec) for spec in ACTIONS if spec.writes}
        if self.read_only and action in writes:
            return False
        if action in ("approve", "backlog", "reject"):
            if self.marked_ids():
                return True
            row = self.current_row()
            return row is not None and allowed(action, row.kind, State(row.state))
        if action == "rollback":
            return self.rollback_target() is not None
        if action == "evict":
            return isinstance(self.screen, SkillsScreen) and self.screen.highlighted() is not None
        if action in ("filter", "cycle_sort", "toggle_mark"):
            return isinstance(self.screen, QueueScreen)
        if action == "open_trace":
            return isinstance(self.screen, DetailScreen | StepsScreen | TracesScreen)
        if action == "cancel_work":
            return any(w.state is WorkerState.RUNNING for w in self.workers if w.group == "bulk")
        if action == "back":
            return len(self.screen_stack) > 1 or self.filter_focused()
        return True

    def filter_focused(self) -> bool:
        return isinstance(self.focused, Input) and self.focused.id == "filter"

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        for spec in ACTIONS:
            if spec.id in ("cursor-down", "cursor-up", "back", "theme", "quit"):
                continue  # movement is not a command, and Textual lists theme and quit itself
            if self.check_action(action_name(spec), ()):
                yield SystemCommand(spec.description, spec.help, lambda a=spec.action: self.run_action(a))

    # -- actions: moving around -----------------------------------------------------------------------
    def action_cursor_down(self) -> None:
        self._move(+1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def _move(self, delta: int) -> None:
        focused = self.focused
        if isinstance(focused, RowTable):
            focused.action_cursor_down() if delta > 0 else focused.action_cursor_up()
        elif isinstance(self.screen, DetailScreen):
            scroll = self.screen.query_one("#detail")
            scroll.scroll_down() if delta > 0 else scroll.scroll_up()

    def action_show_screen(self, mode: str) -> None:
        self.switch_mode(mode)
        self.call_after_refresh(self.refresh_screen_data, mode)

    def refresh_screen_data(self, mode: str) -> None:
        if mode in ("skills", "history"):
            self.load_library()
        if mode == "traces" and not self.base_screens["traces"].sessions:
            self.feed_offset = None  # the feed arrived before the screen existed: read it again
            self.poll_feed()
        if mode in ("skills", "traces"):
            self.load_statistics()
        self.update_status()

    def action_open_detail(self) -> None:
        screen = self.screen
        if isinstance(screen, QueueScreen | HistoryScreen | SkillsScreen):
            candidate_id = self.candidate_under_cursor()
            if candidate_id in self.views:
                self.open_candidate(self.views[candidate_id])
        elif isinstance(screen, DetailScreen):
            evidence = screen.highlighted_evidence()
            if evidence is not None:
                heading = Text(f"{clean_line(evidence.session_id)}  {evidence.agent}  {evidence.outcome}  reward ")
                heading.append(f"{evidence.reward:.2f}" if evidence.reward is not None else "–")
                heading.append(f"  {clean_line(evidence.reward_explanation)}\n{clean_line(evidence.path)}   "
                               f"steps {evidence.steps}")  # fmt: skip
                self.open_steps(StepsScreen(evidence.session_id, evidence.steps, heading), evidence.path)
        elif isinstance(screen, TracesScreen):
            session = screen.highlighted()
            if session is not None:
                heading = Text(f"{clean_line(session.id)}  {session.agent}  {session.outcome}  "
                               f"reward {session.reward:.2f}")  # fmt: skip
                heading.append(f"  {clean_line(session.reward_explanation)}\n{clean_line(session.path)}")
                self.open_steps(StepsScreen(session.id, "", heading), session.path)

    def candidate_under_cursor(self) -> str | None:
        screen = self.screen
        if isinstance(screen, QueueScreen):
            return screen.table.cursor_key
        row = screen.highlighted() if isinstance(screen, HistoryScreen | SkillsScreen) else None
        return row.candidate_id if row is not None else None

    def open_candidate(self, view: CandidateView) -> None:
        screen = DetailScreen(view, self.rows.get(view.id) or queue_row(view))
        self.push_screen(screen)
        self.load_evidence(screen, view)

    def open_steps(self, screen: StepsScreen, path: str) -> None:
        self.push_screen(screen)
        self.load_steps(screen, path)

    def action_back(self) -> None:
        if self.filter_focused():
            self.query_one("#filter", Input).value = ""
            self.query_one("#filter", Input).display = False
            self.queue_screen().table.focus()
        elif len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_filter(self) -> None:
        field = self.queue_screen().query_one("#filter", Input)
        field.display = True
        field.focus()

    def action_cycle_sort(self) -> None:
        columns = list(SORTS)
        self.sort_column = columns[(columns.index(self.sort_column) + 1) % len(columns)]
        self.refresh_queue(keep_order=False)

    def action_toggle_mark(self) -> None:
        self.queue_screen().table.toggle_mark()
        self.update_status()
        self.refresh_bindings()

    def action_copy_id(self) -> None:
        text = self.copy_target()
        if text:
            self.copy_to_clipboard(text)
            self.notify(f"copied {text}", timeout=3, markup=False)

    def copy_target(self) -> str | None:
        screen = self.screen
        if isinstance(screen, QueueScreen | DetailScreen):
            view = self.current_view()
            return view.id if view else None
        if isinstance(screen, StepsScreen):
            step = screen.highlighted_step()
            return path_line(screen.path, step.line) if step and step.line else screen.session_id
        if isinstance(screen, HistoryScreen | SkillsScreen):
            row = screen.highlighted()
            if isinstance(row, SkillRow):
                return row.commit or row.name
            return row.sha if row else None
        if isinstance(screen, TracesScreen):
            session = screen.highlighted()
            return session.id if session else None
        return None

    def action_open_trace(self, kind: str) -> None:
        target = self.trace_target()
        if target is None:
            self.notify("no trace file under the cursor", severity="warning")
            return
        command = viewer_command(kind, *target)
        try:
            with self.suspend():
                subprocess.run(command, check=False)
        except SuspendNotSupported:  # no terminal to hand over (tests, the web): run it as it is
            subprocess.run(command, check=False, stdin=subprocess.DEVNULL)
        except OSError as exc:
            self.notify(f"could not run {command[0]}: {exc}", severity="error", markup=False)

    def trace_target(self) -> tuple[str, int | None] | None:
        screen = self.screen
        if isinstance(screen, StepsScreen):
            step = screen.highlighted_step()
            return (screen.path, step.line if step else None) if screen.path else None
        if isinstance(screen, DetailScreen):
            evidence = screen.highlighted_evidence()
            if evidence is None or not evidence.path:
                return None
            return evidence.path, evidence.lines[0] if evidence.lines else None
        if isinstance(screen, TracesScreen):
            session = screen.highlighted()
            return (session.path, None) if session else None
        return None

    def action_cancel_work(self) -> None:
        for worker in self.workers:
            if worker.group == "bulk":
                worker.cancel()
        self.work_status = "cancelling after the current decision…"
        self.update_status()

    # -- actions: decisions ---------------------------------------------------------------------------

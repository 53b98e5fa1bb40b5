"""The review TUI. Slow work (ingest, git, queries) runs in thread workers that post messages back; no
worker touches a widget, and new data never moves the reviewer's cursor or focus. Work that reads every
cached session (mining, statistics) runs in separate processes: a thread doing it would hold the GIL
and stall the event loop, a thread waiting on a process does not.

Four screens, one mode each (keys 1-4): the queue, the skills library, the decision history and the
traces feed. A candidate and a session's steps open on top of the screen they were opened from.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing import resource_tracker
from multiprocessing.pool import Pool
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import App, SuspendNotSupported, SystemCommand
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import WorkerState, get_current_worker

from skillwarden.core.config import Config
from skillwarden.core.lifeline import die_with
from skillwarden.core.sanitize import clean_line
from skillwarden.reviews.decisions import PAST, Action, allowed, eviction_of
from skillwarden.reviews.states import State
from skillwarden.reviews.views import (
    SORTS,
    CandidateView,
    EvidenceRow,
    QueueRow,
    ReadModel,
    SessionRow,
    SkillRow,
    StepRow,
    history_rows,
    matching,
    now_utc,
    queue_row,
    skill_rows,
    sorted_rows,
)
from skillwarden.tui.actions import ACTIONS, action_name, bindings
from skillwarden.tui.external import viewer_command
from skillwarden.tui.library_screens import HistoryScreen, SkillsScreen, TracesScreen
from skillwarden.tui.render import STATE_LABELS, friction_text, loo_text, merged_order, queue_cells
from skillwarden.tui.screens import BaseScreen, ConfirmScreen, DetailScreen, HelpScreen, QueueScreen, StepsScreen
from skillwarden.tui.widgets import RowTable

if TYPE_CHECKING:  # the first frame does not wait for mining, numpy or git: those load in a worker
    from skillwarden.core.watch import TraceWatcher
    from skillwarden.reviews.service import ReviewService
    from skillwarden.skills.trailers import Decision

READ_ONLY_ENV = "SKILLWARDEN_READ_ONLY"
FEED_POLL_SECONDS = 0.5
PREVIEW_DELAY_SECONDS = 0.08
MINING_INTERVAL_SECONDS = 3.0  # while traces stream, mine at most this often
OPENING_STATUS = "opening the workspace…"
FIRST_PAINT_WAIT_SECONDS = 1.0  # the workspace opens after the cached queue is painted, or after this
GIL_SWITCH_SECONDS = 0.001
PROCESS_POLL_SECONDS = 0.2  # how soon a worker waiting on a process notices it was cancelled


# -- messages from workers (a worker never touches a widget) ------------------------------------------
class QueueLoaded(Message):
    """The queue's rows and their cells (list columns only, no candidate content)."""

    def __init__(self, rows: list[QueueRow], cells: dict[str, tuple], status: str | None = None):
        super().__init__()
        self.rows = rows
        self.cells = cells
        self.status = status


class ViewsLoaded(Message):
    """Candidates in full: all of the queue's (`complete`), or the one the preview waits for."""

    def __init__(self, views: list[CandidateView], *, complete: bool):
        super().__init__()
        self.views = views
        self.complete = complete


class IngestDone(Message):
    def __init__(self, status: str, changed: bool):
        super().__init__()
        self.status = status
        self.changed = changed


class MiningDone(Message):
    pass


class CandidatesChanged(Message):
    """Some candidates changed state (a decision): update their rows in place."""

    def __init__(self, views: list[CandidateView]):
        super().__init__()
        self.views = views


class TracesChanged(Message):
    """The watcher saw trace files change; one message per burst."""

    def __init__(self, paths: set[Path]):
        super().__init__()
        self.paths = paths


class DecisionMade(Message):
    """`remine`: the decision changed the library or a harness file, so mined candidates may be stale."""

    def __init__(self, text: str, *, remine: bool):
        super().__init__()
        self.text = text
        self.remine = remine


class WorkProgress(Message):
    def __init__(self, text: str):
        super().__init__()
        self.text = text


class WorkFailed(Message):
    def __init__(self, text: str):
        super().__init__()
        self.text = text


class LibraryLoaded(Message):
    """The library's skill names and its decisions, newest first, read from git."""

    def __init__(self, names: list[str], decisions: list[Decision]):
        super().__init__()
        self.names = names
        self.decisions = decisions


class StatisticsLoaded(Message):
    """What reviews/learning.py computes: per-skill posteriors, friction and leave-one-out."""

    def __init__(self, skills: dict[str, dict], friction: dict, loo: dict):
        super().__init__()
        self.skills = skills
        self.friction = friction
        self.loo = loo


class EvidenceLoaded(Message):
    def __init__(
        self, screen: DetailScreen, rows: list[EvidenceRow], fixes: list[SessionRow], breaks: list[SessionRow]
    ):
        super().__init__()
        self.screen = screen
        self.rows = rows
        self.fixes = fixes
        self.breakages = breaks


class StepsLoaded(Message):
    def __init__(self, screen: StepsScreen, rows: list[StepRow], path: str):
        super().__init__()
        self.screen = screen
        self.rows = rows
        self.path = path


class FeedLoaded(Message):
    """New events from the feed, and the latest sessions when an ingest happened."""

    def __init__(self, events: list[dict], offset: int, sessions: list[SessionRow] | None, counts: dict | None):
        super().__init__()
        self.events = events
        self.offset = offset
        self.sessions = sessions
        self.counts = counts


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def mining_delay(now: float, last_started: float | None, interval: float = MINING_INTERVAL_SECONDS) -> float:
    """Seconds until the next mining pass may start: at once, unless one started less than `interval` ago."""
    return 0.0 if last_started is None else max(0.0, last_started + interval - now)


def queue_listing(read: ReadModel) -> tuple[list[QueueRow], dict[str, tuple]]:
    """The queue's rows with their rendered cells, computed off the UI thread (10,000 rows take a while)."""
    rows = read.queue_rows()
    now = now_utc()
    return rows, {row.id: queue_cells(row, now) for row in rows}


class SkillwardenApp(App):
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
        cached = self.cached_queue.result() if self.cached_queue.done() else None
        if cached is not None:  # in the queue screen's first frame
            self.show_listing(cached[1], cached[2], OPENING_STATUS)
        elif not self.cached_queue.done():
            self.cached_queue.add_done_callback(self.post_cached_queue)
        self.update_status()
        self.load()

    def post_cached_queue(self, future: Future) -> None:
        cached = future.result()
        if cached is not None:
            self.post_message(QueueLoaded(cached[1], cached[2], OPENING_STATUS))

    @work(thread=True, exclusive=True, group="ingest")
    def load(self) -> None:
        """The cached queue's list columns first (the screen is usable at once), then the candidates in
        full, then what changed on disk; mining what changed is a process's work (`request_mining`)."""
        try:
            cached = self.cached_queue.result()
            states = cached[0] if cached is not None else None
            if states is not None:  # importing the service's modules would compete with painting it
                self.queue_painted.wait(FIRST_PAINT_WAIT_SECONDS)
            from skillwarden.reviews.service import ReviewService

            self.service = ReviewService(self.config, mine_inline=False)
            self.service_opened.set()
            if self.service.store.notice:
                self.degraded_notice(self.service.store.notice, title="state cache")
            self.read = ReadModel(self.config.state_db)
            if states is None or self.read.candidate_states() != states:  # recovery or a new history
                self.post_message(QueueLoaded(*queue_listing(self.read), "reading new traces…"))
            self.post_message(ViewsLoaded(self.read.candidate_views(), complete=True))
            self.load_library()
            self.post_message(WorkProgress(""))
            report = self.service.ingest(stop=self.closing.is_set)
        except Exception as exc:  # the app must stay usable to show what went wrong
            self.post_message(WorkFailed(f"could not open the workspace: {exc}"))
            return
        finally:
            self.service_opened.set()  # failed: decisions waiting for it are told so
        stale = bool(report.files) or self.service.mining_is_stale()
        self.post_message(IngestDone(ingest_status(report), changed=stale))
        self.call_from_thread(self.set_interval, FEED_POLL_SECONDS, self.poll_feed)
        self.call_from_thread(self.poll_feed)
        if self.watch_enabled:
            from skillwarden.core.watch import TraceWatcher

            self.watcher = TraceWatcher(
                self.config.watch,
                lambda paths: self.post_message(TracesChanged(paths)),
                rescan_interval=self.config.rescan_interval,
                on_notice=self.watch_notice,
            )
            self.watcher.start()

    def read_cached_queue(self) -> None:
        """The queue as the cache holds it, read before the service opens the skills repository (recovery,
        git, mining code): the first frame waits for no more than a read of the cache. The connection is
        closed again before the service opens the cache, which may switch its journal mode only while no
        other connection has it open."""
        try:
            read = ReadModel(self.config.state_db)
            try:
                self.cached_queue.set_result((read.candidate_states(), *queue_listing(read)))
            finally:
                read.close()
        except sqlite3.Error:  # the service opens, migrates or re-creates it
            self.cached_queue.set_result(None)

    def watch_notice(self, text: str) -> None:
        """From the watcher's thread: watching degraded (e.g. a folder is polled)."""
        self.degraded_notice(text, title="watching")

    def degraded_notice(self, text: str, *, title: str) -> None:
        """From a worker thread: something works in a slower or safer way than usual. Logged and shown."""
        if self.service is not None:
            self.service.events.append("notice", text=text)
        self.call_from_thread(self.notify, text, title=title, severity="warning")

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

    # -- background work ----------------------------------------------------------------------------
    def on_traces_changed(self, message: TracesChanged) -> None:
        self.ingest_changes(sorted(message.paths))

    @work(thread=True, group="ingest")
    def ingest_changes(self, paths: list[Path]) -> None:
        assert self.service is not None
        try:
            report = self.service.ingest([p for p in paths if p.exists()], stop=self.closing.is_set)
        except Exception as exc:
            self.post_message(WorkFailed(f"ingest failed: {exc}"))
            return
        self.post_message(IngestDone(ingest_status(report), changed=bool(report.files)))

    def request_mining(self) -> None:
        """Re-mine soon. While traces stream, requests fold into one pass per MINING_INTERVAL_SECONDS,
        and a request during a pass starts another once it ends: the queue never stays stale."""
        self.mining_wanted = True
        if self.mining_running or self.mining_timer is not None:
            return
        delay = mining_delay(time.monotonic(), self.mining_started_at)
        if delay > 0:
            self.mining_timer = self.set_timer(delay, self.start_mining)
        else:
            self.start_mining()

    def start_mining(self) -> None:
        self.mining_timer = None
        self.mining_wanted = False
        self.mining_running = True
        self.mining_started_at = time.monotonic()
        self.mine()

    @work(thread=True, group="mining")
    def mine(self) -> None:
        from skillwarden.reviews.service import remine_workspace

        read = self.read
        try:
            if read is not None and self.in_process(remine_workspace, self.config) is not None:
                self.post_message(QueueLoaded(*queue_listing(read)))
                self.post_message(ViewsLoaded(read.candidate_views(), complete=True))
        except Exception as exc:
            self.post_message(WorkFailed(f"mining failed: {exc}"))
        finally:
            self.post_message(MiningDone())

    def in_process(self, function: Callable, *args):
        """`function(*args)` in a worker process, from a thread worker; None when the worker is cancelled
        (the app is closing) before it returns."""
        with self.processes_lock:
            if self.processes is None:
                # spawn, not fork: forking a process that runs threads can copy a held lock. The workers watch
                # this process (not the thread that starts them, which the kernel's parent-death signal would).
                self.processes = multiprocessing.get_context("spawn").Pool(2, die_with, (os.getpid(),))
            result = self.processes.apply_async(function, args)
        worker = get_current_worker()
        while not result.ready():
            if worker.is_cancelled or self.processes is None:
                return None
            result.wait(PROCESS_POLL_SECONDS)
        return result.get()

    @work(thread=True, exclusive=True, group="library")
    def load_library(self) -> None:
        service = self.service
        if service is None:
            return
        try:
            decisions = service.library.decisions()
            names = service.library.skill_names()
        except Exception as exc:
            self.post_message(WorkFailed(f"could not read the skills repository: {exc}"))
            return
        self.post_message(LibraryLoaded(names, decisions))

    @work(thread=True, exclusive=True, group="stats")
    def load_statistics(self) -> None:
        """Statistics read every cached session: slow on a large cache, so never on the UI thread."""
        service = self.service
        if service is None:
            return
        from skillwarden.reviews.screen_statistics import workspace_statistics

        try:
            statistics = self.in_process(workspace_statistics, self.config)
        except Exception as exc:
            self.post_message(WorkFailed(f"could not compute the statistics: {exc}"))
            return
        if statistics is not None:
            self.post_message(StatisticsLoaded(*statistics))

    def poll_feed(self) -> None:
        if self.read is not None and self.service is not None:
            self.read_feed(self.feed_offset)

    @work(thread=True, exclusive=True, group="feed")
    def read_feed(self, offset: int | None) -> None:
        read, service = self.read, self.service
        assert read is not None and service is not None
        events, new_offset = service.events.recent() if offset is None else service.events.since(offset)
        if offset is not None and not events:
            return
        ingested = offset is None or any(event.get("kind") == "ingest" for event in events)
        try:
            sessions = read.recent_sessions() if ingested else None
            counts = read.outcome_counts() if ingested else None
        except Exception as exc:
            self.post_message(WorkFailed(f"could not read the sessions: {exc}"))
            return
        self.post_message(FeedLoaded(events, new_offset, sessions, counts))

    @work(thread=True, exclusive=True, group="preview")
    def load_preview(self, candidate_id: str) -> None:
        """The candidate under the cursor in full, while the queue's full views are still on their way."""
        read = self.read
        if read is None:
            return
        try:
            view = read.candidate_view(candidate_id)
        except Exception as exc:
            self.post_message(WorkFailed(f"could not read the candidate: {exc}"))
            return
        if view is not None:
            self.post_message(ViewsLoaded([view], complete=False))

    @work(thread=True, group="details")
    def load_evidence(self, screen: DetailScreen, view: CandidateView) -> None:
        read = self.read
        if read is None:
            return
        details = view.candidate.details
        try:
            rows = read.evidence(view.candidate.provenance)
            fixes = read.listed_sessions(details.get("predicted_fixes") or [])
            breakages = read.listed_sessions(details.get("predicted_breakages") or [])
        except Exception as exc:
            self.post_message(WorkFailed(f"could not read the evidence: {exc}"))
            return
        self.post_message(EvidenceLoaded(screen, rows, fixes, breakages))

    @work(thread=True, group="details")
    def load_steps(self, screen: StepsScreen, path: str) -> None:
        read = self.read
        if read is None:
            return
        try:
            rows = read.steps(screen.session_id, screen.step_span)
        except Exception as exc:
            self.post_message(WorkFailed(f"could not read the steps: {exc}"))
            return
        self.post_message(StepsLoaded(screen, rows, path))

    def opened_service(self) -> ReviewService | None:
        """From a worker: the review service once the workspace is open. The cached queue is on screen
        before it is, so a decision taken at once waits here; None when opening failed or the app closes."""
        worker = get_current_worker()
        while not self.service_opened.wait(PROCESS_POLL_SECONDS):
            if worker.is_cancelled:
                return None
        return self.service

    @work(thread=True, group="git")
    def run_decision(self, action: str, candidate_id: str | None) -> None:
        service = self.opened_service()
        if service is None:
            self.post_message(WorkFailed("the workspace could not be opened"))
            return
        try:
            decision = service.undo_last() if action == "undo" else getattr(service, action)(candidate_id)
            changed = service.view(decision.candidate_id)
        except Exception as exc:  # shown to the reviewer; the repository refused and is unchanged
            self.post_message(WorkFailed(str(exc)))
            return
        text = f"{decision.action} {decision.candidate_id}: commit {decision.sha[:10]}"
        self.post_message(DecisionMade(text, remine=decision.action != "reject"))
        self.post_message(CandidatesChanged([changed]))
        self.load_library()

    @work(thread=True, group="bulk")
    def run_bulk(self, action: str, candidate_ids: list[str]) -> None:
        """One decision after another, each its own commit; cancelling stops before the next one."""
        service = self.opened_service()
        if service is None:
            self.post_message(WorkFailed("the workspace could not be opened"))
            return
        worker = get_current_worker()
        commits, failures = [], []
        for number, candidate_id in enumerate(candidate_ids, 1):
            if worker.is_cancelled:
                break
            self.post_message(WorkProgress(f"{action} {number}/{len(candidate_ids)}… (ctrl+g cancels)"))
            try:
                decision = getattr(service, action)(candidate_id)
                changed = service.view(candidate_id)
            except Exception as exc:
                failures.append(f"{candidate_id}: {exc}")
                continue
            commits.append(decision.sha[:10])
            self.post_message(CandidatesChanged([changed]))
        self.post_message(WorkProgress(""))
        stopped = " (cancelled)" if worker.is_cancelled else ""
        if commits:
            shown = ", ".join(commits[:10]) + (f" and {len(commits) - 10} more" if len(commits) > 10 else "")
            text = f"{PAST[Action(action)]} {len(commits)}{stopped}: commits {shown}"
            self.post_message(DecisionMade(text, remine=action != "reject"))
        if failures:
            self.post_message(WorkFailed(f"{len(failures)} refused: " + "; ".join(failures[:3])))
        self.load_library()

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
        tables = screen.query("#queue") if screen.is_mounted else ()
        return tables.first(RowTable) if tables else None

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
            return f"{screen.path}:{step.line}" if step and step.line else screen.session_id
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
    def action_approve(self) -> None:
        self.decide("approve")

    def action_backlog(self) -> None:
        self.decide("backlog")

    def action_reject(self) -> None:
        self.decide("reject")

    def decide(self, action: str) -> None:
        """Marked rows get one confirmation for all of them; one row is decided at once, except a
        rejection, which asks first."""
        marked = self.marked_ids()
        if marked:
            question = f"{action.capitalize()} {len(marked)} marked candidate(s)? Each is its own commit."

            def confirmed_all(answer: bool | None) -> None:
                if answer:
                    self.queue_screen().table.clear_marks()
                    self.update_status()
                    self.run_bulk(action, marked)

            self.push_screen(ConfirmScreen(question), confirmed_all)
            return
        row = self.current_row()
        if row is None:
            return
        if action != "reject":
            self.run_decision(action, row.id)
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_decision("reject", row.id)

        self.push_screen(ConfirmScreen(f"Reject {row.id}?\n{row.title}"), confirmed)

    def action_undo(self) -> None:
        self.run_decision("undo", None)

    def rollback_target(self) -> tuple[str, str] | None:
        """(candidate id, what) whose live decision `r` would revert, if the row has one."""
        screen = self.screen
        if isinstance(screen, HistoryScreen):
            row = screen.highlighted()
            return (row.candidate_id, f"{row.action} {row.sha[:10]}") if row and row.revertible else None
        if isinstance(screen, SkillsScreen):
            row = screen.highlighted()
            return (row.candidate_id, f"skill {row.name}") if row and row.candidate_id else None
        row = self.current_row()
        if row is not None and allowed("rollback", row.kind, State(row.state)):
            return row.id, f"{STATE_LABELS.get(row.state)} {row.id}"
        return None

    def action_rollback(self) -> None:
        target = self.rollback_target()
        if target is None:
            self.notify("nothing here is in effect to roll back", severity="warning")
            return
        candidate_id, what = target

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_decision("rollback", candidate_id)

        self.push_screen(ConfirmScreen(f"Roll back {what} for good (git revert)?"), confirmed)

    def action_evict(self) -> None:
        screen = self.screen
        row = screen.highlighted() if isinstance(screen, SkillsScreen) else None
        if row is None:
            return
        eviction = eviction_of(row.name, self.views.values())
        if eviction is None:
            self.notify(
                f"no eviction candidate for {row.name}: drift detection has not proposed one. "
                "Press r to roll its approval back instead.",
                severity="warning",
            )
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_decision("approve", eviction.id)

        self.push_screen(ConfirmScreen(f"Evict skill {row.name}?\n{eviction.candidate.title}"), confirmed)


def ingest_status(report) -> str:
    if report.files:
        text = f"{report.sessions} session(s) read from {report.files} changed file(s)"
    else:
        text = f"traces up to date ({report.unchanged} file(s) unchanged)"
    if report.errors:
        first = report.errors[0]
        where = f"{first['path']}:{first['line']}" if first["line"] else first["path"]
        text += f"; {len(report.errors)} error(s), e.g. {where}: {first['message']}"
    return text

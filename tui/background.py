"""What the TUI does off its UI thread: open the workspace (the cached queue first), ingest what the watcher
saw, mine in a worker process, read the library, the statistics, the feed, evidence and steps, and make
decisions. Each worker posts a message (tui/messages.py) and touches no widget; a worker that fails is
reported by the app's one handler (`on_worker_state_changed`), named by its description.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.worker import get_current_worker

from skillwarden.core.model import path_line
from skillwarden.core.workspace.lifeline import die_with
from skillwarden.reviews.decisions import PAST, Action
from skillwarden.reviews.views import (
    CandidateView,
    QueueRow,
    ReadModel,
    now_utc,
)
from skillwarden.tui.messages import (
    CandidatesChanged,
    DecisionMade,
    EvidenceLoaded,
    FeedLoaded,
    IngestDone,
    LibraryLoaded,
    MiningDone,
    QueueLoaded,
    StatisticsLoaded,
    StepsLoaded,
    TracesChanged,
    ViewsLoaded,
    WorkFailed,
    WorkProgress,
)
from skillwarden.tui.render import queue_cells

if TYPE_CHECKING:  # the first frame does not wait for mining, numpy or git: those load in a worker
    from textual.screen import Screen

    from skillwarden.reviews.service import ReviewService

FEED_POLL_SECONDS = 0.5
FOLLOWING_STATUS = "read-only: the app holding the workspace reads new traces; its queue is shown as it changes"
MINING_INTERVAL_SECONDS = 3.0  # while traces stream, mine at most this often
OPENING_STATUS = "opening the workspace…"
FIRST_PAINT_WAIT_SECONDS = 1.0  # the workspace opens after the cached queue is painted, or after this
PROCESS_POLL_SECONDS = 0.2  # how soon a worker waiting on a process notices it was cancelled


def mining_delay(now: float, last_started: float | None, interval: float = MINING_INTERVAL_SECONDS) -> float:
    """Seconds until the next mining pass may start: at once, unless one started less than `interval` ago."""
    return 0.0 if last_started is None else max(0.0, last_started + interval - now)


def queue_listing(read: ReadModel) -> tuple[list[QueueRow], dict[str, tuple]]:
    """The queue's rows with their rendered cells, computed off the UI thread (10,000 rows take a while)."""
    rows = read.queue_rows()
    now = now_utc()
    return rows, {row.id: queue_cells(row, now) for row in rows}


def ingest_status(report) -> str:
    if report.files:
        text = f"{report.sessions} session(s) read from {report.files} changed file(s)"
    else:
        text = f"traces up to date ({report.unchanged} file(s) unchanged)"
    if report.errors:
        first = report.errors[0]
        where = path_line(first["path"], first["line"])
        text += f"; {len(report.errors)} error(s), e.g. {where}: {first['message']}"
    return text


class BackgroundWork:
    """Mixed into the App: its workers and the state they share with it."""

    def post_cached_queue(self, future: Future) -> None:
        cached = future.result()
        if cached is not None:
            self.post_message(QueueLoaded(cached[1], cached[2], OPENING_STATUS))

    @work(thread=True, exclusive=True, group="ingest", exit_on_error=False, description="could not open the workspace")
    def load(self) -> None:
        """The cached queue's list columns first (the screen is usable at once), then the candidates in
        full, then what changed on disk; mining what changed is a process's work (`request_mining`)."""
        try:
            cached = self.cached_queue.result()
            states = cached[0] if cached is not None else None
            if states is not None:  # importing the service's modules would compete with painting it
                self.queue_painted.wait(FIRST_PAINT_WAIT_SECONDS)
            from skillwarden.reviews.service import ReviewService

            start_resource_tracker()  # the ingest's worker processes need it too

            # A read-only TUI may run beside the writer holding the workspace: the decision it finds half-made
            # may be that writer's, so it is left to it (no recovery, no rewrite of the decision table).
            self.service = ReviewService(self.config, mine_inline=False, writes=not self.read_only)
            self.service_opened.set()
            if self.service.store.notice:
                self.degraded_notice(self.service.store.notice, title="state cache")
            self.read = ReadModel(self.config.state_db)
            if states is None or self.read.candidate_states() != states:  # recovery or a new history
                self.post_message(QueueLoaded(*queue_listing(self.read), "reading new traces…"))
            self.post_message(ViewsLoaded(self.read.candidate_views(), complete=True))
            self.load_library()
            self.post_message(WorkProgress(""))
            if self.read_only:
                # The writer holding the workspace reads the traces and mines them: two would write the same
                # cache twice over. This app follows its queue (`follow_writer`).
                self.followed_version = self.read.data_version()
                self.post_message(IngestDone(FOLLOWING_STATUS, changed=False))
            else:
                report = self.service.ingest(stop=self.closing.is_set)
        finally:
            self.service_opened.set()  # also when it failed: decisions waiting for it are told so
        if not self.read_only:
            stale = bool(report.files) or self.service.mining_is_stale()
            self.post_message(IngestDone(ingest_status(report), changed=stale))
        self.call_from_thread(self.set_interval, FEED_POLL_SECONDS, self.poll_feed)
        self.call_from_thread(self.poll_feed)
        if self.watch_enabled and not self.read_only:
            from skillwarden.core.ingest.watch import TraceWatcher

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

    def on_traces_changed(self, message: TracesChanged) -> None:
        self.ingest_changes(sorted(message.paths))

    @work(thread=True, group="ingest", exit_on_error=False, description="ingest failed")
    def ingest_changes(self, paths: list[Path]) -> None:
        assert self.service is not None
        report = self.service.ingest([p for p in paths if p.exists()], stop=self.closing.is_set)
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

    @work(thread=True, group="mining", exit_on_error=False, description="mining failed")
    def mine(self) -> None:
        from skillwarden.reviews.service import remine_workspace

        read = self.read
        try:
            if read is not None and self.in_process(remine_workspace, self.config) is not None:
                self.post_message(QueueLoaded(*queue_listing(read)))
                self.post_message(ViewsLoaded(read.candidate_views(), complete=True))
        finally:
            self.post_message(MiningDone())

    def in_process(self, function: Callable, *args):
        """`function(*args)` in a worker process, from a thread worker; None when the worker is cancelled
        (the app is closing) before it returns."""
        with self.processes_lock:
            if self.processes is None:
                import multiprocessing

                start_resource_tracker()
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

    @work(thread=True, exclusive=True, group="library", exit_on_error=False,
          description="could not read the skills repository")  # fmt: skip
    def load_library(self) -> None:
        service = self.service
        if service is None:
            return
        decisions = service.library.decisions()
        names = service.library.skill_names()
        self.post_message(LibraryLoaded(names, decisions))

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False,
          description="could not compute the statistics")  # fmt: skip
    def load_statistics(self) -> None:
        """Statistics read every cached session: slow on a large cache, so never on the UI thread."""
        service = self.service
        if service is None:
            return
        from skillwarden.reviews.screen_statistics import workspace_statistics

        statistics = self.in_process(workspace_statistics, self.config)
        if statistics is not None:
            self.post_message(StatisticsLoaded(*statistics))

    def poll_feed(self) -> None:
        if self.read is not None and self.service is not None:
            self.read_feed(self.feed_offset)
            if self.read_only:
                self.follow_writer()

    @work(thread=True, exclusive=True, group="follow", exit_on_error=False,
          description="could not read the workspace's queue")  # fmt: skip
    def follow_writer(self) -> None:
        """Read-only: when the writer committed to the cache since the last look and the queue it lists is
        not the one shown (new candidates mined, a decision made), show its queue."""
        read = self.read
        if read is None or (version := read.data_version()) == self.followed_version:
            return
        self.followed_version = version
        rows, cells = queue_listing(read)
        listed = [(row.id, row.state, row.title, row.support) for row in rows]
        if listed == self.followed_listing:
            return
        self.followed_listing = listed
        self.post_message(QueueLoaded(rows, cells, FOLLOWING_STATUS))
        self.post_message(ViewsLoaded(read.candidate_views(), complete=True))

    def reload_feed(self) -> None:
        """The feed from its recent events again, for a screen that was not there when they were read."""
        self.feed_offset = None
        self.poll_feed()

    @work(thread=True, exclusive=True, group="feed", exit_on_error=False, description="could not read the feed")
    def read_feed(self, offset: int | None) -> None:
        read, service = self.read, self.service
        assert read is not None and service is not None
        events, new_offset = service.events.recent() if offset is None else service.events.since(offset)
        if offset is not None and not events:
            return
        ingested = offset is None or any(event.get("kind") == "ingest" for event in events)
        sessions = read.recent_sessions() if ingested else None
        counts = read.outcome_counts() if ingested else None
        self.post_message(FeedLoaded(events, new_offset, sessions, counts))

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False,
          description="could not read the candidate")  # fmt: skip
    def load_preview(self, candidate_id: str) -> None:
        """The candidate under the cursor in full, while the queue's full views are still on their way."""
        read = self.read
        if read is None:
            return
        view = read.candidate_view(candidate_id)
        if view is not None:
            self.post_message(ViewsLoaded([view], complete=False))

    @work(thread=True, group="details", exit_on_error=False, description="could not read the evidence")
    def load_evidence(self, screen: Screen, view: CandidateView) -> None:
        """Posted to `screen`: the candidate's evidence sessions and its predicted fixes and breakages."""
        read = self.read
        if read is None:
            return
        details = view.candidate.details
        rows = read.evidence(view.candidate.provenance)
        fixes = read.listed_sessions(details.get("predicted_fixes") or [])
        breakages = read.listed_sessions(details.get("predicted_breakages") or [])
        screen.post_message(EvidenceLoaded(rows, fixes, breakages))

    @work(thread=True, group="details", exit_on_error=False, description="could not read the steps")
    def load_steps(self, screen: Screen, session_id: str, step_span: str) -> None:
        """Posted to `screen`: the session's steps, those of `step_span` marked."""
        read = self.read
        if read is None:
            return
        screen.post_message(StepsLoaded(read.steps(session_id, step_span)))

    def opened_service(self) -> ReviewService | None:
        """From a worker: the review service once the workspace is open. The cached queue is on screen
        before it is, so a decision taken at once waits here; None when opening failed or the app closes."""
        worker = get_current_worker()
        while not self.service_opened.wait(PROCESS_POLL_SECONDS):
            if worker.is_cancelled:
                return None
        return self.service

    @work(thread=True, group="git", exit_on_error=False, description="")  # the refusal says it all
    def run_decision(self, action: str, candidate_id: str | None) -> None:
        service = self.opened_service()
        if service is None:
            self.post_message(WorkFailed("the workspace could not be opened"))
            return
        decision = service.undo_last() if action == "undo" else getattr(service, action)(candidate_id)
        changed = service.view(decision.candidate_id)
        text = f"{decision.action} {decision.candidate_id}: commit {decision.sha[:10]}"
        self.post_message(DecisionMade(text, remine=decision.action != "reject"))
        self.post_message(CandidatesChanged([changed]))
        self.load_library()

    @work(thread=True, group="bulk", exit_on_error=False, description="the bulk decision stopped")
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
            except Exception as exc:  # one candidate refused (or failed) leaves the others to decide; all said after
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


def start_resource_tracker() -> None:
    """multiprocessing's resource tracker, which worker processes need, started with no stderr to pass on:
    it hands sys.stderr's descriptor to its process, and Textual's stand-in for stderr has none (-1), so
    it is started under one that says so. Started after the first frame, before any worker process."""
    from multiprocessing import resource_tracker

    with contextlib.redirect_stderr(io.StringIO()):
        resource_tracker.ensure_running()


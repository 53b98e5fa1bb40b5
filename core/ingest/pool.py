"""Files read from their start (a first ingest, a rebuild) parsed by worker processes, their outcomes
handed back in the order the files were found; and the workers' life: they end with the ingest however it
ends (`core/workspace/lifeline.py`), and an ingest asked to stop does not wait on them."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from skillwarden.core.model import ParseError
from skillwarden.core.security.redact import placeholder_key, set_placeholder_key
from skillwarden.core.workspace.lifeline import die_with
from skillwarden.core.workspace.store_rows import PreparedRead

# Files read from their start go to worker processes past this many bytes (starting the pool costs
# about a tenth of a second), in tasks of about TASK_BYTES or TASK_FILES, a few per worker in flight.
POOL_MIN_BYTES = 4 * 1024 * 1024
TASK_BYTES = 1024 * 1024
TASK_FILES = 64
IN_FLIGHT_PER_WORKER = 4
STOP_POLL_SECONDS = 0.2  # how soon an ingest waiting on a worker notices it was asked to stop

# A read as stored, and as sent back by a worker: the rows to store (None if nothing was read), and the problems.
ParsedFile = tuple[PreparedRead | None, list[ParseError]]
Reader = Callable[[list[str]], list[ParsedFile]]  # files read from their start, one outcome each


class IngestStopped(Exception):
    """`stop` said so: the ingest ends early (the workers end, what was read in order is stored)."""


def never() -> bool:
    return False


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class FreshReads:
    """Files read from their start, in order: here until `pool_min_bytes` of them were met, then by a
    pool of worker processes, a few tasks of about TASK_BYTES each in flight per worker. `read` reads a
    task's files from their start (in a worker: it must be a module-level function, sent by name)."""

    def __init__(
        self, read: Reader, workers: int, pool_min_bytes: int, stop: Callable[[], bool] = never
    ) -> None:
        self.read_here = read
        self.workers = workers
        self.pool_min_bytes = pool_min_bytes
        self.stop = stop
        self.bytes_seen = 0
        self.pool: ProcessPoolExecutor | None = None
        self.task: list[str] = []
        self.task_bytes = 0
        self.in_flight: deque[tuple[list[str], Future]] = deque()
        self.max_in_flight = IN_FLIGHT_PER_WORKER * workers

    def __enter__(self) -> FreshReads:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        if exc_type is not None:  # interrupted (Ctrl-C, SIGTERM) or failed: the reads under way are not wanted
            self.abandon()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def abandon(self) -> None:
        """Forget the queued and unfinished reads, and end the workers now rather than after their task."""
        self.task, self.task_bytes = [], 0
        self.in_flight.clear()
        if self.pool is not None:
            end_workers(self.pool)

    def read(self, key: str, size: int) -> list[ParsedFile]:
        """Read `key` or queue it; the outcomes that are ready, in order."""
        self.bytes_seen += size
        if self.pool is None and (self.workers < 1 or self.bytes_seen < self.pool_min_bytes):
            return self.read_here([key])
        self.task.append(key)
        self.task_bytes += size
        if self.task_bytes >= TASK_BYTES or len(self.task) >= TASK_FILES:
            self.submit()
        return self.take_ready()

    def take_ready(self) -> list[ParsedFile]:
        """The outcomes at the head of the queue that are done, waiting only while too many are in flight."""
        ready: list[ParsedFile] = []
        while self.in_flight and (self.in_flight[0][1].done() or len(self.in_flight) > self.max_in_flight):
            ready += self.take()
        return ready

    def ready(self, outcome: ParsedFile) -> list[ParsedFile]:
        """An outcome known without reading (a file skipped), queued behind the files before it."""
        if not self.task and not self.in_flight:
            return [outcome]
        if self.task:
            self.submit()
        done: Future = Future()
        done.set_result([outcome])
        self.in_flight.append(([], done))
        return self.take_ready()

    def drain(self) -> list[ParsedFile]:
        """Every queued file's outcome, in order."""
        if self.task:
            self.submit()
        ready: list[ParsedFile] = []
        while self.in_flight:
            ready += self.take()
        return ready

    def submit(self) -> None:
        keys, self.task, self.task_bytes = self.task, [], 0
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                self.workers, mp_context=pool_context(), initializer=start_worker,
                initargs=(placeholder_key(), os.getpid()),
            )  # fmt: skip
        try:
            future = self.pool.submit(self.read_here, keys)
        except BrokenProcessPool:
            future = Future()
            future.set_exception(BrokenProcessPool("the ingest worker pool is broken"))
        self.in_flight.append((keys, future))

    def take(self) -> list[ParsedFile]:
        keys, future = self.in_flight.popleft()
        try:
            while True:
                try:
                    return future.result(timeout=STOP_POLL_SECONDS)
                except TimeoutError:  # a slow task: still wanted?
                    if self.stop():
                        raise IngestStopped from None
        except BrokenProcessPool:  # a worker died (killed, out of memory): these files are read here instead
            return self.read_here(keys)


def start_worker(key: bytes | None, ingesting_pid: int) -> None:
    """First thing in a worker: end with the ingesting process, and take its placeholder key (a worker
    started without a fork has none of that process's state). The thread that starts the workers is the
    one running the ingest (or the forkserver's), which outlives the pool: the kernel may signal them."""
    die_with(ingesting_pid, parent_death_signal=True)
    set_placeholder_key(key)


def end_workers(pool: ProcessPoolExecutor) -> None:
    """SIGTERM to the pool's workers; the pool then counts as broken and shuts down without waiting on them.
    (ProcessPoolExecutor.terminate_workers does this from Python 3.14 on.)"""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()


def pool_context() -> multiprocessing.context.BaseContext:
    """fork is the cheapest start, but forking a process that runs other threads (the TUI, the watcher)
    can copy a lock in a held state into the child; forkserver forks from a clean single-threaded server."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")

"""A progress bar on stderr for long commands: for `ingest`, `rebuild` and `demo` the files examined of those
found, MB read, sessions stored, the read rate and the time left, then what comes after reading (mining);
for `scan` the skill folders scanned of those found, and the time left.

Shown only when stderr is a terminal and the command prints no JSON: a script or a pipe gets exactly the
output it got before. The bar is transient: it disappears when done and leaves the command's own summary.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeRemainingColumn

from skillwarden.core.ingest.files import found_files
from skillwarden.core.ingest.run import IngestReport

MB = 1024 * 1024


def wanted(stream: TextIO, *, as_json: bool) -> bool:
    """A bar only for a person watching: stderr is a terminal and the output is not for a program."""
    try:
        return not as_json and stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced by something that is not a file
        return False


def count_files(paths: Iterable[os.PathLike | str]) -> int:
    return sum(1 for _ in found_files(paths))


class IngestProgress:
    """The `progress` callback of `ReviewService.ingest`, drawing a Rich bar; inert when not `enabled`.

    Use as a context manager around the ingest (and the mining after it): `with IngestProgress(paths,
    enabled=…) as progress: service.ingest(paths, progress=progress)`.
    """

    def __init__(self, paths: Iterable[os.PathLike | str], *, enabled: bool, stream: TextIO | None = None):
        self.enabled = enabled
        self.paths = list(paths)
        self.bytes = 0
        self.started = 0.0
        self.bar: Progress | None = None
        self.task = None
        self.stream = stream or sys.stderr

    def __enter__(self) -> IngestProgress:
        if not self.enabled:
            return self
        total = count_files(self.paths)
        self.bar = rich_bar(
            self.stream, "files  {task.fields[mb]:.1f} MB  {task.fields[sessions]} sessions  {task.fields[rate]}"
        )
        self.bar.start()
        self.task = self.bar.add_task("reading traces", total=total, mb=0.0, sessions=0, rate="")
        self.started = time.monotonic()
        return self

    def __call__(self, report: IngestReport, size: int | None) -> None:
        if self.bar is None:
            return
        if size is None:  # everything read is stored; what follows is mining
            self.bar.update(self.task, description="mining candidates", sessions=report.sessions)
            return
        self.bytes += size
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.bar.update(self.task, advance=1, mb=self.bytes / MB, sessions=report.sessions,
                        rate=f"{self.bytes / MB / elapsed:.1f} MB/s")  # fmt: skip

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


class CountProgress:
    """A bar over `total` items (`advance()` after each); inert when not `enabled`."""

    def __init__(self, total: int, description: str, unit: str, *, enabled: bool, stream: TextIO | None = None):
        self.total = total
        self.description = description
        self.unit = unit
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.bar: Progress | None = None
        self.task = None

    def __enter__(self) -> CountProgress:
        if self.enabled:
            self.bar = rich_bar(self.stream, self.unit)
            self.bar.start()
            self.task = self.bar.add_task(self.description, total=self.total)
        return self

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1)

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def rich_bar(stream: TextIO, counts: str) -> Progress:
    """Spinner, what is being done, the bar, N/M and `counts` (a template of the task's fields), time left."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(counts),
        TimeRemainingColumn(),
        console=Console(file=stream, stderr=True),
        transient=True,
    )

"""Every message of the TUI's workers: a worker never touches a widget, it posts one of these and the app
(or the screen the work is for) shows it on its own thread. Where a flood collapses, `can_replace` lets
Textual drop a message not yet handled for a newer one (`message`, the argument): a newer listing, library,
statistics or progress supersedes it, and a newer ingest, change of candidates or burst of changed traces
takes its content along."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from skillwarden.reviews.views import CandidateView, EvidenceRow, QueueRow, SessionRow, StepRow
    from skillwarden.skills.trailers import Decision


@dataclass(eq=False)
class QueueLoaded(Message):
    """The queue's rows and their cells (list columns only, no candidate content)."""

    rows: list[QueueRow]
    cells: dict[str, tuple]
    status: str | None = None

    def can_replace(self, message: Message) -> bool:
        """A newer listing supersedes this one, unless this carries a status the newer one lacks."""
        return isinstance(message, QueueLoaded) and (message.status is not None or self.status is None)


@dataclass(eq=False)
class ViewsLoaded(Message):
    """Candidates in full: all of the queue's (`complete`), or the one the preview waits for."""

    views: list[CandidateView]
    complete: bool

    def can_replace(self, message: Message) -> bool:
        """Newer views of all of the queue's candidates supersede these."""
        return isinstance(message, ViewsLoaded) and message.complete


@dataclass(eq=False)
class IngestDone(Message):
    """`changed`: traces were read, so the mined candidates may be stale."""

    status: str
    changed: bool

    def can_replace(self, message: Message) -> bool:
        """The newer ingest's status is the one to show; mining is wanted if either read traces."""
        if isinstance(message, IngestDone):
            message.changed = message.changed or self.changed
            return True
        return False


@dataclass(eq=False)
class MiningDone(Message):
    pass


@dataclass(eq=False)
class CandidatesChanged(Message):
    """Some candidates changed state (a decision): their rows are updated in place."""

    views: list[CandidateView]

    def can_replace(self, message: Message) -> bool:
        """A bulk decision posts one per commit: the newer takes this one's candidates along, its own views
        being the newer."""
        if isinstance(message, CandidatesChanged):
            newer = {view.id for view in message.views}
            message.views = [view for view in self.views if view.id not in newer] + message.views
            return True
        return False


@dataclass(eq=False)
class TracesChanged(Message):
    """The watcher saw trace files change; one message per burst."""

    paths: set[Path]

    def can_replace(self, message: Message) -> bool:
        """A newer burst not yet handled takes this one's paths along: one ingest reads both."""
        if isinstance(message, TracesChanged):
            message.paths |= self.paths
            return True
        return False


@dataclass(eq=False)
class DecisionMade(Message):
    """`remine`: the decision changed the library or a harness file, so mined candidates may be stale."""

    text: str
    remine: bool


@dataclass(eq=False)
class WorkProgress(Message):
    text: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WorkProgress)  # only the newest progress is worth showing


@dataclass(eq=False)
class WorkFailed(Message):
    text: str


@dataclass(eq=False)
class LibraryLoaded(Message):
    """The library's skill names and its decisions, newest first, read from git."""

    names: list[str]
    decisions: list[Decision]

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LibraryLoaded)


@dataclass(eq=False)
class StatisticsLoaded(Message):
    """What reviews/screen_statistics.py computes: per-skill posteriors, friction and leave-one-out."""

    skills: dict[str, dict]
    friction: dict
    loo: dict

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StatisticsLoaded)


@dataclass(eq=False)
class FeedLoaded(Message):
    """New events from the feed, and the latest sessions when an ingest happened."""

    events: list[dict]
    offset: int
    sessions: list[SessionRow] | None
    counts: dict | None


@dataclass(eq=False)
class EvidenceLoaded(Message, bubble=False):
    """Posted to the candidate screen that asked: its evidence sessions, predicted fixes and breakages."""

    rows: list[EvidenceRow]
    fixes: list[SessionRow]
    breakages: list[SessionRow]


@dataclass(eq=False)
class StepsLoaded(Message, bubble=False):
    """Posted to the steps screen that asked: the session's steps."""

    rows: list[StepRow]

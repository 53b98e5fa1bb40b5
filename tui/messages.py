"""The messages workers post to the TUI: a worker never touches a widget, it posts one of these and the app
shows it on its own thread. Where a flood collapses (a newer listing, library or progress supersedes one not
yet shown), `can_replace` lets Textual drop the older message for the newer one it is given."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from skillwarden.reviews.views import CandidateView, EvidenceRow, QueueRow, SessionRow, StepRow
    from skillwarden.skills.trailers import Decision
    from skillwarden.tui.screens import DetailScreen, StepsScreen


class QueueLoaded(Message):
    """The queue's rows and their cells (list columns only, no candidate content)."""

    def __init__(self, rows: list[QueueRow], cells: dict[str, tuple], status: str | None = None):
        super().__init__()
        self.rows = rows
        self.cells = cells
        self.status = status

    def can_replace(self, message: Message) -> bool:
        """A newer listing (`message`) supersedes this one not yet shown, unless this carries a status the
        newer one lacks."""
        return isinstance(message, QueueLoaded) and (message.status is not None or self.status is None)


class ViewsLoaded(Message):
    """Candidates in full: all of the queue's (`complete`), or the one the preview waits for."""

    def __init__(self, views: list[CandidateView], *, complete: bool):
        super().__init__()
        self.views = views
        self.complete = complete

    def can_replace(self, message: Message) -> bool:
        """Newer views of all of the queue's candidates (`message`) supersede these, not yet shown."""
        return isinstance(message, ViewsLoaded) and message.complete


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

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WorkProgress)  # only the newest progress is worth showing


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

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LibraryLoaded)


class StatisticsLoaded(Message):
    """What reviews/learning.py computes: per-skill posteriors, friction and leave-one-out."""

    def __init__(self, skills: dict[str, dict], friction: dict, loo: dict):
        super().__init__()
        self.skills = skills
        self.friction = friction
        self.loo = loo

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StatisticsLoaded)


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

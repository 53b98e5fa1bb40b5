"""What every review screen shares: the app it asks for data and work (`ReviewHost`), the registry's actions
any screen may bind (moving, copying, opening a trace file, rolling back), and, for the four screens of their
own mode, the status line."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.app import ComposeResult, SuspendNotSupported
from textual.screen import Screen
from textual.widgets import Footer, Static

from skillwarden.reviews.views import queue_row
from skillwarden.tui.actions import WRITING_ACTIONS
from skillwarden.tui.external import viewer_command
from skillwarden.tui.widgets import RowTable

if TYPE_CHECKING:
    from textual.signal import Signal

    from skillwarden.reviews.views import CandidateView, QueueRow
    from skillwarden.skills.trailers import Decision
    from skillwarden.tui.messages import FeedLoaded, StatisticsLoaded

WIDE = 140  # columns from which a screen shows its panes side by side


@runtime_checkable
class ReviewHost(Protocol):
    """What a screen asks of the app: the data it shows, where it hears that data changed, and the work the
    app runs in the background (each worker posts back to the app, or to the screen it was given)."""

    read_only: bool
    views: dict[str, CandidateView]  # candidates in full, once loaded
    rows: dict[str, QueueRow]  # the queue's rows, listed before the candidates in full are loaded
    cells: dict[str, tuple]  # the queue's rows as table cells
    skill_names: list[str]  # the library's skills
    decisions: list[Decision]  # the decision history, newest first
    statistics: StatisticsLoaded | None  # None until computed
    status: str  # the status line the four mode screens show

    views_changed: Signal[set[str]]  # the ids of candidates whose view or row changed
    library_changed: Signal[None]  # skill names and decisions
    statistics_changed: Signal[None]
    feed_changed: Signal[FeedLoaded]  # new events, and the latest sessions when an ingest happened
    status_changed: Signal[str]

    def show_cached_queue(self) -> None: ...  # the queue screen mounts: the cached rows, if read in time
    def update_status(self) -> None: ...  # the status line is composed again (the queue's part changed)
    def run_decision(self, action: str, candidate_id: str | None) -> object: ...  # commits, then posts
    def run_bulk(self, action: str, candidate_ids: list[str]) -> object: ...  # one commit each, cancellable
    def load_preview(self, candidate_id: str) -> object: ...  # that candidate's view, ahead of the others
    def load_evidence(self, screen: Screen, view: CandidateView) -> object: ...  # posts EvidenceLoaded to screen
    def load_steps(self, screen: Screen, session_id: str, step_span: str) -> object: ...  # posts StepsLoaded
    def load_library(self) -> object: ...  # skill names and decisions, from git
    def load_statistics(self) -> object: ...  # posteriors, friction and leave-one-out, in a process
    def reload_feed(self) -> None: ...  # the feed's recent events again, for a screen that missed them


class ReviewScreen(Screen):
    """A screen of the review TUI. Its `BINDINGS` name the registry's actions that apply on it
    (`actions.bindings(*ids)`), its `action_*` methods run them, and `applies` hides those that do not apply
    to what is under the cursor; in a read-only TUI every action that commits is hidden."""

    def __init__(self, host: ReviewHost):
        super().__init__()
        self.host = host
        self.bindings_shown: tuple = ()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.host.read_only and action in WRITING_ACTIONS:
            return False
        return self.applies(action)

    def applies(self, action: str) -> bool:
        """Whether `action` applies to what is under the cursor now."""
        if action == "rollback":
            return self.rollback_target() is not None
        return True

    def refresh_bindings_if_changed(self) -> None:
        """The footer recomposes on every refresh of the bindings: ask for one only when the keys that apply
        change (the App's too: cancel applies while a bulk decision runs)."""
        shown = tuple((key, active.binding.action, active.enabled) for key, active in self.active_bindings.items())
        if shown != self.bindings_shown:
            self.bindings_shown = shown
            self.refresh_bindings()

    def confirm(self, question: str, then: Callable[[], object]) -> None:
        """Ask `question`; `then()` runs only on yes."""
        from skillwarden.tui.screens.dialogs import ConfirmScreen  # not before the first question

        def answered(answer: bool | None) -> None:
            if answer:
                then()

        self.app.push_screen(ConfirmScreen(question), answered)

    # -- moving ------------------------------------------------------------------------------------
    def action_cursor_down(self) -> None:
        self.move_cursor(+1)

    def action_cursor_up(self) -> None:
        self.move_cursor(-1)

    def move_cursor(self, delta: int) -> None:
        focused = self.focused
        if isinstance(focused, RowTable):
            focused.action_cursor_down() if delta > 0 else focused.action_cursor_up()

    def on_row_table_selected(self) -> None:
        """`enter` or a double click on a row opens it, as the `open` key does where no table has focus."""
        self.action_open()

    def action_open(self) -> None:
        """Open what is under the cursor, on the screens that bind `open`."""

    # -- copying -----------------------------------------------------------------------------------
    def copy_target(self) -> str | None:
        """The id, commit sha or trace line under the cursor."""
        return None

    def action_copy(self) -> None:
        text = self.copy_target()
        if text:
            self.app.copy_to_clipboard(text)
            self.notify(f"copied {text}", timeout=3, markup=False)

    # -- trace files ---------------------------------------------------------------------------------
    def trace_target(self) -> tuple[str, int | None] | None:
        """The trace file under the cursor and the line to open it at, on the screens that bind `pager`
        and `editor`."""
        return None

    def action_open_trace(self, kind: str) -> None:
        target = self.trace_target()
        if target is None:
            self.notify("no trace file under the cursor", severity="warning")
            return
        command = viewer_command(kind, *target)
        try:
            with self.app.suspend():
                subprocess.run(command, check=False)
        except SuspendNotSupported:  # no terminal to hand over (tests, the web): run it as it is
            subprocess.run(command, check=False, stdin=subprocess.DEVNULL)
        except OSError as exc:
            self.notify(f"could not run {command[0]}: {exc}", severity="error", markup=False)

    # -- rolling back ----------------------------------------------------------------------------------
    def rollback_target(self) -> tuple[str, str] | None:
        """(candidate id, what) whose decision in effect `r` would revert, on the screens that bind
        `rollback`."""
        return None

    def action_rollback(self) -> None:
        target = self.rollback_target()
        if target is None:  # hidden then (`applies`)
            return
        candidate_id, what = target
        question = f"Roll back {what} for good (git revert)?"
        self.confirm(question, lambda: self.host.run_decision("rollback", candidate_id))

    def open_candidate(self, candidate_id: str | None) -> None:
        """The candidate screen for `candidate_id`, once its view is loaded."""
        from skillwarden.tui.screens.detail import DetailScreen  # imports this module

        view = self.host.views.get(candidate_id) if candidate_id else None
        if view is not None:
            self.app.push_screen(DetailScreen(self.host, view, self.host.rows.get(view.id) or queue_row(view)))


class ModeScreen(ReviewScreen):
    """A screen of its own mode (keys 1-4): a body, the status line and the footer."""

    def compose_status(self) -> ComposeResult:
        yield Static(self.host.status, id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """After the screen's own `on_mount`, which may have changed the status."""
        self.host.status_changed.subscribe(self, self.set_status)
        self.set_status(self.host.status)

    def on_resize(self) -> None:
        for body in self.query(".body"):
            body.set_class(self.size.width >= WIDE, "wide")

    def set_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def refresh_data(self) -> None:
        """Called each time the reviewer switches to this screen: read again what it shows that may have
        changed meanwhile."""

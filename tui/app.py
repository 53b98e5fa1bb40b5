"""The review TUI. Slow work (ingest, mining, git) runs in thread workers that post messages back;
no worker touches a widget, and new data never moves the reviewer's cursor."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from core.config import Config
from core.watch import TraceWatcher
from reviews.service import CandidateView, ReviewService
from reviews.states import State
from tui.actions import ACTIONS, bindings
from tui.screens import (
    ConfirmScreen,
    DetailScreen,
    HelpScreen,
    QueueScreen,
    provenance_table,
    queue_cells,
    skill_syntax,
    summary_text,
)

REVIEW_ACTIONS = {"approve", "backlog", "reject", "open_detail"}


class QueueLoaded(Message):
    """A fresh list of candidates (and optionally what an ingest found)."""

    def __init__(self, views: list[CandidateView], status: str | None = None):
        super().__init__()
        self.views = views
        self.status = status


class TracesChanged(Message):
    """The watcher saw trace files change; one message per burst."""

    def __init__(self, paths: set[Path]):
        super().__init__()
        self.paths = paths


class DecisionMade(Message):
    def __init__(self, text: str):
        super().__init__()
        self.text = text


class WorkFailed(Message):
    def __init__(self, text: str):
        super().__init__()
        self.text = text


class SkillwardenApp(App):
    TITLE = "skillwarden"
    CSS_PATH = "app.tcss"
    BINDINGS = bindings()

    def __init__(self, config: Config, *, watch: bool = True):
        super().__init__()
        self.config = config
        self.service: ReviewService | None = None
        self.views: dict[str, CandidateView] = {}
        self.watch_enabled = watch
        self.watcher: TraceWatcher | None = None
        self.sub_title = str(config.home)

    # -- life cycle -------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self.push_screen(QueueScreen())
        self.load()

    @work(thread=True, exclusive=True, group="ingest")
    def load(self) -> None:
        try:
            self.service = ReviewService(self.config)
            report = self.service.ingest()
        except Exception as exc:  # the app must stay usable to show what went wrong
            self.post_message(WorkFailed(f"could not open the workspace: {exc}"))
            return
        self.post_message(QueueLoaded(self.service.queue(), ingest_status(report)))
        if self.watch_enabled:
            self.watcher = TraceWatcher(self.config.watch, lambda paths: self.post_message(TracesChanged(paths)))
            self.watcher.start()

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.service is not None:
            self.service.close()

    # -- messages from workers and the watcher --------------------------------------------------------
    def on_traces_changed(self, message: TracesChanged) -> None:
        self.ingest_changes(sorted(message.paths))

    @work(thread=True, group="ingest")
    def ingest_changes(self, paths: list[Path]) -> None:
        assert self.service is not None
        try:
            report = self.service.ingest([p for p in paths if p.exists()])
        except Exception as exc:
            self.post_message(WorkFailed(f"ingest failed: {exc}"))
            return
        self.post_message(QueueLoaded(self.service.queue(), ingest_status(report)))

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        self.views = {view.id: view for view in message.views}
        screen = self.queue_screen()
        if screen is not None:
            update_table_in_place(screen.query_one(DataTable), message.views)
            self.show_preview()
            if message.status:
                screen.query_one("#status", Static).update(message.status)
        detail = self.screen if isinstance(self.screen, DetailScreen) else None
        if detail is not None and detail.candidate_id in self.views:
            detail.show(self.views[detail.candidate_id])
        self.refresh_bindings()

    def on_decision_made(self, message: DecisionMade) -> None:
        self.notify(message.text, title="decision committed")

    def on_work_failed(self, message: WorkFailed) -> None:
        self.notify(message.text, title="error", severity="error", timeout=10)

    @on(DataTable.RowHighlighted)
    def on_row_highlighted(self) -> None:
        self.show_preview()
        self.refresh_bindings()

    @on(DataTable.RowSelected)
    def on_row_selected(self) -> None:
        self.action_open_detail()

    # -- helpers ------------------------------------------------------------------------------------
    def queue_screen(self) -> QueueScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, QueueScreen)), None)

    def current_view(self) -> CandidateView | None:
        if isinstance(self.screen, DetailScreen):
            return self.views.get(self.screen.candidate_id, self.screen.view)
        screen = self.queue_screen()
        if screen is None:
            return None
        table = screen.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.views.get(key)

    def show_preview(self) -> None:
        screen = self.queue_screen()
        view = self.current_view()
        if screen is None:
            return
        if view is None:
            screen.query_one("#preview-summary", Static).update("no candidates yet: waiting for traces")
            screen.query_one("#preview-skill", Static).update("")
            screen.query_one("#preview-provenance", Static).update("")
            return
        screen.query_one("#preview-summary", Static).update(summary_text(view))
        screen.query_one("#preview-skill", Static).update(skill_syntax(view.candidate.content))
        screen.query_one("#preview-provenance", Static).update(provenance_table(view, limit=8))

    def active_keys(self) -> dict[str, str]:
        return {spec.id: self.config.keymap.get(spec.id, spec.keys) for spec in ACTIONS}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in REVIEW_ACTIONS:
            view = self.current_view()
            if view is None:
                return False
            if action == "approve":
                return view.state in (State.PENDING, State.BACKLOGGED)
            if action in ("backlog", "reject"):
                return view.state is State.PENDING
        if action == "back":
            return len(self.screen_stack) > 2
        return True

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        for spec in ACTIONS:
            if spec.id not in ("cursor-down", "cursor-up", "back"):
                yield SystemCommand(spec.description, spec.help, lambda a=spec.action: self.run_action(a))

    # -- actions ------------------------------------------------------------------------------------
    def action_cursor_down(self) -> None:
        self._move(+1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def _move(self, delta: int) -> None:
        if isinstance(self.screen, QueueScreen):
            table = self.screen.query_one(DataTable)
            table.action_cursor_down() if delta > 0 else table.action_cursor_up()
        elif isinstance(self.screen, DetailScreen):
            scroll = self.screen.query_one("#detail")
            scroll.scroll_down() if delta > 0 else scroll.scroll_up()

    def action_open_detail(self) -> None:
        view = self.current_view()
        if view is not None and not isinstance(self.screen, DetailScreen):
            self.push_screen(DetailScreen(view))

    def action_back(self) -> None:
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_approve(self) -> None:
        self._decide("approve")

    def action_backlog(self) -> None:
        self._decide("backlog")

    def action_reject(self) -> None:
        view = self.current_view()
        if view is None:
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                self._decide("reject", view.id)

        self.push_screen(ConfirmScreen(f"Reject {view.id}?\n{view.candidate.title}"), confirmed)

    def action_undo(self) -> None:
        self.run_decision("undo", None)

    def _decide(self, action: str, candidate_id: str | None = None) -> None:
        view = self.views.get(candidate_id) if candidate_id else self.current_view()
        if view is not None:
            self.run_decision(action, view.id)

    @work(thread=True, group="git")
    def run_decision(self, action: str, candidate_id: str | None) -> None:
        service = self.service
        if service is None:
            self.post_message(WorkFailed("still loading the workspace"))
            return
        try:
            decision = service.undo_last() if action == "undo" else getattr(service, action)(candidate_id)
        except Exception as exc:  # shown to the reviewer; the repository refused and is unchanged
            self.post_message(WorkFailed(str(exc)))
            return
        self.post_message(DecisionMade(f"{decision.action} {decision.candidate_id}: commit {decision.sha[:10]}"))
        self.post_message(QueueLoaded(service.queue()))


def ingest_status(report) -> str:
    text = f"{report.sessions} session(s) read from {report.files} changed file(s)"
    if report.errors:
        first = report.errors[0]
        where = f"{first['path']}:{first['line']}" if first["line"] else first["path"]
        text += f"; {len(report.errors)} error(s), e.g. {where}: {first['message']}"
    return text


def update_table_in_place(table: DataTable, views: list[CandidateView]) -> None:
    """Update rows by their stable key; new rows go to the end, so the cursor stays on its candidate."""
    selected = None
    if table.row_count:
        selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    wanted = {view.id: view for view in views}
    for key in [row_key.value for row_key in table.rows]:
        if key not in wanted:
            table.remove_row(key)
    column_keys = [column.key for column in table.columns.values()]
    for view in views:
        cells = queue_cells(view)
        if view.id in table.rows:
            for column_key, value in zip(column_keys, cells, strict=True):
                if table.get_cell(view.id, column_key) != value:
                    table.update_cell(view.id, column_key, value)
        else:
            table.add_row(*cells, key=view.id)
    if selected is not None and selected in table.rows:
        row = table.get_row_index(selected)
        if row != table.cursor_row:
            table.move_cursor(row=row, animate=False, scroll=False)

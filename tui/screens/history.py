"""The decision history (mode 3): every decision commit in the skills repository, newest first, and whether
it is still in effect; the one in effect can be rolled back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Header

from skillwarden.reviews.views import HistoryRow, history_rows
from skillwarden.tui.actions import bindings
from skillwarden.tui.render import HISTORY_COLUMNS, history_cells
from skillwarden.tui.screens.base import ModeScreen, ReviewHost
from skillwarden.tui.widgets import RowTable


class HistoryScreen(ModeScreen):
    """Every decision in the skills repository, newest first."""

    BINDINGS = bindings("cursor-down", "cursor-up", "open", "copy", "rollback")

    def __init__(self, host: ReviewHost):
        super().__init__(host)
        self.decisions: dict[str, HistoryRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield RowTable(HISTORY_COLUMNS, id="history")
        yield from self.compose_status()

    def on_mount(self) -> None:
        self.sub_title = "decisions (git history)"
        self.query_one(RowTable).focus()
        self.show_history()
        self.host.library_changed.subscribe(self, self.show_history)

    def refresh_data(self) -> None:
        self.host.load_library()

    def show_history(self, _: None = None) -> None:
        rows = history_rows(self.host.decisions)
        self.decisions = {row.sha: row for row in rows}
        table = self.query_one(RowTable)
        table.set_rows(list(self.decisions), {row.sha: history_cells(row) for row in rows})
        self.refresh_bindings_if_changed()

    def highlighted(self) -> HistoryRow | None:
        return self.query_one(RowTable).under_cursor(self.decisions)

    def on_row_table_highlighted(self) -> None:
        self.refresh_bindings_if_changed()

    # -- the keys ------------------------------------------------------------------------------------
    def action_open(self) -> None:
        row = self.highlighted()
        self.open_candidate(row.candidate_id if row else None)

    def copy_target(self) -> str | None:
        row = self.highlighted()
        return row.sha if row else None

    def rollback_target(self) -> tuple[str, str] | None:
        row = self.highlighted()
        return (row.candidate_id, f"{row.action} {row.sha[:10]}") if row and row.revertible else None

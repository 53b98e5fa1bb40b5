"""The queue of candidates (mode 1), with a preview of the one under the cursor: filtered as the reviewer
types, sorted by a column, rows marked for one bulk decision. The app loads the rows; this screen decides
which it shows, in what order, and what the cursor's row lets the reviewer do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Header

from skillwarden.core.security.sanitize import clean_line
from skillwarden.reviews.views import SORTS, CandidateView, QueueRow, matching, sorted_rows
from skillwarden.tui.actions import bindings
from skillwarden.tui.render import QUEUE_COLUMNS, content_syntax, merged_order, provenance_table, summary_text
from skillwarden.tui.screens import styles
from skillwarden.tui.screens.base import ModeScreen, ReviewHost
from skillwarden.tui.screens.deciding import DECISIONS, CandidateDecisions
from skillwarden.tui.widgets import RenderedLines, RowTable

if TYPE_CHECKING:  # the filter field is composed when `/` is first pressed, not for the first frame
    from textual.widgets import Input

PREVIEW_DELAY_SECONDS = 0.08
FILTER_PLACEHOLDER = "filter: words in id, kind, state, title, verdict (enter keeps, esc clears)"


class QueueScreen(CandidateDecisions, ModeScreen):
    """The queue of candidates, with a preview of the one under the cursor."""

    DEFAULT_CSS = styles("queue.tcss")
    BINDINGS = bindings(
        "cursor-down", "cursor-up", "open", "back", "copy", "filter", "sort", "mark",
        "approve", "backlog", "reject", "rollback",
    )  # fmt: skip

    def __init__(self, host: ReviewHost):
        super().__init__(host)
        self.filter_text = ""
        self.sort_column = next(iter(SORTS))
        self.preview_timer: Timer | None = None
        self.preview_shown: tuple = ()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="queue-body", classes="body"):
            yield RowTable(QUEUE_COLUMNS, markable=True, id="queue")
            yield RenderedLines(id="preview")
        yield from self.compose_status()

    def on_mount(self) -> None:
        self.table.focus()
        self.host.show_cached_queue()
        self.refresh_queue(keep_order=True)  # the cached rows, or rows loaded before the table existed
        self.host.views_changed.subscribe(self, self.views_changed)

    @property
    def table(self) -> RowTable:
        return self.query_one("#queue", RowTable)

    def queue_table(self) -> RowTable | None:
        """The table, or None before it is composed (the first queue can be loaded sooner; the screen shows
        it when it mounts) or after it is taken down while the app closes."""
        tables = self.query("#queue")
        return tables.first(RowTable) if tables else None

    # -- what the app loaded ---------------------------------------------------------------------------
    def refresh_queue(self, *, keep_order: bool) -> None:
        """Show the filtered, sorted queue; with `keep_order`, rows already shown keep their places."""
        table = self.queue_table()
        if table is None:
            return
        rows = self.host.rows.values()
        wanted = [row.id for row in sorted_rows(matching(rows, self.filter_text), self.sort_column)]
        table.set_rows(merged_order(table.keys, wanted) if keep_order else wanted, self.host.cells)
        self.show_preview()
        self.host.update_status()
        self.refresh_bindings_if_changed()

    def update_rows(self, ids: set[str]) -> None:
        """Rows whose cells changed (a decision) are updated in place: order, cursor and scroll stay."""
        table = self.queue_table()
        if table is None:
            return
        table.update_cells({key: self.host.cells[key] for key in ids if key in self.host.cells})
        self.show_preview()
        self.refresh_bindings_if_changed()

    def views_changed(self, ids: set[str]) -> None:
        self.schedule_preview()  # highlighting a SKILL.md waits until this frame is painted

    def summary(self) -> str:
        """The queue's part of the status line."""
        table = self.queue_table()
        text = f"{table.row_count} of {len(self.host.rows)} candidates, sorted by {self.sort_column}" if table else ""
        if self.filter_text:
            text += f", filter {self.filter_text!r}"
        if table and table.marked:
            text += f", {len(table.marked)} marked"
        return text

    # -- the preview -------------------------------------------------------------------------------
    def on_row_table_highlighted(self) -> None:
        self.schedule_preview()

    def schedule_preview(self) -> None:
        """The preview and the footer follow once the cursor rests: rendering a SKILL.md relayouts the
        screen, and the footer recomposes when the keys that apply change (approve, backlog and reject
        depend on the row's kind and state), which would make every `j` of a fast scroll wait for what
        nobody reads. A key pressed meanwhile is still checked against the row under the cursor."""
        if self.preview_timer is not None:
            self.preview_timer.stop()
        self.preview_timer = self.set_timer(PREVIEW_DELAY_SECONDS, self.cursor_rested)

    def cursor_rested(self) -> None:
        self.show_preview()
        self.refresh_bindings_if_changed()

    def show_preview(self) -> None:
        table = self.queue_table()
        if table is None:
            return
        key = table.cursor_key
        view = self.host.views.get(key) if key else None
        if key is not None and view is None:
            self.host.load_preview(key)
        shown = (key, view, self.host.rows.get(key) if key else None)
        if shown != self.preview_shown:  # a reload of the same candidate need not highlight it again
            self.preview_shown = shown
            self.render_preview(view, shown[2])

    def render_preview(self, view: CandidateView | None, row: QueueRow | None) -> None:
        preview = self.query_one("#preview", RenderedLines)
        if row is None:
            preview.show(Text("no candidates yet: waiting for traces"))
        elif view is None:
            preview.show(Text(f"{row.id}  {clean_line(row.title)}\nloading…"))
        else:
            preview.show(summary_text(view, row), Text(""), content_syntax(view),
                         Text("\nprovenance", style="bold"), provenance_table(view, limit=8))  # fmt: skip

    # -- the keys ------------------------------------------------------------------------------------
    def candidate_row(self) -> QueueRow | None:
        table = self.queue_table()
        key = table.cursor_key if table else None
        return self.host.rows.get(key) if key else None

    def marked_ids(self) -> list[str]:
        table = self.queue_table()
        return [key for key in table.keys if key in table.marked] if table and table.marked else []

    def applies(self, action: str) -> bool:
        if action in DECISIONS and self.marked_ids():
            return True
        if action == "back":
            return self.filter_field_focused()
        return super().applies(action)

    def decide(self, action: str) -> None:
        """Marked rows get one confirmation for all of them; else the row under the cursor is decided."""
        marked = self.marked_ids()
        if not marked:
            super().decide(action)
            return

        def decide_all() -> None:
            self.table.clear_marks()
            self.host.update_status()
            self.host.run_bulk(action, marked)

        self.confirm(f"{action.capitalize()} {len(marked)} marked candidate(s)? Each is its own commit.", decide_all)

    def action_open(self) -> None:
        row = self.candidate_row()
        self.open_candidate(row.id if row else None)

    def copy_target(self) -> str | None:
        row = self.candidate_row()
        return row.id if row else None

    def action_cycle_sort(self) -> None:
        columns = list(SORTS)
        self.sort_column = columns[(columns.index(self.sort_column) + 1) % len(columns)]
        self.refresh_queue(keep_order=False)

    def action_toggle_mark(self) -> None:
        self.table.toggle_mark()
        self.host.update_status()
        self.refresh_bindings()

    # -- the filter ------------------------------------------------------------------------------------
    def filter_field(self) -> Input | None:
        fields = self.query("#filter")
        return fields.first() if fields else None  # type: ignore[return-value]

    def filter_field_focused(self) -> bool:
        return self.focused is not None and self.focused is self.filter_field()

    async def action_filter(self) -> None:
        field = self.filter_field()
        if field is None:
            from textual.widgets import Input

            field = Input(placeholder=FILTER_PLACEHOLDER, id="filter")
            await self.mount(field, after=self.query_one("#queue-body"))
        field.display = True
        field.focus()

    def on_input_changed(self, message: Input.Changed) -> None:
        self.filter_text = message.value
        self.refresh_queue(keep_order=False)

    def on_input_submitted(self) -> None:
        self.table.focus()

    def action_back(self) -> None:
        """Clears and closes the filter (the only thing `esc` closes on the queue)."""
        field = self.filter_field()
        if field is not None:
            field.value = ""
            field.display = False
        self.table.focus()

"""One session's trace steps (opened over a candidate or the traces feed), with their trace-file line
numbers and the candidate's steps in bold; the trace file opens at the step's line."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from skillwarden.core.model import path_line
from skillwarden.core.security.sanitize import clean_line
from skillwarden.reviews.views import StepRow
from skillwarden.tui.actions import bindings
from skillwarden.tui.messages import StepsLoaded
from skillwarden.tui.render import STEP_COLUMNS, step_cells
from skillwarden.tui.screens import styles
from skillwarden.tui.screens.base import ReviewHost, ReviewScreen
from skillwarden.tui.widgets import RowTable


class StepsScreen(ReviewScreen):
    """One session's trace steps with their trace-file line numbers; the candidate's steps in bold."""

    DEFAULT_CSS = styles("steps.tcss")
    BINDINGS = bindings("cursor-down", "cursor-up", "back", "copy", "pager", "editor")

    def __init__(self, host: ReviewHost, session_id: str, step_span: str, heading: Text, path: str):
        """`step_span`: the candidate's steps (`3-7`), shown in bold; empty for none. `path`: the trace file."""
        super().__init__(host)
        self.session_id = session_id
        self.step_span = step_span
        self.heading = heading
        self.path = path
        self.steps: dict[str, StepRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.heading, id="steps-heading")
        yield RowTable(STEP_COLUMNS, id="steps")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"session {clean_line(self.session_id)}"
        self.query_one(RowTable).focus()
        self.host.load_steps(self, self.session_id, self.step_span)

    def on_steps_loaded(self, message: StepsLoaded) -> None:
        self.show_steps(message.rows)

    def show_steps(self, rows: list[StepRow]) -> None:
        self.steps = {str(row.number): row for row in rows}
        table = self.query_one(RowTable)
        table.set_rows(list(self.steps), {str(row.number): step_cells(row) for row in rows})
        first = next((row for row in rows if row.in_range), None)
        if first is not None:
            table.move_to(str(first.number))

    def highlighted_step(self) -> StepRow | None:
        return self.query_one(RowTable).under_cursor(self.steps)

    # -- the keys ------------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss()

    def copy_target(self) -> str | None:
        step = self.highlighted_step()
        return path_line(self.path, step.line) if step and step.line else self.session_id

    def trace_target(self) -> tuple[str, int | None] | None:
        step = self.highlighted_step()
        return (self.path, step.line if step else None) if self.path else None

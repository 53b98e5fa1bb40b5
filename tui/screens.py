"""The review screens: the queue, one candidate, one session's steps, help and confirmation. They render
what the app gives them and hold no domain logic."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Static

from skillwarden.core.sanitize import clean_line
from skillwarden.reviews.views import CandidateView, EvidenceRow, QueueRow, SessionRow, StepRow
from skillwarden.tui.actions import ACTIONS, SCOPES, key_display
from skillwarden.tui.render import (
    EVIDENCE_COLUMNS,
    QUEUE_COLUMNS,
    STEP_COLUMNS,
    content_syntax,
    content_title,
    evidence_cells,
    findings_text,
    provenance_table,
    sessions_text,
    step_cells,
    summary_text,
)
from skillwarden.tui.widgets import RenderedLines, RowTable

WIDE = 140  # columns from which a screen shows its panes side by side


class BaseScreen(Screen):
    """A screen of its own mode (1-4): a body, a status line and the footer."""

    def compose_status(self) -> ComposeResult:
        yield Static("", id="status", markup=False)
        yield Footer()

    def on_resize(self) -> None:
        for body in self.query(".body"):
            body.set_class(self.size.width >= WIDE, "wide")

    def set_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)


class QueueScreen(BaseScreen):
    """The queue of candidates, with a preview of the one under the cursor."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="queue-body", classes="body"):
            yield RowTable(QUEUE_COLUMNS, markable=True, id="queue")
            yield RenderedLines(id="preview")
        yield Input(placeholder="filter: words in id, kind, state, title, verdict (enter keeps, esc clears)",
                    id="filter")  # fmt: skip
        yield from self.compose_status()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.query_one(RowTable).focus()
        self.app.show_cached_queue()
        self.app.refresh_queue(keep_order=True)  # rows loaded before the table existed

    @property
    def table(self) -> RowTable:
        return self.query_one("#queue", RowTable)

    def show_preview(self, view: CandidateView | None, row: QueueRow | None) -> None:
        preview = self.query_one("#preview", RenderedLines)
        if row is None:
            preview.show(Text("no candidates yet: waiting for traces"))
        elif view is None:
            preview.show(Text(f"{row.id}  {clean_line(row.title)}\nloading…"))
        else:
            preview.show(summary_text(view, row), Text(""), content_syntax(view),
                         Text("\nprovenance", style="bold"), provenance_table(view, limit=8))  # fmt: skip


class DetailScreen(Screen):
    """One candidate in full: what would be committed, the evidence down to trace lines, the predicted
    fixes and breakages, and the security findings."""

    BINDINGS = [Binding("escape", "app.back", "Back")]

    def __init__(self, view: CandidateView, row: QueueRow):
        super().__init__()
        self.view = view
        self.row = row
        self.evidence: dict[str, EvidenceRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(id="detail-summary")
            yield Static(content_title(self.view), id="detail-content-title", classes="section-title")
            yield Static(id="detail-skill")
            yield Static("evidence: source sessions (tab, then enter: steps; o/e: open the trace)",
                         classes="section-title")  # fmt: skip
            yield RowTable(EVIDENCE_COLUMNS, id="evidence")
            yield Static("predicted fixes: failed sessions it would have helped", classes="section-title")
            yield Static("loading…", id="detail-fixes")
            yield Static("predicted breakages: successful sessions it may change", classes="section-title")
            yield Static("loading…", id="detail-breakages")
            yield Static("security scan", classes="section-title")
            yield Static(id="detail-security")
            yield Static("provenance: sessions and step ranges", classes="section-title")
            yield Static(id="detail-provenance")
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.view, self.row)
        self.query_one("#detail").focus()

    def show(self, view: CandidateView, row: QueueRow) -> None:
        self.view, self.row = view, row
        self.sub_title = clean_line(view.candidate.title)
        self.query_one("#detail-summary", Static).update(summary_text(view, row))
        self.query_one("#detail-skill", Static).update(content_syntax(view))
        self.query_one("#detail-security", Static).update(findings_text(view.candidate.details))
        self.query_one("#detail-provenance", Static).update(provenance_table(view))

    def show_evidence(self, rows: list[EvidenceRow], fixes: list[SessionRow], breakages: list[SessionRow]) -> None:
        self.evidence = {row.session_id: row for row in rows}
        table = self.query_one("#evidence", RowTable)
        table.set_rows(list(self.evidence), {row.session_id: evidence_cells(row) for row in rows})
        table.styles.height = min(len(rows), 10) + 1
        details = self.view.candidate.details
        none = "none predicted" if "predicted_fixes" in details else "no prediction for this candidate"
        self.query_one("#detail-fixes", Static).update(sessions_text(fixes, none))
        none = "none predicted" if "predicted_breakages" in details else "no prediction for this candidate"
        self.query_one("#detail-breakages", Static).update(sessions_text(breakages, none))

    @property
    def candidate_id(self) -> str:
        return self.view.id

    def highlighted_evidence(self) -> EvidenceRow | None:
        key = self.query_one("#evidence", RowTable).cursor_key
        return self.evidence.get(key) if key else None


class StepsScreen(Screen):
    """One session's trace steps with their trace-file line numbers; the candidate's steps in bold."""

    BINDINGS = [Binding("escape", "app.back", "Back")]

    def __init__(self, session_id: str, step_span: str, heading: Text):
        super().__init__()
        self.session_id = session_id
        self.step_span = step_span
        self.heading = heading
        self.path = ""
        self.steps: dict[str, StepRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.heading, id="steps-heading")
        yield RowTable(STEP_COLUMNS, id="steps")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"session {clean_line(self.session_id)}"
        self.query_one(RowTable).focus()

    def show_steps(self, rows: list[StepRow], path: str) -> None:
        self.path = path
        self.steps = {str(row.number): row for row in rows}
        table = self.query_one(RowTable)
        table.set_rows(list(self.steps), {str(row.number): step_cells(row) for row in rows})
        first = next((row for row in rows if row.in_range), None)
        if first is not None:
            table.move_to(str(first.number))

    def highlighted_step(self) -> StepRow | None:
        key = self.query_one(RowTable).cursor_key
        return self.steps.get(key) if key else None


class HelpScreen(ModalScreen):
    """Every key binding, generated from the one action registry: global keys on the left, each
    screen's own keys on the right, so it fits 80x24."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        columns = (["everywhere"], [scope for scope in SCOPES if scope != "everywhere"])
        with VerticalScroll(id="help-box"):
            yield Static("skillwarden keys", classes="help-title")
            with Horizontal(id="help-columns"):
                for scopes in columns:
                    yield Static(self.keys_table(scopes), classes="help-column")
            yield Static(
                "Arrows, pgup/pgdn, home/end move; click selects, double click opens; ctrl+p finds any action.\n"
                'Rebind any action by id in config.yaml:  keymap: {approve: "a,ctrl+a"}',
                classes="hint",
            )

    def keys_table(self, scopes: list[str]) -> Table:
        keys_in_use = self.app.active_keys() if hasattr(self.app, "active_keys") else {}
        read_only = getattr(self.app, "read_only", False)
        table = Table(box=None, expand=True, show_header=False, pad_edge=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("id", style="dim", no_wrap=True)
        table.add_column("action", no_wrap=True, overflow="ellipsis", ratio=1)
        for scope in scopes:
            table.add_row(Text(SCOPES[scope], style="underline"), "", "")
            for spec in (s for s in ACTIONS if s.scope == scope):
                note = " (off: read-only)" if read_only and spec.writes else ""
                table.add_row(key_display(keys_in_use.get(spec.id, spec.keys)), spec.id, spec.help + note)
        return table


class ConfirmScreen(ModalScreen[bool]):
    """Asks before a destructive or bulk decision; `y` confirms, `n` or escape cancels."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question", markup=False)
            yield Static("[b]y[/b] yes    [b]n[/b] no", classes="hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

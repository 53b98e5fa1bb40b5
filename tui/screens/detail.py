"""One candidate in full (opened over the queue, the skills or the history): what would be committed, the
evidence down to trace lines, the predicted fixes and breakages, and the security findings. The candidate
can be decided from here, and an evidence session opens its trace steps."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from skillwarden.core.security.sanitize import clean_line
from skillwarden.reviews.views import CandidateView, EvidenceRow, QueueRow, SessionRow
from skillwarden.tui.actions import bindings
from skillwarden.tui.messages import EvidenceLoaded
from skillwarden.tui.render import (
    EVIDENCE_COLUMNS,
    content_syntax,
    content_title,
    evidence_cells,
    findings_text,
    provenance_table,
    sessions_text,
    summary_text,
)
from skillwarden.tui.screens import styles
from skillwarden.tui.screens.base import ReviewHost
from skillwarden.tui.screens.deciding import CandidateDecisions
from skillwarden.tui.widgets import RowTable


class DetailScreen(CandidateDecisions):
    """One candidate in full: what would be committed, the evidence down to trace lines, the predicted
    fixes and breakages, and the security findings."""

    DEFAULT_CSS = styles("detail.tcss")
    BINDINGS = bindings(
        "cursor-down", "cursor-up", "open", "back", "copy",
        "approve", "backlog", "reject", "rollback", "pager", "editor",
    )  # fmt: skip

    def __init__(self, host: ReviewHost, view: CandidateView, row: QueueRow):
        super().__init__(host)
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
        self.host.load_evidence(self, self.view)
        self.host.views_changed.subscribe(self, self.views_changed)

    @property
    def candidate_id(self) -> str:
        return self.view.id

    def views_changed(self, ids: set[str]) -> None:
        """A decision or a new load of this candidate: shown as it is now."""
        view, row = self.host.views.get(self.candidate_id), self.host.rows.get(self.candidate_id)
        if self.candidate_id in ids and view is not None and row is not None:
            self.show(view, row)

    def show(self, view: CandidateView, row: QueueRow) -> None:
        self.view, self.row = view, row
        self.sub_title = clean_line(view.candidate.title)
        self.query_one("#detail-summary", Static).update(summary_text(view, row))
        self.query_one("#detail-skill", Static).update(content_syntax(view))
        self.query_one("#detail-security", Static).update(findings_text(view.candidate.details))
        self.query_one("#detail-provenance", Static).update(provenance_table(view))
        self.refresh_bindings_if_changed()

    def on_evidence_loaded(self, message: EvidenceLoaded) -> None:
        self.show_evidence(message.rows, message.fixes, message.breakages)

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

    def highlighted_evidence(self) -> EvidenceRow | None:
        return self.query_one("#evidence", RowTable).under_cursor(self.evidence)

    # -- the keys ------------------------------------------------------------------------------------
    def candidate_row(self) -> QueueRow | None:
        return self.host.rows.get(self.candidate_id, self.row)

    def move_cursor(self, delta: int) -> None:
        """The evidence table's cursor when it has focus, else the page scrolls."""
        if isinstance(self.focused, RowTable):
            super().move_cursor(delta)
            return
        scroll = self.query_one("#detail", VerticalScroll)
        scroll.scroll_down() if delta > 0 else scroll.scroll_up()

    def action_open(self) -> None:
        """The highlighted evidence session's trace steps, the candidate's steps in bold."""
        from skillwarden.tui.screens.steps import StepsScreen

        evidence = self.highlighted_evidence()
        if evidence is None:
            return
        heading = Text(f"{clean_line(evidence.session_id)}  {evidence.agent}  {evidence.outcome}  reward ")
        heading.append(f"{evidence.reward:.2f}" if evidence.reward is not None else "–")
        heading.append(f"  {clean_line(evidence.reward_explanation)}\n{clean_line(evidence.path)}   "
                       f"steps {evidence.steps}")  # fmt: skip
        self.app.push_screen(StepsScreen(self.host, evidence.session_id, evidence.steps, heading, evidence.path))

    def action_back(self) -> None:
        self.dismiss()

    def copy_target(self) -> str | None:
        return self.candidate_id

    def trace_target(self) -> tuple[str, int | None] | None:
        evidence = self.highlighted_evidence()
        if evidence is None or not evidence.path:
            return None
        return evidence.path, evidence.lines[0] if evidence.lines else None

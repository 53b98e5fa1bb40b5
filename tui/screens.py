"""The screens of the review TUI. They render what the app gives them and hold no domain logic."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Static

from reviews.service import CandidateView
from tui.actions import ACTIONS, key_display

QUEUE_COLUMNS = (("state", "State"), ("support", "Sup"), ("kind", "Kind"), ("title", "Candidate"), ("id", "Id"))
STATE_LABELS = {
    "pending": "pending",
    "approved": "approved ✓",
    "backlogged": "backlog",
    "rejected": "rejected ✗",
    "rolled_back": "rolled back",
}


def queue_cells(view: CandidateView) -> tuple:
    c = view.candidate
    return (STATE_LABELS.get(view.state.value, view.state.value), str(c.support), c.kind, c.title, c.id)


def skill_syntax(content: str) -> Syntax:
    return Syntax(content, "markdown", word_wrap=True, theme="ansi_dark", background_color="default")


def provenance_table(view: CandidateView, *, limit: int | None = None) -> Table:
    table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
    table.add_column("session")
    table.add_column("steps", justify="right")
    table.add_column("trace lines", justify="right")
    items = view.candidate.provenance[:limit] if limit else view.candidate.provenance
    for item in items:
        lines = item.get("lines") or []
        table.add_row(item["session"], item["steps"], f"{lines[0]}-{lines[-1]}" if lines else "")
    return table


def summary_text(view: CandidateView) -> Text:
    c = view.candidate
    text = Text()
    text.append(f"{c.id}", style="bold")
    text.append(f"  {STATE_LABELS.get(view.state.value, view.state.value)}")
    text.append(f"  support {c.support} successful session{'s' if c.support != 1 else ''}")
    failed = len(c.details.get("failed_sessions", []))
    if failed:
        text.append(f", seen in {failed} failed")
    text.append(f"\n{c.content_hash}")
    if view.state_sha:
        text.append(f"  commit {view.state_sha[:10]}")
    return text


class QueueScreen(Screen):
    """The queue of candidates, with a preview of the one under the cursor."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="queue-body"):
            yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="preview"):
                yield Static(id="preview-summary")
                yield Static(id="preview-skill")
                yield Static("provenance", classes="section-title")
                yield Static(id="preview-provenance")
        yield Static("loading traces…", id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in QUEUE_COLUMNS:
            table.add_column(label, key=key)
        table.focus()

    def on_resize(self) -> None:
        self.query_one("#queue-body").set_class(self.size.width >= 140, "wide")


class DetailScreen(Screen):
    """One candidate in full: its SKILL.md exactly as it would be committed, and where it came from."""

    BINDINGS = [Binding("escape", "app.back", "Back")]

    def __init__(self, view: CandidateView):
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(id="detail-summary")
            yield Static("SKILL.md as it would be committed", classes="section-title")
            yield Static(id="detail-skill")
            yield Static("provenance: sessions and step ranges", classes="section-title")
            yield Static(id="detail-provenance")
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.view)

    def show(self, view: CandidateView) -> None:
        self.view = view
        self.sub_title = view.candidate.title
        self.query_one("#detail-summary", Static).update(summary_text(view))
        self.query_one("#detail-skill", Static).update(skill_syntax(view.candidate.content))
        self.query_one("#detail-provenance", Static).update(provenance_table(view))

    @property
    def candidate_id(self) -> str:
        return self.view.id


class HelpScreen(ModalScreen):
    """Every key binding, generated from the one action registry."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, title="skillwarden keys", title_style="bold")
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("action")
        table.add_column("id", style="dim")
        keys_in_use = self.app.active_keys() if hasattr(self.app, "active_keys") else {}
        for spec in ACTIONS:
            table.add_row(key_display(keys_in_use.get(spec.id, spec.keys)), spec.help, spec.id)
        table.add_row("↑ / ↓", "Move (arrows work everywhere)", "")
        table.add_row("ctrl+p", "Command palette: every action by name", "")
        with Vertical(id="help-box"):
            yield Static(table)
            yield Static('Rebind any action in config.yaml:  keymap: {approve: "a,ctrl+a"}', classes="hint")


class ConfirmScreen(ModalScreen[bool]):
    """Asks before a destructive decision; `y` confirms, `n` or escape cancels."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            yield Static("[b]y[/b] yes    [b]n[/b] no", classes="hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

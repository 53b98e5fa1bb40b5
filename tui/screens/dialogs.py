"""The dialogs over any screen: every key binding (help) and a yes/no question before a destructive or bulk
decision. They bind their own keys, which are no actions of the registry."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from skillwarden.tui.actions import ACTIONS, SCOPES, key_display
from skillwarden.tui.screens import styles


class HelpScreen(ModalScreen):
    """Every key binding, generated from the one action registry: global keys on the left, each
    screen's own keys on the right, so it fits 80x24."""

    DEFAULT_CSS = styles("dialogs.tcss")
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def __init__(self, keys_in_use: dict[str, str], *, read_only: bool):
        """`keys_in_use`: each action id's keys, after the user's keymap."""
        super().__init__()
        self.keys_in_use = keys_in_use
        self.read_only = read_only

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
        table = Table(box=None, expand=True, show_header=False, pad_edge=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("id", style="dim", no_wrap=True)
        table.add_column("action", no_wrap=True, overflow="ellipsis", ratio=1)
        for scope in scopes:
            table.add_row(Text(SCOPES[scope], style="underline"), "", "")
            for spec in (s for s in ACTIONS if s.scope == scope):
                note = " (off: read-only)" if self.read_only and spec.writes else ""
                table.add_row(key_display(self.keys_in_use.get(spec.id, spec.keys)), spec.id, spec.help + note)
        return table


class ConfirmScreen(ModalScreen[bool]):
    """Asks before a destructive or bulk decision; `y` confirms, `n` or escape cancels."""

    DEFAULT_CSS = styles("dialogs.tcss")
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

"""One registry of the reviewer's actions: it feeds the key bindings, the footer, the help screen,
the command palette and the user keymap (`keymap:` in config.yaml, by action id)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class ActionSpec:
    id: str  # stable id used by the user keymap
    keys: str  # Textual key names, comma separated
    action: str  # the app action it runs
    description: str  # short, for the footer
    help: str  # one line, for the help screen and the command palette
    show: bool = True  # shown in the footer


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("cursor-down", "j", "cursor_down", "Down", "Move to the next candidate (also ↓)", show=False),
    ActionSpec("cursor-up", "k", "cursor_up", "Up", "Move to the previous candidate (also ↑)", show=False),
    ActionSpec("open", "enter", "open_detail", "Open", "Open the candidate: SKILL.md, provenance, support"),
    ActionSpec("approve", "a", "approve", "Approve", "Approve: commit the skill to the skills repository"),
    ActionSpec("backlog", "b", "backlog", "Backlog", "Backlog: keep it for a broader discussion (committed)"),
    ActionSpec("reject", "x", "reject", "Reject", "Reject the candidate (asks for confirmation)"),
    ActionSpec("undo", "u", "undo", "Undo", "Undo the last decision still in effect (git revert)"),
    ActionSpec("back", "escape", "back", "Back", "Close the open view or dialog", show=False),
    ActionSpec("help", "question_mark,f1", "help", "Help", "Show every key binding"),
    ActionSpec("quit", "q", "quit", "Quit", "Quit skillwarden"),
)

ACTIONS_BY_ID = {spec.id: spec for spec in ACTIONS}


def bindings() -> list[Binding]:
    return [
        Binding(spec.keys, spec.action, spec.description, show=spec.show, id=spec.id, tooltip=spec.help)
        for spec in ACTIONS
    ]


def key_display(keys: str) -> str:
    names = {"question_mark": "?", "escape": "esc", "enter": "enter"}
    return " / ".join(names.get(key, key) for key in keys.split(","))

"""One registry of the reviewer's actions: it feeds the key bindings, the footer, the help screen,
the command palette and the user keymap (`keymap:` in config.yaml, by action id). The App binds the actions
that apply everywhere, each screen those that apply on it (`bindings(*ids)` in its `BINDINGS`); an id
bound on several screens is one action, rebound on all of them at once."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode

# Where an action applies, in the order the help screen lists them.
SCOPES = {
    "everywhere": "Everywhere",
    "queue": "Queue (1)",
    "candidate": "Candidate and trace steps",
    "skills": "Skills (2)",
    "history": "History (3)",
}


@dataclass(frozen=True)
class ActionSpec:
    id: str  # stable id used by the user keymap
    keys: str  # Textual key names, comma separated
    action: str  # the action it runs, on the App or the screen that binds it
    description: str  # short, for the footer
    help: str  # one line, for the help screen and the command palette
    show: bool = True  # shown in the footer
    scope: str = "everywhere"
    writes: bool = False  # commits to the skills repository: hidden in read-only mode


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("cursor-down", "j", "cursor_down", "Down", "Move to the next row (also ↓)", show=False),
    ActionSpec("cursor-up", "k", "cursor_up", "Up", "Move to the previous row (also ↑)", show=False),
    ActionSpec("open", "enter", "open", "Open", "Open the row: a candidate, a session's steps, a commit"),
    ActionSpec("back", "escape", "back", "Back", "Close the open view or dialog"),
    ActionSpec("screen-queue", "1", "show_screen('queue')", "Queue", "Show the queue of candidates", show=False),
    ActionSpec("screen-skills", "2", "show_screen('skills')", "Skills", "Show the live skills library", show=False),
    ActionSpec("screen-history", "3", "show_screen('history')", "History", "Show the decisions from git", show=False),
    ActionSpec("screen-traces", "4", "show_screen('traces')", "Traces", "Show the live feed of sessions", show=False),
    ActionSpec("copy", "y", "copy", "Copy", "Copy the id or commit sha under the cursor", show=False),
    ActionSpec("undo", "u", "undo", "Undo", "Undo the last decision still in effect (git revert)", writes=True),
    ActionSpec("cancel", "ctrl+g", "cancel_work", "Cancel", "Cancel the running bulk decision"),
    ActionSpec("theme", "ctrl+t", "change_theme", "Theme", "Switch the colour theme", show=False),
    ActionSpec("help", "question_mark,f1", "help", "Help", "Show every key binding"),
    ActionSpec("quit", "q,ctrl+c", "quit", "Quit", "Quit skillwarden (also ctrl+c outside the filter)"),
    ActionSpec("filter", "slash", "filter", "Filter", "Filter the queue as you type (esc clears)", scope="queue"),
    ActionSpec("sort", "s", "cycle_sort", "Sort", "Sort by the next column", scope="queue"),
    ActionSpec("mark", "space", "toggle_mark", "Mark", "Mark the row for a bulk decision", scope="queue"),
    ActionSpec(
        "approve",
        "a",
        "approve",
        "Approve",
        "Approve: commit the candidate (marked rows: all)",
        scope="queue",
        writes=True,
    ),  # fmt: skip
    ActionSpec(
        "backlog",
        "b",
        "backlog",
        "Backlog",
        "Backlog: keep it for a broader discussion (committed)",
        scope="queue",
        writes=True,
    ),  # fmt: skip
    ActionSpec(
        "reject", "x", "reject", "Reject", "Reject the candidate (asks for confirmation)", scope="queue", writes=True
    ),  # fmt: skip
    ActionSpec(
        "pager",
        "o",
        "open_trace('pager')",
        "Pager",
        "Open the trace file at the step's line in $PAGER",
        scope="candidate",
    ),  # fmt: skip
    ActionSpec(
        "editor",
        "e",
        "open_trace('editor')",
        "Editor",
        "Open the trace file at the step's line in $EDITOR",
        scope="candidate",
    ),  # fmt: skip
    ActionSpec(
        "evict", "d", "evict", "Evict", "Evict the skill from the library (asks first)", scope="skills", writes=True
    ),  # fmt: skip
    ActionSpec(
        "rollback",
        "r",
        "rollback",
        "Roll back",
        "Roll the decision back for good: git revert (asks first)",
        scope="history",
        writes=True,
    ),  # fmt: skip
)

ACTIONS_BY_ID = {spec.id: spec for spec in ACTIONS}


def bindings(*ids: str) -> list[Binding]:
    """The key bindings of these registry actions, in the order given: a screen's or the App's `BINDINGS`."""
    return [
        Binding(spec.keys, spec.action, spec.description, show=spec.show, id=spec.id, tooltip=spec.help)
        for spec in (ACTIONS_BY_ID[action_id] for action_id in ids)
    ]


def bound_ids(node_type: type[DOMNode]) -> set[str]:
    """The registry ids an App or screen class binds, through its `BINDINGS` and those it inherits."""
    return {
        binding.id
        for cls in node_type.__mro__
        for binding in vars(cls).get("BINDINGS", ())
        if isinstance(binding, Binding) and binding.id in ACTIONS_BY_ID
    }


def action_name(spec: ActionSpec) -> str:
    """`show_screen('queue')` -> `show_screen`: the name `check_action` receives."""
    return spec.action.split("(", 1)[0]


# Commits to the skills repository: hidden in a read-only TUI, wherever they are bound.
WRITING_ACTIONS = frozenset(action_name(spec) for spec in ACTIONS if spec.writes)


def key_display(keys: str) -> str:
    names = {"question_mark": "?", "escape": "esc", "enter": "enter", "slash": "/", "space": "space"}
    return " / ".join(names.get(key, key) for key in keys.split(","))

"""The registry of `skillwarden` commands: each declares itself once, in its area's `tui/cli_<area>.py`, as a
`Command` (name, help, arguments, what runs it, and whether it writes the workspace). The command line builds
its parser from the registry and applies one lock rule to every command: one that writes holds the workspace
lock while it runs (and is refused in a read-only workspace); one that reads takes no lock, so it neither
recovers a decision another process left half-made nor rewrites the cache's decision table."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass

from skillwarden.core.workspace.config import Config

# The modules declaring commands, listed rather than discovered: what a foreign package installs beside
# skillwarden can add no command. Imported only when a command runs, never on the way to the TUI's first frame.
AREAS = (
    "cli_demo", "cli_review", "cli_agents", "cli_decisions", "cli_doctor", "cli_events", "cli_extraction",
    "cli_hooks", "cli_ingest", "cli_learning", "cli_outcomes", "cli_scan",
)  # fmt: skip

Handler = Callable[[argparse.Namespace, Config | None], int]


def no_arguments(_parser: argparse.ArgumentParser) -> None:
    return None


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Handler  # exit code; given None for a command that needs no workspace
    arguments: Callable[[argparse.ArgumentParser], None] = no_arguments
    # Whether it writes the workspace (its cache, its history, its published skills): a bool, or for a command
    # whose options decide (`apply-auto --dry-run`, `outcomes list`), a function of its arguments.
    writes: bool | Callable[[argparse.Namespace], bool] = False
    workspace: bool = True  # False: it runs without a workspace (no configuration is loaded, no lock is taken)
    # A command that only reads never creates a workspace: where there is none it is refused with a sentence,
    # or, when True, ends at once with nothing to say (the prompt hook, which must never disturb a prompt).
    silent_without_workspace: bool = False

    def writes_with(self, args: argparse.Namespace) -> bool:
        return self.writes(args) if callable(self.writes) else self.writes


def registered() -> list[Command]:
    """Every command, in the order `skillwarden --help` lists them."""
    return [command for area in AREAS for command in importlib.import_module(f"skillwarden.tui.{area}").COMMANDS]


def add_parsers(subparsers, commands: list[Command]) -> None:
    for command in commands:
        command.arguments(subparsers.add_parser(command.name, help=command.help))


def find(commands: list[Command], name: str) -> Command:
    return next(command for command in commands if command.name == name)

"""`skillwarden hook install | uninstall | run`: the prompt hook that names the fitting skills to the agent."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from skillwarden.core.workspace.config import Config
from skillwarden.skills import claude_settings, prompt_hook
from skillwarden.skills.claude_settings import HookError
from skillwarden.tui.commands import Command

AGENTS = ("claude-code",)


def hook_arguments(hook: argparse.ArgumentParser) -> None:
    actions = hook.add_subparsers(dest="hook_command", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="add the hook to the agent's settings (a backup is kept)")
    uninstall = actions.add_parser("uninstall", help="take the hook out again (the file as it was, when unchanged)")
    for sub in (install, uninstall):
        sub.add_argument("agent", metavar="AGENT", choices=AGENTS, help=", ".join(AGENTS))
        sub.add_argument("--project", metavar="DIR", help="the project's .claude/settings.json instead of the user's")
    actions.add_parser("run", help="what the agent runs: read the hook input on stdin, print the fitting skills")


def run_hook(args: argparse.Namespace, config: Config) -> int:
    """`install` and `uninstall` run holding the workspace lock (`tui.commands`); `run` only reads."""
    if args.hook_command == "run":
        return prompt_hook.main(config.home)
    try:
        path = claude_settings.settings_path(
            user_home=Path.home(), project=Path(args.project) if args.project else None
        )
        command = claude_settings.hook_command(hook_program(), config.home)
        change = claude_settings.install if args.hook_command == "install" else claude_settings.uninstall
        print(change(config.home, path, command))
    except HookError as error:
        print(f"skillwarden: {error}", file=sys.stderr)
        return 1
    return 0


def hook_program() -> list[str]:
    """How the agent starts this skillwarden: the script installed beside this Python (a virtual
    environment's bin/), else the one on PATH, else this Python running the entry module."""
    beside = Path(sys.executable).parent / "skillwarden"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("skillwarden")
    if found:
        return [os.path.abspath(found)]
    return [sys.executable, "-m", "skillwarden.tui.entry"]


COMMANDS = [
    Command("hook", "the prompt hook that names the skills fitting each prompt to the agent", run_hook,
            hook_arguments, writes=lambda args: args.hook_command != "run", silent_without_workspace=True),
]  # fmt: skip

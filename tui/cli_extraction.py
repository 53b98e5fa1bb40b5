"""`skillwarden eval [--json] [--older-share F]`: predict on the older sessions, check on the newer ones."""

from __future__ import annotations

import argparse
import json

from skillwarden.core.workspace.config import Config
from skillwarden.reviews.candidates import evaluate_store
from skillwarden.tui.commands import Command
from skillwarden.tui.workspace import open_store


def eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--older-share", type=float, default=0.5, metavar="F", help="share of sessions (oldest first) to predict on"
    )


def run_eval(args: argparse.Namespace, config: Config) -> int:
    if not 0 < args.older_share < 1:
        raise SystemExit("skillwarden: --older-share must be between 0 and 1")
    store = open_store(config)
    try:
        report = evaluate_store(store, config, args.older_share)
    finally:
        store.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"predicted on {report['older_sessions']} older sessions, checked on {report['newer_sessions']} newer ones")
    checked = report["checked_against"]
    print(f"outcomes checked against: {checked['label']} imported label(s), {checked['graded']} grade(s)")
    for name in ("fix", "regression"):
        print(
            f"{name:<10} precision {percent(report[f'{name}_precision'])} "
            f"({report[f'{name}_came_true']}/{report[f'{name}_predictions']}), random "
            f"{percent(report[f'random_{name}_precision'])} "
            f"({report[f'random_{name}_came_true']}/{report[f'random_{name}_predictions']}), "
            f"chance {percent(report[f'chance_{name}_precision'])}"
        )
    return 0


def percent(value: float | None) -> str:
    return "   n/a" if value is None else f"{100 * value:5.1f}%"


COMMANDS = [
    Command("eval", "check predicted fixes and breakages on a time split, against a random baseline", run_eval,
            eval_arguments),
]  # fmt: skip

"""`skillwarden outcomes import FILE [--under DIR]` and `outcomes list`: ground truth about which runs
solved their task, overriding the grade wherever sessions are read."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from skillwarden.core.signals.labels import LabelError, load_workspace_labels
from skillwarden.core.workspace.config import Config
from skillwarden.reviews.outcomes import import_labels
from skillwarden.tui.commands import Command
from skillwarden.tui.workspace import open_service, open_store


def outcomes_arguments(outcomes: argparse.ArgumentParser) -> None:
    sub = outcomes.add_subparsers(dest="outcomes_command", metavar="ACTION", required=True)
    imported = sub.add_parser(
        "import", help="read labels ({id: true|false}, or an evaluation report) and let them override the grade"
    )
    imported.add_argument("file", metavar="FILE", type=Path)
    imported.add_argument("--under", metavar="DIR", type=Path,
                          help="apply the labels only to sessions whose trace lies under DIR")  # fmt: skip
    imported.add_argument("--json", action="store_true")
    listed = sub.add_parser("list", help="the imported label files and how many sessions each settles")
    listed.add_argument("--json", action="store_true")


def run_outcomes(args: argparse.Namespace, config: Config) -> int:
    """`import` runs holding the workspace lock (`tui.commands`); `list` only reads."""
    if args.outcomes_command == "list":
        return list_imports(config, as_json=args.json)
    try:
        service = open_service(config)
        try:
            report = import_labels(config, service.store, args.file, args.under)
            if report["sessions_labelled"] and service.mine_inline:
                service.refresh_candidates()  # mining counts labelled outcomes
        finally:
            service.close()
    except (LabelError, NotADirectoryError) as exc:
        print(f"skillwarden: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        where = f" under {report['under']}" if report["under"] else ""
        print(
            f"imported {report['labels']} label(s) ({report['resolved']} resolved) from {report['file']}{where}: "
            f"{report['sessions_labelled']} session(s) labelled ({report['sessions_resolved']} resolved), "
            f"{report['sessions_without_label']} without a label, {report['labels_without_session']} label(s) "
            "match no session yet"
        )
    return 0


def list_imports(config: Config, *, as_json: bool) -> int:
    store = open_store(config)
    try:
        sources = Counter(s.outcome_source for s in store.sessions())
        labels = load_workspace_labels(config.labels_file)
    except LabelError as exc:
        print(f"skillwarden: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    imports = Counter((label.source, label.under) for label in labels)
    rows = [{"source": source, "under": under or None, "labels": n} for (source, under), n in imports.items()]
    if as_json:
        print(json.dumps({"imports": rows, "sessions": dict(sources)}, indent=2))
        return 0
    for row in rows:
        print(f"{row['labels']:>6} label(s) from {row['source']}" + (f" under {row['under']}" if row["under"] else ""))
    print(f"sessions: {sources.get('label', 0)} labelled, {sources.get('graded', 0)} graded only")
    return 0


COMMANDS = [
    Command("outcomes", "import ground truth (which runs solved their task)", run_outcomes, outcomes_arguments,
            writes=lambda args: args.outcomes_command == "import"),
]  # fmt: skip

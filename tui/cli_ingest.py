"""`skillwarden rebuild [--json]`: delete the state cache and re-create it from its two sources of truth,
the trace files (the watched folders, and every path ever ingested by name) and the skills repository's
history. It writes the workspace, so it runs holding the workspace lock (`tui.commands`): refused while another
process holds it, whose cache is not deleted under it."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from skillwarden.core.model import ParseError
from skillwarden.core.workspace.config import Config
from skillwarden.core.workspace.sources import remembered
from skillwarden.tui.cli_review import print_errors
from skillwarden.tui.commands import Command
from skillwarden.tui.progress import IngestProgress
from skillwarden.tui.progress import wanted as progress_wanted
from skillwarden.tui.workspace import open_service

# SQLite keeps the database in three files in WAL mode, and in two with the rollback journal: a journal
# left by a crash would be rolled back into the new database.
CACHE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def rebuild_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run_rebuild(args: argparse.Namespace, config: Config) -> int:
    report = rebuild(config, show_progress=progress_wanted(sys.stderr, as_json=args.json))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"rebuilt {config.state_db} in {report['seconds']:.1f}s: {report['files']} file(s) from "
        f"{len(report['folders'])} folder(s) and path(s), {report['sessions']} session(s), {report['steps']} step(s), "
        f"{report['decisions']} decision(s) from {config.skills_repo}, {report['candidates']} candidate(s)"
    )
    print_errors(report["errors"])
    for target in report["published"]:
        changed = len(target["published"]) + len(target["updated"]) + len(target["removed"])
        print(f"  {target['target']['agent']} {target['target']['folder']}: {changed} skill(s) brought in sync")
        for problem in target["problems"]:
            print(f"skillwarden: warning: {problem}", file=sys.stderr)
    return 0


def delete_cache(state_db: Path) -> None:
    for suffix in CACHE_SUFFIXES:
        Path(f"{state_db}{suffix}").unlink(missing_ok=True)


def rebuild(config: Config, *, show_progress: bool = False) -> dict:
    """Re-create the cache; return what was read (the ingest report plus decisions and candidates). The caller
    holds the workspace lock."""
    started = time.perf_counter()
    delete_cache(config.state_db)
    service = open_service(config)  # replays the decisions from the skills repository's history
    try:
        sources = [str(folder) for folder in config.watch if folder.exists()]
        gone = []
        for path in remembered(config.ingested_file):
            (sources if os.path.exists(path) else gone).append(path)
        with IngestProgress(service.ingest_targets(sources), enabled=show_progress) as bar:
            report = service.ingest(sources, progress=bar)
        for path in gone:
            report.add_error(ParseError(path, "ingested by name earlier, no longer there: what it held is gone"))
        counts = service.store.counts()
        published = service.publish()  # the linked agent folders follow the repository again
        return {
            "folders": sources,
            "files": report.files,
            "sessions": counts["sessions"],
            "steps": counts["steps"],
            "errors": report.errors,
            "decisions": len(service.store.decisions()),
            "candidates": len(service.store.candidates()),
            "published": [report.to_json() for report in published],
            "seconds": round(time.perf_counter() - started, 3),
        }
    finally:
        service.close()


COMMANDS = [
    Command("rebuild", "delete the state cache and re-create it from the traces and the skills repository",
            run_rebuild, rebuild_arguments, writes=True),
]  # fmt: skip

"""`skillwarden ingest | candidates | show | sessions | approve | backlog | reject | rollback | undo`: the review
workflow the TUI offers, for scripts and cron."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable

from skillwarden.core.model import path_line
from skillwarden.core.security.sanitize import clean_line
from skillwarden.core.workspace.config import Config
from skillwarden.core.workspace.sources import remember
from skillwarden.reviews.service import ReviewService
from skillwarden.reviews.views import queue_row
from skillwarden.skills.trailers import Decision
from skillwarden.tui.commands import Command
from skillwarden.tui.progress import IngestProgress
from skillwarden.tui.progress import wanted as progress_wanted
from skillwarden.tui.workspace import open_service, open_store


def json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH")
    json_option(parser)


def candidates_arguments(parser: argparse.ArgumentParser) -> None:
    json_option(parser)
    parser.add_argument("--pending", action="store_true", help="only candidates nobody has decided on")


def id_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id")
    json_option(parser)


def id_and_reason_arguments(parser: argparse.ArgumentParser) -> None:
    id_arguments(parser)
    parser.add_argument("--reason", default="")


def run_ingest(args: argparse.Namespace, config: Config) -> int:
    # Remembered first, so that even an interrupted ingest's paths are read by the next rebuild.
    remember(config.ingested_file, [p for p in args.paths if os.path.exists(p)], config.watch)
    paths = args.paths or None
    service = open_service(config)
    try:
        bar = IngestProgress(service.ingest_targets(paths), enabled=progress_wanted(sys.stderr, as_json=args.json))
        with bar:
            report = service.ingest(paths, progress=bar)
    finally:
        service.close()
    print_ingest(report.to_json(), as_json=args.json)
    reason = nothing_read(report.to_json(), args.paths or [str(p) for p in config.watch])
    if reason:
        print(f"skillwarden: {reason}", file=sys.stderr)
        return 1
    return 0


def run_candidates(args: argparse.Namespace, config: Config) -> int:
    service = open_service(config, writes=False)
    try:
        views = service.queue()
        sessions = service.store.counts()["sessions"] if not views else 0
    finally:
        service.close()
    if args.pending:
        views = [v for v in views if v.state.value == "pending"]
    if args.json:
        print(json.dumps([v.to_json() for v in views], indent=2))
        return 0
    for v in views:
        success = queue_row(v).success
        figures = f"  {success}" if success else ""
        title = clean_line(v.candidate.title)
        print(f"{v.id}  {v.state.value:<11} support {v.candidate.support:>3}{figures}  {title}")
    if not views:
        print(
            f"no candidates: no procedure is shared by {config.min_support} successful sessions "
            f"among the {sessions} cached (ingest more traces: skillwarden ingest PATH)"
        )
    return 0


def run_show(args: argparse.Namespace, config: Config) -> int:
    service = open_service(config, writes=False)
    try:
        view = service.view(args.id)
    finally:
        service.close()
    if args.json:
        print(json.dumps({**view.to_json(), "content": view.candidate.content}, indent=2))
        return 0
    print(view.candidate.content)
    print("# provenance")
    for item in view.candidate.provenance:
        print(f"  {clean_line(str(item['session']))}  steps {item['steps']}")
    return 0


def run_sessions(args: argparse.Namespace, config: Config) -> int:
    store = open_store(config)
    try:
        sessions = [s.to_json() for s in store.sessions()]
    finally:
        store.close()
    if args.json:
        print(json.dumps(sessions, indent=2))
        return 0
    for s in sessions:
        print(f"{clean_line(s['id'])[:36]:<36}  {s['format']:<11} {s['outcome']:<11} "
              f"{clean_line(s['reward_explanation'])}")  # fmt: skip
    return 0


def decision_command(decide: Callable[[ReviewService, argparse.Namespace], Decision]):
    """A command that makes one decision through the review service and prints it."""

    def run(args: argparse.Namespace, config: Config) -> int:
        service = open_service(config)
        try:
            decision = decide(service, args)
            print_decision(decision, as_json=args.json, published=service.published)
        finally:
            service.close()
        return 0

    return run


def print_decision(decision: Decision, *, as_json: bool, published: list | None = None) -> None:
    """The decision made, and where its skill was published (or removed) for the linked agents."""
    from skillwarden.tui.cli_agents import print_problems, publish_lines

    published = published or []
    if as_json:
        print(json.dumps({**decision_json(decision), "published": [r.to_json() for r in published]}, indent=2))
    else:
        print(f"{decision.action} {decision.candidate_id}: commit {decision.sha[:10]}  {clean_line(decision.summary)}")
        for line in publish_lines(published):
            print(line)
    print_problems(published)


def decision_json(decision: Decision) -> dict:
    return {
        "action": decision.action,
        "candidate": decision.candidate_id,
        "commit": decision.sha,
        "content_hash": decision.content_hash,
        "evidence": list(decision.evidence),
        "reviewer": decision.reviewer,
        "reverts": decision.reverts,
        "summary": decision.summary,
    }


def print_ingest(report: dict, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2))
        return
    merged = (
        f"; {report['merged']} session(s) continue in more than one file and were stored once, as the last of "
        "those files has them"
        if report["merged"]
        else ""
    )
    print(
        f"read {report['files']} file(s) ({report['unchanged']} unchanged): "
        f"{report['sessions']} session(s), {report['steps']} step(s){merged}"
    )
    print_errors(report["errors"])


def print_errors(errors: list[dict]) -> None:
    """An ingest's errors on stderr, one line each, at the file and line they name."""
    for error in errors:
        print(f"  error: {path_line(error['path'], error['line'])}: {error['message']}", file=sys.stderr)


def nothing_read(report: dict, paths: list[str]) -> str | None:
    """Why an ingest read nothing at all (no session stored, nothing already known), or None."""
    if report["sessions"] or report["unchanged"]:
        return None
    where = ", ".join(paths) or "the watched folders (none is configured)"
    if not report["files"] and not report["errors"]:
        return f"nothing was read: no trace file in {where}"
    if report["errors"]:
        return f"nothing was read: none of the {len(report['errors'])} file(s) found in {where} is a trace it can read"
    return None


COMMANDS = [
    Command("ingest", "read trace files or folders (default: the watched folders)", run_ingest, ingest_arguments,
            writes=True),
    Command("candidates", "list candidates and their review state", run_candidates, candidates_arguments),
    Command("show", "print one candidate's SKILL.md and provenance", run_show, id_arguments),
    Command("sessions", "list the cached sessions", run_sessions, json_option),
    Command("approve", "commit the candidate's skill to the skills repository",
            decision_command(lambda service, args: service.approve(args.id)), id_arguments, writes=True),
    Command("backlog", "record the candidate in the backlog for later discussion",
            decision_command(lambda service, args: service.backlog(args.id)), id_arguments, writes=True),
    Command("reject", "record that the candidate is not wanted",
            decision_command(lambda service, args: service.reject(args.id, args.reason)), id_and_reason_arguments,
            writes=True),
    Command("rollback", "git-revert the candidate's decision (removes an approved skill)",
            decision_command(lambda service, args: service.rollback(args.id, args.reason)), id_and_reason_arguments,
            writes=True),
    Command("undo", "git-revert the newest decision in effect; its candidate is pending again",
            decision_command(lambda service, _args: service.undo_last()), json_option, writes=True),
]  # fmt: skip

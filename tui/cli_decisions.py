"""`skillwarden log` (the decisions in the git history) and `skillwarden apply-auto` (the autonomous tier)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from skillwarden.core.workspace.config import Config
from skillwarden.reviews.autopilot import Autopilot, AutopilotAction
from skillwarden.reviews.policy import load_policy
from skillwarden.reviews.recovery import RecoveryOutcome, recover_workspace
from skillwarden.reviews.service import ReviewService
from skillwarden.skills.harness_repo import HarnessRepo
from skillwarden.skills.library import SkillLibrary
from skillwarden.skills.trailers import Decision
from skillwarden.tui.commands import Command
from skillwarden.tui.workspace import open_service


def log_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true")


def apply_auto_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="only say what would be applied or rolled back")
    parser.add_argument("--json", action="store_true")


# ------------------------------------------------------------------------------------------- log


def log_entry(decision: Decision, repository: str) -> dict:
    return {
        "when": decision.when,
        "reviewer": decision.reviewer,
        "action": decision.action,
        "candidate": decision.candidate_id,
        "skill": decision.name,
        "target": decision.target,
        "why": decision.reason,
        "policy": decision.policy,
        "scanner": decision.scanner,
        "content_hash": decision.content_hash,
        "evidence": list(decision.evidence),
        "reverts": decision.reverts,
        "summary": decision.summary,
        "commit": decision.sha,
        "repository": repository,
    }


def newest_first(entries: list[dict]) -> list[dict]:
    # Each repository's log is already ordered; merging two needs the commit times (with their zones).
    return sorted(entries, key=lambda entry: datetime.fromisoformat(entry["when"]), reverse=True)


def log_line(entry: dict) -> str:
    what = entry["skill"] or entry["target"] or entry["candidate"]
    why = entry["policy"] or entry["why"].split("\n", 1)[0]
    return f"{entry['commit'][:10]}  {entry['when']}  {entry['reviewer']:<22} {entry['action']:<8} {what}  {why}"


def run_log(args: argparse.Namespace, config: Config) -> int:
    with SkillLibrary(config.skills_repo) as library:
        entries = [log_entry(decision, "skills") for decision in library.decisions()]
    harness_path = config.harness_repo
    if harness_path is not None:
        with HarnessRepo(harness_path) as harness:
            entries += [log_entry(decision, "harness") for decision in harness.decisions()]
    entries = newest_first(entries)
    if args.json:
        print(json.dumps(entries, indent=2))
    else:
        for entry in entries:
            print(log_line(entry))
        if not entries:
            print("no decisions yet")
    return 0


# ------------------------------------------------------------------------------------ apply-auto


def action_line(action: AutopilotAction) -> str:
    where = f" commit {action.commit[:10]}" if action.commit else ""
    pushed = f" pushed {action.branch}" if action.branch else ""
    head = f"{action.outcome:<11} {action.action:<8} {action.candidate}"
    return f"{head}  [{action.rule}]{where}{pushed}  {action.reason}"


def run_apply_auto(args: argparse.Namespace, config: Config) -> int:
    """For real, it runs holding the workspace lock (`tui.commands`); a dry run only reads, beside the TUI too,
    and judges what the last writer left (no recovery, no eviction refreshed)."""
    writes = not args.dry_run
    policy = load_policy(config.home)  # (a PolicyError is one line: `cli.user_errors`)
    harness_path = config.harness_repo
    recovered = recover_workspace(config.skills_repo, harness_path) if writes else []
    service = open_service(config, writes=writes)
    harness = HarnessRepo(harness_path) if harness_path is not None else None
    try:
        if writes:
            service.refresh_evictions()  # drift comes with time too: judge it as of this run
        autopilot = Autopilot(service, policy, harness=harness, backlog_remote=config.backlog_remote)
        actions = autopilot.run(dry_run=args.dry_run, drift=drift_signals(service))
    finally:
        if harness is not None:
            harness.close()
        service.close()
    notes = [report.message for report in recovered if report.outcome is not RecoveryOutcome.NOTHING]
    if args.json:
        print(json.dumps({"dry_run": args.dry_run, "recovered": notes,
                          "actions": [action.to_json() for action in actions]}, indent=2))  # fmt: skip
    else:
        for note in notes:
            print(note)
        for action in actions:
            print(action_line(action))
        if not actions:
            print("nothing to do: no pending candidate and no drifting skill")
    return 0


def drift_signals(service: ReviewService) -> list[dict]:
    """Skills whose success dropped, as [{"skill": name, "evidence": {...}}]. Disuse is not drift of
    success: an unused skill becomes an eviction candidate for a human instead."""
    from skillwarden.reviews.learning import skill_stats

    stats = skill_stats(service.store, service.library, service.config, events=service.events)
    return [
        {"skill": entry["skill"], "evidence": entry["drift"]}
        for entry in stats
        if entry["drift"] and entry["drift"].get("reason") == "success_dropped"
    ]


COMMANDS = [
    Command("log", "list the decisions in the git history, newest first", run_log, log_arguments),
    Command("apply-auto", "apply what policy.yaml allows without a human (for cron)", run_apply_auto,
            apply_auto_arguments, writes=lambda args: not args.dry_run),
]  # fmt: skip

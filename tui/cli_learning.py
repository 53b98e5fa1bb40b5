"""`skillwarden select | stats | friction | loo`: how the approved skills are doing, for scripts and hooks."""

from __future__ import annotations

import argparse
import json
import math
from datetime import UTC, datetime

from skillwarden.core.workspace.config import Config
from skillwarden.core.workspace.events import EventLog
from skillwarden.reviews import learning
from skillwarden.skills.library import SkillLibrary
from skillwarden.tui.commands import Command
from skillwarden.tui.workspace import open_store

# Longer than any trace history, and short enough that the window before it (twice as far back) stays
# within the years datetime can hold.
MAX_DAYS = 300_000


def select_arguments(select: argparse.ArgumentParser) -> None:
    select.add_argument("task", metavar="TASK TEXT")
    select.add_argument("--seed", type=int, default=None, help="seed the Thompson sampling (default: random)")
    select.add_argument("--limit", type=positive_int, default=None, metavar="N", help="only the N best skills")
    select.add_argument("--json", action="store_true")


def stats_arguments(stats: argparse.ArgumentParser) -> None:
    stats.add_argument("--json", action="store_true")


def friction_arguments(friction: argparse.ArgumentParser) -> None:
    friction.add_argument("--days", type=positive_days, default=None, help="window length in days (default: 7)")
    friction.add_argument(
        "--end", type=iso_time, default=None, metavar="ISO-TIME", help="window end (default: newest session)"
    )
    friction.add_argument("--json", action="store_true")


def loo_arguments(loo: argparse.ArgumentParser) -> None:
    loo.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    loo.add_argument("--json", action="store_true")


def run_learning(args: argparse.Namespace, config: Config) -> int:
    """`select`, `stats`, `friction` and `loo`: each reads the cache, the library and the event feed."""
    store = open_store(config)
    library = SkillLibrary(config.skills_repo)
    events = EventLog(config.events_file)
    try:
        if args.command == "select":
            rows = learning.select_skills(args.task, store, library, config, seed=args.seed, limit=args.limit)
            print_rows(rows, args.json, lambda r: f"{r['score']:.3f}  {r['skill']:<40} relevance {r['relevance']:.2f}"
                                                  f"  sample {r['sample']:.2f}  uses {r['uses']}")  # fmt: skip
        elif args.command == "stats":
            rows = learning.skill_stats(store, library, config, events=events)
            print_rows(rows, args.json, lambda r: f"{r['skill']:<40} mean {r['mean']:.2f}  Beta({r['alpha']:.1f}, "
                       f"{r['beta']:.1f})  uses {r['uses']:>4}  last {r['last_used'] or '-'}"
                       + (f"  DRIFT: {r['drift']['reason']}" if r["drift"] else ""))  # fmt: skip
        elif args.command == "friction":
            report = learning.workspace_friction(store, config, end=args.end, days=args.days, events=events)
            print_friction(report, args.json)
        else:
            report = learning.loo_report(store, library, config, seed=args.seed)
            print_loo(report, args.json)
        return 0
    finally:
        library.close()
        store.close()


# Argument types: a bad value is argparse's one-line usage error (exit 2), never a traceback further on.
def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def positive_days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"expected a number of days above 0 and at most {MAX_DAYS}, not {text!r}")
    return value


def iso_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        example = "2026-01-31T12:00:00Z"
        raise argparse.ArgumentTypeError(f"expected an ISO-8601 time such as {example}, not {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def print_rows(rows: list[dict], as_json: bool, line) -> None:
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        print(line(row))
    if not rows:
        print("no approved skills in the library yet (approve a candidate: skillwarden approve ID)")


def print_friction(report: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2))
        return
    if report["window"] is None:
        print("no sessions with a start time in the cache")
        return
    window = report["window"]
    print(f"window {window['start']} .. {window['end']} ({window['days']:g} days)")
    groups = [("overall", report["overall"])] + [(f"agent {k}", v) for k, v in report["by_agent"].items()]
    groups += [(f"category {k}", v) for k, v in report["by_category"].items()]
    for name, group in groups:
        cells = "  ".join(
            f"{metric} {values['rate']:.0%} {values['status']}" for metric, values in group["metrics"].items()
        )
        print(f"{name:<24} {group['sessions']:>4} sessions  {cells}")


def print_loo(report: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['sessions']} sessions; no conclusion below {report['min_sessions']} compared sessions")
    for row in report["skills"]:
        effect = "-" if row["effect"] is None else f"{row['effect']:+.3f} [{row['ci'][0]:+.3f}, {row['ci'][1]:+.3f}]"
        print(
            f"{row['skill']:<40} with {row['with']:>4}  without {row['without']:>4}  effect {effect}  {row['verdict']}"
        )


COMMANDS = [
    Command("select", "rank the library's skills for a task (relevance x Thompson sample)", run_learning,
            select_arguments),
    Command("stats", "success posterior, uses, last use and drift of every skill", run_learning, stats_arguments),
    Command("friction", "NOOP, blocked, failure and pivot rates per agent and category", run_learning,
            friction_arguments),
    Command("loo", "leave-one-out: reward with each skill minus without, within category", run_learning,
            loo_arguments),
]  # fmt: skip

"""The `skillwarden` command line: the same operations as the TUI, for scripts and cron."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.metadata
import json
import os
import pkgutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import skillwarden.tui
from skillwarden.core.config import HOME_ENV, Config, ConfigError, load_config, resolve_home
from skillwarden.core.lock import LockMode, WorkspaceLock, WorkspaceLockedError, holder_message, read_holder
from skillwarden.core.sanitize import clean_line, clean_text
from skillwarden.reviews.service import ReviewError
from skillwarden.skills.library import LibraryError
from skillwarden.tui.workspace import open_service

# Commands that write to the skills repository or the cache take the workspace lock.
WRITE_COMMANDS = frozenset({"ingest", "approve", "backlog", "reject", "rollback", "undo"})
DEMO_SESSIONS = 60
DEMO_SEED = 7


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skillwarden",
        description="Review the skills an AI agent learns from its own traces. Without a command, opens the TUI.",
    )
    parser.add_argument(
        "--home", metavar="DIR", help=f"workspace directory (default: ${HOME_ENV} or ~/.local/share/skillwarden)"
    )
    parser.add_argument(
        "--read-only", action="store_true", help="TUI without actions that commit (also SKILLWARDEN_READ_ONLY=1)"
    )
    parser.add_argument("--version", action="version", version=f"skillwarden {installed_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("tui", help="open the review TUI on the workspace (the default)")

    demo = commands.add_parser("demo", help="create a demo workspace from generated traces and open the TUI")
    demo.add_argument("--dir", metavar="PATH", help="where to create it (default: a new temporary directory)")
    demo.add_argument("--no-tui", action="store_true", help="only create the workspace and print where it is")
    demo.add_argument("--sessions", type=int, default=DEMO_SESSIONS, help="number of generated sessions")
    demo.add_argument("--seed", type=int, default=DEMO_SEED, help="generator seed")

    ingest = commands.add_parser("ingest", help="read trace files or folders (default: the watched folders)")
    ingest.add_argument("paths", nargs="*", metavar="PATH")
    ingest.add_argument("--json", action="store_true", help="print the report as JSON")

    candidates = commands.add_parser("candidates", help="list candidates and their review state")
    candidates.add_argument("--json", action="store_true")
    candidates.add_argument("--pending", action="store_true", help="only candidates nobody has decided on")

    show = commands.add_parser("show", help="print one candidate's SKILL.md and provenance")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")

    sessions = commands.add_parser("sessions", help="list the cached sessions")
    sessions.add_argument("--json", action="store_true")

    for name, text in (("approve", "commit the candidate's skill to the skills repository"),
                       ("backlog", "record the candidate in the backlog for later discussion")):  # fmt: skip
        sub = commands.add_parser(name, help=text)
        sub.add_argument("id")
        sub.add_argument("--json", action="store_true")
    reject = commands.add_parser("reject", help="record that the candidate is not wanted")
    reject.add_argument("id")
    reject.add_argument("--reason", default="")
    reject.add_argument("--json", action="store_true")
    rollback = commands.add_parser("rollback", help="git-revert the candidate's decision (removes an approved skill)")
    rollback.add_argument("id")
    rollback.add_argument("--reason", default="")
    rollback.add_argument("--json", action="store_true")
    undo = commands.add_parser("undo", help="git-revert the newest decision in effect; its candidate is pending again")
    undo.add_argument("--json", action="store_true")
    for module in command_modules():
        module.add_commands(commands)
    return parser


def installed_version() -> str:
    try:
        return importlib.metadata.version("skillwarden")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def command_modules() -> list:
    """Each area adds its commands from its own `tui/cli_<area>.py`: `add_commands(subparsers)` and
    `run(args, config) -> int | None` (None: not one of mine)."""
    names = sorted(info.name for info in pkgutil.iter_modules(skillwarden.tui.__path__) if info.name.startswith("cli_"))
    return [importlib.import_module(f"skillwarden.tui.{name}") for name in names]


class CleanStream:
    """A text stream that passes on what it is given cleaned of escape sequences and invisible characters
    (`core.sanitize`): the last defence, so no byte a trace held can drive the terminal of whoever runs
    `skillwarden show` or reads a log, whatever a command prints."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(clean_text(text))

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


@contextlib.contextmanager
def cleaned_output() -> Iterator[None]:
    """stdout and stderr wrapped in `CleanStream` for the duration (the TUI writes to the terminal through
    its own driver, which Textual gives `sys.__stderr__`)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = CleanStream(sys.stdout), CleanStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def main(argv: list[str] | None = None) -> int:
    with cleaned_output():
        return run_main(argv)


def run_main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            return run_demo(args)
        config = load_config(resolve_home(args.home), user_home=Path.home())
        if args.command in (None, "tui"):
            return run_tui(config, read_only=args.read_only)
        return run_command(args, config)
    except (ReviewError, LibraryError, ConfigError, WorkspaceLockedError) as exc:
        print(f"skillwarden: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `skillwarden candidates | head` closed the pipe: stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def run_command(args: argparse.Namespace, config: Config) -> int:
    for module in command_modules():
        code = module.run(args, config)
        if code is not None:
            return code
    lock = WorkspaceLock(config.lock_file)
    if args.command in WRITE_COMMANDS:
        lock.acquire()  # WorkspaceLockedError names the process holding the workspace
    service = open_service(config)
    try:
        if args.command == "ingest":
            report = service.ingest(args.paths or None)
            print_ingest(report.to_json(), as_json=args.json)
            return 0
        if args.command == "candidates":
            views = service.queue()
            if args.pending:
                views = [v for v in views if v.state.value == "pending"]
            if args.json:
                print(json.dumps([v.to_json() for v in views], indent=2))
            else:
                for v in views:
                    title = clean_line(v.candidate.title)
                    print(f"{v.id}  {v.state.value:<11} support {v.candidate.support:>3}  {title}")
                if not views:
                    sessions = service.store.counts()["sessions"]
                    print(
                        f"no candidates: no procedure is shared by {config.min_support} successful sessions "
                        f"among the {sessions} cached (ingest more traces: skillwarden ingest PATH)"
                    )
            return 0
        if args.command == "show":
            view = service.view(args.id)
            if args.json:
                print(json.dumps({**view.to_json(), "content": view.candidate.content}, indent=2))
            else:
                print(view.candidate.content)
                print("# provenance")
                for item in view.candidate.provenance:
                    print(f"  {clean_line(str(item['session']))}  steps {item['steps']}")
            return 0
        if args.command == "sessions":
            sessions = [s.to_json() for s in service.store.sessions()]
            if args.json:
                print(json.dumps(sessions, indent=2))
            else:
                for s in sessions:
                    print(f"{clean_line(s['id'])[:36]:<36}  {s['format']:<11} {s['outcome']:<11} "
                          f"{clean_line(s['reward_explanation'])}")  # fmt: skip
            return 0
        decision = {
            "approve": lambda: service.approve(args.id),
            "backlog": lambda: service.backlog(args.id),
            "reject": lambda: service.reject(args.id, args.reason),
            "rollback": lambda: service.rollback(args.id, args.reason),
            "undo": service.undo_last,
        }[args.command]()
        if args.json:
            print(json.dumps(decision_json(decision), indent=2))
        else:
            summary = clean_line(decision.summary)
            print(f"{decision.action} {decision.candidate_id}: commit {decision.sha[:10]}  {summary}")
        return 0
    finally:
        service.close()
        lock.release()


def decision_json(decision) -> dict:
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
    print(
        f"read {report['files']} file(s) ({report['unchanged']} unchanged): "
        f"{report['sessions']} session(s), {report['steps']} step(s)"
    )
    for error in report["errors"]:
        where = f"{error['path']}:{error['line']}" if error["line"] else error["path"]
        print(f"  error: {where}: {error['message']}", file=sys.stderr)


def create_demo_workspace(directory: Path, *, sessions: int, seed: int) -> Config:
    """A workspace like any other: generated traces, a fresh skills repository, an ingested cache."""
    from skillwarden.core.demo_traces import generate_corpus

    directory.mkdir(parents=True, exist_ok=True)
    config = load_config(directory)
    traces = config.watch[0]
    generate_corpus(traces, sessions=sessions, seed=seed)
    service = open_service(config)
    try:
        service.ingest()
    finally:
        service.close()
    return config


def run_demo(args: argparse.Namespace) -> int:
    directory = Path(args.dir).resolve() if args.dir else Path(tempfile.mkdtemp(prefix="skillwarden-demo-"))
    if args.dir and directory.exists() and any(directory.iterdir()) and not (directory / "config.yaml").exists():
        print(f"skillwarden: {directory} exists and is not a skillwarden workspace; choose an empty folder",
              file=sys.stderr)  # fmt: skip
        return 1
    config = create_demo_workspace(directory, sessions=args.sessions, seed=args.seed)
    print(f"demo workspace: {directory}")
    print(f"  traces:       {config.watch[0]}")
    print(f"  skills repo:  {config.skills_repo}")
    print(f"  state cache:  {config.state_db}")
    print(f"reopen it with: skillwarden --home {directory}")
    if args.no_tui:
        return 0
    return run_tui(config, read_only=args.read_only)


def run_tui(config: Config, *, read_only: bool = False) -> int:
    """One writer per workspace: a second TUI opens read-only and says who holds the workspace."""
    from skillwarden.tui.app import SkillwardenApp

    lock = WorkspaceLock(config.lock_file)
    mode = lock.acquire(read_only_ok=True)
    if mode is LockMode.READ_ONLY:
        print(f"skillwarden: {holder_message(config.lock_file, read_holder(config.lock_file))}; opening read-only",
              file=sys.stderr)  # fmt: skip
    try:
        SkillwardenApp(config, read_only=(read_only or mode is LockMode.READ_ONLY) or None).run()
    finally:
        lock.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The `skillwarden` command line: the same operations as the TUI, for scripts and cron."""

from __future__ import annotations

import argparse
import codecs
import contextlib
import importlib
import json
import os
import pkgutil
import signal
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import skillwarden.tui
from skillwarden.core.config import HOME_ENV, Config, ConfigError, load_config, resolve_home
from skillwarden.core.lock import LockMode, WorkspaceLock, WorkspaceLockedError, holder_message, read_holder
from skillwarden.core.sanitize import clean_line, clean_text
from skillwarden.core.sources import remember
from skillwarden.tui.failures import READ_ONLY_NOTE, is_read_only, scratch_copy, scratch_folder, sentence

# This module is imported on the way to the TUI's first frame: what the commands need (the review service,
# git, mining, the progress bar) is imported where a command runs.

# Commands that write to the skills repository or the cache take the workspace lock.
WRITE_COMMANDS = frozenset({"ingest", "approve", "backlog", "reject", "rollback", "undo"})
DEBUG_ENV = "SKILLWARDEN_DEBUG"  # set: an unexpected error shows its traceback
DEMO_SESSIONS = 60
DEMO_SEED = 7
# Exit codes of a command stopped by Ctrl-C (SIGINT) or SIGTERM, as shells report them: 128 + the signal.
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C does (a BaseException, so no `except Exception` swallows it)."""


def raise_terminated(_signum: int, _frame: object) -> None:
    raise Terminated


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
    import importlib.metadata

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
    print_any_text()
    with cleaned_output():
        return run_with_signals(argv)


def tui_arguments(argv: list[str]) -> argparse.Namespace | None:
    """The global options when `argv` only opens the TUI (`[--home DIR] [--read-only] [tui]`), else None.
    The TUI's start then builds no parser of every command, which would import every command's modules;
    anything else (help, a typo, an abbreviated option) goes to the full parser."""
    args = argparse.Namespace(home=None, read_only=False, command=None)
    words = list(argv)
    while words:
        word = words.pop(0)
        if word == "--read-only":
            args.read_only = True
        elif word == "--home" and words and not words[0].startswith("-"):
            args.home = words.pop(0)
        elif word.startswith("--home=") and len(word) > len("--home="):
            args.home = word.removeprefix("--home=")
        elif word == "tui" and args.command is None:
            args.command = "tui"
        else:
            return None
    return args


def user_errors() -> tuple[type[Exception], ...]:
    """Errors a user can act on, printed as one line. Evaluated only when an exception reaches `run_main`,
    so the modules defining them are not imported before the TUI's first frame."""
    from skillwarden.reviews.service import ReviewError
    from skillwarden.skills.library_errors import LibraryError

    return (ReviewError, LibraryError, ConfigError, WorkspaceLockedError)


def decision_not_cached() -> type[Exception]:
    from skillwarden.reviews.service import DecisionNotCached

    return DecisionNotCached


def run_with_signals(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = tui_arguments(argv) or build_parser().parse_args(argv)
    previous_handler = signal.signal(signal.SIGTERM, raise_terminated) if in_main_thread() else None
    try:
        return run_main(args)
    except KeyboardInterrupt:
        print(f"skillwarden: interrupted (Ctrl-C); {STOPPED_NOTE}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print(f"skillwarden: terminated (SIGTERM); {STOPPED_NOTE}", file=sys.stderr)
        return EXIT_TERMINATED
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)


def escape_unprintable(error: UnicodeError) -> tuple[bytes, int]:
    """A codec error handler: a path that is not UTF-8 (its bytes decoded to surrogates by Python) printed as
    its own bytes, as `ls` and git print it, any other lone surrogate as `\\uNNNN`, rather than an exception
    halfway through a line."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    escaped = b"".join(
        bytes([ord(c) - 0xDC00]) if 0xDC80 <= ord(c) <= 0xDCFF else f"\\u{ord(c):04x}".encode() for c in text
    )
    return escaped, error.end


def print_any_text() -> None:
    """Let stdout and stderr print whatever text a workspace holds (a path that is not UTF-8)."""
    codecs.register_error("skillwarden-escape", escape_unprintable)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="skillwarden-escape")


# What an interrupted command leaves: every step either happened whole (a decision's commit, a batch of
# files stored with their read positions) or not at all.
STOPPED_NOTE = "what was finished is kept and the next run goes on from there"


def in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()  # only it may set signal handlers


def run_main(args: argparse.Namespace) -> int:
    home = resolve_home(args.home)
    config = None
    try:
        if args.command == "demo":
            return run_demo(args)
        if args.command not in (None, "tui"):  # the TUI's start imports no command's modules
            for module in command_modules():  # commands such as `scan` work without a workspace
                if args.command in getattr(module, "WORKSPACE_FREE", ()):
                    return module.run(args, None)
        config = load_config(home, user_home=Path.home())
        if not is_read_only(config.home):
            return dispatch(args, config)
        if writes(args):
            raise ConfigError(f"the workspace {config.home} is read-only: {READ_ONLY_NOTE}")
        with scratch_folder() as scratch:
            return dispatch(args, scratch_copy(config, Path(scratch)), read_only_workspace=True)
    except user_errors() as exc:
        print(f"skillwarden: {exc}", file=sys.stderr)
        return 1
    except decision_not_cached() as exc:
        print_decision(exc.decision, as_json=getattr(args, "json", False))
        print(f"skillwarden: warning: {exc}", file=sys.stderr)
        return 0
    except BrokenPipeError:
        # `skillwarden candidates | head` closed the pipe: stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (sqlite3.Error, OSError) as exc:
        text = sentence(exc, config, home)
        if text is None:
            raise
        print(f"skillwarden: {text}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one sentence for the user, the traceback on request
        if os.environ.get(DEBUG_ENV):
            raise
        print(f"skillwarden: unexpected error ({type(exc).__name__}: {exc}); run again with {DEBUG_ENV}=1 for "
              "the traceback, and please report it", file=sys.stderr)  # fmt: skip
        return 1


def dispatch(args: argparse.Namespace, config: Config, *, read_only_workspace: bool = False) -> int:
    if args.command in (None, "tui"):
        return run_tui(config, read_only=args.read_only, read_only_workspace=read_only_workspace)
    return run_command(args, config)


def writes(args: argparse.Namespace) -> bool:
    """Whether the command writes to the workspace (its cache, its history, its lock)."""
    if args.command == "apply-auto":
        return not args.dry_run
    if args.command == "outcomes":
        return args.outcomes_command == "import"
    return args.command in WRITE_COMMANDS or args.command == "rebuild"


def run_command(args: argparse.Namespace, config: Config) -> int:
    for module in command_modules():
        code = module.run(args, config)
        if code is not None:
            return code
    with WorkspaceLock(config.lock_file) if args.command in WRITE_COMMANDS else contextlib.nullcontext():
        # (WorkspaceLockedError names the process holding the workspace.)
        return run_service_command(args, config)


def run_service_command(args: argparse.Namespace, config: Config) -> int:
    from skillwarden.reviews.views import queue_row
    from skillwarden.tui.progress import IngestProgress
    from skillwarden.tui.progress import wanted as progress_wanted
    from skillwarden.tui.workspace import open_service

    service = open_service(config)
    try:
        if args.command == "ingest":
            # Remembered first, so that even an interrupted ingest's paths are read by the next rebuild.
            remember(config.ingested_file, [p for p in args.paths if os.path.exists(p)], config.watch)
            paths = args.paths or None
            bar = IngestProgress(service.ingest_targets(paths), enabled=progress_wanted(sys.stderr, as_json=args.json))
            with bar:
                report = service.ingest(paths, progress=bar)
            print_ingest(report.to_json(), as_json=args.json)
            reason = nothing_read(report.to_json(), args.paths or [str(p) for p in config.watch])
            if reason:
                print(f"skillwarden: {reason}", file=sys.stderr)
                return 1
            return 0
        if args.command == "candidates":
            views = service.queue()
            if args.pending:
                views = [v for v in views if v.state.value == "pending"]
            if args.json:
                print(json.dumps([v.to_json() for v in views], indent=2))
            else:
                for v in views:
                    success = queue_row(v).success
                    figures = f"  {success}" if success else ""
                    title = clean_line(v.candidate.title)
                    print(f"{v.id}  {v.state.value:<11} support {v.candidate.support:>3}{figures}  {title}")
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
        print_decision(decision, as_json=args.json, published=service.published)
        return 0
    finally:
        service.close()


def print_decision(decision, *, as_json: bool, published: list | None = None) -> None:
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
    for error in report["errors"]:
        where = f"{error['path']}:{error['line']}" if error["line"] else error["path"]
        print(f"  error: {where}: {error['message']}", file=sys.stderr)


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


def create_demo_workspace(directory: Path, *, sessions: int, seed: int, show_progress: bool = False) -> Config:
    """A workspace like any other: generated traces, a fresh skills repository, an ingested cache. Into an
    existing workspace it writes as any writer does, holding its lock (WorkspaceLockedError while another
    process holds it), and never into a trace folder it did not create (`demo_folder`)."""
    from skillwarden.core.demo.traces import generate_corpus
    from skillwarden.tui.progress import IngestProgress
    from skillwarden.tui.workspace import open_service

    directory.mkdir(parents=True, exist_ok=True)
    config = load_config(directory)
    with WorkspaceLock(config.lock_file):
        traces = demo_folder(config)
        traces.mkdir(parents=True, exist_ok=True)
        (traces / DEMO_MARKER).touch()
        generate_corpus(traces, sessions=sessions, seed=seed)
        remember(config.ingested_file, [traces], config.watch)  # when not watched: rebuild reads it all the same
        service = open_service(config)
        try:
            with IngestProgress(service.ingest_targets([traces]), enabled=show_progress) as bar:
                service.ingest([traces], progress=bar)
        finally:
            service.close()
    return config


# Left in a trace folder the demo created: it may write there again, and nowhere else.
DEMO_MARKER = ".skillwarden-demo"


def demo_folder(config: Config) -> Path:
    """Where the demo writes its traces: the workspace's `traces` folder if the demo creates it (or created
    it before), else `demo-traces` likewise; a folder the demo did not create is never written into."""
    for name in ("traces", "demo-traces"):
        folder = config.home / name
        if not folder.exists() or (folder / DEMO_MARKER).exists():
            return folder
    raise ConfigError(
        f"{config.home} already has trace folders the demo did not create (traces, demo-traces); "
        "choose an empty folder for the demo"
    )


def run_demo(args: argparse.Namespace) -> int:
    directory = Path(args.dir).resolve() if args.dir else Path(tempfile.mkdtemp(prefix="skillwarden-demo-"))
    if args.dir and directory.exists() and any(directory.iterdir()) and not (directory / "config.yaml").exists():
        print(f"skillwarden: {directory} exists and is not a skillwarden workspace; choose an empty folder",
              file=sys.stderr)  # fmt: skip
        return 1
    from skillwarden.tui.progress import wanted as progress_wanted

    config = create_demo_workspace(
        directory, sessions=args.sessions, seed=args.seed, show_progress=progress_wanted(sys.stderr, as_json=False)
    )
    print(f"demo workspace: {directory}")
    print(f"  traces:       {demo_folder(config)}")
    print(f"  skills repo:  {config.skills_repo}")
    print(f"  state cache:  {config.state_db}")
    print(f"reopen it with: skillwarden --home {directory}")
    if args.no_tui:
        return 0
    return run_tui(config, read_only=args.read_only)


def run_tui(config: Config, *, read_only: bool = False, read_only_workspace: bool = False) -> int:
    """One writer per workspace: a second TUI opens read-only and says who holds the workspace. In a
    read-only workspace it opens read-only on a scratch copy of the cache, holding no lock."""
    from skillwarden.tui.app import SkillwardenApp

    lock = WorkspaceLock(config.lock_file)
    if read_only_workspace:
        mode = LockMode.READ_ONLY
        print(f"skillwarden: the workspace {config.home} is read-only; opening read-only", file=sys.stderr)
    else:
        mode = lock.acquire(read_only_ok=True)
    if mode is LockMode.READ_ONLY and not read_only_workspace:
        print(f"skillwarden: {holder_message(config.lock_file, read_holder(config.lock_file))}; opening read-only",
              file=sys.stderr)  # fmt: skip
    app = SkillwardenApp(config, read_only=(read_only or mode is LockMode.READ_ONLY) or None)
    try:
        app.run()
    finally:
        lock.release()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())

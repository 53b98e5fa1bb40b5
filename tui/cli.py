"""The `skillwarden` command line: the same operations as the TUI, for scripts and cron."""

from __future__ import annotations

import argparse
import codecs
import contextlib
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from skillwarden.core.security.sanitize import clean_text
from skillwarden.core.workspace.config import (
    CONFIG_NAME,
    HOME_ENV,
    Config,
    ConfigError,
    load_config,
    resolve_home,
)
from skillwarden.core.workspace.lock import LockMode, WorkspaceLock, WorkspaceLockedError, holder_message, read_holder
from skillwarden.tui.commands import Command, add_parsers, find, registered
from skillwarden.tui.failures import READ_ONLY_NOTE, is_read_only, scratch_copy, scratch_folder, sentence

# This module is imported on the way to the TUI's first frame: what the commands need (the review service,
# git, mining, the progress bar) is imported where a command runs.

DEBUG_ENV = "SKILLWARDEN_DEBUG"  # set: an unexpected error shows its traceback
# Exit codes of a command stopped by Ctrl-C (SIGINT) or SIGTERM, as shells report them: 128 + the signal.
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C does (a BaseException, so no `except Exception` swallows it)."""


def raise_terminated(_signum: int, _frame: object) -> None:
    raise Terminated


def build_parser(commands: list[Command]) -> argparse.ArgumentParser:
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
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    # The TUI is what runs without a command; `tui` names it. It takes the workspace lock itself: it writes when
    # it gets the lock and opens read-only while another process holds it.
    subparsers.add_parser("tui", help="open the review TUI on the workspace (the default)")
    add_parsers(subparsers, commands)
    return parser


def installed_version() -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version("skillwarden")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


class CleanStream:
    """A text stream that passes on what it is given cleaned of escape sequences and invisible characters
    (`core.security.sanitize`): the last defence, so no byte a trace held can drive the terminal of whoever runs
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
    from skillwarden.reviews.policy import PolicyError
    from skillwarden.reviews.service import ReviewError
    from skillwarden.skills.library_errors import LibraryError
    from skillwarden.skills.publish import PublishError

    return (ReviewError, LibraryError, ConfigError, WorkspaceLockedError, PolicyError, PublishError)


def decision_not_cached() -> type[Exception]:
    from skillwarden.reviews.service import DecisionNotCached

    return DecisionNotCached


def run_with_signals(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = tui_arguments(argv)
    command = None
    if args is None:  # the TUI's start imports no command's modules
        commands = registered()
        args = build_parser(commands).parse_args(argv)
        command = find(commands, args.command) if args.command not in (None, "tui") else None
    previous_handler = signal.signal(signal.SIGTERM, raise_terminated) if in_main_thread() else None
    try:
        return run_main(args, command)
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


def run_main(args: argparse.Namespace, command: Command | None) -> int:
    """Run `command` (None: the TUI) under the one lock rule: a command that writes holds the workspace lock
    while it runs and is refused in a read-only workspace; one that reads takes no lock."""
    home = resolve_home(args.home)
    config = None
    try:
        if command is not None and not command.workspace:
            return command.run(args, None)
        writes = command is not None and command.writes_with(args)
        if command is not None and not writes and not workspace_exists(home):
            if command.silent_without_workspace:
                return 0
            raise ConfigError(f"there is no workspace at {home} yet; `skillwarden ingest PATH`, `skillwarden demo` "
                              "or the TUI creates one (a command that only reads creates nothing)")  # fmt: skip
        config = load_config(home, user_home=Path.home())
        if is_read_only(config.home):
            if writes:
                raise ConfigError(f"the workspace {config.home} is read-only: {READ_ONLY_NOTE}")
            with scratch_folder() as scratch:
                return dispatch(args, command, scratch_copy(config, Path(scratch)), read_only_workspace=True)
        # (WorkspaceLockedError names the process holding the workspace.)
        with WorkspaceLock(config.lock_file) if writes else contextlib.nullcontext():
            return dispatch(args, command, config)
    except user_errors() as exc:
        print(f"skillwarden: {exc}", file=sys.stderr)
        return 1
    except decision_not_cached() as exc:
        from skillwarden.tui.cli_review import print_decision

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


def workspace_exists(home: Path) -> bool:
    """Whether `home` was ever opened as a workspace: opening one writes its config.yaml first."""
    return (home / CONFIG_NAME).is_file()


def dispatch(
    args: argparse.Namespace, command: Command | None, config: Config, *, read_only_workspace: bool = False
) -> int:
    if command is None:
        return run_tui(config, read_only=args.read_only, read_only_workspace=read_only_workspace)
    return command.run(args, config)


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

"""`skillwarden demo`: a workspace of generated traces, ingested and mined, opened in the TUI."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from skillwarden.core.demo.traces import generate_corpus
from skillwarden.core.workspace.config import Config, ConfigError, load_config
from skillwarden.core.workspace.lock import WorkspaceLock
from skillwarden.core.workspace.sources import remember
from skillwarden.tui.commands import Command
from skillwarden.tui.progress import IngestProgress
from skillwarden.tui.progress import wanted as progress_wanted
from skillwarden.tui.workspace import open_service

DEMO_SESSIONS = 60
DEMO_SEED = 7


def demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", metavar="PATH", help="where to create it (default: a new temporary directory)")
    parser.add_argument("--no-tui", action="store_true", help="only create the workspace and print where it is")
    parser.add_argument("--sessions", type=int, default=DEMO_SESSIONS, help="number of generated sessions")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="generator seed")


def create_demo_workspace(directory: Path, *, sessions: int, seed: int, show_progress: bool = False) -> Config:
    """A workspace like any other: generated traces, a fresh skills repository, an ingested cache. Into an
    existing workspace it writes as any writer does, holding its lock (WorkspaceLockedError while another
    process holds it), and never into a trace folder it did not create (`demo_folder`)."""
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


def run_demo(args: argparse.Namespace, _config: None) -> int:
    directory = Path(args.dir).resolve() if args.dir else Path(tempfile.mkdtemp(prefix="skillwarden-demo-"))
    if args.dir and directory.exists() and any(directory.iterdir()) and not (directory / "config.yaml").exists():
        print(f"skillwarden: {directory} exists and is not a skillwarden workspace; choose an empty folder",
              file=sys.stderr)  # fmt: skip
        return 1
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
    from skillwarden.tui.cli import run_tui

    return run_tui(config, read_only=args.read_only)


# The demo writes a workspace of its own making (the folder given with --dir, or a new temporary one), so none
# is loaded for it: it holds that workspace's lock itself while it writes (`create_demo_workspace`).
COMMANDS = [
    Command("demo", "create a demo workspace from generated traces and open the TUI", run_demo, demo_arguments,
            writes=True, workspace=False),
]  # fmt: skip

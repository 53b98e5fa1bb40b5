"""`skillwarden events [--follow] [--after N]`: the event feed as JSON lines, for other tools."""

from __future__ import annotations

import argparse
import json
import sys

from skillwarden.core.workspace.config import Config
from skillwarden.core.workspace.events import EventLog
from skillwarden.tui.commands import Command


def events_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--follow", action="store_true", help="wait for new events after the existing ones")
    parser.add_argument("--after", type=int, default=0, metavar="SEQ", help="only events after this sequence number")


def run_events(args: argparse.Namespace, config: Config) -> int:
    log = EventLog(config.events_file)
    stream = log.follow(after=args.after) if args.follow else log.read(after=args.after)
    try:
        for event in stream:
            print(json.dumps(event), flush=True)
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:  # `skillwarden events --follow | head` closed the pipe
        sys.stderr.close()
    return 0


COMMANDS = [
    Command("events", "print the event feed as JSON lines (--follow to keep printing)", run_events, events_arguments),
]  # fmt: skip

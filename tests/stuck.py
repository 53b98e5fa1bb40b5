"""The skillwarden command line or TUI whose ingest workers get stuck in their first task (as a worker blocked
writing a large result to a pipe is), for tests that kill them there: each stuck worker leaves its pid in
the folder named by $SKILLWARDEN_TEST_MARKS first. Workers started by a forkserver import this module to
run `stuck`, so it is small and imports nothing of the app.

    python tests/stuck.py cli --home H ingest
    python tests/stuck.py tui H
"""

import os
import sys
import time
from pathlib import Path

MARKS_ENV = "SKILLWARDEN_TEST_MARKS"


MAIN_ENV = "SKILLWARDEN_TEST_MAIN"  # the pid of the ingesting process, which reads as usual
read_here = None  # in the ingesting process: the reader this module stands in for


def stuck(keys: list[str]) -> list:
    if str(os.getpid()) == os.environ.get(MAIN_ENV) and read_here is not None:
        return read_here(keys)  # a file read before the pool starts
    (Path(os.environ[MARKS_ENV]) / str(os.getpid())).touch()
    time.sleep(600)
    return []


STACKS_FILE = "stacks.txt"  # in the marks folder: every thread's stack, written on SIGUSR1 (`communicate_or_explain`)


def main(argv: list[str]) -> int:
    global read_here
    import faulthandler
    import signal

    # Ctrl-C works as in a terminal, however the tests were started: a shell starts a background job with
    # SIGINT ignored (POSIX), and a process keeps that, so `pytest &` made the Ctrl-C test hang.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    stacks = open(Path(os.environ[MARKS_ENV]) / STACKS_FILE, "w")  # noqa: SIM115 (open as long as the process)
    faulthandler.register(signal.SIGUSR1, file=stacks, all_threads=True)
    from skillwarden.core.ingest import run as ingest

    os.environ[MAIN_ENV] = str(os.getpid())
    read_here, ingest.read_fresh_files = ingest.read_fresh_files, stuck
    if argv[0] == "cli":
        from skillwarden.tui.cli import main as cli_main

        return cli_main(argv[1:])
    from skillwarden.core.workspace.config import load_config
    from skillwarden.core.workspace.lock import WorkspaceLock
    from skillwarden.tui.app import SkillwardenApp

    config = load_config(Path(argv[1]))
    with WorkspaceLock(config.lock_file):  # as `skillwarden` holds it while its TUI runs
        app = SkillwardenApp(config, watch=False)
        app.run(headless=True)
    return app.return_code or 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests.stuck`, as workers will import it
    from tests import stuck as this  # one module object, whose `stuck` pickles by that name

    sys.exit(this.main(sys.argv[1:]))

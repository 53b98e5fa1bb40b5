"""Processes that real machines kill: an ingest killed with SIGKILL, stopped with SIGTERM or Ctrl-C, and the
TUI quit with `q` or Ctrl-C. Nothing of theirs survives them, nobody keeps the workspace locked, and the
next command proceeds at once.

The ingest runs as the `skillwarden` command in a session of its own, so every process it started (pool
workers, git helpers, multiprocessing's helpers) is found by its session id, whoever adopted it."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from skillwarden.core.demo.traces import generate_corpus
from skillwarden.core.workspace.config import load_config
from skillwarden.core.workspace.lock import LockMode, WorkspaceLock, WorkspaceLockedError
from skillwarden.tui.app import SkillwardenApp
from tests.helpers import settle
from tests.stuck import MARKS_ENV, STACKS_FILE

STUCK = Path(__file__).with_name("stuck.py")  # the command line or the TUI with stuck ingest workers
WAIT_SECONDS = 60  # a limit for waiting on a loaded machine, not a measure of speed


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A workspace whose traces (about 6 MB) are more than an ingest reads before it starts its pool."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.yaml").write_text("watch: [traces]\ndiscover: false\ningest_workers: 2\n")
    generate_corpus(home / "traces", sessions=20, seed=3, target_bytes=6_000_000)
    return home


def start_stuck_ingest(home: Path, marks: Path, *how: str) -> subprocess.Popen:
    """`skillwarden ARGS` (default: `--home HOME ingest`), or with `"tui"` the TUI on HOME, in a session of its
    own, once two of its ingest workers are stuck in their task."""
    marks.mkdir()
    how = how or ("cli", "--home", str(home), "ingest")
    env = {**os.environ, MARKS_ENV: str(marks)}
    command = [sys.executable, str(STUCK), *how]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env)  # fmt: skip
    wait_until(lambda: len(worker_marks(marks)) >= 2 or process.poll() is not None, "two workers at work")
    assert process.poll() is None, process.communicate()
    return process


def worker_marks(marks: Path) -> list[Path]:
    return [mark for mark in marks.iterdir() if mark.name.isdigit()]  # (beside them, the stacks file)


def communicate_or_explain(process: subprocess.Popen, marks: Path) -> tuple[bytes, bytes]:
    """`process.communicate()`, or, when it has not ended in time, a failure that says where it hangs: the
    stacks of its threads, the processes left in its session and the signals it ignores, catches and has
    pending (SIGINT is bit 2: a hang after Ctrl-C came from a suite started in a shell's background, where
    SIGINT starts ignored)."""
    try:
        return process.communicate(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        left = session_processes(process.pid)
        status = Path(f"/proc/{process.pid}/status").read_text().splitlines()
        left += [line for line in status if line.startswith(("SigIgn", "SigCgt", "SigPnd", "ShdPnd"))]
        try:
            os.kill(process.pid, signal.SIGUSR1)
            time.sleep(1)
        except ProcessLookupError:
            pass
        stacks = (marks / STACKS_FILE).read_text(errors="replace") if (marks / STACKS_FILE).exists() else ""
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError(f"still running after {WAIT_SECONDS} s: {left}\n{stacks}") from None


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def session_processes(session: int) -> list[str]:
    """The living processes of a session (a zombie has ended; only its exit status is left)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        state, _ppid, _group, sid = stat.rsplit(")", 1)[1].split()[:4]
        if int(sid) == session and state != "Z":
            found.append(f"{entry.name} {state} {cmdline[:100]}")
    return found


def next_ingest(home: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "skillwarden.tui.cli", "--home", str(home), "ingest", "--json"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc")


@pytest.mark.parametrize("command", ["ingest", "rebuild", "tui"])
def test_sigkill_of_an_ingest_leaves_no_process_and_the_next_ingest_proceeds_at_once(workspace, tmp_path, command):
    """Killed while its workers are at work: an ingest, a rebuild, the TUI reading new traces (whose workers
    come from a forkserver, with multiprocessing's resource tracker beside them)."""
    how = ("tui", str(workspace)) if command == "tui" else ("cli", "--home", str(workspace), command)
    ingest = start_stuck_ingest(workspace, tmp_path / "marks", *how)
    assert len(session_processes(ingest.pid)) >= 3  # the ingest and its two workers, at least
    os.kill(ingest.pid, signal.SIGKILL)
    ingest.wait()
    ingest.stdout.close()
    ingest.stderr.close()

    wait_until(lambda: not session_processes(ingest.pid), "every process of the killed ingest to end")
    lock = WorkspaceLock(workspace / "skillwarden.lock")
    assert lock.acquire() is LockMode.EXCLUSIVE
    lock.release()
    done = next_ingest(workspace)
    assert done.returncode == 0, done.stderr
    assert "in use" not in done.stderr


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGTERM, 143, "terminated (SIGTERM)"), (signal.SIGINT, 130, "interrupted (Ctrl-C)")],
    ids=["sigterm", "ctrl-c"],
)
def test_sigterm_or_ctrl_c_stop_an_ingest_with_one_line_and_leave_nothing(workspace, tmp_path, signum, code, said):
    """Ctrl-C reaches the whole process group, as a terminal sends it; SIGTERM only the ingest."""
    ingest = start_stuck_ingest(workspace, tmp_path / "marks")
    if signum == signal.SIGINT:
        os.killpg(ingest.pid, signum)
    else:
        os.kill(ingest.pid, signum)
    out, err = communicate_or_explain(ingest, tmp_path / "marks")

    assert ingest.returncode == code
    assert err.decode().splitlines() == [f"skillwarden: {said}; what was finished is kept and the next run goes on "
                                         "from there"]  # fmt: skip
    assert out == b""
    wait_until(lambda: not session_processes(ingest.pid), "every process of the stopped ingest to end")
    done = next_ingest(workspace)
    assert done.returncode == 0, done.stderr


def test_sigterm_closes_the_tui_mid_ingest_with_143_and_leaves_nothing(workspace, tmp_path):
    tui = start_stuck_ingest(workspace, tmp_path / "marks", "tui", str(workspace))
    os.kill(tui.pid, signal.SIGTERM)
    _out, err = communicate_or_explain(tui, tmp_path / "marks")
    assert tui.returncode == 143 and b"Traceback" not in err
    wait_until(lambda: not session_processes(tui.pid), "every process of the closed TUI to end")
    assert next_ingest(workspace).returncode == 0


# -- the lock ---------------------------------------------------------------------------------------------------

FORKING_HOLDER = """
import multiprocessing, sys, time
from skillwarden.core.workspace.lock import WorkspaceLock

def linger(running):
    running.set()
    time.sleep(600)

lock = WorkspaceLock(sys.argv[1])
lock.acquire()
context = multiprocessing.get_context("fork")
running = context.Event()
child = context.Process(target=linger, args=(running,))
child.start()
running.wait()  # the child runs Python code: whatever happens right after a fork is done
print(child.pid, flush=True)
time.sleep(600)
"""


def test_a_child_forked_by_the_holder_does_not_hold_the_workspace_once_the_holder_is_dead(tmp_path):
    lock_file = tmp_path / "skillwarden.lock"
    holder = subprocess.Popen([sys.executable, "-c", FORKING_HOLDER, str(lock_file)], stdout=subprocess.PIPE,
                              text=True, start_new_session=True)  # fmt: skip
    child = int(holder.stdout.readline())
    try:
        with pytest.raises(WorkspaceLockedError, match=f"in use by process {holder.pid} "):
            WorkspaceLock(lock_file).acquire()
        holder.kill()
        holder.wait()
        assert Path(f"/proc/{child}").exists()  # still running, and yet:
        lock = WorkspaceLock(lock_file)
        assert lock.acquire() is LockMode.EXCLUSIVE
        lock.release()
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.stdout.close()


# -- the TUI -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_q_and_ctrl_c_quit_the_tui_and_its_worker_processes_end(demo_workspace, key):
    app = SkillwardenApp(load_config(demo_workspace), watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.request_mining()  # starts the pool of mining processes
        await settle(app, pilot)
        assert app.processes is not None
        workers = list(app.processes._pool)
        await pilot.press(key)
        await pilot.pause()
        assert not app.is_running
    for worker in workers:
        worker.join(WAIT_SECONDS)
        assert not worker.is_alive()
    assert app.processes is None and app.closing.is_set()


def test_closing_the_tui_stops_an_ingest_before_its_next_file(tmp_path):
    """The stop the TUI sets when it closes: no file is read once it is set, and the workers end."""
    from skillwarden.core.ingest.run import ingest_paths
    from skillwarden.core.workspace.store import Store

    generate_corpus(tmp_path / "traces", sessions=12, seed=1)
    store = Store(tmp_path / "state.db")
    asked = []

    def stop() -> bool:
        asked.append(True)
        return len(asked) > 5

    report = ingest_paths(store, [tmp_path / "traces"], workers=2, pool_min_bytes=0, stop=stop)
    assert report.files < 12 and report.errors == []
    assert multiprocessing.active_children() == []
    rest = ingest_paths(store, [tmp_path / "traces"], workers=0)  # the next ingest reads what was left
    assert report.files + rest.files == 12 and rest.unchanged == report.files
    store.close()

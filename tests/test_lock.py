"""One instance per workspace: a flock that the kernel releases when its holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from skillwarden.core.workspace.lock import LockMode, WorkspaceLock, WorkspaceLockedError, read_holder

HOLDER = """
import sys, time
from skillwarden.core.workspace.lock import WorkspaceLock
lock = WorkspaceLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(600)
"""


def start_holder(lock_file) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock_file)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"  # blocks until the child holds the lock
    return holder


def test_a_second_process_is_refused_with_the_holders_pid_until_the_holder_is_killed(tmp_path):
    lock_file = tmp_path / "skillwarden.lock"
    holder = start_holder(lock_file)
    try:
        with pytest.raises(WorkspaceLockedError, match=f"in use by process {holder.pid}"):
            WorkspaceLock(lock_file).acquire()
        assert WorkspaceLock(lock_file).acquire(read_only_ok=True) is LockMode.READ_ONLY
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    lock = WorkspaceLock(lock_file)
    assert lock.acquire() is LockMode.EXCLUSIVE
    assert read_holder(lock_file) == os.getpid()
    lock.release()


def test_the_lock_is_per_open_file_so_two_instances_in_one_process_exclude_each_other(tmp_path):
    first = WorkspaceLock(tmp_path / "skillwarden.lock")
    with first:
        assert first.held
        with pytest.raises(WorkspaceLockedError):
            WorkspaceLock(tmp_path / "skillwarden.lock").acquire()
        assert first.acquire() is LockMode.EXCLUSIVE  # re-acquiring what we hold is a no-op
    assert not first.held
    with WorkspaceLock(tmp_path / "skillwarden.lock"):
        pass


def test_a_holder_that_has_not_written_its_pid_yet_is_still_named(tmp_path):
    """Without a pid in the file, the process that has the lock file open is named (from /proc)."""
    lock_file = tmp_path / "skillwarden.lock"
    holder = start_holder(lock_file)
    try:
        lock_file.write_text("")
        with pytest.raises(WorkspaceLockedError, match=f"in use by process {holder.pid} "):
            WorkspaceLock(lock_file).acquire()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_the_lock_is_released_when_the_holder_exits_normally(tmp_path):
    lock_file = tmp_path / "skillwarden.lock"
    code = (
        "import sys\nfrom skillwarden.core.workspace.lock import WorkspaceLock\n"
        "WorkspaceLock(sys.argv[1]).acquire()\n"
    )
    subprocess.run([sys.executable, "-c", code, str(lock_file)], check=True)  # returns once it has exited
    lock = WorkspaceLock(lock_file)
    assert lock.acquire() is LockMode.EXCLUSIVE
    lock.release()

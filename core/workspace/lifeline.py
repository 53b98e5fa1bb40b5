"""Worker processes that exit as soon as the process they work for is gone, however it went.

A worker left behind by a killed parent (SIGKILL, the OOM killer, a closed terminal) keeps the pipes and
files it inherited open: git helpers wait on their stdin forever and a worker blocks writing its result to
a pipe nobody reads. So every worker calls `die_with(pid)` first: it watches process `pid` (a pidfd where
Linux has them, else a poll of a few times a second) and leaves with `os._exit` the moment it ends.
On Linux it also asks the kernel for SIGKILL when its parent ends (PR_SET_PDEATHSIG), which needs no
thread at all; that is only asked where the thread that started the worker lives as long as the worker,
since the kernel sends the signal when that thread ends.

Workers ignore SIGINT: Ctrl-C in a terminal reaches the whole process group, and the process they work
for, which gets it too, ends them. SIGTERM ends a worker at once, whatever handler a forked worker
inherited from its parent.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading

POLL_SECONDS = 0.2  # without pidfds: how often the worker looks whether its parent is still there
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with(pid: int, *, parent_death_signal: bool = False) -> None:
    """In a worker process: exit when process `pid` ends. `parent_death_signal`: the thread that started
    this process lives as long as it does, so the kernel may also kill it when its parent ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if parent_death_signal:
        set_parent_death_signal(signal.SIGKILL)
    watcher = threading.Thread(target=exit_when_gone, args=(pid,), name="lifeline", daemon=True)
    watcher.start()


def set_parent_death_signal(signum: int) -> bool:
    """Ask Linux to send `signum` to this process when its parent ends; False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes.util  # only a worker asks: every command (and the TUI's first frame) imports this module

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def exit_when_gone(pid: int) -> None:
    """Block until process `pid` has ended, then end this process at once (no clean-up: the work it was
    doing belongs to a process that is gone)."""
    wait_for_exit(pid)
    os._exit(1)


def wait_for_exit(pid: int) -> None:
    try:
        descriptor = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except (AttributeError, OSError):  # no pidfds here (old kernel, not Linux): look now and then
        while is_running(pid):
            threading.Event().wait(POLL_SECONDS)
        return
    try:
        # A pidfd becomes readable when its process ends (before it is reaped, so a zombie counts as ended).
        poller = select.poll()
        poller.register(descriptor, select.POLLIN)
        while not poller.poll():
            pass
    finally:
        os.close(descriptor)


def is_running(pid: int) -> bool:
    """Whether `pid` is a process that has not ended (a zombie has ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True

"""One skillwarden instance per workspace: an OS-level lock that dies with its process.

`fcntl.flock` on a lock file in the workspace: the kernel releases it when the holder exits, however it
exits (SIGKILL included), so there is never a stale lock to clean up. The holder writes its pid into the
file so a second instance can say who has the workspace; that instance is refused, or, when it can do
with reading (listing candidates, `log`), opens read-only and holds nothing.

A flock belongs to the open file, which a forked child shares: a worker forked while the lock is held
would keep the workspace locked after its parent died. So a forked child closes its copy at once (the
parent's lock stays), and `exec` closes it too (O_CLOEXEC): only the process that took the lock holds it.
"""

from __future__ import annotations

import enum
import errno
import fcntl
import os
import weakref
from pathlib import Path

from skillwarden.core.workspace.lifeline import is_running
from skillwarden.core.workspace.private_files import open_private, private_directory


class LockMode(enum.StrEnum):
    EXCLUSIVE = "exclusive"  # this process may write: decisions, ingest, recovery
    READ_ONLY = "read_only"  # another process holds the workspace; only read


class WorkspaceLockedError(RuntimeError):
    """Another process holds the workspace."""


def holder_message(lock_file: Path, holder: int | None) -> str:
    """Who holds the workspace. The pid in the file names the process that took the lock; if that one has
    exited, whoever still has the file open holds it (a worker an older version let inherit it)."""
    if holder and is_running(holder):
        who = f"process {holder}"
    else:
        others = processes_with_open(lock_file)
        gone = f", left behind by process {holder} which has exited" if holder and others else ""
        who = f"process {', '.join(map(str, others))}{gone}" if others else "another process"
    return f"the workspace {lock_file.parent} is in use by {who} (lock {lock_file}); close it or wait for it"


def processes_with_open(path: Path, proc: Path = Path("/proc")) -> list[int]:
    """Pids of the processes (of those we may inspect) that have `path` open, other than this one."""
    try:
        target = os.stat(path)
    except OSError:
        return []
    pids = []
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            descriptors = list((entry / "fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                info = descriptor.stat()
            except OSError:
                continue
            if (info.st_dev, info.st_ino) == (target.st_dev, target.st_ino):
                pids.append(int(entry.name))
                break
    return sorted(pids)


def read_holder(lock_file: Path) -> int | None:
    """The pid the holder wrote, or None if it is unreadable (the holder may not have written it yet)."""
    try:
        text = lock_file.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


# Locks this process holds, so a forked child can let go of its copies.
_HELD: weakref.WeakSet[WorkspaceLock] = weakref.WeakSet()


def _close_in_child() -> None:
    """After a fork, in the child: close the inherited lock descriptors. The parent keeps its lock: a flock
    ends only when every descriptor of the open file is closed, or on an explicit unlock, never done here."""
    for lock in list(_HELD):
        if lock._fd is not None:
            os.close(lock._fd)
            lock._fd = None
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


class WorkspaceLock:
    def __init__(self, lock_file: Path):
        self.lock_file = Path(lock_file)
        self._fd: int | None = None

    def acquire(self, *, read_only_ok: bool = False) -> LockMode:
        """Take the lock without waiting. When another process holds it: READ_ONLY if `read_only_ok`,
        else WorkspaceLockedError naming the holder's pid."""
        if self._fd is not None:
            return LockMode.EXCLUSIVE
        try:
            private_directory(self.lock_file.parent)
            fd = open_private(self.lock_file, os.O_RDWR | os.O_CLOEXEC)
        except OSError as exc:
            if read_only_ok and exc.errno in (errno.EROFS, errno.EACCES):
                return LockMode.READ_ONLY  # a workspace nobody may write to: reading it needs no lock
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if read_only_ok:
                return LockMode.READ_ONLY
            raise WorkspaceLockedError(holder_message(self.lock_file, read_holder(self.lock_file))) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd
        _HELD.add(self)
        return LockMode.EXCLUSIVE

    def release(self) -> None:
        if self._fd is None:
            return
        # The pid is left in the file: truncating here would race with the next holder writing its own.
        os.close(self._fd)  # closing the descriptor releases the flock
        self._fd = None
        _HELD.discard(self)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

"""One skillwarden instance per workspace: an OS-level lock that dies with its process.

`fcntl.flock` on a lock file in the workspace: the kernel releases it when the holder exits, however it
exits (SIGKILL included), so there is never a stale lock to clean up. The holder writes its pid into the
file so a second instance can say who has the workspace; that instance is refused, or, when it can do
with reading (listing candidates, `log`), opens read-only and holds nothing.
"""

from __future__ import annotations

import enum
import fcntl
import os
from pathlib import Path

from skillwarden.core.private_files import open_private, private_directory


class LockMode(enum.StrEnum):
    EXCLUSIVE = "exclusive"  # this process may write: decisions, ingest, recovery
    READ_ONLY = "read_only"  # another process holds the workspace; only read


class WorkspaceLockedError(RuntimeError):
    """Another process holds the workspace."""


def holder_message(lock_file: Path, holder: int | None) -> str:
    who = f"process {holder}" if holder else "another process"
    return f"the workspace {lock_file.parent} is in use by {who} (lock {lock_file}); close it or wait for it"


def read_holder(lock_file: Path) -> int | None:
    """The pid the holder wrote, or None if it is unreadable (the holder may not have written it yet)."""
    try:
        text = lock_file.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


class WorkspaceLock:
    def __init__(self, lock_file: Path):
        self.lock_file = Path(lock_file)
        self._fd: int | None = None

    def acquire(self, *, read_only_ok: bool = False) -> LockMode:
        """Take the lock without waiting. When another process holds it: READ_ONLY if `read_only_ok`,
        else WorkspaceLockedError naming the holder's pid."""
        if self._fd is not None:
            return LockMode.EXCLUSIVE
        private_directory(self.lock_file.parent)
        fd = open_private(self.lock_file, os.O_RDWR | os.O_CLOEXEC)
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
        return LockMode.EXCLUSIVE

    def release(self) -> None:
        if self._fd is None:
            return
        # The pid is left in the file: truncating here would race with the next holder writing its own.
        os.close(self._fd)  # closing the descriptor releases the flock
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

"""Owner-only files, and files written whole. The cache, the event feed and the redaction key hold what traces
held (commands, paths, tool output) or what protects it, so no other user of the machine may read them,
whatever the umask.

Files are created 0600 and directories 0700, and a file an older version created with the umask's mode is
narrowed when it is opened again. A directory that already exists is left as it is: it may be the user's own
(`--home ~/work`); the files in it are what must not be read.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700
SHARED_FILE = 0o644  # a skill or a settings file that agents running as other users must read


def private_directory(path: Path) -> None:
    """Create `path` and its missing parents as owner-only directories (an existing one is left alone)."""
    missing = []
    folder = Path(path)
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            directory.mkdir(mode=PRIVATE_DIRECTORY)
            os.chmod(directory, PRIVATE_DIRECTORY)  # mkdir's mode passes through the umask


def open_private(path: Path | str, flags: int) -> int:
    """`os.open(path, flags | O_CREAT)` of an owner-only file: created 0600, and narrowed to 0600 if an older
    version created it wider."""
    descriptor = os.open(path, flags | os.O_CREAT, PRIVATE_FILE)
    try:
        narrow(descriptor)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def narrow(descriptor: int) -> None:
    """Make an open file owner-only, if it is ours to change (a file another user owns is theirs)."""
    if os.fstat(descriptor).st_mode & 0o777 != PRIVATE_FILE:
        with contextlib.suppress(PermissionError):
            os.fchmod(descriptor, PRIVATE_FILE)


def make_private(path: Path | str) -> None:
    """Narrow an existing file to 0600 (nothing if it does not exist, or is not ours to change)."""
    try:
        if os.stat(path).st_mode & 0o777 != PRIVATE_FILE:
            os.chmod(path, PRIVATE_FILE)
    except (FileNotFoundError, PermissionError):
        pass


def write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    """Temp file in the same directory, fsync, rename: a crash or a full disk leaves the old file or the new one,
    never half. `mode` is set before the rename, so the file never has other permissions under its name."""
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    # Makes a rename itself durable; not possible on every platform, where it is best effort.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

"""The sentence a command prints for a fault of the machine it runs on, never a traceback: a damaged cache,
a read-only workspace, a full disk, a file that cannot be read. And the read-only workspace itself: read
commands and the TUI work there on a scratch copy of the cache, since SQLite cannot even read a WAL
database in a folder it cannot write to."""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from skillwarden.core.workspace.config import Config

READ_ONLY_NOTE = "commands that write (ingest, rebuild, decisions, apply-auto, demo) cannot run there; read " \
    "commands and the TUI (read-only) work"  # fmt: skip
FULL_NOTE = "nothing was half-written (what was being stored was rolled back); free some space and run the " \
    "command again"  # fmt: skip
DAMAGED = ("malformed", "not a database", "file is encrypted", "disk image")
FULL = ("database or disk is full", "disk full")
READ_ONLY = ("readonly database", "read-only", "readonly")
FULL_BELOW_BYTES = 64 * 1024  # less free space than this: SQLite and git cannot finish a write


def sentence(exc: BaseException, config: Config | None, home: Path) -> str | None:
    """What to tell the user about `exc`, or None when it is not a fault of the machine."""
    cache = config.state_db if config is not None else home / "state.db"
    if isinstance(exc, sqlite3.Error):
        text = str(exc)
        if any(word in text for word in DAMAGED):
            return (f"the state cache {cache} is damaged ({text}); `skillwarden rebuild` re-creates it from the "
                    "traces and the skills repository, losing nothing")  # fmt: skip
        if any(word in text for word in FULL) or is_full(cache.parent):  # a full tmpfs says "disk I/O error"
            return f"the disk holding {cache} is full ({text}): {FULL_NOTE}"
        if any(word in text for word in READ_ONLY):
            return f"the workspace {home} is read-only ({text}): {READ_ONLY_NOTE}"
        if "locked" in text:
            return f"the state cache {cache} stayed locked by another process ({text}); try again"
        return f"the state cache {cache} failed ({text}); if it keeps failing, `skillwarden rebuild` re-creates it"
    if isinstance(exc, OSError) and exc.errno is not None:
        where = f" {exc.filename}" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"the disk is full ({exc.strerror}:{where}): {FULL_NOTE}"
        if exc.errno == errno.EROFS:
            return f"the workspace {home} is read-only ({exc.strerror}:{where}): {READ_ONLY_NOTE}"
        return f"{exc.strerror}:{where}"
    return None


def is_full(folder: Path) -> bool:
    """Whether the file system holding `folder` has no room left for an ordinary user's write."""
    try:
        info = os.statvfs(folder)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < FULL_BELOW_BYTES


def is_read_only(home: Path) -> bool:
    """Whether the workspace folder exists and cannot be written to (a read-only mount, say)."""
    return home.is_dir() and not os.access(home, os.W_OK)


def scratch_copy(config: Config, scratch: Path) -> Config:
    """`config` with its cache and event feed copied to `scratch`: what a command there writes (the decision
    cache it refreshes, a notice) goes to the copy, which is thrown away with `scratch`."""
    for source in (config.state_db, Path(f"{config.state_db}-wal"), config.events_file):
        if source.exists():
            shutil.copyfile(source, scratch / source.name)
    return dataclasses.replace(config, state_dir=scratch)


def scratch_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="skillwarden-read-only-")

"""git's own lock on the index: a crashed git leaves `index.lock` behind and every later commit fails until it
is removed, but removing a live one corrupts the index. It is removed only when no git process (read
from /proc) owns it, or, without /proc, when it is older than any git operation holds it.
"""

from __future__ import annotations

import os
from pathlib import Path

INDEX_LOCK = "index.lock"
# Without /proc we cannot see owners; a lock this old is assumed abandoned (git holds it for moments).
STALE_LOCK_SECONDS = 600


def git_processes_in(repo_path: Path, proc: Path = Path("/proc")) -> list[int]:
    """Pids of running git processes working in `repo_path` (by cwd or `-C` argument), from /proc.

    `git cat-file` is left out: it never takes the index lock, and GitPython keeps one running per repo.
    """
    target = repo_path.resolve()
    owners = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:  # gone meanwhile, or not ours to inspect
            continue
        if not argv or os.path.basename(argv[0]) != b"git" or b"cat-file" in argv[1:3]:
            continue
        if cwd == target or target in cwd.parents or os.fsencode(str(target)) in argv:
            owners.append(int(entry.name))
    return owners


def index_lock_is_stale(lock: Path, repo_path: Path, *, now: float, proc: Path = Path("/proc")) -> bool:
    """True when `lock` can be removed safely: no git process works in the repo (or, without /proc, it is old)."""
    if proc.is_dir():
        return not git_processes_in(repo_path, proc)
    return now - lock.stat().st_mtime > STALE_LOCK_SECONDS


def process_start_time(pid: int, proc: Path = Path("/proc")) -> str | None:
    """The kernel's start time of `pid` (field 22 of /proc/<pid>/stat), which tells a reused pid apart."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses; the fields after its last ')' do not.
    return stat.rsplit(")", 1)[1].split()[19]


def process_is_alive(pid: int, start_time: str | None, proc: Path = Path("/proc")) -> bool:
    return start_time is not None and process_start_time(pid, proc) == start_time

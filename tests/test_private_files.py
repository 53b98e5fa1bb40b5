"""Owner-only files (issue 15): the cache, the event feed, the redaction key and the lock are 0600 and the
workspace directory skillwarden creates is 0700, whatever the umask; files an older version made wider are
narrowed when the workspace is opened again."""

import os
import stat
from pathlib import Path

import pytest

from skillwarden.core.workspace.config import load_config
from skillwarden.core.workspace.lock import WorkspaceLock
from skillwarden.core.workspace.private_files import private_directory
from skillwarden.reviews.service import ReviewService
from tests.conftest import SHARED_TRACES

TRACE = SHARED_TRACES / "claude_code" / "spotter-short.jsonl"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(params=[0o000, 0o022, 0o002])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def open_and_use(home: Path) -> dict[str, int]:
    """Open the workspace, ingest and append an event; the mode of each of its files while it is open."""
    config = load_config(home)
    lock = WorkspaceLock(config.lock_file)
    lock.acquire()
    service = ReviewService(config)
    try:
        service.ingest([TRACE])
        service.events.append("notice", message="hello")
        return {path.name: mode(path) for path in home.iterdir() if path.is_file()}
    finally:
        service.close()
        lock.release()


def test_workspace_files_are_owner_only_whatever_the_umask(tmp_path, umask):
    home = tmp_path / "new" / "workspace"
    modes = open_and_use(home)
    private = ("state.db", "state.db-wal", "state.db-shm", "events.jsonl", "redaction.key", "skillwarden.lock")
    assert {name: modes[name] for name in private} == dict.fromkeys(private, 0o600)
    assert mode(home) == 0o700 and mode(home.parent) == 0o700
    assert not [p for p in home.iterdir() if p.name.endswith(".tmp")]


def test_files_an_older_version_created_wide_are_narrowed(tmp_path):
    home = tmp_path / "workspace"
    open_and_use(home)
    for name in ("state.db", "events.jsonl", "redaction.key", "skillwarden.lock"):
        os.chmod(home / name, 0o644)
    (home / "state.db-wal").write_bytes(b"")
    os.chmod(home / "state.db-wal", 0o644)
    open_and_use(home)
    for name in ("state.db", "events.jsonl", "redaction.key", "skillwarden.lock", "state.db-wal"):
        if (home / name).exists():
            assert mode(home / name) == 0o600, name


def test_an_existing_directory_is_left_as_it_is(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    os.chmod(mine, 0o755)
    private_directory(mine / "a" / "b")
    assert mode(mine) == 0o755 and mode(mine / "a") == mode(mine / "a" / "b") == 0o700


def test_a_cache_of_an_older_version_keeps_none_of_the_text_it_held(tmp_path):
    """A cache written before this redaction may hold what it let through: an upgrade drops the tables
    built from trace text, candidates included, and secure_delete leaves nothing of them in free pages."""
    import sqlite3

    from skillwarden.core.workspace.store import Store

    path = tmp_path / "state.db"
    Store(path).close()
    old = sqlite3.connect(path)
    old.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    old.execute("INSERT INTO sessions(id, path, format, task, outcome, reward, reward_explanation, steps, errors) "
                "VALUES('s', 'p', 'claude_code', 'DB_PASSWORD=OldLeak-1234', 'succeeded', 1, 'x', 0, 0)")  # fmt: skip
    old.execute("INSERT INTO candidates VALUES('sk-1', 'skill', 'n', 't', 'PGPASSWORD=OldLeak-5678', 'h', 1, '[]', "
                "'[]', '{}', 'a', 'b', 1, 'mining')")  # fmt: skip
    old.commit()
    old.close()
    store = Store(path)
    assert store.counts()["sessions"] == 0 and store.candidates() == []
    assert store._query("PRAGMA secure_delete")[0][0] == 1
    store.close()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("state.db"))
    assert b"OldLeak" not in data

"""The state cache's journal: WAL on a local disk, SQLite's rollback journal on a network file system (WAL
needs shared memory those do not provide), a variable to force either, and the warning the CLI and the
TUI give when the cache runs on a network file system."""

import json
import shutil

import pytest

from skillwarden.core.model import Outcome, Session, Step
from skillwarden.core.workspace.config import load_config
from skillwarden.core.workspace.store import JOURNAL_MODE_ENV, FileState, Store
from skillwarden.tui.app import SkillwardenApp
from skillwarden.tui.cli_ingest import delete_cache
from tests.helpers import recorded_notifications, run, settle


@pytest.fixture
def on_file_system(monkeypatch):
    """Make the store see its folder on a file system of the given type (hermetic: not the real one)."""

    def choose(fs_type: str) -> None:
        monkeypatch.setattr("skillwarden.core.workspace.store.detect_file_system_type", lambda path: fs_type)

    return choose


def pragma(store: Store, name: str):
    return store._db.execute(f"PRAGMA {name}").fetchone()[0]


def store_one_session(store: Store, session_id: str = "s1") -> None:
    session = Session(session_id, "claude_code", "/t/a.jsonl", steps=[Step("Bash", {"command": "pytest"})],
                      outcome=Outcome.SUCCEEDED)  # fmt: skip
    state = FileState("/t/a.jsonl", 1, 2, 10, 0, "f", 10, "claude_code", None)
    store.replace_file_sessions(state, [(session, 1.0, "1.00: ok")])


def test_a_local_file_system_gets_wal_and_no_notice(tmp_path, on_file_system):
    on_file_system("ext4")
    store = Store(tmp_path / "state.db")
    assert store.journal_mode == pragma(store, "journal_mode") == "wal"
    assert pragma(store, "synchronous") == 1  # NORMAL
    assert store.notice is None
    store.close()


def test_a_network_file_system_gets_the_rollback_journal_and_a_notice(tmp_path, on_file_system):
    on_file_system("nfs4")
    store = Store(tmp_path / "state.db")
    assert store.journal_mode == pragma(store, "journal_mode") == "delete"
    assert pragma(store, "synchronous") == 2  # FULL: NORMAL is safe only with WAL
    assert "network file system (nfs4)" in store.notice and "rollback journal" in store.notice
    store_one_session(store)
    assert [s.id for s in store.sessions()] == ["s1"]
    assert not (tmp_path / "state.db-wal").exists()
    store.close()


@pytest.mark.parametrize(
    ("fs_type", "setting", "expected"),
    [("nfs4", "wal", "wal"), ("ext4", "delete", "delete"), ("ext4", " WAL ", "wal"), ("nfs", "auto", "delete")],
)
def test_the_environment_variable_forces_the_journal_mode(
    tmp_path, on_file_system, monkeypatch, fs_type, setting, expected
):
    on_file_system(fs_type)
    monkeypatch.setenv(JOURNAL_MODE_ENV, setting)
    store = Store(tmp_path / "state.db")
    assert pragma(store, "journal_mode") == expected
    assert (store.notice is not None) == (setting == "auto")  # a forced mode is the user's choice
    store.close()


def test_an_invalid_setting_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(JOURNAL_MODE_ENV, "truncate")
    with pytest.raises(ValueError, match=f"{JOURNAL_MODE_ENV} must be one of auto, wal, delete, not 'truncate'"):
        Store(tmp_path / "state.db")


def test_a_wal_database_reopened_on_a_network_file_system_switches_and_keeps_its_data(tmp_path, on_file_system):
    on_file_system("ext4")
    store = Store(tmp_path / "state.db")
    store_one_session(store)
    # Copied while open: the commit is still only in the log, as a crash or a copy of a live cache leaves it.
    moved = tmp_path / "moved"
    moved.mkdir()
    for suffix in ("", "-wal"):
        shutil.copy(tmp_path / f"state.db{suffix}", moved / f"state.db{suffix}")
    store.close()
    assert (moved / "state.db-wal").stat().st_size > 0

    on_file_system("nfs4")
    reopened = Store(moved / "state.db")
    assert reopened.journal_mode == "delete"
    assert [s.id for s in reopened.sessions()] == ["s1"]
    assert not (moved / "state.db-wal").exists()
    store_one_session(reopened, "s2")
    reopened.close()

    on_file_system("ext4")
    back = Store(moved / "state.db")
    assert back.journal_mode == "wal"
    assert [s.id for s in back.sessions()] == ["s2"]
    back.close()


def test_a_database_another_process_holds_in_wal_mode_stays_in_wal_and_says_why(tmp_path, on_file_system):
    on_file_system("ext4")
    holder = Store(tmp_path / "state.db")
    on_file_system("nfs4")
    store = Store(tmp_path / "state.db")
    assert store.journal_mode == pragma(store, "journal_mode") == "wal"
    assert "nfs4" in store.notice and "another process" in store.notice
    store_one_session(store)
    assert [s.id for s in holder.sessions()] == ["s1"]
    store.close()
    holder.close()


def test_rebuild_deletes_a_journal_a_crash_left_behind(tmp_path):
    for suffix in ("", "-journal", "-wal", "-shm"):
        (tmp_path / f"state.db{suffix}").write_bytes(b"old")
    delete_cache(tmp_path / "state.db")
    assert list(tmp_path.iterdir()) == []


# -- what the user is told -------------------------------------------------------------------------
def test_the_cli_warns_on_stderr_and_keeps_stdout_json(demo_workspace, capsys, on_file_system):
    on_file_system("nfs4")
    code, out, err = run(capsys, "--home", str(demo_workspace), "sessions", "--json")
    assert code == 0
    assert len(json.loads(out)) > 0
    assert err.count("skillwarden: warning: state.db is on a network file system (nfs4)") == 1


def test_the_cli_reports_an_invalid_setting_without_a_traceback(demo_workspace, capsys, monkeypatch):
    monkeypatch.setenv(JOURNAL_MODE_ENV, "sometimes")
    code, out, err = run(capsys, "--home", str(demo_workspace), "stats", "--json")
    assert code == 1 and out == ""
    assert err.startswith(f"skillwarden: {JOURNAL_MODE_ENV} must be one of auto, wal, delete")


async def test_the_tui_shows_the_notice_as_a_warning(demo_workspace, on_file_system):
    on_file_system("nfs4")
    app = SkillwardenApp(load_config(demo_workspace), watch=False)
    notified = recorded_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        warnings = [n for n in notified if "network file system (nfs4)" in n.message]
        assert [n.severity for n in warnings] == ["warning"]
        assert app.service.store.journal_mode == "delete"

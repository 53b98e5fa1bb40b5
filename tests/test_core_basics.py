"""Config, cache and watcher: the small pieces the workflow stands on."""

import ast
import sqlite3
import threading
from pathlib import Path

import pytest

from skillwarden.core.ingest.watch import TraceWatcher
from skillwarden.core.model import Outcome, Session, Step
from skillwarden.core.workspace.config import ConfigError, config_from_mapping, load_config, resolve_home
from skillwarden.core.workspace.store import JOURNAL_MODE_ENV, FileState, Store

ROOT = Path(__file__).resolve().parents[1]


def test_domain_packages_never_import_textual():
    """harlequin's rule: the core knows nothing of the UI, so it runs in scripts, cron and tests."""
    for package in ("core", "skills", "reviews"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                assert not any(name.split(".")[0] in ("textual", "tui") for name in names), path


def test_home_resolution_order(tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLWARDEN_HOME", str(tmp_path / "env"))
    assert resolve_home(None) == tmp_path / "env"
    assert resolve_home(tmp_path / "cli") == tmp_path / "cli"
    monkeypatch.delenv("SKILLWARDEN_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_home(None) == tmp_path / "xdg" / "skillwarden"


def test_config_is_created_with_defaults_and_paths_resolve_against_home(tmp_path):
    config = load_config(tmp_path)
    assert (tmp_path / "config.yaml").read_text().startswith("# skillwarden configuration")
    assert config.watch == [tmp_path / "traces"]
    assert config.skills_repo == tmp_path / "skills-repo"
    assert config.min_support == 3


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"watch": "traces"}, "watch must be a list"),
        ({"min_support": 1}, "min_support"),
        ({"skills_repo": ""}, "skills_repo"),
        ({"keymap": ["a"]}, "keymap"),
    ],
)
def test_bad_config_values_are_named(tmp_path, raw, message):
    with pytest.raises(ConfigError, match=message):
        config_from_mapping(tmp_path, raw)


def test_config_that_is_not_yaml_is_a_clear_error(tmp_path):
    (tmp_path / "config.yaml").write_text("watch: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(tmp_path)


def session(session_id: str, path: str) -> Session:
    return Session(session_id, "claude_code", path, steps=[Step("Bash", {"command": "pytest"})],
                   outcome=Outcome.SUCCEEDED)  # fmt: skip


def state(path: str, consumed: int) -> FileState:
    return FileState(path, 1, 2, consumed, 0, "f", consumed, "claude_code", None)


def test_store_uses_wal_and_replaces_a_files_sessions_atomically(tmp_path, monkeypatch):
    monkeypatch.setenv(JOURNAL_MODE_ENV, "wal")  # whatever file system the test's folder is on
    store = Store(tmp_path / "state.db")
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.replace_file_sessions(state("/t/a.jsonl", 10), [(session("s1", "/t/a.jsonl"), 1.0, "1.00: ok")])
    store.replace_file_sessions(state("/t/a.jsonl", 20), [(session("s2", "/t/a.jsonl"), 0.5, "0.50")])
    assert [s.id for s in store.sessions()] == ["s2"]
    assert store.file_state("/t/a.jsonl").consumed == 20
    assert store.steps("s2")[0].tool == "Bash"
    store.close()


def test_a_failed_write_leaves_the_old_sessions_and_offset(tmp_path):
    store = Store(tmp_path / "state.db")
    store.replace_file_sessions(state("/t/a.jsonl", 10), [(session("s1", "/t/a.jsonl"), 1.0, "ok")])
    broken = session("s2", "/t/a.jsonl")
    broken.outcome = "not an outcome"  # fails inside the transaction, after the delete
    with pytest.raises(ValueError):
        store.replace_file_sessions(state("/t/a.jsonl", 20), [(broken, 1.0, "ok")])
    assert [s.id for s in store.sessions()] == ["s1"]
    assert store.file_state("/t/a.jsonl").consumed == 10
    store.close()
    # and another connection sees the same committed state
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("SELECT consumed FROM files").fetchone()[0] == 10


def test_watcher_coalesces_a_burst_into_one_call(tmp_path):
    calls: list[set[Path]] = []
    done = threading.Event()

    def on_change(paths):
        calls.append(paths)
        done.set()

    watcher = TraceWatcher([tmp_path], on_change, debounce=0.3)
    watcher.start()
    try:
        for i in range(20):
            (tmp_path / f"s{i}.jsonl").write_text("{}\n")
        (tmp_path / "notes.txt").write_text("not a trace")
        assert done.wait(10), "no change reported"
        done.clear()
        done.wait(1.0)  # a straggling second call would show up here
    finally:
        watcher.stop()
    reported = set().union(*calls)
    assert {p.name for p in reported} == {f"s{i}.jsonl" for i in range(20)}
    assert len(calls) <= 2  # one burst, at most split once by the debounce window on a slow machine

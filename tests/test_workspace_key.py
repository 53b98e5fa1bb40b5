"""Redaction placeholders keyed with the workspace's secret key: created once, owner-only, the same in every
process of the workspace (inline, pool workers however started, the CLI, a rebuild), different from a plain
hash that would let a reader of a shared skill test guessed passwords against it."""

import hashlib
import hmac
import multiprocessing
import os
import re
import sqlite3
import stat

import pytest

from skillwarden.core.ingest import pool as ingest_pool
from skillwarden.core.ingest.run import ingest_paths
from skillwarden.core.security import workspace_key
from skillwarden.core.security.redact import placeholder, placeholder_key, redact, set_placeholder_key
from skillwarden.core.security.workspace_key import load_or_create_key, use_workspace_key
from skillwarden.core.workspace.config import ConfigError, load_config
from skillwarden.core.workspace.store import Store
from skillwarden.reviews.service import ReviewService, remine_workspace
from tests.helpers import run
from tests.test_ingest_faults import record, tool_call, tool_result

WEAK_PASSWORD = "hunter2hunter2"
COMMAND = f"psql postgres://app:{WEAK_PASSWORD}@db/shop -c 'select 1'"
PLACEHOLDER = re.compile(r"\[REDACTED:url_password:([0-9a-f]{8})\]")


def keyed_digest(key: bytes, secret: str) -> str:
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()[:8]


def write_traces(folder, files: int = 6) -> None:
    """Transcripts that each run a command holding the same weak password."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        session = f"5e55a0b1-0000-4000-8000-{number:012d}"
        (folder / f"{session}.jsonl").write_bytes(
            record("user", "check the database", session=session)
            + tool_call("t1", COMMAND, 1, session=session)
            + tool_result("t1", "1 row", 2, session=session)
        )


def stored_digests(db) -> set[str]:
    with sqlite3.connect(db) as connection:
        args = [row[0] for row in connection.execute("SELECT args FROM steps")]
    assert args and not any(WEAK_PASSWORD in text for text in args)
    return {digest for text in args for digest in PLACEHOLDER.findall(text)}


# -- the key file ---------------------------------------------------------------------------------------------


def test_the_key_is_created_once_and_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "home" / "redaction.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key
    assert sorted(p.name for p in path.parent.iterdir()) == ["redaction.key"]  # no temporary file left
    assert load_or_create_key(tmp_path / "other.key") != key


def test_a_key_another_process_created_first_is_the_one_used(tmp_path, monkeypatch):
    path = tmp_path / "redaction.key"
    theirs = "ab" * 32
    real_link = os.link

    def link_after_the_other_process(source, target):
        (tmp_path / "redaction.key").write_text(theirs + "\n")  # it won the race between the check and the link
        return real_link(source, target)

    monkeypatch.setattr(workspace_key.os, "link", link_after_the_other_process)
    assert load_or_create_key(path) == bytes.fromhex(theirs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["redaction.key"]


@pytest.mark.parametrize("content", ["", "not a key", "ab" * 31, "AB" * 32])
def test_a_damaged_key_is_a_clear_error(tmp_path, content):
    path = tmp_path / "redaction.key"
    path.write_text(content)
    with pytest.raises(ConfigError, match=r"redaction\.key: not a redaction key .*delete it to create a new one"):
        load_or_create_key(path)


# -- placeholders ---------------------------------------------------------------------------------------------


def test_keyed_placeholders_are_stable_per_key_and_unlike_a_plain_hash():
    plain = hashlib.sha256(WEAK_PASSWORD.encode()).hexdigest()[:8]
    assert placeholder("url_password", WEAK_PASSWORD) == f"[REDACTED:url_password:{plain}]"
    set_placeholder_key(b"a" * 32)
    keyed = placeholder("url_password", WEAK_PASSWORD)
    assert keyed == f"[REDACTED:url_password:{keyed_digest(b'a' * 32, WEAK_PASSWORD)}]"
    assert keyed != f"[REDACTED:url_password:{plain}]"
    set_placeholder_key(b"b" * 32)
    assert placeholder("url_password", WEAK_PASSWORD) != keyed
    set_placeholder_key(b"a" * 32)
    assert placeholder("url_password", WEAK_PASSWORD) == keyed


def test_short_texts_redacted_under_another_key_are_not_remembered():
    set_placeholder_key(b"a" * 32)
    first = redact(COMMAND)
    set_placeholder_key(b"b" * 32)
    assert redact(COMMAND) != first
    assert keyed_digest(b"b" * 32, WEAK_PASSWORD) in redact(COMMAND)


# -- every process of a workspace -----------------------------------------------------------------------------


@pytest.mark.parametrize("start_method", ["fork", "forkserver", "spawn"])
def test_pool_workers_however_started_use_the_workspace_key(tmp_path, monkeypatch, start_method):
    if start_method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start_method} start method on this platform")
    monkeypatch.setattr(ingest_pool, "pool_context", lambda: multiprocessing.get_context(start_method))
    write_traces(tmp_path / "traces")
    config = load_config(tmp_path / "home")
    use_workspace_key(config)
    key = load_or_create_key(config.redaction_key_file)
    for name, options in (("inline", {"workers": 0}), ("pool", {"workers": 2, "pool_min_bytes": 0})):
        store = Store(tmp_path / f"{name}.db")
        ingest_paths(store, [tmp_path / "traces"], **options)
        store.close()
    assert stored_digests(tmp_path / "pool.db") == stored_digests(tmp_path / "inline.db")
    assert stored_digests(tmp_path / "pool.db") == {keyed_digest(key, WEAK_PASSWORD)}


def test_the_cli_and_a_rebuild_redact_with_the_workspace_key(tmp_path, capsys):
    home = tmp_path / "home"
    config = load_config(home)
    write_traces(config.watch[0])
    assert run(capsys, "--home", str(home), "ingest")[0] == 0
    key = load_or_create_key(config.redaction_key_file)
    assert stored_digests(config.state_db) == {keyed_digest(key, WEAK_PASSWORD)}
    set_placeholder_key(None)  # a new command starts unkeyed, as a new process does
    assert run(capsys, "--home", str(home), "rebuild")[0] == 0
    assert stored_digests(config.state_db) == {keyed_digest(key, WEAK_PASSWORD)}


def test_the_mining_process_uses_the_workspace_key(tmp_path):
    config = load_config(tmp_path / "home")
    ReviewService(config).close()  # creates the workspace
    set_placeholder_key(None)  # the mining process starts unkeyed
    remine_workspace(config)
    assert placeholder_key() == load_or_create_key(config.redaction_key_file)

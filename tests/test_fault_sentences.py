"""Every fault has a sentence, not a traceback (issue 14): a damaged cache, a read-only workspace, a full disk,
a workspace path that is not UTF-8, bad configuration values of any type, bad command-line arguments and a
malformed event feed. One test per row of the issue's table."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from skillwarden.core.workspace import store as store_module
from skillwarden.core.workspace.config import load_config
from skillwarden.skills import describer as describer_module
from skillwarden.skills.library import SkillLibrary
from skillwarden.tui.app import SkillwardenApp
from skillwarden.tui.failures import scratch_copy
from tests.helpers import run, run_json, settle

READ_COMMANDS = [["candidates"], ["sessions"], ["log"], ["events"], ["stats"], ["select", "lint"], ["friction"],
                 ["loo"], ["eval"], ["apply-auto", "--dry-run"]]  # fmt: skip
WRITE_COMMANDS = [["ingest"], ["rebuild"], ["approve", "sk-"], ["undo"], ["apply-auto"]]


def one_sentence(err: str) -> str:
    """stderr as the single `skillwarden: ...` line a fault may print (warnings about the cache aside)."""
    lines = [line for line in err.splitlines() if not line.startswith("skillwarden: warning:")]
    assert len(lines) == 1 and lines[0].startswith("skillwarden: ") and "Traceback" not in err, err
    return lines[0]


# -- a damaged cache --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["half-truncated", "random-bytes"])
def test_a_damaged_cache_says_rebuild_fixes_it_and_rebuild_does(demo_workspace, capsys, damage):
    home = str(demo_workspace)
    before = {c["id"] for c in run_json(capsys, "--home", home, "candidates")}
    db = demo_workspace / "state.db"
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if damage == "half-truncated":
        os.truncate(db, db.stat().st_size // 2)
    else:
        db.write_bytes(os.urandom(100_000))
    for command in (["candidates"], ["sessions"], ["ingest"]):
        code, _out, err = run(capsys, "--home", home, *command)
        line = one_sentence(err)
        assert code == 1 and "is damaged" in line and "`skillwarden rebuild` re-creates it" in line
    assert run(capsys, "--home", home, "rebuild")[0] == 0
    assert {c["id"] for c in run_json(capsys, "--home", home, "candidates")} == before


# -- a read-only workspace ---------------------------------------------------------------------------------------


@pytest.fixture
def read_only_workspace(demo_workspace, tmp_path):
    """The demo workspace behind a read-only bind mount (needs the right to mount; else skipped)."""
    mount_point = tmp_path / "read-only"
    mount_point.mkdir()
    bind = subprocess.run(["mount", "--bind", str(demo_workspace), str(mount_point)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {bind.stderr.decode().strip()}")
    try:
        remount = subprocess.run(["mount", "-o", "remount,bind,ro", str(mount_point)], capture_output=True)
        if remount.returncode != 0:
            pytest.skip(f"cannot make a mount read-only here: {remount.stderr.decode().strip()}")
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c))
def test_read_commands_work_in_a_read_only_workspace(read_only_workspace, capsys, command):
    code, _out, err = run(capsys, "--home", str(read_only_workspace), *command)
    assert code == 0, err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", WRITE_COMMANDS, ids=lambda c: " ".join(c))
def test_writing_commands_say_the_workspace_is_read_only(read_only_workspace, capsys, command):
    code, out, err = run(capsys, "--home", str(read_only_workspace), *command)
    line = one_sentence(err)
    assert code == 1 and out == "" and f"the workspace {read_only_workspace} is read-only" in line


async def test_the_read_only_tui_works_in_a_read_only_workspace(read_only_workspace, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    app = SkillwardenApp(scratch_copy(load_config(read_only_workspace), scratch), watch=False, read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.views and app.read_only
        await pilot.press("q")


# -- a full disk ---------------------------------------------------------------------------------------------------


def disk_full(*_args, **_kwargs):
    raise sqlite3.OperationalError("database or disk is full")


def test_an_ingest_on_a_full_disk_stores_nothing_half_and_says_so(demo_workspace, tmp_path, capsys, monkeypatch):
    home = str(demo_workspace)
    from tests.test_ingest_faults import SESSION, transcript

    (demo_workspace / "traces" / "new.jsonl").write_bytes(transcript(2, sessionId=SESSION))
    run(capsys, "--home", home, "ingest")  # this copy's paths are new: all read
    (demo_workspace / "traces" / "newer.jsonl").write_bytes(transcript(3, sessionId=SESSION.replace("1", "2")))
    counts = run_json(capsys, "--home", home, "sessions")
    monkeypatch.setattr(store_module, "write_prepared", disk_full)  # as the store calls it
    code, _out, err = run(capsys, "--home", home, "ingest")
    line = one_sentence(err)
    assert code == 1 and "is full (database or disk is full)" in line and "nothing was half-written" in line
    monkeypatch.undo()
    assert run_json(capsys, "--home", home, "sessions") == counts
    assert run_json(capsys, "--home", home, "ingest")["files"] == 1  # read the next time


def test_a_decision_whose_commit_was_made_on_a_full_disk_is_reported_done(demo_workspace, capsys, monkeypatch):
    home = str(demo_workspace)
    candidate = next(c for c in run_json(capsys, "--home", home, "candidates") if c["kind"] == "skill")
    committed = []
    approve, replace_decisions = SkillLibrary.approve, store_module.Store.replace_decisions

    def approve_then_fill_the_disk(self, **kwargs):
        committed.append(approve(self, **kwargs))
        return committed[-1]

    def full_after_the_commit(self, decisions):
        return disk_full() if committed else replace_decisions(self, decisions)

    monkeypatch.setattr(SkillLibrary, "approve", approve_then_fill_the_disk)
    monkeypatch.setattr(store_module.Store, "replace_decisions", full_after_the_commit)
    code, out, err = run(capsys, "--home", home, "approve", candidate["id"])
    assert code == 0 and out.startswith(f"approve {candidate['id']}: commit ")
    assert "Traceback" not in err and f"approve {candidate['id']} is done (commit " in err
    monkeypatch.undo()
    states = {c["id"]: c["state"] for c in run_json(capsys, "--home", home, "candidates")}
    assert states[candidate["id"]] == "approved"


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB file system of its own (a tmpfs; needs the right to mount, else skipped)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


def test_a_really_full_disk_is_a_sentence_and_nothing_half_done(small_disk, capsys):
    home = small_disk / "ws"
    assert run(capsys, "demo", "--dir", str(home), "--no-tui", "--sessions", "20")[0] == 0
    from skillwarden.core.demo.traces import generate_corpus

    generate_corpus(home / "traces" / "more", sessions=40, seed=3)
    before = run_json(capsys, "--home", str(home), "sessions")
    filler = fill(small_disk)
    code, out, err = run(capsys, "--home", str(home), "ingest")
    assert code == 1 and out == "" and "is full" in one_sentence(err)
    filler.unlink()
    assert run_json(capsys, "--home", str(home), "sessions") == before  # nothing of the failed ingest stayed
    report = run_json(capsys, "--home", str(home), "ingest")
    assert report["files"] == 40 and report["errors"] == []


# -- a workspace path that is not UTF-8 ----------------------------------------------------------------------------


def test_a_workspace_path_that_is_not_utf8_works_and_prints(tmp_path):
    home = os.path.join(os.fsencode(tmp_path), b"caf\xe9-\xff-ws")
    # A strict UTF-8 stdout, as under an en_US.UTF-8 locale: a path that is not UTF-8 must still print.
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def skillwarden(*args: str | bytes) -> subprocess.CompletedProcess:
        command = [sys.executable.encode(), b"-m", b"skillwarden.tui.cli", *(os.fsencode(a) for a in args)]
        return subprocess.run(command, capture_output=True, env=env, timeout=600)

    demo = skillwarden("demo", "--dir", home, "--no-tui", "--sessions", "20")
    assert demo.returncode == 0, demo.stderr.decode(errors="replace")
    assert b"demo workspace: " + home in demo.stdout
    for command in (["ingest"], ["candidates"], ["rebuild"], ["sessions"]):
        done = skillwarden("--home", home, *command)
        assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert home in skillwarden("--home", home, "rebuild").stdout


# -- configuration values of any type ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not UTF-8 text"),
        (b"a: " + b"[" * 10_000 + b"]" * 10_000, "nested too deeply"),
        (b"reviewer: [1, 2]\n", "reviewer must be one line of text, not [1, 2]"),
        (b"reviewer: Ada\nreviewer: Bob\n", "the key 'reviewer' is given twice"),
        (b"min_support: true\n", "min_support must be an integer from 2 to 1e+06, not True"),
        (b"describer_timeout: .nan\n", "describer_timeout must be a number from 0.1 to 600, not nan"),
        (b"dedup_threshold: '0.9'\n", "dedup_threshold must be a number from 0 to 1, not '0.9'"),
        (b"watch: traces\n", "watch must be a list of folders, not 'traces'"),
        (b"watch: [[a]]\n", "watch must be a non-empty path string, not ['a']"),
        (b"keymap: [a]\n", "keymap must map action ids to keys"),
        (b"harness: {instructions: 7}\n", "harness takes instructions and settings"),
        (b"ingest_workers: 1.5\n", "ingest_workers must be an integer from 0 to 64, not 1.5"),
        (b"learning: {friction: {days: .inf}}\n", "learning.friction.days must be a positive number"),
        (b"- a list\n", "expected a mapping of settings, got list"),
    ],
    ids=["binary", "deep", "reviewer-list", "duplicate-key", "bool-int", "nan", "string-number", "watch-string",
         "watch-nested", "keymap-list", "harness-int", "workers-float", "learning-inf", "not-a-mapping"],
)  # fmt: skip
def test_a_bad_config_value_is_one_sentence_naming_the_key(tmp_path, capsys, text, said):
    home = tmp_path / "ws"
    home.mkdir()
    (home / "config.yaml").write_bytes(text)
    code, out, err = run(capsys, "--home", str(home), "friction")
    line = one_sentence(err)
    assert code == 1 and out == "" and said in line
    assert str(home / "config.yaml") in line  # every section is validated when the configuration is loaded


def test_describer_timeout_is_the_timeout_the_describer_gets(demo_workspace, capsys, monkeypatch):
    config = demo_workspace / "config.yaml"
    config.write_text(config.read_text() + "\ndescriber: my-describer --fast\ndescriber_timeout: 2\n")
    timeouts = []

    def recording(command, candidate, timeout=None):
        timeouts.append((command, timeout))
        return None  # as a describer that failed: the deterministic text stays

    monkeypatch.setattr(describer_module, "run_describer", recording)
    assert run(capsys, "--home", str(demo_workspace), "rebuild")[0] == 0
    assert timeouts and set(timeouts) == {("my-describer --fast", 2.0)}


# -- command-line arguments and the event feed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["friction", "--days", "nan"], ["friction", "--days", "inf"], ["friction", "--days", "-1"],
     ["friction", "--days", "1e400"], ["friction", "--end", "yesterday"], ["select", "lint", "--limit", "-1"],
     ["select", "lint", "--limit", "0"], ["select", "lint", "--limit", "x"]],
    ids=lambda argv: " ".join(argv),
)  # fmt: skip
def test_a_bad_argument_is_a_usage_error_not_a_traceback(demo_workspace, capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "--home", str(demo_workspace), *argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "Traceback" not in err
    assert err.splitlines()[-1].startswith(f"skillwarden {argv[0]}: error: argument ")


def test_malformed_lines_in_the_event_feed_are_skipped(demo_workspace, capsys):
    feed = demo_workspace / "events.jsonl"
    good = feed.read_bytes()
    with feed.open("ab") as handle:
        for junk in (b"[1, 2]", b'{"seq": "7", "kind": "notice"}', b'"text"', b"[" * 5000 + b"]" * 5000,
                     b"\xff\xfe not json", b'{"kind": "notice"}'):  # fmt: skip
            handle.write(junk + b"\n")
    code, out, err = run(capsys, "--home", str(demo_workspace), "events")
    assert code == 0 and "Traceback" not in err
    assert len(out.splitlines()) == len(good.splitlines())
    for command in (["friction"], ["stats"]):
        assert run(capsys, "--home", str(demo_workspace), *command)[0] == 0
    assert run(capsys, "--home", str(demo_workspace), "ingest")[0] == 0  # appends after the junk
    assert json.loads(feed.read_bytes().splitlines()[-1])["seq"] > 0


def test_an_unexpected_error_is_one_sentence_too(demo_workspace, capsys, monkeypatch):
    """A bug is still a bug, but the user gets a sentence that says how to see the traceback."""
    from skillwarden.reviews import service

    def broken(*_args, **_kwargs):
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(service.ReviewService, "queue", broken)
    code, _out, err = run(capsys, "--home", str(demo_workspace), "candidates")
    line = one_sentence(err)
    assert code == 1 and "unexpected error (TypeError: 'NoneType' object is not subscriptable)" in line
    assert "SKILLWARDEN_DEBUG=1" in line
    monkeypatch.setenv("SKILLWARDEN_DEBUG", "1")
    with pytest.raises(TypeError):
        run(capsys, "--home", str(demo_workspace), "candidates")

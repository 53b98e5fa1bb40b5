"""`rebuild` and `demo` against the faults of issue 14: a rebuild loses nothing (paths ingested by name, approved
harness changes) and, like `demo` into an existing workspace, respects the workspace lock; the demo never
writes into a trace folder it did not create."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.helpers import run, run_json
from tests.test_ingest_faults import SESSION, transcript
from tests.test_lock import start_holder


@pytest.fixture
def held(demo_workspace):
    """Another process holding the demo workspace's lock (as the TUI does)."""
    holder = start_holder(demo_workspace / "skillwarden.lock")
    yield holder
    holder.kill()
    holder.wait()
    holder.stdout.close()


def session_ids(capsys, home) -> set[str]:
    return {s["id"] for s in run_json(capsys, "--home", str(home), "sessions")}


def test_rebuild_reads_again_what_was_ingested_by_name(demo_workspace, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "run.jsonl").write_bytes(transcript(2, sessionId=SESSION))
    lone = tmp_path / "lone.jsonl"
    lone.write_bytes(transcript(1, sessionId=SESSION.replace("0001", "0002")))
    home = str(demo_workspace)
    assert run(capsys, "--home", home, "ingest", str(elsewhere), str(lone))[0] == 0
    before = session_ids(capsys, home)
    assert {SESSION, SESSION.replace("0001", "0002")} <= before

    report = run_json(capsys, "--home", home, "rebuild")
    assert session_ids(capsys, home) == before and report["errors"] == []
    assert {str(elsewhere), str(lone)} <= set(report["folders"])

    lone.unlink()  # gone since: the rebuild says so, and keeps the rest
    report = run_json(capsys, "--home", home, "rebuild")
    assert [(e["path"], e["message"]) for e in report["errors"]] == [
        (str(lone), "ingested by name earlier, no longer there: what it held is gone")
    ]
    assert session_ids(capsys, home) == before - {SESSION.replace("0001", "0002")}


def test_rebuild_is_refused_while_another_process_holds_the_workspace(demo_workspace, held, capsys):
    db = demo_workspace / "state.db"
    inode, data = os.stat(db).st_ino, db.read_bytes()
    code, out, err = run(capsys, "--home", str(demo_workspace), "rebuild")
    assert code == 1 and out == ""
    assert err.strip().endswith("close it or wait for it") and f"in use by process {held.pid} " in err
    assert os.stat(db).st_ino == inode and db.read_bytes() == data


def test_demo_into_an_existing_workspace_respects_the_lock(demo_workspace, held, capsys):
    code, _out, err = run(capsys, "demo", "--dir", str(demo_workspace), "--no-tui")
    assert code == 1 and f"in use by process {held.pid} " in err


def test_demo_into_an_existing_workspace_never_writes_into_a_trace_folder_it_did_not_create(tmp_path, capsys):
    home = tmp_path / "ws"
    real = tmp_path / "real-traces"
    (home / "traces").mkdir(parents=True)  # the user's own folder that happens to have the default name
    real.mkdir()
    (real / "mine.jsonl").write_bytes(transcript(2, sessionId=SESSION))
    (home / "config.yaml").write_text(f"watch: [{real}, traces]\ndiscover: false\n")
    untouched = {folder: sorted(os.listdir(folder)) for folder in (real, home / "traces")}

    code, out, err = run(capsys, "demo", "--dir", str(home), "--no-tui", "--sessions", "12")
    assert code == 0, err
    assert {folder: sorted(os.listdir(folder)) for folder in untouched} == untouched
    assert f"traces:       {home / 'demo-traces'}" in out
    assert len(list((home / "demo-traces").rglob("*.jsonl"))) >= 12
    # Not watched, so remembered: a rebuild reads the demo's traces too.
    report = run_json(capsys, "--home", str(home), "rebuild")
    assert report["sessions"] >= 13 and report["errors"] == []
    # A second demo writes into the folder it created, nowhere else.
    assert run(capsys, "demo", "--dir", str(home), "--no-tui", "--sessions", "12", "--seed", "8")[0] == 0
    assert {folder: sorted(os.listdir(folder)) for folder in untouched} == untouched
    shutil.rmtree(home / "demo-traces")
    (home / "demo-traces").mkdir()  # now a folder the demo did not create, beside `traces`
    code, _out, err = run(capsys, "demo", "--dir", str(home), "--no-tui")
    assert code == 1 and "the demo did not create" in err and os.listdir(home / "demo-traces") == []


def test_an_approved_harness_change_survives_a_rebuild(demo_workspace, capsys):
    home = str(demo_workspace)
    harness = next(c for c in run_json(capsys, "--home", home, "candidates") if c["kind"] == "harness")
    assert run(capsys, "--home", home, "approve", harness["id"])[0] == 0
    run_json(capsys, "--home", home, "rebuild")

    [after] = [c for c in run_json(capsys, "--home", home, "candidates") if c["id"] == harness["id"]]
    assert (after["state"], after["kind"], after["target"], after["evidence"]) == (
        "approved", "harness", harness["target"], harness["evidence"]
    )
    code, out, _err = run(capsys, "--home", home, "show", harness["id"])
    added = [line[1:] for line in harness["diff"].splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert code == 0 and all(line in out for line in added)
    code, out, _err = run(capsys, "--home", home, "rollback", harness["id"])
    assert code == 0 and out.startswith(f"rollback {harness['id']}: commit ")
    log = json.loads(run(capsys, "--home", home, "log", "--json")[1])
    assert [entry["action"] for entry in log][:2] == ["rollback", "approve"]

"""Every run is its own session (issue 14): four models' runs of one benchmark instance, each a file of the
same name in its own folder, are four sessions with ids that survive re-reads and rebuilds; a Claude Code
session continued in a second file is one session, and the report says it merged them."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime

from skillwarden.core.ingest.run import ingest_paths
from skillwarden.core.workspace.store import Store
from tests.helpers import run
from tests.test_ingest_faults import SESSION, transcript

MODELS = ("gpt-4o", "claude-3-5-sonnet", "llama-3-70b", "qwen-2-72b")


def swe_agent_run(model: str, steps: int) -> bytes:
    trajectory = [{"action": f"pytest -k case{i}", "observation": f"{i} passed", "thought": "run it"}
                  for i in range(steps)]  # fmt: skip
    return json.dumps({
        "trajectory": trajectory, "history": [{"role": "user", "content": "fix the gson bug"}],
        "info": {"exit_status": "submitted"}, "replay_config": {"agent": {"model": {"name": model}}},
    }).encode()  # fmt: skip


def benchmark_runs(folder) -> list:
    paths = []
    for number, model in enumerate(MODELS, 1):
        path = folder / model / "trajs" / "google__gson-1093.traj"
        path.parent.mkdir(parents=True)
        path.write_bytes(swe_agent_run(model, number))
        paths.append(path)
    return paths


def stored(db) -> dict[str, tuple[str, str, int]]:
    store = Store(db)
    try:
        return {s.id: (s.path, s.model, s.steps) for s in store.sessions()}
    finally:
        store.close()


def test_the_same_file_name_in_four_folders_is_four_sessions_counted_as_stored(tmp_path):
    paths = benchmark_runs(tmp_path / "runs")
    store = Store(tmp_path / "state.db")
    report = ingest_paths(store, [tmp_path / "runs"])
    store.close()
    sessions = stored(tmp_path / "state.db")

    assert (report.files, report.sessions, report.merged) == (4, 4, 0)
    assert sorted(model for _path, model, _steps in sessions.values()) == sorted(MODELS)
    assert {path for path, _model, _steps in sessions.values()} == {str(p) for p in paths}
    assert all(session_id.startswith("google__gson-1093@") for session_id in sessions)


def test_a_runs_id_is_stable_across_re_reads_and_rebuilds(tmp_path):
    paths = benchmark_runs(tmp_path / "runs")
    store = Store(tmp_path / "state.db")
    ingest_paths(store, [tmp_path / "runs"])
    before = stored(tmp_path / "state.db")
    # Re-read: the run's file is rewritten (a .traj is rewritten whole as the run goes on).
    paths[0].write_bytes(swe_agent_run(MODELS[0], 7))
    os.utime(paths[0], ns=(time.time_ns(), time.time_ns() + 10**9))
    report = ingest_paths(store, [tmp_path / "runs"])
    store.close()
    after = stored(tmp_path / "state.db")
    # Rebuild: a new cache from the same files.
    rebuilt_store = Store(tmp_path / "rebuilt.db")
    ingest_paths(rebuilt_store, [tmp_path / "runs"])
    rebuilt_store.close()

    assert report.files == 1 and set(after) == set(before) == set(stored(tmp_path / "rebuilt.db"))
    [changed] = [sid for sid, (path, _m, _s) in after.items() if path == str(paths[0])]
    assert after[changed][2] == 7 and before[changed][2] == 1


def test_a_claude_code_session_continued_in_a_second_file_is_one_session_and_said_merged(tmp_path, capsys):
    traces = tmp_path / "traces"
    traces.mkdir()
    (traces / "first.jsonl").write_bytes(transcript(2, sessionId=SESSION))
    (traces / "resumed.jsonl").write_bytes(transcript(3, sessionId=SESSION))
    (traces / "other.jsonl").write_bytes(transcript(1, sessionId=SESSION.replace("0001", "0002")))
    code, out, err = run(capsys, "--home", str(tmp_path / "home"), "ingest", str(traces))

    assert code == 0, err
    assert out.splitlines() == [
        "read 3 file(s) (0 unchanged): 2 session(s), 6 step(s); 1 session(s) continue in more than one file "
        "and were stored once, as the last of those files has them"
    ]
    # Found later, in a later ingest: still said.
    (traces / "z-resumed-again.jsonl").write_bytes(transcript(4, sessionId=SESSION))
    code, out, _err = run(capsys, "--home", str(tmp_path / "home"), "ingest", str(traces), "--json")
    report = json.loads(out)
    assert (report["files"], report["unchanged"], report["sessions"], report["merged"]) == (1, 3, 1, 1)


def test_a_session_without_timestamps_starts_at_its_files_modification_time(tmp_path, capsys):
    """SWE-agent trajectories carry no times: each run is dated by its file, so friction's window and the
    evaluation's time split count it."""
    paths = benchmark_runs(tmp_path / "runs")
    for day, path in enumerate(paths, 1):
        moment = datetime(2026, 3, day, 12, 0, tzinfo=UTC).timestamp()
        os.utime(path, (moment, moment))
    home = str(tmp_path / "home")
    assert run(capsys, "--home", home, "ingest", str(tmp_path / "runs"))[0] == 0
    sessions = json.loads(run(capsys, "--home", home, "sessions", "--json")[1])
    assert sorted(s["started_at"] for s in sessions) == [f"2026-03-0{day}T12:00:00.000Z" for day in (1, 2, 3, 4)]
    code, out, _err = run(capsys, "--home", home, "friction", "--days", "100000", "--json")
    assert code == 0 and json.loads(out)["overall"]["sessions"] == 4

"""The command line as scripts use it: JSON out, clear errors, the same decisions as the TUI."""

import io
import json
import shutil

import git
import pytest

from tests.conftest import SHARED_TRACES
from tests.helpers import run, run_json


def test_demo_no_tui_creates_a_workspace_usable_with_home(tmp_path, capsys):
    code, out, _ = run(capsys, "demo", "--dir", str(tmp_path / "ws"), "--no-tui", "--sessions", "40")
    assert code == 0
    assert str(tmp_path / "ws") in out
    assert (tmp_path / "ws" / "skills-repo" / ".git").is_dir()
    assert (tmp_path / "ws" / "state.db").exists()
    assert len(list((tmp_path / "ws" / "traces").rglob("*.jsonl"))) >= 40
    candidates = run_json(capsys, "--home", str(tmp_path / "ws"), "candidates")
    assert candidates
    for candidate in candidates:
        assert {"id", "kind", "state", "title", "support", "evidence"} <= set(candidate)
        assert candidate["kind"] in ("skill", "harness") and candidate["state"] == "pending"
        assert len(candidate["evidence"]) == candidate["support"] >= 3
        assert {"predicted_fixes", "predicted_breakages", "security"} <= set(candidate)
        if candidate["kind"] == "harness":
            assert candidate["diff"].startswith("--- ") and candidate["target"]
    assert {c["kind"] for c in candidates} == {"skill", "harness"}


def test_demo_refuses_a_folder_that_is_not_a_workspace(tmp_path, capsys):
    (tmp_path / "precious.txt").write_text("keep me")
    code, _, err = run(capsys, "demo", "--dir", str(tmp_path), "--no-tui")
    assert code == 1
    assert "not a skillwarden workspace" in err
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_home_env_var_selects_the_workspace(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SKILLWARDEN_HOME", str(tmp_path / "envhome"))
    report = run_json(capsys, "ingest", str(SHARED_TRACES / "codex"))
    assert report["sessions"] == 2
    assert (tmp_path / "envhome" / "state.db").exists()


@pytest.mark.parametrize("argv", [["candidates"], ["sessions", "--json"], ["stats"], ["doctor"], ["log"]])
def test_a_read_command_on_a_missing_workspace_says_so_and_creates_nothing(tmp_path, capsys, argv):
    home = tmp_path / "typo"
    code, out, err = run(capsys, "--home", str(home), *argv)
    assert code == 1 and out == ""
    assert f"there is no workspace at {home} yet" in err and "skillwarden ingest PATH" in err
    assert not home.exists()


def test_the_prompt_hook_on_a_missing_workspace_says_nothing_and_creates_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"prompt": "fix the failing test"})))
    home = tmp_path / "none"
    assert run(capsys, "--home", str(home), "hook", "run") == (0, "", "")
    assert not home.exists()


def test_a_command_that_writes_creates_the_workspace(tmp_path, capsys):
    home = tmp_path / "new"
    assert run_json(capsys, "--home", str(home), "ingest", str(SHARED_TRACES / "codex"))["sessions"] == 2
    assert (home / "config.yaml").is_file() and (home / "state.db").is_file()
    assert run_json(capsys, "--home", str(home), "candidates") == []  # and a read command now opens it


def test_ingest_reports_a_bad_line_with_path_and_line_and_keeps_the_rest(tmp_path, capsys):
    traces = tmp_path / "traces"
    traces.mkdir()
    good = SHARED_TRACES / "claude_code" / "codemie-4c2ddfdc-b619-4525-8d03-1950fb1b0257.jsonl"
    shutil.copy(good, traces / "good.jsonl")
    lines = good.read_bytes().splitlines(keepends=True)
    torn = b"".join(lines[:5]) + b'{"type": "user", "message": {"content": "torn\n' + b"".join(lines[5:])
    (traces / "torn.jsonl").write_bytes(torn)
    (traces / "binary.jsonl").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    report = run_json(capsys, "--home", str(tmp_path / "home"), "ingest", str(traces))
    assert report["files"] == 3
    # torn.jsonl is a copy of good.jsonl: one Claude Code session in two files, stored once and said merged
    assert (report["sessions"], report["merged"]) == (1, 1)
    assert report["steps"] > 0
    by_path = {error["path"]: error for error in report["errors"]}
    torn_error = by_path[str((traces / "torn.jsonl").resolve())]
    assert torn_error["line"] == 6
    assert "invalid JSON" in torn_error["message"]
    assert str((traces / "binary.jsonl").resolve()) in by_path


def test_ingesting_the_same_bytes_twice_changes_nothing(tmp_path, capsys):
    home = str(tmp_path / "home")
    first = run_json(capsys, "--home", home, "ingest", str(SHARED_TRACES / "claude_code"))
    sessions = run_json(capsys, "--home", home, "sessions")
    second = run_json(capsys, "--home", home, "ingest", str(SHARED_TRACES / "claude_code"))
    assert first["sessions"] == len(sessions) > 0
    assert second["files"] == 0 and second["unchanged"] == first["files"]
    assert run_json(capsys, "--home", home, "sessions") == sessions
    for session in sessions:
        assert {"id", "format", "path", "outcome", "reward", "reward_explanation", "steps"} <= set(session)
        assert 0.0 <= session["reward"] <= 1.0


def test_approve_backlog_reject_rollback_undo_round_trip(demo_workspace, capsys):
    home = str(demo_workspace)
    ids = [c["id"] for c in run_json(capsys, "--home", home, "candidates")]
    approved = run_json(capsys, "--home", home, "approve", ids[0][:8])  # a unique prefix is enough
    assert approved["action"] == "approve" and approved["candidate"] == ids[0]
    run_json(capsys, "--home", home, "backlog", ids[1])
    run_json(capsys, "--home", home, "reject", ids[2], "--reason", "too narrow")
    states = {c["id"]: c["state"] for c in run_json(capsys, "--home", home, "candidates")}
    assert (states[ids[0]], states[ids[1]], states[ids[2]]) == ("approved", "backlogged", "rejected")

    rolled = run_json(capsys, "--home", home, "rollback", ids[0])
    assert rolled["reverts"] == approved["commit"]
    undone = run_json(capsys, "--home", home, "undo")
    assert undone["candidate"] == ids[2]
    states = {c["id"]: c["state"] for c in run_json(capsys, "--home", home, "candidates")}
    assert (states[ids[0]], states[ids[1]], states[ids[2]]) == ("rolled_back", "backlogged", "pending")

    code, _, err = run(capsys, "--home", home, "approve", ids[0])
    assert code == 1 and "rolled back" in err
    with git.Repo(demo_workspace / "skills-repo") as repo:
        assert all(len(commit.parents) <= 1 for commit in repo.iter_commits())
        assert not (demo_workspace / "skills-repo" / "skills" / approved["candidate"]).exists()


def test_rebuild_from_git_after_the_cache_is_deleted(demo_workspace, capsys):
    home = str(demo_workspace)
    ids = [c["id"] for c in run_json(capsys, "--home", home, "candidates")]
    run_json(capsys, "--home", home, "approve", ids[0])
    run_json(capsys, "--home", home, "reject", ids[1])
    before = run_json(capsys, "--home", home, "candidates")
    for name in ("state.db", "state.db-wal", "state.db-shm"):
        (demo_workspace / name).unlink(missing_ok=True)
    run_json(capsys, "--home", home, "ingest")
    after = run_json(capsys, "--home", home, "candidates")
    strip = lambda items: [{k: v for k, v in c.items() if k != "first_seen"} for c in items]  # noqa: E731
    assert strip(after) == strip(before)


def test_approve_in_a_dirty_repo_is_refused_and_nothing_is_staged(demo_workspace, capsys):
    home = str(demo_workspace)
    candidate = run_json(capsys, "--home", home, "candidates")[0]
    readme = demo_workspace / "skills-repo" / "README.md"
    readme.write_text(readme.read_text() + "local edit\n")
    code, _, err = run(capsys, "--home", home, "approve", candidate["id"])
    assert code == 1
    assert "uncommitted changes" in err and "README.md" in err
    with git.Repo(demo_workspace / "skills-repo") as repo:
        assert repo.git.status("--porcelain") == " M README.md"
    assert not (demo_workspace / "skills-repo" / "skills").exists()


@pytest.mark.parametrize("command", ["approve", "backlog", "reject", "rollback"])
def test_unknown_candidate_is_a_clear_error(demo_workspace, capsys, command):
    code, _, err = run(capsys, "--home", str(demo_workspace), command, "sk-doesnotexist")
    assert code == 1
    assert "no candidate with id 'sk-doesnotexist'" in err


def test_events_lists_ingest_candidates_and_decisions_as_json_lines(demo_workspace, capsys):
    home = str(demo_workspace)
    candidate = run_json(capsys, "--home", home, "candidates")[0]
    run_json(capsys, "--home", home, "approve", candidate["id"])
    code, out, _ = run(capsys, "--home", home, "events")
    assert code == 0
    events = [json.loads(line) for line in out.splitlines()]
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "ingest" and "candidate" in kinds and kinds[-1] == "decision"
    assert events[-1]["candidate"] == candidate["id"] and events[-1]["action"] == "approve"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    code, out, _ = run(capsys, "--home", home, "events", "--after", str(events[-2]["seq"]))
    assert [json.loads(line)["seq"] for line in out.splitlines()] == [events[-1]["seq"]]


def test_a_harness_modification_is_applied_as_its_diff_and_undone(demo_workspace, capsys):
    home = str(demo_workspace)
    harness = [c for c in run_json(capsys, "--home", home, "candidates") if c["kind"] == "harness"]
    assert len(harness) >= 2
    first, second = harness[0], harness[1]
    decision = run_json(capsys, "--home", home, "approve", first["id"])
    agents = demo_workspace / "skills-repo" / first["target"]
    added = [line[1:] for line in first["diff"].splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert agents.read_text().splitlines() == added
    # the other rules were computed against the file before; they are re-mined against the new one
    refreshed = {c["id"]: c for c in run_json(capsys, "--home", home, "candidates")}
    assert refreshed[second["id"]]["base_hash"] != second["base_hash"]
    run_json(capsys, "--home", home, "approve", second["id"])
    assert agents.read_text().count("### ") == 2
    run_json(capsys, "--home", home, "undo")
    run_json(capsys, "--home", home, "undo")
    assert not agents.exists()
    with git.Repo(demo_workspace / "skills-repo") as repo:
        trailers = [c.message for c in repo.iter_commits("HEAD", max_count=4)]
    assert f"Skillwarden-Candidate: {first['id']}" in trailers[3]
    assert decision["commit"] in trailers[0]  # the last undo reverts the first approval

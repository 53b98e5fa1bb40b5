"""SIGKILL at every step of a decision: after a restart the cache and the repository agree, and nothing
is applied twice (../shared/RELIABILITY.md bad input 18)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from skillwarden.core.workspace.config import load_config
from skillwarden.reviews.recovery import RecoveryOutcome, recover, recover_workspace, recovery_outcome
from skillwarden.reviews.service import ReviewError, ReviewService
from skillwarden.reviews.states import State
from skillwarden.skills.index_lock import process_start_time
from skillwarden.skills.intent import INTENT_FILE, Intent
from skillwarden.skills.library import SkillLibrary
from skillwarden.skills.library_errors import LibraryError
from skillwarden.skills.trailers import Decision
from tests.helpers import run, run_json

# Runs one decision in a fresh process and kills it, the hard way, when the library reaches `step`.
DECIDE_AND_DIE = """
import os, signal, sys
from pathlib import Path
from skillwarden.core.workspace.config import load_config
from skillwarden.reviews.service import ReviewService

home, action, candidate, step = sys.argv[1:5]
service = ReviewService(load_config(Path(home)))

def die_at(reached):
    if reached == step:
        os.kill(os.getpid(), signal.SIGKILL)

service.library.on_step = die_at
getattr(service, action)(candidate)
print("finished without dying", flush=True)
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def decide_and_die(home: Path, action: str, candidate: str, step: str) -> None:
    result = subprocess.run([sys.executable, "-c", DECIDE_AND_DIE, str(home), action, candidate, step],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr


def commits_for(repo: Path, candidate: str, action: str) -> int:
    log = git(repo, "log", "--format=%B%x00")
    return sum(f"Skillwarden-Candidate: {candidate}\n" in m and f"Skillwarden-Decision: {action}\n" in m
               for m in log.split("\0"))  # fmt: skip


def restart(home: Path) -> ReviewService:
    config = load_config(home)
    recover_workspace(config.skills_repo)
    return ReviewService(config)


def assert_cache_agrees_with_git(service: ReviewService) -> None:
    from_git = [d.sha for d in reversed(service.library.decisions())]
    assert [d["sha"] for d in service.store.decisions()] == from_git
    assert git(service.config.skills_repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (service.config.skills_repo / ".git" / INTENT_FILE).exists()


@pytest.fixture
def workspace(demo_workspace):
    service = ReviewService(load_config(demo_workspace))
    try:
        candidate = service.queue(include_decided=False)[0].id
    finally:
        service.close()
    return demo_workspace, candidate


@pytest.mark.parametrize(("step", "committed"), [("written", False), ("staged", False), ("committed", True)])
@pytest.mark.parametrize("action", ["approve", "backlog", "reject"])
def test_kill_during_a_decision(workspace, action, step, committed):
    home, candidate = workspace
    decide_and_die(home, action, candidate, step)
    intent = json.loads((home / "skills-repo" / ".git" / INTENT_FILE).read_text())
    assert (intent["action"], intent["candidate_id"]) == (action, candidate)

    service = restart(home)
    try:
        assert_cache_agrees_with_git(service)
        expected = {"approve": State.APPROVED, "backlog": State.BACKLOGGED, "reject": State.REJECTED}[action]
        assert service.view(candidate).state is (expected if committed else State.PENDING)
        if committed:
            with pytest.raises(ReviewError, match="cannot"):
                getattr(service, action)(candidate)
        else:
            getattr(service, action)(candidate)  # the decision can simply be made again
        assert commits_for(service.config.skills_repo, candidate, action) == 1
        assert_cache_agrees_with_git(service)
    finally:
        service.close()


@pytest.mark.parametrize(("step", "committed"), [("staged", False), ("committed", True)])
def test_kill_during_a_rollback(workspace, step, committed):
    home, candidate = workspace
    service = ReviewService(load_config(home))
    service.approve(candidate)
    service.close()
    decide_and_die(home, "rollback", candidate, step)

    service = restart(home)
    try:
        assert_cache_agrees_with_git(service)
        assert service.view(candidate).state is (State.ROLLED_BACK if committed else State.APPROVED)
        if not committed:
            service.rollback(candidate)
        assert commits_for(service.config.skills_repo, candidate, "rollback") == 1
        assert service.library.skill_names() == []
    finally:
        service.close()


def test_a_decision_still_running_in_another_process_is_left_alone(tmp_path):
    with SkillLibrary(tmp_path / "repo") as library:
        parent = git(library.path, "rev-parse", "HEAD").strip()
        alive = Intent(os.getpid(), process_start_time(os.getpid()), parent, "approve", "c1", "sha256:x", ("a.md",))
        (library.path / ".git" / INTENT_FILE).write_text(alive.to_json())
        (library.path / "a.md").write_text("being written")
        report = recover(library)
        assert report.outcome is RecoveryOutcome.RUNNING
        assert (library.path / "a.md").read_text() == "being written"
        assert library.interrupted_decision() == alive


def test_a_head_that_moved_elsewhere_is_left_for_a_human(tmp_path):
    with SkillLibrary(tmp_path / "repo") as library:
        parent = git(library.path, "rev-parse", "HEAD").strip()
        git(library.path, "commit", "-q", "--allow-empty", "-m", "someone else")
        dead = Intent(999999999, None, parent, "approve", "c1", "sha256:x", ("a.md",))
        (library.path / ".git" / INTENT_FILE).write_text(dead.to_json())
        with pytest.raises(LibraryError, match="not that decision"):
            recover(library)
        assert library.interrupted_decision() == dead


def test_nothing_to_recover(tmp_path):
    with SkillLibrary(tmp_path / "repo") as library:
        assert recover(library).outcome is RecoveryOutcome.NOTHING


def decision(action="approve", candidate="c1", digest="sha256:a") -> Decision:
    return Decision(action, candidate, digest, (), "r", "sha", "when", "summary")


@pytest.mark.parametrize(
    ("head", "head_parent", "head_decision", "outcome"),
    [
        ("p", "q", decision(), RecoveryOutcome.RESTORED),  # HEAD never moved: no commit was made
        ("n", "p", decision(), RecoveryOutcome.COMMITTED),
        ("n", "p", decision(candidate="c2"), RecoveryOutcome.UNCLEAR),
        ("n", "p", decision(action="backlog"), RecoveryOutcome.UNCLEAR),
        ("n", "p", decision(digest="sha256:b"), RecoveryOutcome.UNCLEAR),
        ("n", "p", None, RecoveryOutcome.UNCLEAR),
        ("n", "other", decision(), RecoveryOutcome.UNCLEAR),
    ],
)
def test_classify(head, head_parent, head_decision, outcome):
    intent = Intent(1, None, "p", "approve", "c1", "sha256:a", ())
    assert recovery_outcome(intent, head=head, head_parent=head_parent, head_decision=head_decision) is outcome


def decision_rows(home: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(home / "state.db")) as db:
        return db.execute("SELECT * FROM decisions ORDER BY seq").fetchall()


@pytest.mark.parametrize("command", [["candidates"], ["show", "CANDIDATE"], ["apply-auto", "--dry-run"]])
def test_a_read_command_leaves_an_interrupted_decision_to_the_writer(workspace, capsys, command):
    """A command that reads holds no lock, so the decision it finds half-done may be one a writer is making:
    it neither recovers it nor rewrites the cache's decision table, and still shows the history's states."""
    home, candidate = workspace
    decide_and_die(home, "approve", candidate, "committed")
    intent = home / "skills-repo" / ".git" / INTENT_FILE
    rows = decision_rows(home)

    out = run_json(capsys, "--home", str(home), *[candidate if word == "CANDIDATE" else word for word in command])
    assert intent.exists() and decision_rows(home) == rows
    if command[0] == "candidates":
        assert {c["id"]: c["state"] for c in out}[candidate] == "approved"  # replayed from the history
    elif command[0] == "show":
        assert out["state"] == "approved"

    assert run(capsys, "--home", str(home), "ingest")[0] == 0  # a writer recovers it
    assert not intent.exists() and len(decision_rows(home)) == len(rows) + 1


async def test_a_read_only_tui_leaves_an_interrupted_decision_to_the_writer(workspace):
    from skillwarden.tui.app import SkillwardenApp
    from tests.helpers import settle

    home, candidate = workspace
    decide_and_die(home, "approve", candidate, "committed")
    intent = home / "skills-repo" / ".git" / INTENT_FILE
    rows = decision_rows(home)
    app = SkillwardenApp(load_config(home), watch=False, read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.views  # the queue is there
        await pilot.press("q")
    assert intent.exists() and decision_rows(home) == rows

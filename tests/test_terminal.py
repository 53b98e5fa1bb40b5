"""The real program in a real terminal: tmux starts `skillwarden demo`, a reviewer approves the first
candidate with a real key press and quits, and the commit is in the demo's skills repository."""

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import git
import pytest

from skillwarden.skills.trailers import parse_trailers

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(
    TMUX is None and not os.environ.get("CI"), reason="tmux is not installed (CI installs it)"
)


def wait_for(predicate, what: str, *, attempts: int = 300, interval: float = 0.1):
    """Poll until the terminal shows what we wait for; the bound only stops a hung test."""
    for _ in range(attempts):
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"gave up waiting for {what}")


def test_demo_starts_in_a_real_terminal_and_a_key_press_commits(tmp_path):
    assert TMUX, "tmux is required in CI"
    workspace = tmp_path / "demo"
    script = Path(sys.executable).with_name("skillwarden")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "skillwarden.tui.cli"]
    command += ["demo", "--dir", str(workspace)]
    socket = f"skillwarden-test-{os.getpid()}"
    tmux = [TMUX, "-L", socket]
    subprocess.run([*tmux, "new-session", "-d", "-s", "demo", "-x", "100", "-y", "30", shlex.join(command)], check=True)
    try:

        def screen() -> str:
            result = subprocess.run([*tmux, "capture-pane", "-p", "-t", "demo"], capture_output=True, text=True)
            return result.stdout

        wait_for(lambda: "pending" in screen() and "sk-" in screen(), "the queue to show candidates")
        subprocess.run([*tmux, "send-keys", "-t", "demo", "a"], check=True)

        def approved_commit():
            repo_path = workspace / "skills-repo"
            if not (repo_path / ".git").exists():
                return None
            with git.Repo(repo_path) as repo:
                message = repo.head.commit.message if repo.head.is_valid() else ""
            return message if "Skillwarden-Decision" in message else None

        message = wait_for(approved_commit, "the approve commit")
        wait_for(lambda: "approved" in screen(), "the queue to show the approval")
        subprocess.run([*tmux, "send-keys", "-t", "demo", "q"], check=True)
        wait_for(
            lambda: subprocess.run([*tmux, "has-session", "-t", "demo"], capture_output=True).returncode != 0,
            "the app to quit",
        )
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)

    trailers = parse_trailers(message)
    assert trailers["Skillwarden-Decision"] == ["approve"]
    candidate = trailers["Skillwarden-Candidate"][0]
    skill_files = list((workspace / "skills-repo" / "skills").glob("*/SKILL.md"))
    assert len(skill_files) == 1
    assert f"candidate: {candidate}" in skill_files[0].read_text()

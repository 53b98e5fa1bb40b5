"""`skillwarden log` and `skillwarden apply-auto`, as scripts and cron use them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from skillwarden.core.workspace.config import load_config
from skillwarden.reviews.service import ReviewService
from skillwarden.skills.intent import INTENT_FILE
from tests.helpers import run, run_json

ALL_SKILLS_AUTONOMOUS = "rules:\n  - name: demo-autopilot\n    tier: autonomous\n    kinds: [skill]\n"


def test_log_lists_decisions_newest_first_with_who_when_what_why(demo_workspace, capsys):
    home = str(demo_workspace)
    assert run_json(capsys, "--home", home, "log") == []
    first, second = [c["id"] for c in run_json(capsys, "--home", home, "candidates")][:2]
    run(capsys, "--home", home, "approve", first)
    run(capsys, "--home", home, "reject", second, "--reason", "too specific")
    run(capsys, "--home", home, "rollback", first, "--reason", "broke the build")
    entries = run_json(capsys, "--home", home, "log")
    assert [(e["action"], e["candidate"]) for e in entries] == [
        ("rollback", first), ("reject", second), ("approve", first),
    ]  # fmt: skip
    assert entries[0]["why"].startswith("broke the build") and entries[0]["reverts"] == entries[2]["commit"]
    assert "too specific" in entries[1]["why"]
    assert all({"when", "reviewer", "commit", "skill", "policy", "scanner"} <= set(e) for e in entries)
    code, out, _ = run(capsys, "--home", home, "log")
    assert code == 0 and out.splitlines()[0].startswith(entries[0]["commit"][:10])


def test_apply_auto_dry_run_then_for_real(demo_workspace, capsys):
    home = str(demo_workspace)
    (demo_workspace / "policy.yaml").write_text(ALL_SKILLS_AUTONOMOUS)
    pending = {c["id"] for c in run_json(capsys, "--home", home, "candidates", "--pending")}
    dry = run_json(capsys, "--home", home, "apply-auto", "--dry-run")
    assert dry["dry_run"] is True
    assert {a["candidate"] for a in dry["actions"]} == pending
    assert run_json(capsys, "--home", home, "log") == []

    real = run_json(capsys, "--home", home, "apply-auto")
    applied = [a for a in real["actions"] if a["outcome"] == "applied"]
    assert applied, real
    assert {a["outcome"] for a in real["actions"]} <= {"applied", "refused", "left"}
    log = run_json(capsys, "--home", home, "log")
    assert {e["candidate"] for e in log} == {a["candidate"] for a in applied}
    assert {(e["reviewer"], e["policy"]) for e in log} == {("skillwarden-autopilot", "demo-autopilot")}
    again = run_json(capsys, "--home", home, "apply-auto")
    assert not [a for a in again["actions"] if a["outcome"] == "applied"]


def test_apply_auto_writes_a_default_policy_that_applies_nothing_unconfident(demo_workspace, capsys):
    code, out, _ = run(capsys, "--home", str(demo_workspace), "apply-auto")
    assert code == 0
    assert (demo_workspace / "policy.yaml").exists()
    assert "applied" not in out


def test_apply_auto_refuses_while_another_instance_holds_the_workspace(demo_workspace, capsys):
    from tests.test_lock import HOLDER

    lock_file = load_config(demo_workspace).lock_file
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock_file)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        code, _, err = run(capsys, "--home", str(demo_workspace), "apply-auto")
        assert code == 1 and f"in use by process {holder.pid}" in err
        assert run_json(capsys, "--home", str(demo_workspace), "apply-auto", "--dry-run")["dry_run"] is True
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        holder.stdout.close()


def test_apply_auto_recovers_a_decision_killed_half_way_first(demo_workspace, capsys):
    from tests.test_crash_apply import decide_and_die

    service = ReviewService(load_config(demo_workspace))
    candidate = service.queue(include_decided=False)[0].id
    service.close()
    decide_and_die(demo_workspace, "approve", candidate, "written")
    repo = demo_workspace / "skills-repo"
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    result = run_json(capsys, "--home", str(demo_workspace), "apply-auto")
    [note] = result["recovered"]
    assert f"recovered an interrupted approve of {candidate}" in note and "put back to HEAD" in note
    assert not subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    assert not (repo / ".git" / INTENT_FILE).exists()


def test_apply_auto_evicts_a_drifting_skill_when_policy_allows_and_the_commit_says_why(demo_workspace, capsys):
    home = str(demo_workspace)
    config_path = demo_workspace / "config.yaml"
    # "unused for longer than 0.1 ms" makes a just-approved skill drift without waiting for weeks
    config_path.write_text(config_path.read_text() + "learning:\n  drift: {unused_days: 0.000000001}\n")
    skill = next(c for c in run_json(capsys, "--home", home, "candidates") if c["kind"] == "skill")
    run_json(capsys, "--home", home, "approve", skill["id"])
    run_json(capsys, "--home", home, "ingest", str(demo_workspace / "traces"))
    evictions = [c for c in run_json(capsys, "--home", home, "candidates", "--pending") if c["kind"] == "eviction"]
    assert [c["name"] for c in evictions] == [skill["name"]]
    assert evictions[0]["drift"]["reason"] == "unused"

    # the default policy leaves evictions to a human
    actions = run_json(capsys, "--home", home, "apply-auto")["actions"]
    assert all(a["action"] != "evict" for a in actions)
    (demo_workspace / "policy.yaml").write_text("rules:\n  - name: evict-drifting-skills\n    tier: autonomous\n"
                                                "    kinds: [eviction]\n")  # fmt: skip
    actions = run_json(capsys, "--home", home, "apply-auto")["actions"]
    evicted = [a for a in actions if a["action"] == "evict"]
    assert [(a["candidate"], a["outcome"]) for a in evicted] == [(evictions[0]["id"], "applied")]
    repo = demo_workspace / "skills-repo"
    assert not (repo / "skills" / skill["name"]).exists()
    assert (repo / "retired" / skill["name"] / "SKILL.md").exists()
    message = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%B"], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    assert "Skillwarden-Decision: evict" in message
    assert "Skillwarden-Policy: evict-drifting-skills" in message
    assert "unused" in message and "Skillwarden-Reviewer: skillwarden-autopilot" in message
    states = {c["id"]: c["state"] for c in run_json(capsys, "--home", home, "candidates")}
    assert states[skill["id"]] == "evicted" and states[evictions[0]["id"]] == "evicted"

"""`link`, `unlink`, `links` and the decisions that keep the linked agent folders in sync, with a fake home."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from skillwarden.skills.skill_md import parse
from tests.helpers import run, run_json

OWN_SKILL = "---\nname: my-own\ndescription: The user's own skill.\n---\nMine.\n"


@pytest.fixture
def user_home(tmp_path, monkeypatch) -> Path:
    """The fake home the commands see (conftest points HOME at it), holding the user's own skill and settings."""
    home = Path(os.environ["HOME"])
    own = home / ".claude" / "skills" / "my-own"
    own.mkdir(parents=True)
    (own / "SKILL.md").write_text(OWN_SKILL)
    return home


def first_skill(capsys, home: str) -> dict:
    return next(c for c in run_json(capsys, "--home", home, "candidates") if c["kind"] == "skill")


def test_approve_publishes_to_the_linked_agent_and_rollback_removes_it(demo_workspace, user_home, capsys):
    home = str(demo_workspace)
    code, out, err = run(capsys, "--home", home, "link", "claude-code")
    assert code == 0, err
    assert str(user_home / ".claude" / "skills") in out
    candidate = first_skill(capsys, home)
    code, out, err = run(capsys, "--home", home, "approve", candidate["id"])
    assert code == 0, err
    published = user_home / ".claude" / "skills" / candidate["name"]
    assert f"published {published}" in out
    doc = parse((published / "SKILL.md").read_text(), folder_name=candidate["name"])
    assert doc.name == candidate["name"] and doc.description
    assert published.is_symlink()

    code, out, err = run(capsys, "--home", home, "rollback", candidate["id"])
    assert code == 0, err
    assert f"removed {published}" in out
    assert not os.path.lexists(published)
    assert (user_home / ".claude" / "skills" / "my-own" / "SKILL.md").read_text() == OWN_SKILL


def test_linking_publishes_the_existing_library_and_unlinking_removes_only_ours(demo_workspace, user_home, capsys):
    home = str(demo_workspace)
    candidate = first_skill(capsys, home)
    run(capsys, "--home", home, "approve", candidate["id"])
    report = run_json(capsys, "--home", home, "link", "claude-code")
    assert report["published"] == [candidate["name"]]
    [row] = run_json(capsys, "--home", home, "links")
    assert row["agent"] == "claude-code" and row["published"] == [candidate["name"]] and not row["out_of_sync"]
    report = run_json(capsys, "--home", home, "unlink", "claude-code")
    assert report["removed"] == [candidate["name"]]
    assert sorted(os.listdir(user_home / ".claude" / "skills")) == ["my-own"]
    assert run_json(capsys, "--home", home, "links") == []
    code, _, err = run(capsys, "--home", home, "unlink", "claude-code")
    assert code == 1 and "is not linked" in err


def test_link_agents_for_a_project_and_undo_and_rebuild_keep_it_in_sync(demo_workspace, user_home, tmp_path, capsys):
    home = str(demo_workspace)
    project = tmp_path / "project"
    project.mkdir()
    run(capsys, "--home", home, "link", "agents", "--project", str(project), "--copy")
    candidate = first_skill(capsys, home)
    decision = run_json(capsys, "--home", home, "approve", candidate["id"])
    assert decision["published"][0]["published"] == [candidate["name"]]
    copy = project / ".agents" / "skills" / candidate["name"]
    assert not copy.is_symlink() and (copy / ".skillwarden-owned.json").is_file()
    committed = demo_workspace / "skills-repo" / "skills" / candidate["name"] / "SKILL.md"
    assert (copy / "SKILL.md").read_bytes() == committed.read_bytes()

    run(capsys, "--home", home, "undo")
    assert not copy.exists()
    (project / ".agents" / "skills").rmdir()  # as if the folder had been lost
    run(capsys, "--home", home, "approve", candidate["id"])
    (copy / "SKILL.md").unlink()  # damaged behind skillwarden's back
    [row] = run_json(capsys, "--home", home, "links")
    assert [entry["needs"] for entry in row["out_of_sync"]] == ["update"]
    report = run_json(capsys, "--home", home, "rebuild")
    assert report["published"][0]["updated"] == [candidate["name"]]
    assert (copy / "SKILL.md").read_bytes() == committed.read_bytes()
    assert not (user_home / ".agents").exists()  # the user's own folders were not touched


def test_a_name_clash_refuses_the_link_and_the_approval(demo_workspace, user_home, capsys):
    home = str(demo_workspace)
    candidate = first_skill(capsys, home)
    theirs = user_home / ".claude" / "skills" / candidate["name"]
    theirs.mkdir()
    (theirs / "SKILL.md").write_text("the user's\n")
    run(capsys, "--home", home, "link", "claude-code")
    code, _, err = run(capsys, "--home", home, "approve", candidate["id"])
    assert code == 1
    assert str(theirs) in err and "did not create" in err and candidate["name"] in err
    assert run_json(capsys, "--home", home, "log") == []

    run(capsys, "--home", home, "unlink", "claude-code")
    run(capsys, "--home", home, "approve", candidate["id"])
    code, _, err = run(capsys, "--home", home, "link", "claude-code")
    assert code == 1 and str(theirs) in err
    assert run_json(capsys, "--home", home, "links") == []
    assert (theirs / "SKILL.md").read_text() == "the user's\n"


def test_apply_auto_publishes_what_it_approves(demo_workspace, user_home, capsys):
    home = str(demo_workspace)
    (demo_workspace / "policy.yaml").write_text("rules:\n  - name: all\n    tier: autonomous\n    kinds: [skill]\n")
    run(capsys, "--home", home, "link", "codex")
    result = run_json(capsys, "--home", home, "apply-auto")
    applied = {a["candidate"] for a in result["actions"] if a["outcome"] == "applied"}
    names = {c["name"] for c in run_json(capsys, "--home", home, "candidates") if c["id"] in applied}
    assert names and set(os.listdir(user_home / ".codex" / "skills")) == names


def test_links_json_survives_a_rebuild_and_a_bad_one_is_a_clear_error(demo_workspace, user_home, capsys):
    home = str(demo_workspace)
    run(capsys, "--home", home, "link", "claude-code")
    run(capsys, "--home", home, "rebuild")
    assert json.loads((demo_workspace / "links.json").read_text())["targets"][0]["agent"] == "claude-code"
    (demo_workspace / "links.json").write_text("[")
    code, _, err = run(capsys, "--home", home, "links")
    assert code == 1 and err.startswith("skillwarden: ") and "links.json" in err


def test_evicting_a_skill_withdraws_it_and_undoing_the_eviction_publishes_it_again(demo_workspace, user_home, capsys):
    home = str(demo_workspace)
    config = demo_workspace / "config.yaml"
    config.write_text(config.read_text() + "\nlearning:\n  drift: {unused_days: 0.00001}\n")
    run(capsys, "--home", home, "link", "claude-code")
    candidate = first_skill(capsys, home)
    run(capsys, "--home", home, "approve", candidate["id"])
    published = user_home / ".claude" / "skills" / candidate["name"]
    assert published.is_symlink()
    time.sleep(1.5)  # the skill goes unused for longer than unused_days
    run(capsys, "--home", home, "ingest")
    eviction = next(c for c in run_json(capsys, "--home", home, "candidates", "--pending") if c["kind"] == "eviction")
    assert eviction["name"] == candidate["name"]
    code, out, err = run(capsys, "--home", home, "approve", eviction["id"])
    assert code == 0, err
    assert f"removed {published}" in out and not os.path.lexists(published)
    code, out, err = run(capsys, "--home", home, "undo")
    assert code == 0, err
    assert f"published {published}" in out and published.is_symlink()


def test_a_decision_stands_when_publishing_cannot_write(demo_workspace, user_home, capsys):
    home = str(demo_workspace)
    (demo_workspace / "select-index.json").mkdir()  # the hook's index cannot be replaced
    candidate = first_skill(capsys, home)
    code, _, err = run(capsys, "--home", home, "approve", candidate["id"])
    assert code == 0, err
    assert [e["action"] for e in run_json(capsys, "--home", home, "log")] == ["approve"]
    notices = [json.loads(line) for line in (demo_workspace / "events.jsonl").read_text().splitlines()]
    assert any(e["kind"] == "notice" and e["text"].startswith("publishing: ") for e in notices)

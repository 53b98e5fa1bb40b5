"""Publishing targets: what is ours in an agent's skills folder, and syncing it without touching the rest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from skillwarden.skills import links
from skillwarden.skills.publish import (
    COPY,
    MARKER,
    SYMLINK,
    PublishError,
    clashes,
    inspect,
    plan,
    sync,
    target_for,
    withdraw_all,
)

SKILL = "---\nname: {name}\ndescription: Use when testing.\n---\n# {name}\n"


@pytest.fixture
def repo(tmp_path) -> Path:
    """A skills repository's working tree with two approved skills (publishing needs no git)."""
    skills = tmp_path / "ws" / "skills-repo" / "skills"
    for name in ("run-tests", "bump-version"):
        (skills / name).mkdir(parents=True)
        (skills / name / "SKILL.md").write_text(SKILL.format(name=name))
        (skills / name / "provenance.yaml").write_text("sessions: []\n")
    return skills


def committed(skills: Path):
    def read(name: str) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted((skills / name).iterdir())}

    return read


def fake_home(tmp_path) -> Path:
    home = tmp_path / "home"
    own = home / ".claude" / "skills" / "my-own"
    own.mkdir(parents=True)
    (own / "SKILL.md").write_text(SKILL.format(name="my-own"))
    return home


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every entry below `folder`: file bytes, or where a symlink points."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            if path.is_symlink():
                found[str(path.relative_to(folder))] = "-> " + os.readlink(path)
            elif path.is_file():
                found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def test_targets_of_each_agent_for_the_user_and_a_project(tmp_path):
    home, project = tmp_path / "home", tmp_path / "project"
    project.mkdir()
    assert target_for("claude-code", user_home=home).folder == home / ".claude" / "skills"
    assert target_for("agents", user_home=home).folder == home / ".agents" / "skills"
    assert target_for("codex", user_home=home).folder == home / ".codex" / "skills"
    assert target_for("claude-code", user_home=home, project=project).folder == project / ".claude" / "skills"
    assert target_for("agents", user_home=home, project=project).folder == project / ".agents" / "skills"
    with pytest.raises(PublishError, match="link agents --project"):
        target_for("codex", user_home=home, project=project)
    with pytest.raises(PublishError, match="unknown agent"):
        target_for("cursor", user_home=home)
    with pytest.raises(PublishError, match="does not exist"):
        target_for("agents", user_home=home, project=tmp_path / "missing")


def test_sync_symlinks_the_approved_skills_and_leaves_the_users_own(tmp_path, repo):
    home = fake_home(tmp_path)
    target = target_for("claude-code", user_home=home)
    own_before = tree(home / ".claude" / "skills" / "my-own")
    report = sync(target, ["run-tests", "bump-version"], repo, committed(repo))
    assert sorted(report.published) == ["bump-version", "run-tests"] and not report.problems
    link = target.folder / "run-tests"
    assert link.is_symlink() and Path(os.readlink(link)) == repo / "run-tests"
    assert (link / "SKILL.md").read_text() == SKILL.format(name="run-tests")
    assert inspect(target, "run-tests", repo).state == "link"
    assert inspect(target, "my-own", repo).state == "foreign"

    again = sync(target, ["run-tests", "bump-version"], repo, committed(repo))
    assert (again.published, again.updated, again.removed) == ([], [], [])

    gone = sync(target, ["bump-version"], repo, committed(repo))
    assert gone.removed == ["run-tests"] and not os.path.lexists(link)
    assert tree(home / ".claude" / "skills" / "my-own") == own_before
    withdraw_all(target, repo)
    assert sorted(os.listdir(target.folder)) == ["my-own"]


def test_a_clash_is_reported_naming_both_and_the_users_folder_is_untouched(tmp_path, repo):
    home = fake_home(tmp_path)
    target = target_for("claude-code", user_home=home)
    theirs = target.folder / "run-tests"
    theirs.mkdir()
    (theirs / "SKILL.md").write_text("mine\n")
    [message] = clashes(target, ["run-tests", "bump-version"], repo)
    assert str(theirs) in message and str(repo / "run-tests") in message
    report = sync(target, ["run-tests", "bump-version"], repo, committed(repo))
    assert report.published == ["bump-version"] and report.failed == ["run-tests"]
    assert (theirs / "SKILL.md").read_text() == "mine\n"
    sync(target, [], repo, committed(repo))  # unpublishing everything leaves their folder too
    assert (theirs / "SKILL.md").read_text() == "mine\n"


def test_a_symlink_into_another_repository_is_not_ours(tmp_path, repo):
    target = target_for("agents", user_home=tmp_path / "home")
    target.folder.mkdir(parents=True)
    elsewhere = tmp_path / "other-ws" / "skills-repo" / "skills" / "run-tests"
    elsewhere.mkdir(parents=True)
    os.symlink(elsewhere, target.folder / "run-tests")
    assert inspect(target, "run-tests", repo).state == "foreign"
    assert sync(target, [], repo, committed(repo)).removed == []
    assert (target.folder / "run-tests").is_symlink()


def test_copies_carry_a_marker_follow_changes_and_leave_files_a_user_added(tmp_path, repo):
    target = target_for("claude-code", user_home=tmp_path / "home", mode=COPY)
    sync(target, ["run-tests"], repo, committed(repo))
    copy = target.folder / "run-tests"
    assert not copy.is_symlink() and (copy / "SKILL.md").read_bytes() == (repo / "run-tests" / "SKILL.md").read_bytes()
    marker = json.loads((copy / MARKER).read_text())
    assert marker["owner"] == "skillwarden" and marker["skill"] == "run-tests"
    assert marker["files"] == ["SKILL.md", "provenance.yaml"]
    assert marker["skills_repo"] == str(repo.parent)

    (repo / "run-tests" / "SKILL.md").write_text(SKILL.format(name="run-tests") + "refined\n")
    assert [a.kind for a in plan(target, ["run-tests"], repo, committed(repo))] == ["update"]
    assert sync(target, ["run-tests"], repo, committed(repo)).updated == ["run-tests"]
    assert (copy / "SKILL.md").read_text().endswith("refined\n")

    (copy / "notes.txt").write_text("the user's\n")
    report = sync(target, [], repo, committed(repo))
    assert report.removed == ["run-tests"] and "kept" in report.problems[0]
    assert sorted(os.listdir(copy)) == ["notes.txt"]


def test_a_copy_of_another_workspace_or_without_marker_is_foreign(tmp_path, repo):
    target = target_for("claude-code", user_home=tmp_path / "home", mode=COPY)
    sync(target, ["run-tests"], repo, committed(repo))
    marker_path = target.folder / "run-tests" / MARKER
    marker = json.loads(marker_path.read_text())
    marker_path.write_text(json.dumps({**marker, "skills_repo": "/elsewhere"}))
    assert inspect(target, "run-tests", repo).state == "foreign"
    marker_path.unlink()
    assert inspect(target, "run-tests", repo).state == "foreign"


def test_a_target_where_symlinks_fail_gets_copies(tmp_path, repo, monkeypatch):
    target = target_for("agents", user_home=tmp_path / "home", mode=SYMLINK)

    def no_symlinks(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    report = sync(target, ["run-tests"], repo, committed(repo))
    assert report.published == ["run-tests"] and not report.problems
    assert inspect(target, "run-tests", repo).state == "copy"
    assert sync(target, ["run-tests"], repo, committed(repo)).updated == []  # it stays a copy, unchanged


def test_switching_a_target_from_links_to_copies(tmp_path, repo):
    home = tmp_path / "home"
    sync(target_for("agents", user_home=home), ["run-tests"], repo, committed(repo))
    report = sync(target_for("agents", user_home=home, mode=COPY), ["run-tests"], repo, committed(repo))
    assert report.updated == ["run-tests"]
    assert inspect(target_for("agents", user_home=home), "run-tests", repo).state == "copy"


def test_links_are_remembered_in_the_workspace(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    user = target_for("claude-code", user_home=tmp_path / "home")
    assert links.load_targets(ws) == []
    links.remember(ws, user)
    links.remember(ws, target_for("claude-code", user_home=tmp_path / "home", mode=COPY))  # same place: replaced
    assert [t.mode for t in links.load_targets(ws)] == [COPY]
    assert links.forget(ws, user) and not links.forget(ws, user)
    (ws / links.LINKS_FILE).write_text("{not json")
    with pytest.raises(PublishError, match="links.json"):
        links.load_targets(ws)


def test_a_copy_is_ours_whichever_way_the_repository_path_is_spelled(tmp_path, repo):
    target = target_for("agents", user_home=tmp_path / "home", mode=COPY)
    sync(target, ["run-tests"], repo, committed(repo))
    alias = tmp_path / "alias"
    alias.symlink_to(repo.parent.parent)  # the workspace reached through a symlink
    assert inspect(target, "run-tests", alias / "skills-repo" / "skills").state == "copy"

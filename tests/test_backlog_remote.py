"""Backlog as a first-class place: committed under backlog/, pushed as a branch to the team's git host
(a local bare repository here), and approvable later like any candidate."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from skillwarden.skills.library import SkillLibrary
from skillwarden.skills.library_errors import LibraryError
from skillwarden.skills.trailers import BACKLOG_BRANCH_PREFIX, parse_trailers


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def skill_text(name: str, body: str = "Run the linter, fix, run it again.") -> str:
    return f"---\nname: {name}\ndescription: Keep the linter green.\n---\n\n{body}\n"


def backlog(library: SkillLibrary, name: str = "lint-fix", body: str = "Run the linter, fix, run it again."):
    return library.backlog(candidate_id=f"cand-{name}", name=name, skill_md=skill_text(name, body),
                           provenance={"sessions": []}, evidence=["s1"], reviewer="Ada", title="Lint fix")  # fmt: skip


@pytest.fixture
def remote(tmp_path) -> Path:
    bare = tmp_path / "team.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    return bare


def test_a_backlogged_skill_is_pushed_as_its_own_branch(tmp_path, remote):
    with SkillLibrary(tmp_path / "repo") as library:
        decision = backlog(library)
        branch = library.push_backlog(decision, str(remote))
        assert branch == f"{BACKLOG_BRANCH_PREFIX}lint-fix"
        assert git(remote, "rev-parse", f"refs/heads/{branch}").strip() == decision.sha
        assert git(remote, "show", f"{branch}:backlog/lint-fix/SKILL.md") == skill_text("lint-fix")
        message = git(remote, "log", "-1", "--format=%B", branch)
        assert parse_trailers(message)["Skillwarden-Decision"] == ["backlog"]


def test_a_refined_backlog_entry_moves_its_branch_forward(tmp_path, remote):
    with SkillLibrary(tmp_path / "repo") as library:
        library.push_backlog(backlog(library), str(remote))
        refined = backlog(library, body="Run ruff --fix, then ruff check.")
        library.push_backlog(refined, str(remote))
        assert git(remote, "rev-parse", f"{BACKLOG_BRANCH_PREFIX}lint-fix").strip() == refined.sha


def test_a_branch_someone_moved_on_the_host_is_never_overwritten(tmp_path, remote):
    with SkillLibrary(tmp_path / "repo") as library:
        branch = library.push_backlog(backlog(library), str(remote))
        clone = tmp_path / "colleague"
        subprocess.run(["git", "clone", "-q", "-b", branch, str(remote), str(clone)], check=True)
        git(clone, "-c", "user.name=Eve", "-c", "user.email=e@x", "commit", "-q", "--allow-empty", "-m", "comment")
        git(clone, "push", "-q", "origin", branch)
        theirs = git(remote, "rev-parse", branch).strip()
        refined = backlog(library, body="Another refinement.")
        with pytest.raises(LibraryError, match="cannot push"):
            library.push_backlog(refined, str(remote))
        assert git(remote, "rev-parse", branch).strip() == theirs


def test_approving_from_the_backlog_later_moves_the_skill(tmp_path, remote):
    with SkillLibrary(tmp_path / "repo") as library:
        library.push_backlog(backlog(library), str(remote))
        approval = library.approve(
            candidate_id="cand-lint-fix", name="lint-fix", skill_md=skill_text("lint-fix"),
            provenance={"sessions": []}, evidence=["s1"], reviewer="Bob", title="Lint fix",
        )  # fmt: skip
        assert approval.action == "approve"
        assert library.skill_names() == ["lint-fix"]
        assert not (library.path / "backlog").exists()


def test_only_backlog_decisions_go_to_the_remote_and_bad_remotes_are_refused(tmp_path, remote):
    with SkillLibrary(tmp_path / "repo") as library:
        decision = backlog(library)
        rejection = library.reject(candidate_id="c2", title="t", content_hash=decision.content_hash, evidence=[],
                                   reviewer="Ada")  # fmt: skip
        with pytest.raises(LibraryError, match="not a backlog decision"):
            library.push_backlog(rejection, str(remote))
        with pytest.raises(LibraryError, match="invalid backlog remote"):
            library.push_backlog(decision, "--upload-pack=touch /tmp/pwned")
        with pytest.raises(LibraryError, match="cannot push"):
            library.push_backlog(decision, str(tmp_path / "no-such-remote.git"))

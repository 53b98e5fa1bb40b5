"""The git-backed skills library: one commit per decision, and refusals that leave the repo untouched."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from skills.library import (
    PLACEHOLDER_EMAIL,
    DirtyRepositoryError,
    LibraryError,
    SkillLibrary,
    UnsafePathError,
    build_commit_message,
    checked_path,
    decision_from_trailers,
    git_processes_in,
    index_lock_is_stale,
    parse_porcelain_status,
    parse_trailers,
    validate_evidence,
)
from skills.skill_md import content_hash


def skill_text(name: str = "fix-failing-test", body: str = "Run `pytest -x`, read the traceback, fix.") -> str:
    return f"---\nname: {name}\ndescription: Fix a failing pytest test.\n---\n\n# Steps\n\n{body}\n"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def status(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--untracked-files=all")


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


@pytest.fixture
def library(tmp_path):
    with SkillLibrary(tmp_path / "repo") as lib:
        yield lib


def approve(lib: SkillLibrary, name: str = "fix-failing-test", **overrides):
    arguments = {
        "candidate_id": "cand-1",
        "name": name,
        "skill_md": skill_text(name),
        "provenance": {"sessions": [{"id": "sess-a", "steps": [3, 9]}, {"id": "sess-b", "steps": [1, 4]}]},
        "evidence": ["sess-a", "sess-b"],
        "reviewer": "Ada Lovelace",
        "title": "Fix a failing pytest test",
    }
    arguments.update(overrides)
    return lib.approve(**arguments)


# ------------------------------------------------------------------------------- pure functions


def test_commit_message_trailers_round_trip():
    trailers = [
        ("Skillwarden-Decision", "approve"),
        ("Skillwarden-Candidate", "cand-1"),
        ("Skillwarden-Evidence", "s1"),
        ("Skillwarden-Evidence", "s2"),
    ]
    message = build_commit_message("approve skill x: X", "Approved by Ada.", trailers)
    assert message == (
        "approve skill x: X\n\nApproved by Ada.\n\nSkillwarden-Decision: approve\n"
        "Skillwarden-Candidate: cand-1\nSkillwarden-Evidence: s1\nSkillwarden-Evidence: s2\n"
    )
    assert parse_trailers(message) == {
        "Skillwarden-Decision": ["approve"],
        "Skillwarden-Candidate": ["cand-1"],
        "Skillwarden-Evidence": ["s1", "s2"],
    }


@pytest.mark.parametrize(
    "message",
    [
        "just a subject",
        "Key: value",  # a subject that looks like a trailer is still a subject
        "subject\n\nbody paragraph\nthat is: not all trailers\n",
        "",
    ],
)
def test_parse_trailers_ignores_messages_without_a_trailer_block(message):
    assert parse_trailers(message) == {}


def test_decision_from_trailers():
    trailers = {
        "Skillwarden-Decision": ["rollback"],
        "Skillwarden-Candidate": ["c1"],
        "Skillwarden-Content-Hash": ["sha256:" + "0" * 64],
        "Skillwarden-Evidence": ["s1", "s2"],
        "Skillwarden-Reviewer": ["Bob"],
        "Skillwarden-Reverts": ["abc"],
        "Skillwarden-Skill": ["x"],
    }
    decision = decision_from_trailers(trailers, sha="def", when="2025-01-01T00:00:00+00:00", summary="s")
    assert decision.action == "rollback"
    assert decision.evidence == ("s1", "s2")
    assert (decision.reverts, decision.name, decision.sha) == ("abc", "x", "def")
    assert decision_from_trailers({"Signed-off-by": ["a"]}, sha="d", when="w", summary="s") is None
    with pytest.raises(LibraryError, match="malformed"):
        decision_from_trailers({"Skillwarden-Decision": ["approve"]}, sha="d", when="w", summary="s")


def test_parse_porcelain_status_handles_renames_and_spaces():
    output = " M skills/x/SKILL.md\0?? notes with space.txt\0R  new.md\0old.md\0A  staged.txt\0"
    assert parse_porcelain_status(output) == [
        (" M", "skills/x/SKILL.md"),
        ("??", "notes with space.txt"),
        ("R ", "new.md"),
        ("A ", "staged.txt"),
    ]


def test_validate_evidence_refuses_a_bare_string_and_multiline_ids():
    assert validate_evidence(["a", "b", "a"]) == ("a", "b")
    with pytest.raises(LibraryError):
        validate_evidence("sess-a")
    with pytest.raises(LibraryError):
        validate_evidence(["a\nSkillwarden-Decision: reject"])


def test_checked_path_refuses_traversal_and_symlinks(tmp_path):
    root = tmp_path / "root"
    (root / "skills").mkdir(parents=True)
    assert checked_path(root, "skills/x/SKILL.md") == root / "skills/x/SKILL.md"
    for bad in ("../x", "/etc/passwd", "skills/../../x", ""):
        with pytest.raises(UnsafePathError):
            checked_path(root, bad)
    (root / "skills" / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError, match="symlink"):
        checked_path(root, "skills/link/SKILL.md")


# ------------------------------------------------------------------------------------ the library


def test_init_creates_repo_with_readme_on_main(tmp_path):
    repo = tmp_path / "repo"
    with SkillLibrary(repo):
        pass
    assert (repo / "README.md").is_file()
    assert git(repo, "branch", "--show-current").strip() == "main"
    assert commit_count(repo) == 1
    assert status(repo) == ""
    with SkillLibrary(repo) as reopened:  # opening again does not add commits
        assert reopened.decisions() == []
    assert commit_count(repo) == 1


def test_open_without_create_refuses_missing_repo(tmp_path):
    with pytest.raises(LibraryError):
        SkillLibrary(tmp_path / "missing", create=False)
    (tmp_path / "not-empty").mkdir()
    (tmp_path / "not-empty" / "file.txt").write_text("mine")
    with pytest.raises(LibraryError, match="not a git repository"):
        SkillLibrary(tmp_path / "not-empty")


def test_approve_writes_exact_bytes_in_one_commit_with_trailers(library):
    repo = library.path
    text = skill_text(body="Unicode survives: café ✓")
    before = commit_count(repo)
    decision = approve(library, skill_md=text)

    assert (repo / "skills/fix-failing-test/SKILL.md").read_bytes() == text.encode("utf-8")
    provenance = (repo / "skills/fix-failing-test/provenance.yaml").read_text()
    assert "sess-a" in provenance and "steps" in provenance
    assert commit_count(repo) == before + 1
    assert status(repo) == ""
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("approve skill fix-failing-test: Fix a failing pytest test\n\n")
    assert "Skillwarden-Decision: approve\n" in message
    assert "Skillwarden-Candidate: cand-1\n" in message
    assert f"Skillwarden-Content-Hash: {content_hash(text)}\n" in message
    assert "Skillwarden-Evidence: sess-a\nSkillwarden-Evidence: sess-b\n" in message
    assert "Skillwarden-Reviewer: Ada Lovelace\n" in message
    assert (
        git(repo, "log", "-1", "--format=%an <%ae>|%cn").strip() == f"Ada Lovelace <{PLACEHOLDER_EMAIL}>|Ada Lovelace"
    )
    assert sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split()) == [
        "skills/fix-failing-test/SKILL.md",
        "skills/fix-failing-test/provenance.yaml",
    ]
    assert decision.action == "approve"
    assert decision.sha == git(repo, "rev-parse", "HEAD").strip()
    assert decision.content_hash == content_hash(text)
    assert decision.evidence == ("sess-a", "sess-b")
    assert library.skill_names() == ["fix-failing-test"]
    assert library.read_skill("fix-failing-test") == text


def test_approve_same_content_twice_is_refused_and_new_content_refines(library):
    approve(library)
    with pytest.raises(LibraryError, match="already approved"):
        approve(library)
    refined = skill_text(body="A better procedure.")
    decision = approve(library, candidate_id="cand-2", skill_md=refined)
    assert library.read_skill("fix-failing-test") == refined
    assert decision.candidate_id == "cand-2"
    assert status(library.path) == ""


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"name": "../escape"}, UnsafePathError),
        ({"name": "Fix"}, UnsafePathError),
        ({"skill_md": skill_text("other-name")}, LibraryError),  # SKILL.md name differs from its folder
        (
            {"skill_md": "---\nname: fix-failing-test\ndescription: !!python/object/new:os.system [id]\n---\n"},
            LibraryError,
        ),
        ({"skill_md": "no frontmatter"}, LibraryError),
        ({"candidate_id": "../../x"}, LibraryError),
        ({"reviewer": "Eve\nSkillwarden-Decision: reject"}, LibraryError),
        ({"reviewer": "Eve <eve@example.com>"}, LibraryError),
        ({"evidence": "sess-a"}, LibraryError),
    ],
)
def test_approve_refuses_invalid_input_without_touching_the_repo(library, overrides, error):
    before = commit_count(library.path)
    with pytest.raises(error):
        approve(library, **overrides)
    assert commit_count(library.path) == before
    assert status(library.path) == ""
    assert not (library.path / "skills").exists()


def test_backlog_and_reject_commits(library):
    repo = library.path
    backlogged = library.backlog(
        candidate_id="cand-b",
        name="tidy-imports",
        skill_md=skill_text("tidy-imports"),
        provenance={"sessions": [{"id": "s9", "steps": [2, 2]}]},
        evidence=["s9"],
        reviewer="Ada",
        title="Tidy imports",
    )
    assert (repo / "backlog/tidy-imports/SKILL.md").read_text() == skill_text("tidy-imports")
    assert library.skill_names() == []
    assert backlogged.action == "backlog" and backlogged.name == "tidy-imports"

    hash_ = content_hash("some rejected skill")
    rejected = library.reject(
        candidate_id="cand-r",
        title="Delete the tests",
        content_hash=hash_,
        evidence=["s1", "s2"],
        reviewer="Bob",
        reason="Makes the suite pass by deleting it.",
    )
    record = (repo / "decisions/rejected/cand-r.yaml").read_text()
    assert "Delete the tests" in record and hash_ in record and "deleting it" in record and "s2" in record
    assert rejected.action == "reject"
    assert rejected.content_hash == hash_
    assert rejected.evidence == ("s1", "s2")
    assert rejected.name is None
    assert status(repo) == ""


def test_approving_a_backlogged_skill_moves_it_out_of_the_backlog(library):
    library.backlog(
        candidate_id="cand-1",
        name="fix-failing-test",
        skill_md=skill_text(),
        provenance={},
        evidence=["s1"],
        reviewer="Ada",
        title="Fix",
    )
    approve(library)
    assert not (library.path / "backlog").exists()
    assert library.skill_names() == ["fix-failing-test"]
    assert git(library.path, "show", "--name-status", "--format=", "HEAD").count("backlog/") == 2


def test_rejecting_the_same_candidate_twice_identically_is_refused(library):
    arguments = {
        "candidate_id": "cand-r",
        "title": "Bad",
        "content_hash": content_hash("x"),
        "evidence": ["s1"],
        "reviewer": "Bob",
        "reason": "Unsafe.",
    }
    library.reject(**arguments)
    before = commit_count(library.path)
    with pytest.raises(LibraryError, match="already records"):
        library.reject(**arguments)
    assert commit_count(library.path) == before
    assert status(library.path) == ""
    assert (library.path / "decisions/rejected/cand-r.yaml").is_file()


def test_reject_refuses_a_malformed_content_hash(library):
    with pytest.raises(LibraryError, match="content hash"):
        library.reject(candidate_id="c", title="t", content_hash="md5:abc", evidence=[], reviewer="Bob")


def test_revert_of_approve_removes_the_file_in_one_linear_commit(library):
    repo = library.path
    approved = approve(library)
    before = commit_count(repo)
    rollback = library.revert(approved.sha, reviewer="Bob", reason="It broke the build.")

    assert not (repo / "skills/fix-failing-test").exists()
    assert library.skill_names() == []
    assert commit_count(repo) == before + 1
    assert all(len(line.split()) <= 2 for line in git(repo, "log", "--format=%H %P").splitlines())
    assert status(repo) == ""
    assert not (repo / ".git/REVERT_HEAD").exists()
    assert rollback.action == "rollback"
    assert rollback.reverts == approved.sha
    assert rollback.candidate_id == approved.candidate_id
    assert rollback.reviewer == "Bob"
    assert "It broke the build." in git(repo, "log", "-1", "--format=%B")


def test_revert_refuses_non_decisions_repeats_and_unknown_commits(library):
    readme_commit = git(library.path, "rev-list", "--max-parents=0", "HEAD").strip()
    with pytest.raises(LibraryError, match="not a skillwarden decision"):
        library.revert(readme_commit, reviewer="Bob")
    approved = approve(library)
    rollback = library.revert(approved.sha, reviewer="Bob")
    with pytest.raises(LibraryError, match="already reverted"):
        library.revert(approved.sha, reviewer="Bob")
    with pytest.raises(LibraryError, match="itself a rollback"):
        library.revert(rollback.sha, reviewer="Bob")
    with pytest.raises(LibraryError):
        library.revert("0" * 40, reviewer="Bob")
    with pytest.raises(LibraryError):
        library.revert("HEAD; rm -rf /", reviewer="Bob")
    assert status(library.path) == ""


def test_revert_of_a_refined_skill_restores_the_previous_version(library):
    approve(library)
    refined = approve(library, skill_md=skill_text(body="Refined."))
    library.revert(refined.sha, reviewer="Bob")
    assert library.read_skill("fix-failing-test") == skill_text()


def test_revert_conflict_is_aborted_cleanly(library):
    first = approve(library)
    approve(library, skill_md=skill_text(body="Refined."))  # later change to the same lines
    before = commit_count(library.path)
    with pytest.raises(LibraryError, match="cannot revert"):
        library.revert(first.sha, reviewer="Bob")
    assert commit_count(library.path) == before
    assert status(library.path) == ""
    assert not (library.path / ".git/REVERT_HEAD").exists()


def test_decisions_newest_first_with_fields(library):
    approved = approve(library)
    rejected = library.reject(
        candidate_id="cand-2", title="Bad", content_hash=content_hash("x"), evidence=["s3"], reviewer="Bob"
    )
    rollback = library.revert(approved.sha, reviewer="Cy")
    decisions = library.decisions()
    assert [d.action for d in decisions] == ["rollback", "reject", "approve"]
    assert decisions == [rollback, rejected, approved]
    assert decisions[2].name == "fix-failing-test"
    assert decisions[2].evidence == ("sess-a", "sess-b")
    assert decisions[2].reviewer == "Ada Lovelace"
    assert decisions[2].summary == "approve skill fix-failing-test: Fix a failing pytest test"
    assert decisions[0].when >= decisions[2].when


@pytest.mark.parametrize(
    ("make_dirty", "listed"),
    [
        pytest.param(lambda repo: (repo / "README.md").write_text("edited"), "M README.md", id="modified"),
        pytest.param(lambda repo: (repo / "notes.txt").write_text("mine"), "?? notes.txt", id="untracked"),
        pytest.param(
            lambda repo: ((repo / "foreign.txt").write_text("x"), git(repo, "add", "foreign.txt")),
            "A foreign.txt",
            id="staged-foreign",
        ),
    ],
)
def test_dirty_tree_refuses_approve_and_changes_nothing(library, make_dirty, listed):
    make_dirty(library.path)
    before = status(library.path)
    with pytest.raises(DirtyRepositoryError) as refused:
        approve(library)
    assert listed in str(refused.value)
    assert "uncommitted changes" in str(refused.value)
    assert status(library.path) == before
    assert not (library.path / "skills").exists()


def test_symlinked_skill_folder_is_refused_and_nothing_is_written_outside(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    with SkillLibrary(tmp_path / "repo") as library:
        (library.path / "skills").mkdir()
        (library.path / "skills" / "fix-failing-test").symlink_to(outside)
        git(library.path, "add", "skills")
        git(library.path, "commit", "-q", "-m", "planted symlink")
        with pytest.raises(UnsafePathError, match="symlink"):
            approve(library)
        assert list(outside.iterdir()) == []
        assert status(library.path) == ""


def test_failure_after_staging_leaves_index_clean_and_file_absent(library, monkeypatch):
    def failing_commit(self, message, reviewer):
        assert "skills/fix-failing-test/SKILL.md" in git(self.path, "diff", "--cached", "--name-only")
        raise OSError("disk full")

    before = commit_count(library.path)
    monkeypatch.setattr(SkillLibrary, "_commit", failing_commit)
    with pytest.raises(OSError, match="disk full"):
        approve(library)
    assert status(library.path) == ""
    assert git(library.path, "diff", "--cached", "--name-only") == ""
    assert not (library.path / "skills").exists()
    assert commit_count(library.path) == before


def test_failure_during_refinement_restores_the_committed_version(library, monkeypatch):
    approve(library)
    monkeypatch.setattr(SkillLibrary, "_commit", lambda self, message, reviewer: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        approve(library, skill_md=skill_text(body="Refined."))
    assert (library.path / "skills/fix-failing-test/SKILL.md").read_text() == skill_text()
    assert status(library.path) == ""


def test_failure_during_revert_restores_everything(library, monkeypatch):
    approved = approve(library)
    monkeypatch.setattr(SkillLibrary, "_commit", lambda self, message, reviewer: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        library.revert(approved.sha, reviewer="Bob")
    assert (library.path / "skills/fix-failing-test/SKILL.md").read_text() == skill_text()
    assert status(library.path) == ""
    assert not (library.path / ".git/REVERT_HEAD").exists()


def test_commits_work_without_any_git_identity(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    for variable in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(variable, raising=False)
    with SkillLibrary(tmp_path / "repo") as library:
        approve(library)
        assert git(library.path, "config", "--local", "user.name").strip() == "skillwarden"


def test_stale_index_lock_is_recovered(library):
    (library.path / ".git/index.lock").write_text("")
    approve(library)
    assert not (library.path / ".git/index.lock").exists()


def test_live_index_lock_is_left_alone(library):
    lock = library.path / ".git/index.lock"
    lock.write_text("")
    # A git process that waits on stdin stands in for a git command that is still running here.
    holder = subprocess.Popen(["git", "hash-object", "--stdin"], cwd=library.path, stdin=subprocess.PIPE)
    try:
        # Popen can return before the child has exec'd git, so wait until /proc shows it as git.
        deadline = time.monotonic() + 10
        while git_processes_in(library.path) != [holder.pid] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert git_processes_in(library.path) == [holder.pid]
        with pytest.raises(LibraryError, match="held by a running git process"):
            approve(library)
        assert lock.exists()
    finally:
        holder.communicate(b"")
    lock.unlink()


def test_index_lock_age_decides_without_proc(tmp_path):
    lock = tmp_path / "index.lock"
    lock.write_text("")
    mtime = lock.stat().st_mtime
    no_proc = tmp_path / "no-proc"
    assert not index_lock_is_stale(lock, tmp_path, now=mtime + 5, proc=no_proc)
    assert index_lock_is_stale(lock, tmp_path, now=mtime + 3600, proc=no_proc)


def test_detached_head_is_refused(library):
    git(library.path, "checkout", "-q", "--detach")
    with pytest.raises(LibraryError, match="detached"):
        approve(library)

"""History written by others (issue 14): a commit that merely mentions a trailer, other people's commits and
resets are read without refusing to work, and a candidate made stale by someone else's commit is mined
again by the next ingest."""

from __future__ import annotations

import json

import git

from tests.helpers import run, run_json


def commit(repo: git.Repo, message: str, path: str | None = None, text: str = "") -> str:
    if path is not None:
        target = repo.working_tree_dir + "/" + path
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
        repo.git.add(path)
    someone = {"GIT_AUTHOR_NAME": "Someone", "GIT_AUTHOR_EMAIL": "someone@example.com"}
    someone |= {"GIT_COMMITTER_NAME": "Someone", "GIT_COMMITTER_EMAIL": "someone@example.com"}
    repo.git.commit("--allow-empty", "-q", "-m", message, env=someone)
    return repo.head.commit.hexsha


def first_pending(capsys, home: str, kind: str = "skill") -> dict:
    candidates = run_json(capsys, "--home", home, "candidates", "--pending")
    return next(c for c in candidates if c["kind"] == kind)


def test_a_commit_that_mentions_a_trailer_is_not_a_decision_and_stops_nothing(demo_workspace, capsys):
    home = str(demo_workspace)
    repo = git.Repo(demo_workspace / "skills-repo")
    foreign = commit(repo, "Document the trailers\n\nSkillwarden-Decision: approve\n", "NOTES.md", "notes\n")
    candidate = first_pending(capsys, home)

    assert run(capsys, "--home", home, "approve", candidate["id"])[0] == 0
    log = json.loads(run(capsys, "--home", home, "log", "--json")[1])
    assert [entry["action"] for entry in log] == ["approve"] and foreign not in json.dumps(log)
    assert run_json(capsys, "--home", home, "rebuild")["decisions"] == 1
    states = {c["id"]: c["state"] for c in run_json(capsys, "--home", home, "candidates")}
    assert states[candidate["id"]] == "approved"


def test_foreign_commits_and_a_reset_are_read_as_history_is(demo_workspace, capsys):
    home = str(demo_workspace)
    repo = git.Repo(demo_workspace / "skills-repo")
    first, second = [c for c in run_json(capsys, "--home", home, "candidates") if c["kind"] == "skill"][:2]
    assert run(capsys, "--home", home, "approve", first["id"])[0] == 0
    commit(repo, "Someone's own change", "README.md", "\nMore words.\n")
    before_second = repo.head.commit.hexsha
    assert run(capsys, "--home", home, "approve", second["id"])[0] == 0
    commit(repo, "Another foreign commit")

    repo.git.reset("-q", "--hard", before_second)  # the second approval is gone from history
    states = {c["id"]: c["state"] for c in run_json(capsys, "--home", home, "candidates")}
    assert (states[first["id"]], states[second["id"]]) == ("approved", "pending")
    assert run(capsys, "--home", home, "approve", second["id"])[0] == 0
    assert run(capsys, "--home", home, "undo")[0] == 0


def test_a_candidate_made_stale_by_someone_elses_commit_is_mined_again_by_the_next_ingest(demo_workspace, capsys):
    home = str(demo_workspace)
    repo = git.Repo(demo_workspace / "skills-repo")
    assert run_json(capsys, "--home", home, "ingest")["files"] > 0  # this copy's paths are new to the cache
    stale = first_pending(capsys, home, "harness")
    commit(repo, "Our own agent rules", stale["target"], "# House rules\n\nBe brief.\n")

    code, _out, err = run(capsys, "--home", home, "approve", stale["id"])
    assert code == 1 and "is stale" in err
    assert run_json(capsys, "--home", home, "ingest")["files"] == 0  # no trace changed: only the harness file did
    # Its id names the rule, so it stays; what it was computed against is the harness file as it is now.
    again = {c["id"]: c for c in run_json(capsys, "--home", home, "candidates", "--pending")}[stale["id"]]
    assert again["base_hash"] != stale["base_hash"] and " Be brief." in again["diff"].splitlines()
    assert run(capsys, "--home", home, "approve", again["id"])[0] == 0

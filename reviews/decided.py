"""Decided candidates rebuilt from their decision commits when the cache no longer holds them.

Mining proposes what the traces support now. A candidate already decided may not be proposed again: an
approved harness change is in the harness file, so its failure pattern counts as handled; a rejected one
may have lost its support. After a `rebuild` (or a deleted cache) such a candidate would vanish while its
decision stays in history, and `show` or `rollback ID` would no longer find it. So every decision whose
candidate the cache lacks gives back a candidate from the commit itself: its title from the subject, its
content from the committed file (a SKILL.md, the harness diff, the rejection record), its evidence from
the trailers. It is stored as not live, with source "history"; mining the same id again takes it over.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from skillwarden.core.workspace.store import Store, StoredCandidate
from skillwarden.skills.decision_repository import APPROVED_DIR, BACKLOG_DIR, REJECTED_DIR, SKILL_FILE
from skillwarden.skills.trailers import Decision

SOURCE = "history"
# Reverts name the candidate of the decision they revert, which gives it back already.
REVERTS = ("rollback", "undo")


def restore_decided(store: Store, decisions: list[tuple[Decision, Path]]) -> int:
    """Store a candidate for every decision (with the repository holding its commit) whose candidate the
    cache lacks; returns how many were restored."""
    known = {candidate.id for candidate in store.candidates()}
    missing: dict[str, tuple[Decision, Path]] = {}
    for decision, repo in decisions:  # oldest first: the newest decision about a candidate describes it
        if decision.action not in REVERTS and decision.candidate_id not in known:
            missing[decision.candidate_id] = (decision, repo)
    restored = [candidate_from(decision, repo) for decision, repo in missing.values()]
    store.keep_candidates(restored, source=SOURCE)
    return len(restored)


def candidate_from(decision: Decision, repo: Path) -> StoredCandidate:
    kind, path = what_it_changed(decision)
    content = committed_text(repo, decision.sha, path) if path else ""
    if kind == "harness":
        content = commit_diff(repo, decision.sha, decision.target or "")
    _subject, _colon, title = decision.summary.partition(": ")
    evidence = list(decision.evidence)
    details: dict = {"recovered_from": decision.sha}
    if kind == "harness":
        details |= {"target": decision.target, "diff": content}
    return StoredCandidate(
        id=decision.candidate_id, kind=kind, name=decision.name or "", title=title or decision.summary,
        content=content, content_hash=decision.content_hash, support=len(evidence), evidence=evidence,
        provenance=[{"session": session, "steps": ""} for session in evidence], details=details,
        first_seen=decision.when, last_seen=decision.when, live=False, source=SOURCE,
    )  # fmt: skip


def what_it_changed(decision: Decision) -> tuple[str, str | None]:
    """The candidate's kind, and the file holding its content in the decision's commit (None: none)."""
    if decision.action == "evict":
        return "eviction", None
    if decision.target:
        return "harness", None
    if decision.action == "reject":
        return "skill", f"{REJECTED_DIR}/{decision.candidate_id}.yaml"
    folder = BACKLOG_DIR if decision.action == "backlog" else APPROVED_DIR
    return "skill", f"{folder}/{decision.name}/{SKILL_FILE}" if decision.name else None


def committed_text(repo: Path, sha: str, path: str) -> str:
    return git(repo, "show", f"{sha}:{path}")


def commit_diff(repo: Path, sha: str, path: str) -> str:
    return git(repo, "show", "--format=", "--no-color", sha, "--", path)


def git(repo: Path, *args: str) -> str:
    """git's output, or "" when it fails (a file the commit does not hold): a restored candidate without
    its text is still one that `show` and `rollback` find."""
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""

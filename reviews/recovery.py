"""Crash recovery: finish or undo a decision that a killed process left half-done.

A decision writes an intent record into the git directory before it touches the working tree, and
removes it when its commit exists (or when it has put everything back after an error). An intent that
is still there when a repository is opened means the process died part-way. Its commit either exists
(HEAD is that decision, on top of the HEAD the intent saw): then only the record goes, and the cache
catches up from git (`ReviewService.sync_decisions`). Or it does not: then the intent's paths go back to
HEAD in the index and the working tree, so the tree is clean and the decision can simply be made again.
Nothing is ever applied twice: the cache is always rebuilt from the commits, never the other way round.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from skillwarden.skills.decision_repository import DecisionRepository
from skillwarden.skills.index_lock import process_is_alive
from skillwarden.skills.intent import Intent
from skillwarden.skills.library_errors import LibraryError
from skillwarden.skills.trailers import Decision


class RecoveryOutcome(enum.StrEnum):
    NOTHING = "nothing"  # no interrupted decision
    RUNNING = "running"  # its process is alive: another instance is mid-decision, leave it alone
    COMMITTED = "committed"  # the commit exists; only the intent record was left
    RESTORED = "restored"  # no commit; its paths were put back to HEAD
    UNCLEAR = "unclear"  # HEAD moved in a way that matches neither: a human must look


@dataclass(frozen=True)
class RecoveryReport:
    repository: Path
    outcome: RecoveryOutcome
    intent: Intent | None
    message: str

    def to_json(self) -> dict:
        intent = self.intent
        return {
            "repository": str(self.repository),
            "outcome": self.outcome.value,
            "message": self.message,
            "candidate": intent.candidate_id if intent else None,
            "action": intent.action if intent else None,
        }


def recovery_outcome(
    intent: Intent, *, head: str, head_parent: str | None, head_decision: Decision | None
) -> RecoveryOutcome:
    """Did the interrupted decision reach its commit? Pure: from the intent and what HEAD is now."""
    if head == intent.parent:
        return RecoveryOutcome.RESTORED
    matches = (
        head_parent == intent.parent
        and head_decision is not None
        and (head_decision.action, head_decision.candidate_id, head_decision.content_hash)
        == (intent.action, intent.candidate_id, intent.content_hash)
    )
    return RecoveryOutcome.COMMITTED if matches else RecoveryOutcome.UNCLEAR


def recover(repository: DecisionRepository) -> RecoveryReport:
    """Close the interrupted decision of `repository`, if any, unless its process is still running."""
    intent = repository.interrupted_decision()
    if intent is None:
        return RecoveryReport(repository.path, RecoveryOutcome.NOTHING, None, "no interrupted decision")
    what = f"{intent.action} of {intent.candidate_id} (process {intent.pid})"
    if process_is_alive(intent.pid, intent.start_time):
        return RecoveryReport(repository.path, RecoveryOutcome.RUNNING, intent, f"{what} is still running")
    head, head_parent, head_decision = repository.head_commit()
    outcome = recovery_outcome(intent, head=head, head_parent=head_parent, head_decision=head_decision)
    if outcome is RecoveryOutcome.UNCLEAR:
        raise LibraryError(
            f"{repository.path}: an interrupted {what} began on {intent.parent} but HEAD is now {head}, "
            f"which is not that decision; check the repository and delete .git/skillwarden-intent.json"
        )
    repository.finish_interrupted(intent, committed=outcome is RecoveryOutcome.COMMITTED)
    done = "its commit exists" if outcome is RecoveryOutcome.COMMITTED else "its changes were put back to HEAD"
    return RecoveryReport(repository.path, outcome, intent, f"recovered an interrupted {what}: {done}")


def recover_workspace(skills_repo: Path, harness_repo: Path | None = None) -> list[RecoveryReport]:
    """Recover the skills repository (and the harness repository, when there is one) on opening a
    workspace, before the review cache is rebuilt from their history."""
    from skillwarden.skills.harness_repo import HarnessRepo
    from skillwarden.skills.library import SkillLibrary

    with SkillLibrary(skills_repo) as library:
        reports = [recover(library)]
    if harness_repo is not None:
        with HarnessRepo(harness_repo) as harness:
            reports.append(recover(harness))
    return reports

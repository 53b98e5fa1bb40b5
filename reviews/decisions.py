"""Which decision applies to which candidate, and the one way a decision is committed.

The review service (for the command line and the TUI) and the autopilot commit through `apply_decision`;
the TUI offers a key only where `allowed` says the service would accept it. Every decision goes to git
first: the cache and the published folders follow from the history (`ReviewService.record`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from skillwarden.reviews.states import State
from skillwarden.reviews.views import CandidateView

if TYPE_CHECKING:  # the TUI asks `allowed` before its first frame, which waits for no git
    from skillwarden.core.workspace.store import StoredCandidate
    from skillwarden.skills.harness_repo import HarnessRepo
    from skillwarden.skills.library import SkillLibrary
    from skillwarden.skills.trailers import Decision


class Kind(enum.StrEnum):
    SKILL = "skill"
    REFINEMENT = "refinement"  # a new version of a library skill
    HARNESS = "harness"  # a change of AGENTS.md or the agent's settings
    EVICTION = "eviction"  # drift detection proposes retiring a library skill


class Action(enum.StrEnum):
    APPROVE = "approve"  # an eviction's approval retires its skill
    BACKLOG = "backlog"
    REJECT = "reject"
    ROLLBACK = "rollback"  # reverts the candidate's live decision for good


SKILL_KINDS = frozenset({Kind.SKILL, Kind.REFINEMENT})
STATES = {
    Action.APPROVE: frozenset({State.PENDING, State.BACKLOGGED}),
    Action.BACKLOG: frozenset({State.PENDING}),
    Action.REJECT: frozenset({State.PENDING}),
    Action.ROLLBACK: frozenset({State.APPROVED, State.BACKLOGGED, State.REJECTED}),
}
PAST = {Action.APPROVE: "approved", Action.BACKLOG: "backlogged", Action.REJECT: "rejected",
        Action.ROLLBACK: "rolled back"}  # fmt: skip


def refusal(action: str, kind: str, state: State) -> str | None:
    """Why `action` does not apply to a candidate of `kind` in `state`, or None when it does."""
    action, kind = Action(action), Kind(kind)
    # An approved eviction is the decision in effect about that skill: rolling it back restores the skill.
    evicted = action is Action.ROLLBACK and kind is Kind.EVICTION and state is State.EVICTED
    if state not in STATES[action] and not evicted:
        return f"it is {state.value.replace('_', ' ')}"
    if action is Action.BACKLOG and kind is Kind.HARNESS:
        return "a harness modification is approved (applied) or rejected, not backlogged"
    if action is Action.BACKLOG and kind is Kind.EVICTION:
        return "an eviction candidate is approved (evict) or rejected, not backlogged"
    return None


def allowed(action: str, kind: str, state: State) -> bool:
    return refusal(action, kind, state) is None


def eviction_of(skill: str, views: Iterable[CandidateView]) -> CandidateView | None:
    """The eviction candidate that drift detection proposed for `skill`, while it can still be approved."""
    for view in views:
        c = view.candidate
        names = (c.name, c.details.get("target"), c.details.get("skill"))
        if c.kind == Kind.EVICTION and skill in names and allowed(Action.APPROVE, c.kind, view.state):
            return view
    return None


@dataclass(frozen=True)
class Decider:
    """Who decides, and how: a reviewer's name, and for the autopilot the policy rule and its reason
    (decisions without a human also need a clean scan)."""

    reviewer: str
    reason: str = ""
    policy: str | None = None

    @property
    def require_clean_scan(self) -> bool:
        return self.policy is not None


def check_fresh(candidate: StoredCandidate, library: SkillLibrary, harness: HarnessRepo | None) -> None:
    """Refuse (StaleCandidateError) a candidate computed against other content than its target has now.
    An eviction's drift evidence is about the skill text it was measured on: a changed skill proves itself
    anew. The repositories check the same again inside each commit; this says so before anything starts."""
    from skillwarden.skills.decision_input import check_not_stale
    from skillwarden.skills.decision_repository import APPROVED_DIR, SKILL_FILE

    kind = Kind(candidate.kind)
    if kind is Kind.HARNESS:
        if harness is not None:
            target = candidate.details.get("target", "")
            check_not_stale(candidate.id, target, harness.committed_bytes(target), candidate.details.get("base_hash"))
        return
    path = f"{APPROVED_DIR}/{candidate.name}/{SKILL_FILE}"
    expected = candidate.content_hash if kind is Kind.EVICTION else candidate.details.get("base_hash")
    check_not_stale(candidate.id, path, library.committed_bytes(path), expected)


def apply_decision(
    action: str,
    candidate: StoredCandidate,
    decider: Decider,
    *,
    library: SkillLibrary,
    harness: HarnessRepo | None,
) -> Decision:
    """Commit `action` (approve, backlog or reject) on `candidate` in the repository its kind lives in.
    The caller has checked `allowed` against the candidate's state; the kind is checked here."""
    action, kind = Action(action), Kind(candidate.kind)
    reason = refusal(action, kind, State.PENDING)
    if reason is not None or action is Action.ROLLBACK:
        raise ValueError(f"cannot {action} a {kind} candidate: {reason or 'a rollback reverts a decision'}")
    if action is Action.REJECT:
        return library.reject(
            candidate_id=candidate.id, title=candidate.title, content_hash=candidate.content_hash,
            evidence=candidate.evidence, reviewer=decider.reviewer, reason=decider.reason,
        )  # fmt: skip
    if kind is Kind.EVICTION:  # skills and harness files are checked by their repositories, in the commit
        check_fresh(candidate, library, harness)
        reason = f"{candidate.title}. {decider.reason}" if decider.reason else candidate.title
        return library.evict(
            candidate_id=candidate.id, name=candidate.name, evidence=candidate.evidence, reviewer=decider.reviewer,
            reason=reason, policy=decider.policy,
        )  # fmt: skip
    common = {"candidate_id": candidate.id, "evidence": candidate.evidence, "reviewer": decider.reviewer,
              "title": candidate.title, "reason": decider.reason, "policy": decider.policy,
              "base_hash": candidate.details.get("base_hash")}  # fmt: skip
    if kind is Kind.HARNESS:
        if harness is None:
            raise ValueError(f"cannot apply {candidate.id}: no harness repository")
        return harness.apply_change(
            # the content is the diff exactly as `show` prints it and the reviewer read it
            target=candidate.details.get("target", ""), diff=candidate.content,
            require_clean_scan=decider.require_clean_scan, **common,
        )  # fmt: skip
    provenance = {"candidate": candidate.id, "content_hash": candidate.content_hash, "sessions": candidate.provenance}
    if action is Action.APPROVE:
        return library.approve(
            name=candidate.name, skill_md=candidate.content, provenance=provenance,
            require_clean_scan=decider.require_clean_scan, **common,
        )  # fmt: skip
    return library.backlog(name=candidate.name, skill_md=candidate.content, provenance=provenance, **common)

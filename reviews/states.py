"""Candidate review states, derived from the decision history alone.

The skills repository's commits are the source of truth: replaying them oldest first gives every
candidate's state, so the cache can always be rebuilt.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class State(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    BACKLOGGED = "backlogged"
    REJECTED = "rejected"
    ROLLED_BACK = "rolled_back"
    EVICTED = "evicted"


ACTION_STATE = {
    "approve": State.APPROVED,
    "backlog": State.BACKLOGGED,
    "reject": State.REJECTED,
    "evict": State.EVICTED,  # the decision on an eviction candidate: its skill is retired
}
# Reverting actions: a rollback retires the decision's effect for good; an undo takes it back to
# pending, as if it had never been decided.
REVERTED_STATE = {"rollback": State.ROLLED_BACK, "undo": State.PENDING}


@dataclass(frozen=True)
class DecisionEvent:
    sha: str
    candidate_id: str
    action: str
    reverts: str | None = None
    name: str | None = None  # the skill the decision is about, when it is about one


@dataclass(frozen=True)
class CandidateState:
    state: State
    sha: str | None  # the commit that put the candidate in this state (None for pending)
    decision_sha: str | None  # the live decision commit a rollback or undo would revert


def replay(events: Iterable[DecisionEvent]) -> dict[str, CandidateState]:
    """Replay decisions oldest first. Unknown actions are ignored rather than guessed at.

    Evicting a skill also retires the candidate whose approval put it in the library; reverting the
    eviction gives that candidate its approval back.
    """
    states: dict[str, CandidateState] = {}
    approved_by_name: dict[str, str] = {}  # skill name -> candidate whose approval is live
    retired: dict[str, tuple[str, CandidateState]] = {}  # evict sha -> (that candidate, its state then)
    for event in events:
        if event.action in ACTION_STATE:
            if event.action == "evict" and event.name in approved_by_name:
                approved = approved_by_name.pop(event.name)
                retired[event.sha] = (approved, states[approved])
                states[approved] = CandidateState(State.EVICTED, event.sha, None)
            if event.action == "approve" and event.name:
                approved_by_name[event.name] = event.candidate_id
            states[event.candidate_id] = CandidateState(ACTION_STATE[event.action], event.sha, event.sha)
        elif event.action in REVERTED_STATE:
            current = states.get(event.candidate_id)
            if current is None or current.decision_sha != event.reverts:
                continue  # reverting something no longer live changes nothing
            new_state = REVERTED_STATE[event.action]
            states[event.candidate_id] = CandidateState(
                new_state, None if new_state is State.PENDING else event.sha, None
            )
            if event.reverts in retired:
                approved, previous = retired.pop(event.reverts)
                states[approved] = previous
                if event.name:
                    approved_by_name[event.name] = approved
    return states


def last_live_decision(events: list[DecisionEvent]) -> DecisionEvent | None:
    """The newest decision whose effect is still live: what `u` (undo) reverts."""
    states = replay(events)
    live = {state.decision_sha for state in states.values() if state.decision_sha}
    for event in reversed(events):
        if event.sha in live:
            return event
    return None

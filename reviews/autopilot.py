"""The autonomous tier: apply what the policy allows without a human, and take it back on drift.

`skillwarden apply-auto` (for cron) routes every pending candidate through the policy. Autonomous ones
are applied as "skillwarden-autopilot", each commit naming the policy rule in its body and in a
`Skillwarden-Policy` trailer; backlog ones are parked (and pushed when a backlog remote is set). The
library scans each one again right before its commit and refuses anything but a safe verdict, and a
candidate computed against a skill that has changed since is reported stale rather than applied.

Then the monitoring half: a skill the autopilot applied whose success statistics drift is rolled back,
when the policy says so, by a revert whose commit says why. Skills a human approved are left to humans.
The drift evidence comes in as plain dicts, `{"skill": name, "evidence": {...}}` (skills/drift.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from skillwarden.core.workspace.store import StoredCandidate
from skillwarden.reviews.decisions import SKILL_KINDS, Decider, apply_decision, check_fresh
from skillwarden.reviews.policy import AUTOPILOT_REVIEWER, Policy, Routing, Tier, decide_route
from skillwarden.reviews.publishing import refuse_clash
from skillwarden.reviews.service import ReviewService
from skillwarden.reviews.views import CandidateView
from skillwarden.skills.decision_input import Scanner
from skillwarden.skills.decision_repository import SKILL_FILE
from skillwarden.skills.harness_repo import HarnessRepo
from skillwarden.skills.library_errors import LibraryError, StaleCandidateError
from skillwarden.skills.publish import PublishError
from skillwarden.skills.trailers import Decision

DRIFT_RULE = "rollback-on-drift"


@dataclass(frozen=True)
class AutopilotAction:
    candidate: str
    action: str  # approve | backlog | evict | rollback | none
    outcome: str  # applied | would-apply | stale | refused | left
    rule: str
    reason: str
    commit: str | None = None
    branch: str | None = None  # the backlog branch pushed to the remote

    def to_json(self) -> dict:
        return asdict(self)


def routing_input(candidate: StoredCandidate, scanner: Scanner | None) -> dict:
    """The candidate as the policy reads it. Without a verdict from the miner, scan it here, so the
    route never rests on a missing scan when a scanner is at hand."""
    details = dict(candidate.details)
    if not isinstance(details.get("security"), Mapping) and scanner is not None:
        # A skill is scanned as the folder it becomes, as its commit will be; a harness change as a text.
        content = candidate.content
        if candidate.kind in SKILL_KINDS:
            content = {SKILL_FILE: candidate.content.encode("utf-8")}
        details["security"] = {"verdict": str(scanner(content).verdict)}
    return {"kind": candidate.kind, "support": candidate.support, "details": details}


def live_autopilot_approval(decisions: Iterable[Decision], skill: str) -> Decision | None:
    """The decision that put `skill` in place now, if it was the autopilot's; `decisions` newest first."""
    decisions = list(decisions)
    reverted = {decision.reverts for decision in decisions if decision.reverts}
    for decision in decisions:
        if decision.name != skill or decision.reverts or decision.sha in reverted:
            continue
        is_ours = decision.action == "approve" and decision.reviewer == AUTOPILOT_REVIEWER
        return decision if is_ours else None
    return None


def has_live_decision(decisions: Iterable[Decision], candidate_id: str) -> bool:
    """Whether a decision about `candidate_id` is in effect (made and not reverted)."""
    decisions = list(decisions)
    reverted = {decision.reverts for decision in decisions if decision.reverts}
    return any(
        decision.candidate_id == candidate_id and not decision.reverts and decision.sha not in reverted
        for decision in decisions
    )


def drift_reason(signal: Mapping) -> str:
    evidence = signal.get("evidence")
    text = evidence if isinstance(evidence, str) else json.dumps(evidence, sort_keys=True, default=str)
    return f"Rolled back by policy rule {DRIFT_RULE}: its success statistics drifted.\n\nEvidence: {text}"


class Autopilot:
    def __init__(
        self,
        service: ReviewService,
        policy: Policy,
        *,
        harness: HarnessRepo | None = None,
        backlog_remote: str | None = None,
    ) -> None:
        self.service = service
        self.policy = policy
        self.harness = harness
        self.backlog_remote = backlog_remote

    def run(self, *, dry_run: bool = False, drift: Iterable[Mapping] = ()) -> list[AutopilotAction]:
        actions = [self._handle(view, dry_run) for view in self.service.queue(include_decided=False)]
        if self.policy.rollback_on_drift:
            actions += [self._roll_back(signal, dry_run) for signal in drift]
        return [action for action in actions if action is not None]

    # ------------------------------------------------------------------------------- candidates

    def _handle(self, view: CandidateView, dry_run: bool) -> AutopilotAction:
        candidate = view.candidate
        routing = decide_route(routing_input(candidate, self.service.library.scanner), self.policy)
        action = {Tier.AUTONOMOUS: "approve", Tier.BACKLOG: "backlog"}.get(routing.tier, "none")
        if candidate.kind == "eviction" and action == "approve":
            action = "evict"
        unsupported = self._unsupported(candidate, routing)
        if unsupported is not None:
            return AutopilotAction(candidate.id, "none", "left", routing.rule, unsupported)
        try:
            check_fresh(candidate, self.service.library, self.harness)
            if action == "approve" and candidate.kind in SKILL_KINDS:
                refuse_clash(self.service.config, candidate.name)  # a user's folder takes its name where it goes
            if dry_run:
                return AutopilotAction(candidate.id, action, "would-apply", routing.rule, routing.reason)
            decision = self._apply(candidate, routing)
        except StaleCandidateError as error:
            return AutopilotAction(candidate.id, action, "stale", routing.rule, str(error))
        except (LibraryError, PublishError) as error:  # UnsafeContentError, a dirty tree, a name clash...
            return AutopilotAction(candidate.id, action, "refused", routing.rule, str(error))
        branch = self._publish(decision) if action == "backlog" else None
        return AutopilotAction(candidate.id, action, "applied", routing.rule, routing.reason, decision.sha, branch)

    def _unsupported(self, candidate: StoredCandidate, routing: Routing) -> str | None:
        """Why the autopilot leaves a candidate to a human, or None when it acts on it."""
        if routing.tier is Tier.INTERACTIVE:
            return routing.reason
        if candidate.kind in SKILL_KINDS:
            return None
        if candidate.kind == "eviction":
            # Evicting only retires a skill (a revertable move to retired/): nothing to park in a backlog.
            return None if routing.tier is Tier.AUTONOMOUS else "evictions are decided by a human or applied"
        if candidate.kind == "harness" and routing.tier is Tier.AUTONOMOUS:
            if self.harness is None:
                return "no harness_repo is configured"
            # Harness decisions live in the harness repository, which the review cache may not replay.
            if has_live_decision(self.harness.decisions(), candidate.id):
                return "already applied to the harness repository"
            return None
        return f"the autopilot does not {routing.tier.value} {candidate.kind} candidates; a human decides"

    def _apply(self, candidate: StoredCandidate, routing: Routing) -> Decision:
        action = "approve" if routing.tier is Tier.AUTONOMOUS else "backlog"
        decider = Decider(AUTOPILOT_REVIEWER, routing.reason, routing.rule)
        decision = apply_decision(action, candidate, decider, library=self.service.library, harness=self.harness)
        self.service.record(decision, remine=False)  # the run goes on over the queue it started with
        return decision

    def _publish(self, decision: Decision) -> str | None:
        if not self.backlog_remote:
            return None
        try:
            return self.service.library.push_backlog(decision, self.backlog_remote)
        except LibraryError as error:
            # The decision stands (it is committed); the push is retried on the next run.
            self.service.events.append("notice", message=str(error), candidate=decision.candidate_id)
            return None

    # ------------------------------------------------------------------------------------ drift

    def _roll_back(self, signal: Mapping, dry_run: bool) -> AutopilotAction | None:
        skill = signal.get("skill")
        if not isinstance(skill, str):
            return None
        approval = live_autopilot_approval(self.service.library.decisions(), skill)
        if approval is None:
            return None  # not in place, or a human put it there: humans decide about it
        reason = drift_reason(signal)
        if dry_run:
            return AutopilotAction(approval.candidate_id, "rollback", "would-apply", DRIFT_RULE, reason)
        try:
            decision = self.service.library.revert(
                approval.sha, reviewer=AUTOPILOT_REVIEWER, reason=reason, action="rollback", policy=DRIFT_RULE
            )
        except LibraryError as error:
            return AutopilotAction(approval.candidate_id, "rollback", "refused", DRIFT_RULE, str(error))
        self.service.record(decision, remine=False)
        return AutopilotAction(approval.candidate_id, "rollback", "applied", DRIFT_RULE, reason, decision.sha)

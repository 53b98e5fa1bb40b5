"""The decision keys on a candidate, for the screens that show one candidate row at a time (the queue, a
candidate in full): approve, backlog, reject and roll back, each offered only where
`reviews.decisions.allowed` allows it for the row's kind and state, and committed by the app's worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from skillwarden.reviews.decisions import allowed
from skillwarden.reviews.states import State
from skillwarden.tui.render import STATE_LABELS
from skillwarden.tui.screens.base import ReviewScreen

if TYPE_CHECKING:
    from skillwarden.reviews.views import QueueRow

DECISIONS = ("approve", "backlog", "reject")


class CandidateDecisions(ReviewScreen):
    """A screen deciding on the candidate row in view (`candidate_row`)."""

    def candidate_row(self) -> QueueRow | None:
        """The queue's row of the candidate in view: what deciding needs, listed before the candidates in
        full are loaded (the cached queue is on screen before the workspace is open)."""
        raise NotImplementedError

    def applies(self, action: str) -> bool:
        if action in DECISIONS:
            row = self.candidate_row()
            return row is not None and allowed(action, row.kind, State(row.state))
        return super().applies(action)

    def rollback_target(self) -> tuple[str, str] | None:
        row = self.candidate_row()
        if row is not None and allowed("rollback", row.kind, State(row.state)):
            return row.id, f"{STATE_LABELS.get(row.state)} {row.id}"
        return None

    def action_approve(self) -> None:
        self.decide("approve")

    def action_backlog(self) -> None:
        self.decide("backlog")

    def action_reject(self) -> None:
        self.decide("reject")

    def decide(self, action: str) -> None:
        """At once, except a rejection, which asks first."""
        row = self.candidate_row()
        if row is None:
            return
        if action == "reject":
            self.confirm(f"Reject {row.id}?\n{row.title}", lambda: self.host.run_decision("reject", row.id))
        else:
            self.host.run_decision(action, row.id)

"""The TUI's decision keys: approve, backlog, reject (one row, or every marked row after one confirmation),
undo, roll back and evict, each checked against `reviews.decisions.allowed` before it is offered and run
by a worker (`BackgroundWork.run_decision`, `run_bulk`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from skillwarden.reviews.decisions import allowed, eviction_of
from skillwarden.reviews.states import State
from skillwarden.tui.library_screens import HistoryScreen, SkillsScreen
from skillwarden.tui.render import STATE_LABELS
from skillwarden.tui.screens import ConfirmScreen

if TYPE_CHECKING:  # the first frame does not wait for mining, numpy or git: those load in a worker
    pass

class DecisionActions:
    """Mixed into the App: the actions behind the decision keys of the action registry."""

    def action_approve(self) -> None:
        self.decide("approve")

    def action_backlog(self) -> None:
        self.decide("backlog")

    def action_reject(self) -> None:
        self.decide("reject")

    def decide(self, action: str) -> None:
        """Marked rows get one confirmation for all of them; one row is decided at once, except a
        rejection, which asks first."""
        marked = self.marked_ids()
        if marked:
            question = f"{action.capitalize()} {len(marked)} marked candidate(s)? Each is its own commit."

            def confirmed_all(answer: bool | None) -> None:
                if answer:
                    self.queue_screen().table.clear_marks()
                    self.update_status()
                    self.run_bulk(action, marked)

            self.push_screen(ConfirmScreen(question), confirmed_all)
            return
        row = self.current_row()
        if row is None:
            return
        if action != "reject":
            self.run_decision(action, row.id)
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_decision("reject", row.id)

        self.push_screen(ConfirmScreen(f"Reject {row.id}?\n{row.title}"), confirmed)

    def action_undo(self) -> None:
        self.run_decision("undo", None)

    def rollback_target(self) -> tuple[str, str] | None:
        """(candidate id, what) whose live decision `r` would revert, if the row has one."""
        screen = self.screen
        if isinstance(screen, HistoryScreen):
            row = screen.highlighted()
            return (row.candidate_id, f"{row.action} {row.sha[:10]}") if row and row.revertible else None
        if isinstance(screen, SkillsScreen):
            row = screen.highlighted()
            return (row.candidate_id, f"skill {row.name}") if row and row.candidate_id else None
        row = self.current_row()
        if row is not None and allowed("rollback", row.kind, State(row.state)):
            return row.id, f"{STATE_LABELS.get(row.state)} {row.id}"
        return None

    def action_rollback(self) -> None:
        target = self.rollback_target()
        if target is None:
            self.notify("nothing here is in effect to roll back", severity="warning")
            return
        candidate_id, what = target

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_decision("rollback", candidate_id)

        self.push_screen(ConfirmScreen(f"Roll back {what} for good (git revert)?"), confirmed)

    def action_evict(self) -> None:
        screen = self.screen
        row = screen.highlighted() if isinstance(screen, SkillsScreen) else None
        if row is None:
            return
        eviction = eviction_of(row.name, self.views.values())
        if eviction is None:
            self.notify(
                f"no eviction candidate for {row.name}: drift detection has not proposed one. "
                "Press r to roll its approval back instead.",
                severity="warning",
            )
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_decision("approve", eviction.id)

        self.push_screen(ConfirmScreen(f"Evict skill {row.name}?\n{eviction.candidate.title}"), confirmed)

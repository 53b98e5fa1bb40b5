"""The review workflow as one object: ingest traces, mine candidates, decide, undo.

The TUI and the command line both call this; neither holds domain logic of its own. Decisions go to
the skills repository first (the source of truth) and the cache follows from its history.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from skillwarden.core.ingest.run import IngestReport, Progress, ingest_paths
from skillwarden.core.security.workspace_key import use_workspace_key
from skillwarden.core.workspace.config import Config
from skillwarden.core.workspace.events import EventLog
from skillwarden.core.workspace.store import Store, StoredCandidate
from skillwarden.reviews.candidates import build_candidates, mining_inputs
from skillwarden.reviews.decided import restore_decided
from skillwarden.reviews.decisions import SKILL_KINDS, Decider, apply_decision, refusal
from skillwarden.reviews.learning import eviction_candidates, skill_stats
from skillwarden.reviews.outcomes import sync_labels
from skillwarden.reviews.publishing import publish_library, refresh_statistics, refuse_clash
from skillwarden.reviews.recovery import recover_workspace
from skillwarden.reviews.states import CandidateState, DecisionEvent, State, last_live_decision, replay
from skillwarden.reviews.views import CandidateView, in_queue
from skillwarden.skills.harness_repo import HarnessRepo
from skillwarden.skills.library import SkillLibrary
from skillwarden.skills.library_errors import LibraryError
from skillwarden.skills.publish import PublishError, SyncReport
from skillwarden.skills.trailers import Decision


class ReviewError(Exception):
    """A decision that cannot be made, with the reason a reviewer can act on."""


class DecisionNotCached(Exception):
    """The decision's commit was made, but what follows it (the cache, re-mining, the event) failed, say on a
    full disk. The decision stands: the cache catches up from the history when the workspace is next opened."""

    def __init__(self, decision: Decision, cause: BaseException):
        super().__init__(
            f"{decision.action} {decision.candidate_id} is done (commit {decision.sha[:10]}), but updating the cache "
            f"afterwards failed ({cause}); it catches up from the history the next time the workspace is opened"
        )
        self.decision = decision
        self.cause = cause


# The store's meta key for the digest of what mining read besides the cache (`mining_inputs`).
MINED_AGAINST = "mined_against"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class ReviewService:
    """`mine_inline=False` leaves re-mining after an ingest or a decision to the caller: the TUI mines in
    a process of its own (`remine_workspace`) so that its event loop never waits on mining for the GIL.

    `writes=False` opens the workspace for reading only, as a command that holds no lock does: no interrupted
    decision is recovered (the writer holding the workspace may be making it) and the cache's decision table is
    left as it is; the candidates' states are replayed from the history in memory."""

    def __init__(self, config: Config, *, mine_inline: bool = True, writes: bool = True):
        use_workspace_key(config)  # before anything is redacted: ingest, mining, scans
        self.config = config
        self.mine_inline = mine_inline
        self.store = Store(config.state_db)
        self.events = EventLog(config.events_file)
        # A decision interrupted by a crash is finished or undone before anything reads the history.
        recovered = recover_workspace(config.skills_repo, config.harness_repo) if writes else []
        for report in recovered:
            if report.outcome.value != "nothing":
                self.events.append("notice", text=f"recovery: {report.message}", **report.to_json())
        self.library = SkillLibrary(config.skills_repo)
        self._states: dict[str, CandidateState] = {}
        self.published: list[SyncReport] = []  # what the last decision changed in the linked agent folders
        if not writes:
            self._states = replay(decision_event(d) for d, _repo in self.decision_history())
            return
        self.sync_decisions()
        sync_labels(config, self.store)
        if any(report.outcome.value == "committed" for report in recovered):
            self.publish()  # the interrupted decision's commit exists; its publishing may not have happened

    def close(self) -> None:
        self.library.close()
        self.store.close()

    # -- evidence ---------------------------------------------------------------------------------
    def ingest(
        self, paths: Iterable[os.PathLike | str] | None = None, *, progress: Progress | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> IngestReport:
        """Read new or changed trace files (default: the watched folders), then re-mine (unless the
        caller mines, see `mine_inline`). `progress` hears of each file, `stop` ends the reading early
        (see `ingest_paths`)."""
        targets = self.ingest_targets(paths)
        report = ingest_paths(self.store, targets, workers=self.config.ingest_workers, stop=stop, progress=progress)
        if report.sessions:
            self.store.apply_labels()  # labels name sessions that may only now have been read
        for error in report.errors:
            self.events.append("parse_error", **error)
        if report.files:
            self.events.append(
                "ingest", files=report.files, sessions=report.sessions, steps=report.steps, errors=len(report.errors)
            )
        if self.mine_inline and (report.files or self.mining_is_stale()):
            self.refresh_candidates()
        if self.mine_inline:
            # Drift also comes with time alone (a skill left unused), so it is checked on every ingest.
            self.refresh_evictions()
        return report

    def ingest_targets(self, paths: Iterable[os.PathLike | str] | None = None) -> list:
        """What `ingest` reads: the paths given, else the watched folders that exist."""
        return list(paths) if paths is not None else [p for p in self.config.watch if p.exists()]

    def mining_is_stale(self) -> bool:
        """Whether what mining reads besides the cache changed since the last mining (a commit to the skills
        repository, a harness file edited by someone else): its candidates may be stale, so mine again."""
        return self.store.meta_value(MINED_AGAINST) != mining_inputs(self.config, self.library)

    def refresh_candidates(self) -> int:
        """Mine the cached sessions again; ids are content-derived, so known candidates keep theirs."""
        return refresh_candidates(self.store, self.events, self.library, self.config)

    def refresh_evictions(self) -> int:
        """Skills whose success drifted (or that went unused) become eviction candidates in the queue."""
        return refresh_evictions(self.store, self.events, self.library, self.config)

    def store_candidates(self, candidates: list[StoredCandidate], *, source: str) -> None:
        """Replace one source's candidates and announce the new ones on the event feed."""
        store_candidates(self.store, self.events, candidates, source=source)

    # -- the queue --------------------------------------------------------------------------------
    def decision_history(self) -> list[tuple[Decision, Path]]:
        """Every decision of the skills repository and of the harness repository, oldest first, with the
        repository holding it."""
        held = [(d, self.config.skills_repo) for d in reversed(self.library.decisions())]  # oldest first
        if self.config.harness_repo is not None and self.config.harness_repo.exists():
            with HarnessRepo(self.config.harness_repo) as harness:
                held += [(d, self.config.harness_repo) for d in reversed(harness.decisions())]
            held.sort(key=lambda pair: pair[0].when)  # stable: same-second decisions keep their order
        return held

    def sync_decisions(self) -> None:
        """Rebuild the decision cache and the states from the skills repository's history; a decided
        candidate the cache lacks (after a rebuild) is restored from its commit."""
        held = self.decision_history()
        self.store.replace_decisions(
            [
                {"sha": d.sha, "candidate_id": d.candidate_id, "action": d.action, "reverts": d.reverts,
                 "reviewer": d.reviewer, "at": d.when, "summary": d.summary, "name": d.name}
                for d, _repo in held
            ]
        )  # fmt: skip
        restore_decided(self.store, held)
        self._states = replay(self._events())

    def publish(self) -> list[SyncReport]:
        """Bring every linked agent folder in step with the library; what failed goes to the event feed."""
        try:
            self.published = publish_library(self.config, self.library)
        except (PublishError, OSError) as error:  # links.json unreadable, a read-only workspace: the decision stands
            self.published = []
            self.events.append("notice", text=f"publishing: {error}")
        for problem in (problem for report in self.published for problem in report.problems):
            self.events.append("notice", text=f"publishing: {problem}")
        return self.published

    def record(self, decision: Decision, *, remine: bool = True) -> Decision:
        """The cache follows git: the decision cache rebuilt from the history, the linked agent folders
        published, the event feed told; with `remine`, candidates mined against the old library again."""
        try:
            self.sync_decisions()
            self.publish()
            if decision.action != "reject" and self.mine_inline and remine:
                # The library or a harness file changed: candidates computed against the old content would
                # be stale, and a newly approved skill turns look-alikes into refinements.
                self.refresh_candidates()
            self.events.append(
                "decision", action=decision.action, candidate=decision.candidate_id, commit=decision.sha,
                reviewer=decision.reviewer, reverts=decision.reverts, policy=decision.policy,
            )  # fmt: skip
        except (OSError, sqlite3.Error) as exc:  # a full disk, say: the commit is made all the same
            raise DecisionNotCached(decision, exc) from exc
        return decision

    def _events(self) -> list[DecisionEvent]:
        return [
            DecisionEvent(d["sha"], d["candidate_id"], d["action"], d["reverts"], d["name"])
            for d in self.store.decisions()
        ]

    def queue(self, *, include_decided: bool = True) -> list[CandidateView]:
        """Candidates best first: pending ones that are still mined, then decided ones."""
        views = []
        for candidate in self.store.candidates():
            state = self._states.get(candidate.id, CandidateState(State.PENDING, None, None))
            if not in_queue(state.state, candidate.live):
                continue
            if not include_decided and state.state is not State.PENDING:
                continue
            views.append(CandidateView(candidate, state.state, state.sha))
        views.sort(key=lambda v: (v.state is not State.PENDING, -v.candidate.support, v.candidate.id))
        return views

    def view(self, candidate_id: str) -> CandidateView:
        candidate = self.store.candidate(candidate_id)
        if candidate is None:
            matches = [c for c in self.store.candidates() if c.id.startswith(candidate_id)]
            if len(matches) != 1:
                raise ReviewError(f"no candidate with id {candidate_id!r}")
            candidate = matches[0]
        state = self._states.get(candidate.id, CandidateState(State.PENDING, None, None))
        return CandidateView(candidate, state.state, state.sha)

    # -- decisions --------------------------------------------------------------------------------
    def approve(self, candidate_id: str) -> Decision:
        return self._decide(candidate_id, "approve")

    def backlog(self, candidate_id: str) -> Decision:
        return self._decide(candidate_id, "backlog")

    def reject(self, candidate_id: str, reason: str = "") -> Decision:
        return self._decide(candidate_id, "reject", reason)

    def _decide(self, candidate_id: str, action: str, reason: str = "") -> Decision:
        view = self.view(candidate_id)
        c = view.candidate
        refused = refusal(action, c.kind, view.state)
        if refused is not None:
            raise ReviewError(f"cannot {action} {view.id}: {refused}")
        if action == "approve" and c.kind in SKILL_KINDS:
            self._require_publishable(c.name)
        decider = Decider(self.config.reviewer, reason)
        if c.kind == "harness":
            with self.harness_repo() as harness:
                decision = apply_decision(action, c, decider, library=self.library, harness=harness)
        else:
            decision = apply_decision(action, c, decider, library=self.library, harness=None)
        if action == "backlog" and self.config.backlog_remote:
            try:
                branch = self.library.push_backlog(decision, self.config.backlog_remote)
            except LibraryError as exc:  # the decision stands; the push can be retried
                self.events.append("notice", text=f"backlog push to {self.config.backlog_remote} failed: {exc}")
            else:
                self.events.append("notice", text=f"backlog pushed to {self.config.backlog_remote} as {branch}")
        return self.record(decision)

    def _require_publishable(self, name: str) -> None:
        """Refuse a decision that would put a skill in place whose name a user's folder takes in a linked target."""
        try:
            refuse_clash(self.config, name)
        except PublishError as error:
            raise ReviewError(str(error)) from error

    def harness_repo(self) -> HarnessRepo:
        """The configured harness repository; without one, harness files live in the skills repository."""
        return HarnessRepo(self.config.harness_repo or self.config.skills_repo)

    def _revert(self, sha: str, *, reason: str, action: str) -> Decision:
        """Revert a decision in whichever repository holds it."""
        reverted = next((d for d in self.library.decisions() if d.sha == sha), None)
        if reverted is not None and reverted.action == "evict" and reverted.name:
            self._require_publishable(reverted.name)  # undoing an eviction puts the skill back in place
        if reverted is not None or self.config.harness_repo is None:
            return self.library.revert(sha, reviewer=self.config.reviewer, reason=reason, action=action)
        with self.harness_repo() as harness:
            return harness.revert(sha, reviewer=self.config.reviewer, reason=reason, action=action)

    def rollback(self, candidate_id: str, reason: str = "") -> Decision:
        """Revert an approved (or backlogged, or rejected) candidate's decision for good."""
        view = self.view(candidate_id)
        state = self._states.get(view.id)
        if state is None or state.decision_sha is None:
            raise ReviewError(f"cannot roll back {view.id}: it is {view.state.value.replace('_', ' ')}")
        decision = self._revert(state.decision_sha, reason=reason or "rollback", action="rollback")
        return self.record(decision)

    def undo_last(self) -> Decision:
        """Revert the newest decision that is still in effect; its candidate returns to pending."""
        event = last_live_decision(self._events())
        if event is None:
            raise ReviewError("nothing to undo: no decision is in effect")
        decision = self._revert(event.sha, reason="undo", action="undo")
        return self.record(decision)


# -- mining, with no service around it: a process of its own can run it --------------------------------
def refresh_candidates(store: Store, events: EventLog, library: SkillLibrary, config: Config) -> int:
    inputs = mining_inputs(config, library)  # before mining: a change while it runs makes the next one mine
    skipped: list[tuple[str, str]] = []
    built = build_candidates(store, config, library, skipped)
    report_skipped(events, skipped)
    store.set_meta(MINED_AGAINST, inputs)
    for source, candidates in built.items():
        store_candidates(store, events, candidates, source=source)
    return sum(len(candidates) for candidates in built.values())


def refresh_evictions(store: Store, events: EventLog, library: SkillLibrary, config: Config) -> int:
    if not library.skill_names():
        store_candidates(store, events, [], source="drift")
        return 0
    stats = skill_stats(store, library, config, events=events)
    candidates = eviction_candidates(store, library, config, events=events, stats=stats)
    store_candidates(store, events, candidates, source="drift")
    try:
        refresh_statistics(config, library, stats)  # the prompt hook ranks with the new posteriors
    except OSError as error:  # the hook keeps the posteriors it had
        events.append("notice", text=f"the prompt hook's selection index was not updated: {error}")
    return len(candidates)


# Sessions mining left out, already announced by this process: mining runs again and again.
ANNOUNCED_SKIPS: set[tuple[str, str]] = set()


def report_skipped(events: EventLog, skipped: list[tuple[str, str]]) -> None:
    """One notice per session mining had to leave out (once per process)."""
    for session_id, problem in skipped:
        if (session_id, problem) not in ANNOUNCED_SKIPS:
            ANNOUNCED_SKIPS.add((session_id, problem))
            events.append("notice", text=f"mining left out session {session_id}: {problem}", session=session_id)


def store_candidates(store: Store, events: EventLog, candidates: list[StoredCandidate], *, source: str) -> None:
    known = {c.id for c in store.candidates()}
    store.upsert_candidates(candidates, now=now_iso(), source=source)
    for candidate in candidates:
        if candidate.id not in known:
            events.append(
                "candidate", id=candidate.id, candidate_kind=candidate.kind, title=candidate.title,
                support=candidate.support,
            )  # fmt: skip


def remine_workspace(config: Config) -> int:
    """Re-mine the cached sessions into the queue (candidates, then evictions) as an ingest does, with
    its own connections: meant to run in a separate process. No recovery and no git writes here: the
    process that owns the service does those. Returns how many candidates mining produced."""
    use_workspace_key(config)
    store = Store(config.state_db)
    library = SkillLibrary(config.skills_repo, create=False)
    try:
        events = EventLog(config.events_file)
        mined = refresh_candidates(store, events, library, config)
        refresh_evictions(store, events, library, config)
        return mined
    finally:
        library.close()
        store.close()


def decision_event(decision: Decision) -> DecisionEvent:
    return DecisionEvent(decision.sha, decision.candidate_id, decision.action, decision.reverts, decision.name)

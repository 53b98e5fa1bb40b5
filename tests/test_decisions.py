"""One decision path: which action applies to which kind in which state, and the eviction's content check on
the human path as on the autopilot's."""

from __future__ import annotations

import pytest

from skillwarden.core.workspace.config import load_config
from skillwarden.core.workspace.store import StoredCandidate
from skillwarden.reviews.decisions import Action, Kind, allowed, eviction_of, refusal
from skillwarden.reviews.service import ReviewError, ReviewService
from skillwarden.reviews.states import State
from skillwarden.reviews.views import CandidateView
from skillwarden.skills.library_errors import StaleCandidateError
from skillwarden.skills.skill_md import content_hash


@pytest.mark.parametrize(
    ("action", "kind", "state", "expected"),
    [
        ("approve", "skill", State.PENDING, True),
        ("approve", "refinement", State.BACKLOGGED, True),
        ("approve", "skill", State.APPROVED, False),
        ("backlog", "skill", State.PENDING, True),
        ("backlog", "harness", State.PENDING, False),
        ("backlog", "eviction", State.PENDING, False),
        ("reject", "eviction", State.PENDING, True),
        ("reject", "skill", State.REJECTED, False),
        ("rollback", "skill", State.APPROVED, True),
        ("rollback", "harness", State.REJECTED, True),
        ("rollback", "skill", State.PENDING, False),
        ("rollback", "eviction", State.EVICTED, True),  # the eviction is the decision in effect
        ("rollback", "skill", State.EVICTED, False),  # its skill's approval was retired with it
    ],
)
def test_allowed(action, kind, state, expected):
    assert allowed(action, kind, state) is expected
    assert (refusal(action, kind, state) is None) is expected


def test_unknown_kinds_and_actions_are_not_guessed_at():
    with pytest.raises(ValueError):
        allowed("merge", "skill", State.PENDING)
    with pytest.raises(ValueError):
        allowed("approve", "plugin", State.PENDING)
    assert {kind.value for kind in Kind} == {"skill", "refinement", "harness", "eviction"}
    assert Action.APPROVE == "approve"


def skill_text(name: str, body: str) -> str:
    return f"---\nname: {name}\ndescription: Fix a failing test.\n---\n\n{body}\n"


def stored(cid: str, kind: str, name: str, text: str, digest: str) -> StoredCandidate:
    return StoredCandidate(
        id=cid, kind=kind, name=name, title=f"{kind} {name}", content=text, content_hash=digest, support=5,
        evidence=["s1"], provenance=[], details={"security": {"verdict": "safe"}}, first_seen="", last_seen="",
        live=True,
    )  # fmt: skip


def test_eviction_of_finds_the_one_still_decidable():
    evict = stored("ev-1", "eviction", "fix-tests", "drifted", "sha256:x")
    views = [CandidateView(evict, State.REJECTED, "abc"), CandidateView(evict, State.PENDING, None)]
    assert eviction_of("fix-tests", views) is views[1]
    assert eviction_of("other", views) is None


def test_a_human_cannot_evict_a_skill_that_changed_since_its_drift_was_measured(tmp_path):
    service = ReviewService(load_config(tmp_path / "ws"))
    try:
        first = skill_text("fix-tests", "Run `pytest -x`, read the traceback, fix the code.")
        second = skill_text("fix-tests", "Run `pytest -x --lf`, read the traceback, fix the code.")
        service.store_candidates([stored("sk-1", "skill", "fix-tests", first, content_hash(first))], source="mining")
        service.approve("sk-1")
        # Drift was measured on the first text; then a refinement replaced it.
        eviction = stored("ev-1", "eviction", "fix-tests", "success dropped", content_hash(first))
        refinement = stored("rf-1", "refinement", "fix-tests", second, content_hash(second))
        service.store_candidates([eviction], source="drift")
        service.store_candidates([refinement], source="mining")
        service.approve("rf-1")
        head = service.library.decisions()[0].sha

        with pytest.raises(StaleCandidateError, match="ev-1 is stale"):
            service.approve("ev-1")
        assert service.library.decisions()[0].sha == head  # nothing committed
        assert service.view("ev-1").state is State.PENDING

        with pytest.raises(ReviewError, match="not backlogged"):
            service.backlog("ev-1")
    finally:
        service.close()

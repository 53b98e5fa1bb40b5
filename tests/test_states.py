from skillwarden.reviews.states import DecisionEvent, State, last_live_decision, replay


def test_replay_gives_each_candidate_its_latest_state():
    events = [
        DecisionEvent("c1", "a", "approve"),
        DecisionEvent("c2", "b", "backlog"),
        DecisionEvent("c3", "b", "approve"),
        DecisionEvent("c4", "c", "reject"),
        DecisionEvent("c5", "a", "rollback", reverts="c1"),
    ]
    states = replay(events)
    assert states["a"].state is State.ROLLED_BACK and states["a"].decision_sha is None
    assert states["b"].state is State.APPROVED and states["b"].decision_sha == "c3"
    assert states["c"].state is State.REJECTED


def test_undo_returns_to_pending_and_the_next_undo_takes_the_previous_decision():
    events = [DecisionEvent("c1", "a", "approve"), DecisionEvent("c2", "b", "reject")]
    assert last_live_decision(events).sha == "c2"
    events.append(DecisionEvent("c3", "b", "undo", reverts="c2"))
    assert replay(events)["b"].state is State.PENDING
    assert last_live_decision(events).sha == "c1"


def test_reverting_a_decision_no_longer_live_changes_nothing():
    events = [DecisionEvent("c1", "a", "approve"), DecisionEvent("c2", "a", "undo", reverts="zzz")]
    assert replay(events)["a"].state is State.APPROVED
    assert last_live_decision([]) is None


def test_evicting_a_skill_retires_its_approval_and_undo_restores_it():
    events = [
        DecisionEvent("c1", "sk-a", "approve", name="fix-tests"),
        DecisionEvent("c2", "ev-a", "evict", name="fix-tests"),
    ]
    states = replay(events)
    assert states["sk-a"].state is State.EVICTED and states["sk-a"].decision_sha is None
    assert states["ev-a"].state is State.EVICTED and states["ev-a"].decision_sha == "c2"
    events.append(DecisionEvent("c3", "ev-a", "undo", reverts="c2", name="fix-tests"))
    states = replay(events)
    assert states["ev-a"].state is State.PENDING
    assert states["sk-a"].state is State.APPROVED and states["sk-a"].decision_sha == "c1"

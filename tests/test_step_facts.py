"""The facts stored with each step (`core/signals/step_facts.py`): what mining reads back equals what the
normalizer says of the stored step, and facts another version derived are derived again."""

from pathlib import Path

from skillwarden.core.ingest.run import ingest_paths
from skillwarden.core.model import Step
from skillwarden.core.signals import step_facts
from skillwarden.core.signals.normalize import normalize_step
from skillwarden.core.signals.step_facts import FACTS, FACTS_VERSION, encoded_facts, seed_facts
from skillwarden.core.signals.steps import changed_paths, creates_file, is_test_step, shell_program
from skillwarden.core.workspace.store import Store
from skillwarden.reviews.candidates import load_sessions
from tests.hostile_traces import SECRETS, TITLE_AND_CLEAR, Trace, bash, hostile_traces, write_traces

DATA = Path(__file__).parent / "data"


def ingested(tmp_path) -> Store:
    store = Store(tmp_path / "state.db")
    report = ingest_paths(store, [DATA], workers=0)
    assert report.sessions >= 4 and not report.errors
    return store


def fresh_facts(step: Step) -> list:
    """The facts of a step nothing was asked of yet (a new Step with the same tool and arguments)."""
    twin = Step(step.tool, dict(step.args), step.result, step.is_error)
    return [question(twin) for _, question in FACTS]


def test_facts_stored_at_ingest_are_what_the_normalizer_says_of_the_stored_steps(tmp_path):
    store = ingested(tmp_path)
    stale: list = []
    compared = 0
    for session in store.sessions():
        for step in store.steps(session.id, stale):
            assert [question(step) for _, question in FACTS] == fresh_facts(step), step
            compared += 1
    assert compared > 30 and stale == []
    # The real runs hold every kind of fact: test runs, edits by `sed -i`, files written by heredocs.
    steps = [step for session in store.sessions() for step in store.steps(session.id)]
    assert any(is_test_step(s) for s in steps) and any(changed_paths(s) for s in steps)
    assert any(creates_file(s) for s in steps) and "sed" in {shell_program(s) for s in steps}


def test_stored_facts_are_the_answers_of_the_questions_they_stand_for():
    step = Step("bash", {"command": "ls"})
    stored = f'["{FACTS_VERSION}", "shell:x", true, ["a.py"], true, "prog"]'
    assert seed_facts(step, stored)
    answers = (normalize_step(step), is_test_step(step), changed_paths(step), creates_file(step), shell_program(step))
    assert answers == ("shell:x", True, ("a.py",), True, "prog")
    # New arguments are a new question: the kept answers go.
    step.args = {"command": "pytest -x"}
    assert normalize_step(step) == "shell:pytest" and is_test_step(step) and shell_program(step) == "pytest"


def test_facts_of_another_version_are_derived_again_and_stored(tmp_path, monkeypatch):
    store = ingested(tmp_path)
    before = {s.id: [fresh_facts(step) for step in store.steps(s.id)] for s in store.sessions()}
    monkeypatch.setattr(step_facts, "FACTS_VERSION", "another-version")
    stale: list = []
    for session in store.sessions():
        store.steps(session.id, stale)
    assert len(stale) == sum(len(facts) for facts in before.values())
    sessions = load_sessions(store)  # mining's read: derives them again, and keeps them
    assert {s.id: [[q(step) for _, q in FACTS] for step in s.steps] for s in sessions} == before
    stale = []
    for session in store.sessions():
        store.steps(session.id, stale)
    assert stale == []
    assert all(encoded.startswith('["another-version"') for (encoded,) in store._db.execute("SELECT facts FROM steps"))


def test_unreadable_or_missing_facts_count_as_stale():
    for stored in (None, "", "not json", "[1, 2]", '{"a": 1}', f'["{FACTS_VERSION}"]'):
        assert not seed_facts(Step("bash", {"command": "ls"}), stored)


def test_lone_surrogates_in_a_fact_are_stored_and_read_back():
    step = Step("bash", {"command": "echo x > 'a\udc80.py'"})
    encoded = encoded_facts(step)
    twin = Step(step.tool, step.args)
    assert seed_facts(twin, encoded) and changed_paths(twin) == ("a\udc80.py",)


def test_facts_of_hostile_steps_hold_no_control_byte_and_no_secret(tmp_path):
    """Facts are derived from the step as stored, cleaned and redacted: a program name carrying an OSC title
    and a clear-screen, a file name carrying one, and every planted password stay out of the facts column."""
    traces = hostile_traces() + [
        Trace("Write the report", [bash(f"echo done > 'report{TITLE_AND_CLEAR}.txt'"), bash("pytest -q", "1 passed")])
    ]
    write_traces(tmp_path / "traces", traces)
    store = Store(tmp_path / "state.db")
    assert ingest_paths(store, [tmp_path / "traces"], workers=0).sessions == len(traces)
    facts = [encoded for (encoded,) in store._db.execute("SELECT facts FROM steps")]
    assert len(facts) > 100 and all(facts)
    written = " ".join(facts)
    for control in ("\x1b", "\x07"):  # as the byte, or as JSON escapes it
        assert control not in written and f"\\u{ord(control):04x}" not in written
    for secret in SECRETS.values():
        assert secret not in written
    assert "deploy-tool" in written and "report" in written  # what was run and written is still there

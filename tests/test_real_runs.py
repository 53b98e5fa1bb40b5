"""Grading, mining and harness rules on labelled real runs (../shared/corpora): what issue 13 asks of them.

The development set is 246 SWE-bench Verified runs of mini-swe-agent with the official verdict of each;
it is unpacked once per test session. The figures asserted are floors the project reached on it
(`bench/real_labels.py` prints them all); they guard against a change that quietly loses them.
"""

import json
import tarfile
from pathlib import Path

import pytest

from skillwarden.core.ingest.run import ingest_paths
from skillwarden.core.signals.labels import match_labels, read_label_file
from skillwarden.core.signals.normalize import is_generic
from skillwarden.core.workspace.config import load_config
from skillwarden.core.workspace.store import Store
from skillwarden.reviews.candidates import build_candidates, load_sessions

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "swebench-verified-mini-swe-agent"
SWE_AGENT = Path(__file__).resolve().parents[2] / "shared" / "traces" / "swe_agent" / "pydicom__pydicom-1458.traj"


def auc(scores, labels):
    positives = [score for score, resolved in zip(scores, labels, strict=True) if resolved]
    negatives = [score for score, resolved in zip(scores, labels, strict=True) if not resolved]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


@pytest.fixture(scope="module")
def development_set(tmp_path_factory):
    if not (CORPUS / "trajs.tar.xz").is_file():
        pytest.skip(f"needs the labelled corpus in {CORPUS} (CI checks out ../shared)")
    root = tmp_path_factory.mktemp("corpus")
    with tarfile.open(CORPUS / "trajs.tar.xz") as archive:
        archive.extractall(root, filter="data")
    home = tmp_path_factory.mktemp("workspace")
    config = load_config(home)
    store = Store(config.state_db)
    report = ingest_paths(store, [root], workers=0)
    built = build_candidates(store, config)
    sessions = load_sessions(store)
    stored = {s.id: s for s in store.sessions()}
    labels = match_labels(read_label_file(CORPUS / "labels.json"), sessions)
    store.close()
    return report, built, sessions, stored, labels


def test_every_run_is_read_as_one_session(development_set):
    report, _, sessions, _, labels = development_set
    assert report.errors == []
    assert len(sessions) == len(labels) == 246
    assert all(s.format == "swe_agent" and s.end_reason == "submitted" and s.patch_lines for s in sessions)


def test_the_grade_beats_every_single_signal_against_the_official_verdicts(development_set):
    _, _, sessions, stored, labels = development_set
    truth = [labels[s.id] for s in sessions]
    reward = auc([stored[s.id].reward for s in sessions], truth)
    fewer_steps = auc([-len(s.steps) for s in sessions], truth)
    fewer_errors = auc([-s.errors for s in sessions], truth)
    assert reward >= 0.70
    assert reward > fewer_steps and reward > fewer_errors


def test_skills_carry_concrete_commands_and_one_teaches_djangos_runtests(development_set):
    _, built, _, _, _ = development_set
    skills = [c for c in built["mining"] if c.kind == "skill"]
    assert len(skills) >= 5
    concrete = [c for c in skills if any(not is_generic(t) for t in c.details["tokens"])]
    assert len(concrete) >= 0.8 * len(skills)
    for skill in skills:
        example = skill.content.split("## Example", 1)[1]
        assert "\n1. `" in example and "``" not in example  # never an empty example
        assert "\n" not in skill.title and len(skill.title) <= 80
    django = [c for c in skills if "runtests.py" in c.content and c.details["project"] == "django/django"]
    assert django and django[0].title == "Run one Django test module with runtests.py"
    assert "./tests/runtests.py {test_module}" in django[0].content or "tests/runtests.py {test_module}" in (
        django[0].content
    )


def test_the_edit_linter_rejection_becomes_a_harness_candidate(tmp_path):
    """Three runs meeting SWE-agent's edit linter (copies of one real run, each its own session), graded
    as successes: the recurring rejection still becomes a rule."""
    if not SWE_AGENT.is_file():
        pytest.skip(f"needs {SWE_AGENT}")
    for n in range(3):
        folder = tmp_path / "runs" / f"model-{n}"
        folder.mkdir(parents=True)
        (folder / SWE_AGENT.name).write_bytes(SWE_AGENT.read_bytes())
    config = load_config(tmp_path / "ws")
    store = Store(config.state_db)
    ingest_paths(store, [tmp_path / "runs"], workers=0)
    assert {s.outcome for s in store.sessions()} <= {"succeeded", "unverified"}
    harness = build_candidates(store, config)["harness"]
    store.close()
    (rule,) = [c for c in harness if c.details["detector"] == "recurring-error"]
    assert rule.details["signature"].startswith("Your proposed edit has introduced new syntax error(s)")
    assert rule.support == 3
    # Said as what to do, not "Known recurring error …, stop and look for its cause".
    assert rule.title == "Correct a refused edit before sending it again"
    assert "never the same edit again" in rule.details["rule"]
    assert json.dumps(rule.provenance)

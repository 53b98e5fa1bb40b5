"""Mining recovers the generator's planted procedures (the matching rule is in bench/mining_quality.py).

Floors are what was measured on these corpora, so a change that loses a procedure or lets a
distractor through fails here: sizes 120 and 240, seeds 1-3, with variations (failure patterns,
inspection steps, one-off sessions, near misses) measured 100% recall and 100% precision.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from mining_quality import measure, planted_notation  # noqa: E402

RECALL_FLOOR = 1.0
PRECISION_FLOOR = 1.0


def test_planted_notation_matches_abstract_step():
    assert planted_notation("shell:git commit") == "Bash:git commit"
    assert planted_notation("edit:migration:.py") == "Edit:.py"
    assert planted_notation("read:pyproject.toml") == "Read:pyproject.toml"


@pytest.mark.parametrize(("sessions", "seed"), [(120, 1), (120, 3), (240, 2)])
def test_mining_recovers_the_planted_procedures_and_nothing_else(sessions, seed, tmp_path):
    quality = measure(sessions, seed, variations=True, workdir=tmp_path)
    assert quality.recall >= RECALL_FLOOR, quality
    assert quality.precision >= PRECISION_FLOOR, quality.unmatched


def test_the_planted_failure_patterns_are_detected(tmp_path):
    quality = measure(240, 3, variations=True, workdir=tmp_path)
    assert quality.failure_patterns == {
        "premature-completion", "user-rejection", "budget-limit", "edit-loop", "failing-command-loop"
    }  # fmt: skip


def test_the_plain_demo_corpus_is_mined_exactly(tmp_path):
    quality = measure(60, 7, variations=False, workdir=tmp_path)
    assert (quality.recall, quality.precision) == (1.0, 1.0), quality.unmatched

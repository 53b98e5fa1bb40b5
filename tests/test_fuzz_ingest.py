"""One bad file never stops the rest: a folder of mutated real lines, random bytes and file names that are
not UTF-8 (tests/fuzz.py, a fixed seed here; bench/fuzz_ingest.py runs many) is ingested and mined with
only per-file errors coming out, and the good transcript beside them stored."""

import pytest

from tests.fuzz import fuzz_round

SEED = 20240614


@pytest.mark.parametrize("workers", [0, 2], ids=["inline", "pool"])
def test_a_hostile_folder_gives_per_file_errors_only(tmp_path, workers):
    counts = fuzz_round(SEED, tmp_path, workers=workers)
    assert counts["errors"] > 0 and counts["sessions"] > 0

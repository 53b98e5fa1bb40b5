"""How ingest and mining grow with the corpus: 1, 2, ... N copies of a folder of real traces, each size
ingested into a fresh cache and mined, next to a bare `json.load` of the same bytes in the same run.

    .venv/bin/python bench/real_scaling.py --corpus DIR [--copies 4] [--workers N]

Copy k of a file is a copy under `copy-k/` in a scratch folder beside the corpus, so it is a run of its
own (a session id names its file) with the same content: the corpus grows, its mix does not. (Not a hard
link: a new path to a known inode is a moved file to the ingest.) Mining's minimum support is 3 per copy,
so the same procedures pass at every size (one run's habit, copied three times, is not a skill).

Each size is measured in a fresh process: in one process, the caches of the size before (the words of the
same tasks, the same commands' analyses) were warm for the next, and made the larger sizes look cheaper.

Per size it prints sessions, seconds for the bare loop, ingest and mining, and their ratio to the bare
loop; then, for each, the exponent b of time ~ size^b between the smallest and the largest size (1 is
linear; a cost recomputed per procedure over the whole corpus shows as b near 2).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.real_labels import bare_json_seconds, trace_files  # noqa: E402
from skillwarden.core.ingest.run import ingest_paths  # noqa: E402
from skillwarden.core.workspace.config import load_config  # noqa: E402
from skillwarden.core.workspace.store import Store  # noqa: E402
from skillwarden.reviews.candidates import build_candidates  # noqa: E402


def place_copy(files: list[Path], corpus: Path, target: Path) -> None:
    for path in files:
        destination = target / path.relative_to(corpus)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def measure(folder: Path, files: list[Path], workers: int | None, min_support: int) -> dict:
    bare, total_bytes = bare_json_seconds(files)
    with tempfile.TemporaryDirectory(prefix="sw-scale-home-") as home:
        config = load_config(Path(home))
        config = replace(config, min_support=min_support)
        store = Store(config.state_db)
        started = time.perf_counter()
        report = ingest_paths(store, [folder], workers=config.ingest_workers if workers is None else workers)
        ingest = time.perf_counter() - started
        started = time.perf_counter()
        candidates = build_candidates(store, config)
        mining = time.perf_counter() - started
        sessions = len(store.sessions())
        store.close()
    return {
        "files": len(files),
        "bytes": total_bytes,
        "sessions": sessions,
        "ingest_errors": len(report.errors),
        "candidates": len(candidates["mining"]) + len(candidates["harness"]),
        "bare_json_load": round(bare, 3),
        "ingest": round(ingest, 3),
        "mining": round(mining, 3),
        "ratio_to_bare": round((ingest + mining) / bare, 2) if bare else None,
        "ms_per_session": round(1000 * (ingest + mining) / sessions, 2) if sessions else None,
    }


def measured_in_a_fresh_process(folder: Path, workers: int | None, min_support: int) -> dict:
    command = [sys.executable, __file__, "--measure", str(folder), "--min-support", str(min_support)]
    if workers is not None:
        command += ["--workers", str(workers)]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def exponent(small: dict, large: dict, key: str) -> float | None:
    """b in time ~ size^b, from two sizes."""
    if not small[key] or not large[key] or large["sessions"] == small["sessions"]:
        return None
    return round(math.log(large[key] / small[key]) / math.log(large["sessions"] / small["sessions"]), 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--workers", type=int, default=None, help="ingest worker processes (default: config)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # one size, in this fresh process
    parser.add_argument("--min-support", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, trace_files(args.measure), args.workers, args.min_support)))
        return 0

    if args.corpus is None:
        parser.error("--corpus is required")
    corpus = args.corpus.resolve()
    files = trace_files(corpus)
    sizes = []
    with tempfile.TemporaryDirectory(prefix="sw-scale-", dir=corpus.parent) as scratch:
        folder = Path(scratch) / "corpus"
        for copy in range(1, args.copies + 1):
            place_copy(files, corpus, folder / f"copy-{copy}")
            sizes.append({"copies": copy, **measured_in_a_fresh_process(folder, args.workers, 3 * copy)})
    out = {
        "sizes": sizes,
        "growth_exponent": {
            key: exponent(sizes[0], sizes[-1], key) for key in ("bare_json_load", "ingest", "mining")
        },
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

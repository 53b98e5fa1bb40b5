"""Fuzz ingest and mining with many seeds: each seed writes a folder of hostile files (tests/fuzz.py: mutated
real lines, deep nesting, lone surrogates, random bytes, names that are not UTF-8) beside a good transcript,
then ingests and mines it in a new workspace. A round fails if anything but per-file errors comes out.

    python bench/fuzz_ingest.py --seeds 200
    python bench/fuzz_ingest.py --seeds 50 --start 1000 --workers 2

Prints the rounds that failed (seed and traceback: rerun one with --start SEED --seeds 1), how many files
gave which kind of error, and how many files no parser could handle (the ingest's last-resort catch: each is
a parser bug worth fixing, though it never stopped an ingest). Exits 1 if a round failed.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz import fuzz_round  # noqa: E402

LAST_RESORT = re.compile(r"^skipped: the file could not be parsed \((\w+)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=100, help="how many rounds")
    parser.add_argument("--start", type=int, default=0, help="the first seed")
    parser.add_argument("--workers", type=int, default=0, help="ingest worker processes (0: read inline)")
    args = parser.parse_args(argv)
    failures: list[tuple[int, str]] = []
    kinds: collections.Counter[str] = collections.Counter()
    last_resort: collections.Counter[str] = collections.Counter()
    files = errors = 0
    started = time.perf_counter()
    for seed in range(args.start, args.start + args.seeds):
        with tempfile.TemporaryDirectory(prefix="skillwarden-fuzz-", dir="/tmp") as scratch:
            try:
                counts = fuzz_round(seed, Path(scratch), workers=args.workers)
            except Exception:  # a failed round is what this bench looks for: report it and go on
                failures.append((seed, traceback.format_exc()))
                continue
        files += counts["files"]
        errors += counts["errors"]
        for message in counts["messages"]:
            kinds[message.split(":")[0] if not message.startswith("FILE") else message.split(";")[0]] += 1
            if match := LAST_RESORT.match(message):
                last_resort[match.group(1)] += 1
    seconds = time.perf_counter() - started
    for seed, text in failures:
        print(f"--- seed {seed} failed:\n{text}")
    print(f"{args.seeds} rounds (seeds {args.start}..{args.start + args.seeds - 1}, workers {args.workers}) in "
          f"{seconds:.1f}s: {len(failures)} failed; {files} files, {errors} per-file errors")  # fmt: skip
    for kind, count in kinds.most_common(8):
        print(f"  {count:>6}  {kind}")
    print(f"files no parser handled (caught as a last resort): {sum(last_resort.values())} {dict(last_resort)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Dedup of many candidates: time and peak memory of `core.mining.dedup.similar_pairs` + `clusters`.

    .venv/bin/python bench/dedup.py [--candidates 50000] [--seed 1]

Candidates are generated procedure texts: a quarter are light rewordings of another one (these
should merge), the rest are distinct. Peak memory is the process's maximum resident set size
(ru_maxrss), which must grow linearly with the number of candidates, not quadratically.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skillwarden.core.mining.dedup import DEFAULT_THRESHOLD, clusters, similar_pairs  # noqa: E402

VERBS = ("run", "read", "edit", "create", "call")
THINGS = ("pytest", "ruff check", "git commit", "git tag", "pip install", "alembic upgrade", "npm test",
          "cargo build", "the .py file", "pyproject.toml", "CHANGELOG.md", "the test .py file", "docker build",
          "make", "go test")  # fmt: skip
WORDS = ("fix", "failing", "test", "add", "dependency", "release", "version", "lint", "migration", "column",
         "deploy", "service", "docs", "cache", "retry", "timeout", "schema", "export", "import", "billing")  # fmt: skip


def procedure_text(rng: random.Random) -> str:
    steps = ", ".join(f"{rng.choice(VERBS)} {rng.choice(THINGS)}" for _ in range(rng.randint(3, 7)))
    trigger = " ".join(rng.sample(WORDS, rng.randint(2, 4)))
    return f"Use when the task is to {trigger}. Procedure: {steps}."


def reworded(text: str, rng: random.Random) -> str:
    return text.replace("Use when", rng.choice(("Use when", "Apply when", "Use it when"))).rstrip(".") + rng.choice(
        ("", ".", " then stop.")
    )


def corpus(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts: list[str] = []
    while len(texts) < count:
        texts.append(reworded(rng.choice(texts), rng) if texts and rng.random() < 0.25 else procedure_text(rng))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args()
    texts = corpus(args.candidates, args.seed)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    pairs = similar_pairs(texts, args.threshold)
    groups = clusters(len(texts), pairs)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"candidates: {len(texts)}  threshold: {args.threshold}")
    print(f"similar pairs: {len(pairs)}  groups after merging: {len(groups)}")
    print(f"time: {elapsed:.1f} s  peak RSS: {peak / 1024:.0f} MiB (before: {before / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()

"""Recall and precision of mining against the procedures the generator plants.

    .venv/bin/python bench/mining_quality.py [--sizes 60 120 240] [--seeds 1 2 3] [--plain]

For each size and seed it generates a corpus (`generate_corpus(..., variations=True)` unless
`--plain`), ingests it into a fresh cache, builds the candidates exactly as the review queue does, and
compares the skill candidates with `PLANTED_PROCEDURES`.

Matching rule: a mined candidate matches a planted procedure when its token sequence, written in the
generator's `abstract_step` notation (`planted_notation`), equals the planted signature exactly.
Recall = planted procedures matched / planted; precision = candidates that match a planted procedure /
candidates. A planted procedure matched by two candidates counts once for recall, and the second
candidate counts against precision (it is a redundant candidate).

It also reports which failure patterns the harness detectors found (`FAILURE_PATTERNS`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skillwarden.core.demo.procedures import PLANTED_PROCEDURES  # noqa: E402
from skillwarden.core.demo.traces import generate_corpus  # noqa: E402
from skillwarden.core.demo.variations import FAILURE_PATTERNS  # noqa: E402
from skillwarden.core.ingest.run import ingest_paths  # noqa: E402
from skillwarden.core.signals.normalize import file_extension  # noqa: E402
from skillwarden.core.workspace.config import Config  # noqa: E402
from skillwarden.core.workspace.store import Store  # noqa: E402
from skillwarden.reviews.candidates import build_candidates  # noqa: E402

TOOL_NAMES = {"shell": "Bash", "read": "Read", "edit": "Edit", "write": "Write"}


def planted_notation(token: str) -> str:
    """`shell:git commit` -> `Bash:git commit`; `edit:test:.py` -> `Edit:.py`; `read:pyproject.toml` stays named."""
    kind, _, what = token.partition(":")
    tool = TOOL_NAMES.get(kind, kind)
    return f"{tool}:{what}" if kind == "shell" else f"{tool}:{file_extension(what)}"


@dataclass
class Quality:
    planted: int
    candidates: int
    matched_planted: int
    matching_candidates: int
    unmatched: list[tuple[str, ...]]
    failure_patterns: set[str]

    @property
    def recall(self) -> float:
        return self.matched_planted / self.planted

    @property
    def precision(self) -> float:
        return self.matching_candidates / self.candidates if self.candidates else 1.0


def measure(sessions: int, seed: int, *, variations: bool = True, workdir: Path | None = None) -> Quality:
    with tempfile.TemporaryDirectory(dir=workdir) as raw:
        home = Path(raw)
        generate_corpus(home / "traces", sessions=sessions, seed=seed, variations=variations)
        store = Store(home / "state.db")
        try:
            ingest_paths(store, [home / "traces"])
            built = build_candidates(store, Config(home=home, skills_repo=home / "skills-repo"))
        finally:
            store.close()
    signatures = {procedure.steps for procedure in PLANTED_PROCEDURES}
    mined = [tuple(planted_notation(t) for t in c.details["tokens"]) for c in built["mining"]]
    matched = {m for m in mined if m in signatures}
    first_matches = len({m for m in mined if m in signatures})
    return Quality(
        planted=len(signatures),
        candidates=len(mined),
        matched_planted=len(matched),
        matching_candidates=first_matches,
        unmatched=[m for m in mined if m not in signatures],
        failure_patterns={c.details["detector"] for c in built["harness"]} & set(FAILURE_PATTERNS),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 120, 240])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--plain", action="store_true", help="the corpus without variations")
    args = parser.parse_args()
    totals = [0, 0, 0, 0]
    for size in args.sizes:
        for seed in args.seeds:
            q = measure(size, seed, variations=not args.plain)
            totals = [
                a + b
                for a, b in zip(
                    totals, (q.planted, q.candidates, q.matched_planted, q.matching_candidates), strict=True
                )
            ]
            print(
                f"sessions {size:>4} seed {seed}: recall {q.recall:6.1%}  precision {q.precision:6.1%}  "
                f"({q.candidates} candidates)  failure patterns found: {', '.join(sorted(q.failure_patterns)) or '-'}"
            )
            for extra in q.unmatched:
                print(f"    unmatched: {' -> '.join(extra)}")
    planted, candidates, matched, matching = totals
    print(f"overall: recall {matched / planted:.1%}  precision {matching / candidates if candidates else 1:.1%}")


if __name__ == "__main__":
    main()

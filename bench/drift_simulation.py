"""Validate drift detection by simulation: detection delay and false-eviction rate.

Many skills each get a stream of sessions. A session succeeds with the skill's true success rate and
gets a graded reward like real ones: its score (uniform in [0.35, 0.75], where 90% of the labelled real
runs' scores lie) placed in its outcome's band (`core.signals.reward.WEIGHTS`: a success 0.50-1.00, so
0.68-0.88; a failure 0-0.10, so 0.035-0.075). Half the skills are stable; the other half drop by
`--drop` at a known use, uniformly between 25% and 75% of the stream. The drift check
(`skills.drift.success_drop`) runs after every use, as it does on every `skillwarden stats`. Reported:

- false-eviction rate: stable skills ever flagged, plus drifting skills flagged before their drop,
  over all skills that could be falsely flagged;
- detection rate and delay: drifting skills flagged after their drop, and how many uses after it.

Run: `.venv/bin/python -m bench.drift_simulation [--skills 400] [--uses 200] [--drop 0.3] [--seed 1]`
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import asdict

import numpy as np

from skillwarden.core.signals.reward import WEIGHTS
from skillwarden.core.workspace.settings import DriftParams
from skillwarden.skills.drift import DEFAULT_PARAMS, first_detection

SCORES = (0.35, 0.75)


def graded_rewards(rng: np.random.Generator, success_rates: np.ndarray) -> list[float]:
    successes = rng.random(len(success_rates)) < success_rates
    scores = rng.uniform(*SCORES, len(success_rates))
    (succeeded_low, succeeded_high), (failed_low, failed_high) = WEIGHTS.succeeded, WEIGHTS.failed
    rewards = np.where(
        successes,
        succeeded_low + (succeeded_high - succeeded_low) * scores,
        failed_low + (failed_high - failed_low) * scores,
    )
    return rewards.tolist()


def simulate(skills: int, uses: int, drop: float, seed: int, params: DriftParams) -> dict:
    rng = np.random.default_rng(seed)
    false_flags, false_exposed = 0, 0
    delays: list[int] = []
    missed = 0
    for index in range(skills):
        base = rng.uniform(0.6, 0.95)
        rates = np.full(uses, base)
        drifting = index % 2 == 1
        change = int(rng.integers(uses // 4, 3 * uses // 4)) if drifting else uses
        rates[change:] = max(0.0, base - drop)
        detected = first_detection(graded_rewards(rng, rates), params)
        false_exposed += 1
        if detected is not None and detected <= change:
            false_flags += 1
        elif drifting and detected is None:
            missed += 1
        elif drifting:
            delays.append(detected - change)
    drifting_skills = skills // 2
    return {
        "skills": skills,
        "uses_per_skill": uses,
        "drop": drop,
        "seed": seed,
        "params": asdict(params),
        "false_eviction_rate": false_flags / false_exposed,
        "detection_rate": len(delays) / drifting_skills,
        "missed": missed,
        "delay_median": statistics.median(delays) if delays else None,
        "delay_p90": round(float(np.percentile(delays, 90)), 1) if delays else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skills", type=int, default=400)
    parser.add_argument("--uses", type=int, default=200)
    parser.add_argument("--drop", type=float, nargs="+", default=[0.2, 0.3, 0.4])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--window", type=int, default=DEFAULT_PARAMS.window)
    parser.add_argument("--min-uses", type=int, default=DEFAULT_PARAMS.min_uses)
    parser.add_argument("--threshold", type=float, default=DEFAULT_PARAMS.threshold)
    args = parser.parse_args(argv)
    params = DriftParams(window=args.window, min_uses=args.min_uses, threshold=args.threshold)
    print(f"drift simulation: {args.skills} skills (half drifting), {args.uses} uses each, seed {args.seed}, "
          f"window {params.window}, min uses {params.min_uses}, threshold {params.threshold}")  # fmt: skip
    print(f"{'drop':>5}  {'false evictions':>15}  {'detected':>8}  {'delay median':>12}  {'delay p90':>9}")
    for drop in args.drop:
        result = simulate(args.skills, args.uses, drop, args.seed, params)
        print(f"{drop:>5.2f}  {result['false_eviction_rate']:>15.1%}  {result['detection_rate']:>8.1%}  "
              f"{result['delay_median']!s:>12}  {result['delay_p90']!s:>9}")  # fmt: skip


if __name__ == "__main__":
    main()

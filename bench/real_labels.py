"""Grading and mining checked against ground truth on labelled real runs.

    .venv/bin/python bench/real_labels.py --corpus DIR --labels FILE [--under DIR] [--min-support N]

Ingests every trace under DIR into a fresh cache, builds the candidates as the review queue does, and
compares with the labels (`{instance_id: resolved}`, or any file `skillwarden outcomes import` reads).
Labels are matched to sessions by session id, trace file name without its suffixes, or the task id the
trace names. The grader never sees the labels here: they are used only to score it.

It prints:
- reward AUC against the labels, beside the AUC of single signals as baselines (fewer steps, fewer
  tool errors, ran tests, last test run passed), and how each grading signal moves the AUC when it is
  left out (`signal_ablation`);
- the confusion matrix of the graded outcome against the label;
- the skill and harness candidates, and for each skill the resolution rate of its evidence sessions
  against the base rate;
- `eval`'s fix and regression precision (with its random and chance baselines), checked once against
  the grades and once against the labels, as `skillwarden outcomes import` would make it;
- time: ingest and mining against a bare `json.load` of the same bytes (with `--workers 0`, all in one
  process, also the ratio they would have if both were spread perfectly over every core), measured `--repeat` times in
  turn, each round but the last (this process's) in a fresh process (so no round finds the caches of
  the one before it warm) and each ingest into a fresh cache; the best of each and their ratio, beside every
  round (a 0.15 s loop read once swung from 0.15 s to 0.28 s between runs in one hour, and the ratio with it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skillwarden.core.ingest.pool import default_workers  # noqa: E402
from skillwarden.core.ingest.run import ingest_paths  # noqa: E402
from skillwarden.core.signals.labels import match_labels, read_label_file  # noqa: E402
from skillwarden.core.signals.reward import WEIGHTS, grade, grading_signals, last_test_result  # noqa: E402
from skillwarden.core.workspace.config import load_config  # noqa: E402
from skillwarden.core.workspace.store import Store  # noqa: E402
from skillwarden.reviews.candidates import build_candidates, evaluate_store, load_sessions  # noqa: E402


def auc(scores: list[float], labels: list[bool]) -> float:
    """Probability that a random resolved run scores above a random unresolved one (ties count half)."""
    ranked = sorted(zip(scores, labels, strict=True), key=lambda pair: pair[0])
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum = 0.0
    index = 0
    while index < len(ranked):
        end = index
        while end + 1 < len(ranked) and ranked[end + 1][0] == ranked[index][0]:
            end += 1
        average_rank = (index + end) / 2 + 1
        rank_sum += average_rank * sum(1 for _, label in ranked[index : end + 1] if label)
        index = end + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def bare_json_seconds(paths: list[Path]) -> tuple[float, int]:
    """Seconds to read and `json.loads` the files, and their bytes. They are read once before, untimed: the
    ingest measured after finds them in the page cache, and a cold first read would slow the baseline alone
    (6.1x where a warm one gives 10.3x on one machine in one hour)."""
    for path in paths:
        path.read_bytes()
    started = time.perf_counter()
    total = 0
    for path in paths:
        data = path.read_bytes()
        total += len(data)
        try:
            if path.suffix == ".jsonl":
                for line in data.splitlines():
                    if line.strip():
                        json.loads(line)
            else:
                json.loads(data)
        except ValueError:  # a file that is no JSON (the ingest reports it as an error and goes on)
            continue
    return time.perf_counter() - started, total


def ingest_and_mine(store: Store, config, corpus: Path, workers: int | None) -> tuple:
    """(ingest report, candidates, ingest seconds, mining seconds) of the corpus read into `store`."""
    started = time.perf_counter()
    report = ingest_paths(store, [corpus], workers=config.ingest_workers if workers is None else workers)
    ingested = time.perf_counter()
    candidates = build_candidates(store, config)
    return report, candidates, ingested - started, time.perf_counter() - ingested


def timed_round(corpus: Path, files: list[Path], min_support: int, workers: int | None) -> tuple[float, float, float]:
    """(bare loop, ingest, mining) seconds of one round, the ingest into a fresh cache."""
    bare, _ = bare_json_seconds(files)
    with tempfile.TemporaryDirectory(prefix="sw-real-") as home:
        config = replace(load_config(Path(home)), min_support=min_support)
        store = Store(config.state_db)
        _, _, ingest_seconds, mining_seconds = ingest_and_mine(store, config, corpus, workers)
        store.close()
    return bare, ingest_seconds, mining_seconds


def round_in_a_fresh_process(args: argparse.Namespace) -> tuple[float, float, float]:
    command = [sys.executable, __file__, "--one-round", "--corpus", str(args.corpus),
               "--min-support", str(args.min_support)]  # fmt: skip
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    bare, ingest, mining = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    return bare, ingest, mining


def trace_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.name.endswith((".traj", ".json", ".jsonl")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True, type=Path)
    parser.add_argument("--labels", type=Path, help="a label file for the whole corpus")
    parser.add_argument("--under", type=Path, help="the --labels apply only to traces under this folder")
    parser.add_argument(
        "--label-set",
        nargs=2,
        action="append",
        default=[],
        metavar=("FILE", "DIR"),
        help="a label file for the traces under DIR (repeat for each model's folder)",
    )
    parser.add_argument("--min-support", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="ingest worker processes (default: config)")
    parser.add_argument("--skills", action="store_true", help="print every skill candidate's text")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of timing, the best of each kept (default 3)")
    parser.add_argument("--one-round", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    files = trace_files(args.corpus)
    if args.one_round:  # a round of timing in this fresh process, for the one that started it
        print(json.dumps(timed_round(args.corpus, files, args.min_support, args.workers)))
        return 0
    rounds = [round_in_a_fresh_process(args) for _ in range(args.repeat - 1)]
    bare, total_bytes = bare_json_seconds(files)
    with tempfile.TemporaryDirectory(prefix="sw-real-") as home:
        config = replace(load_config(Path(home)), min_support=args.min_support)
        store = Store(config.state_db)
        report, candidates, ingest_seconds, mining_seconds = ingest_and_mine(store, config, args.corpus, args.workers)
        sessions = load_sessions(store)
        stored = {s.id: s for s in store.sessions()}
        label_list = read_label_file(args.labels, under=args.under) if args.labels else []
        for file, folder in args.label_set:
            label_list += read_label_file(Path(file), under=Path(folder))
        labels = match_labels(label_list, sessions)
        graded_eval = evaluate_store(store, config)
        store.replace_labels(label_list)  # what `outcomes import` does: the labels now settle the outcomes
        labelled_eval = evaluate_store(store, config)
        store.close()

    labelled = [s for s in sessions if s.id in labels]
    truth = [labels[s.id] for s in labelled]
    resolved = sum(truth)
    out: dict = {
        "files": len(files),
        "bytes": total_bytes,
        "sessions": len(sessions),
        "ingest_errors": len(report.errors),
        "labelled_sessions": len(labelled),
        "resolved": resolved,
        "base_rate": round(resolved / len(labelled), 4) if labelled else None,
    }
    rewards = [stored[s.id].reward for s in labelled]
    signals = {
        "fewer steps": [-len(s.steps) for s in labelled],
        "fewer tool errors": [-s.errors for s in labelled],
        "ran tests": [float(last_test_result(s.steps) is not None) for s in labelled],
        "last test run passed": [float(last_test_result(s.steps) is True) for s in labelled],
    }
    out["reward_auc"] = round(auc(rewards, truth), 4)
    out["baseline_auc"] = {name: round(auc(values, truth), 4) for name, values in signals.items()}
    ablation = {}
    claims = [replace(s, outcome=s.claimed_outcome or s.outcome) for s in labelled]
    regraded = [grade(s).reward for s in claims]
    out["regraded_auc"] = round(auc(regraded, truth), 4)  # the stored grade, recomputed: must equal reward_auc
    for signal in grading_signals():
        weights = WEIGHTS.without(signal)
        ablated = [grade(s, weights).reward for s in claims]
        ablation[signal] = round(auc(ablated, truth) - out["reward_auc"], 4) + 0.0  # no "-0.0"
    out["signal_ablation"] = dict(sorted(ablation.items(), key=lambda item: item[1]))
    confusion = Counter((stored[s.id].outcome, "resolved" if labels[s.id] else "unresolved") for s in labelled)
    out["confusion"] = {f"{outcome} / {label}": n for (outcome, label), n in sorted(confusion.items())}

    skills = [c for c in candidates["mining"] if c.kind in ("skill", "refinement")]
    harness = candidates["harness"]
    base = out["base_rate"] or 0.0
    out["skill_candidates"] = len(skills)
    out["harness_candidates"] = len(harness)
    rows = []
    for candidate in skills:
        evidence = [labels[sid] for sid in candidate.evidence if sid in labels]
        rows.append({
            "title": candidate.title,
            "support": candidate.support,
            "evidence_resolved": f"{sum(evidence)}/{len(evidence)}",
            "evidence_rate": round(sum(evidence) / len(evidence), 3) if evidence else None,
            "base_rate": round(base, 3),
        })  # fmt: skip
    out["skills"] = rows
    out["harness"] = []
    for candidate in harness:
        evidence = [labels[sid] for sid in candidate.evidence if sid in labels]
        out["harness"].append({
            "title": candidate.title,
            "support": candidate.support,
            "evidence_resolved": f"{sum(evidence)}/{len(evidence)}",
        })  # fmt: skip
    keys = ("fix_precision", "random_fix_precision", "chance_fix_precision", "regression_precision",
            "random_regression_precision", "chance_regression_precision", "fix_predictions", "checked_against")
    out["eval_against_grades"] = {key: graded_eval.get(key) for key in keys}
    out["eval_against_labels"] = {key: labelled_eval.get(key) for key in keys}
    rounds.append((bare, ingest_seconds, mining_seconds))
    best_bare, best_ingest, best_mining = (min(times) for times in zip(*rounds, strict=True))
    out["seconds"] = {
        "bare_json_load": round(best_bare, 3),
        "ingest": round(best_ingest, 3),
        "mining": round(best_mining, 3),
        "ratio_to_bare": round((best_ingest + best_mining) / best_bare, 2) if best_bare else None,
        "rounds": [[round(t, 3) for t in times] for times in rounds],
    }
    if args.workers == 0 and best_bare:
        # All in this one process: the ratio if ingest and mining were both spread perfectly over every core,
        # a bound no pool can beat without doing less work.
        cores = default_workers()
        spread = (best_ingest + best_mining) / cores
        out["seconds"][f"ratio_if_spread_over_{cores}_cores"] = round(spread / best_bare, 2)
    print(json.dumps(out, indent=2))
    if args.skills:
        for candidate in skills:
            print("\n" + "=" * 100 + "\n" + candidate.content)
    return 0


if __name__ == "__main__":
    sys.exit(main())

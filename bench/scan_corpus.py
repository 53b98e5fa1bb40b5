"""Detection quality and speed of the skill scanner on a labelled corpus of skill folders.

    python bench/scan_corpus.py DIR [--list]

DIR holds labelled subfolders, each holding one folder per skill: `DIR/malicious*/<skill>/` are skills that
should be flagged, `DIR/benign*/<skill>/` skills that should not (e.g. DIR/malicious, DIR/benign-public).
Each skill folder is scanned whole, as `skillwarden scan` does. For each labelled subfolder it prints how
many skills were flagged (verdict caution or dangerous: not safe), how many were dangerous, and the time;
for malicious subfolders the flagged share is the recall, for benign ones the false-positive rate.
--list also prints each skill's verdict and the rules that decided it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from skillwarden.core.scan import SEVERITY_RANK, Severity, Verdict, scan_folder

LABELS = ("malicious", "benign")


def deciding_rules(report) -> list[str]:
    """The rules at the report's highest severity: why it got its verdict."""
    if not report.findings:
        return []
    top = max(SEVERITY_RANK[f.severity] for f in report.findings)
    if top == SEVERITY_RANK[Severity.LOW]:
        return []
    return sorted({f"{f.rule}@{f.file or '-'}:{f.line}" for f in report.findings if SEVERITY_RANK[f.severity] == top})


def bench_subfolder(folder: Path, *, show: bool) -> tuple[int, int, int, float]:
    skills = sorted(path for path in folder.iterdir() if path.is_dir())
    flagged = dangerous = 0
    start = time.perf_counter()
    for skill in skills:
        report = scan_folder(skill)
        flagged += report.verdict != Verdict.SAFE
        dangerous += report.verdict == Verdict.DANGEROUS
        if show:
            print(f"    {report.verdict:<9} {skill.name}  {' '.join(deciding_rules(report))[:220]}")
    return len(skills), flagged, dangerous, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, metavar="DIR")
    parser.add_argument("--list", action="store_true", help="print each skill's verdict and deciding rules")
    args = parser.parse_args(argv)
    subfolders = sorted(p for p in args.corpus.iterdir() if p.is_dir() and p.name.startswith(LABELS)) if (
        args.corpus.is_dir()) else []  # fmt: skip
    if not subfolders:
        print(f"scan_corpus: no malicious*/ or benign*/ subfolder in {args.corpus}", file=sys.stderr)
        return 2
    header = ("subfolder", "skills", "flagged", "dangerous", "measure", "time", "per skill")
    print("{:<28} {:>6} {:>12} {:>10} {:>22} {:>8} {:>10}".format(*header))
    total_time = 0.0
    for folder in subfolders:
        if args.list:
            print(f"  {folder.name}:")
        count, flagged, dangerous, seconds = bench_subfolder(folder, show=args.list)
        total_time += seconds
        share = flagged / count if count else 0.0
        measure = f"recall {share:.0%}" if folder.name.startswith("malicious") else f"false positives {share:.0%}"
        print(
            f"{folder.name:<28} {count:>6} {flagged:>5} ({share:>4.0%}) {dangerous:>10} {measure:>22} "
            f"{seconds:>7.2f}s {1000 * seconds / max(count, 1):>8.0f}ms"
        )
    print(f"total time {total_time:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

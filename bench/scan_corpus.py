"""Detection quality and speed of the skill scanner on a labelled corpus of skill folders.

    python bench/scan_corpus.py DIR [--list] [--baseline] [--auditor PATH --cisco PATH]

DIR holds labelled subfolders, each holding one folder per skill: `DIR/malicious*/<skill>/` are skills that
should be flagged, `DIR/benign*/<skill>/` skills that should not (e.g. DIR/malicious, DIR/benign-public).
Each skill folder is scanned whole, as `skillwarden scan` does. For each labelled subfolder it prints how
many skills were flagged (verdict caution or dangerous: not safe), how many were dangerous, how many made
the scanner raise, and the time; for malicious subfolders the flagged share is the recall, for benign ones
the false-positive rate. --list also prints each skill's verdict and the rules that decided it.
--baseline also scans every folder with the line rules' gates off (every rule on every line, as the
scanner did before gates), in the same process, and prints the time ratio.

--auditor and --cisco run the two peer scanners, installed apart (e.g. `python -m venv /tmp/peers &&
/tmp/peers/bin/pip install skill-auditor cisco-ai-skill-scanner`, never this project's dependencies), on the
same subfolders: skill-auditor once per skill folder (`scan DIR --format json --no-cache`; flagged = a
verdict other than SAFE_TO_INSTALL; a run that gives no verdict is an error, not flagged),
cisco-ai-skill-scanner once per labelled subfolder (`scan-all DIR --format json`; flagged = is_safe false).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from skillwarden.core.security.scan import SEVERITY_RANK, Severity, Verdict, scan_folder
from skillwarden.core.security.scan import text as scan_text_module
from skillwarden.core.security.scan.lines import LineRules, line_hits

LABELS = ("malicious", "benign")


def deciding_rules(report) -> list[str]:
    """The rules at the report's highest severity: why it got its verdict."""
    if not report.findings:
        return []
    top = max(SEVERITY_RANK[f.severity] for f in report.findings)
    if top == SEVERITY_RANK[Severity.LOW]:
        return []
    return sorted({f"{f.rule}@{f.file or '-'}:{f.line}" for f in report.findings if SEVERITY_RANK[f.severity] == top})


class UngatedRules(LineRules):
    """Every line rule on every line: the scan without gates, for the baseline timing."""

    @classmethod
    def for_text(cls, lowered: str) -> LineRules:
        return cls((), ())

    def hits(self, line: str):
        return line_hits(line)


@contextmanager
def gates_off() -> Iterator[None]:
    saved = scan_text_module.LineRules
    scan_text_module.LineRules = UngatedRules
    try:
        yield
    finally:
        scan_text_module.LineRules = saved


def bench_subfolder(folder: Path, *, show: bool) -> tuple[int, int, int, int, float]:
    skills = sorted(path for path in folder.iterdir() if path.is_dir())
    flagged = dangerous = errors = 0
    start = time.perf_counter()
    for skill in skills:
        try:
            report = scan_folder(skill)
        except Exception as error:  # noqa: BLE001 - counted and shown: the scanner must never raise
            errors += 1
            print(f"    ERROR     {skill.name}  {type(error).__name__}: {error}"[:240])
            continue
        flagged += report.verdict != Verdict.SAFE
        dangerous += report.verdict == Verdict.DANGEROUS
        if show:
            print(f"    {report.verdict:<9} {skill.name}  {' '.join(deciding_rules(report))[:220]}")
    return len(skills), flagged, dangerous, errors, time.perf_counter() - start


def time_subfolder(folder: Path) -> float:
    start = time.perf_counter()
    for skill in sorted(path for path in folder.iterdir() if path.is_dir()):
        scan_folder(skill)
    return time.perf_counter() - start


PEER_TIMEOUT = 3600


def auditor_verdict(auditor: str, skill: Path) -> str:
    run = subprocess.run([auditor, "scan", str(skill), "--format", "json", "--no-cache"],
                         capture_output=True, text=True, timeout=PEER_TIMEOUT)  # fmt: skip
    try:
        return str(json.loads(run.stdout)["verdict"])
    except (ValueError, KeyError, TypeError):
        return "ERROR"


def cisco_flags(cisco: str, folder: Path) -> dict[str, bool]:
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "cisco.json"
        subprocess.run([cisco, "scan-all", str(folder), "--format", "json", "--output", str(output)],
                       capture_output=True, text=True, timeout=PEER_TIMEOUT)  # fmt: skip
        try:
            data = json.loads(output.read_text())
        except (OSError, ValueError):
            return {}
    rows = data.get("results", []) if isinstance(data, dict) else data
    return {Path(row["skill_path"]).name: row.get("is_safe") is False for row in rows if "skill_path" in row}


def peers_line(folder: Path, auditor: str, cisco: str) -> tuple[str, float, float]:
    """The peers' figures on one subfolder, and their times."""
    skills = sorted(path for path in folder.iterdir() if path.is_dir())
    start = time.perf_counter()
    verdicts = [auditor_verdict(auditor, skill) for skill in skills]
    auditor_seconds = time.perf_counter() - start
    start = time.perf_counter()
    flags = cisco_flags(cisco, folder)
    cisco_seconds = time.perf_counter() - start
    count = max(len(skills), 1)
    errors = verdicts.count("ERROR")
    flagged = sum(verdict not in ("SAFE_TO_INSTALL", "ERROR") for verdict in verdicts)
    line = (
        f"{'':<24} skill-auditor {flagged:>4} ({flagged / count:4.0%}, {errors} errors) {auditor_seconds:7.1f}s"
        f" | cisco {sum(flags.values()):>4} ({sum(flags.values()) / count:4.0%}, "
        f"{len(skills) - len(flags)} without a result) {cisco_seconds:7.1f}s"
    )
    return line, auditor_seconds, cisco_seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, metavar="DIR")
    parser.add_argument("--list", action="store_true", help="print each skill's verdict and deciding rules")
    parser.add_argument("--baseline", action="store_true", help="also time the scan with the gates off")
    parser.add_argument("--auditor", metavar="PATH", help="also run skill-auditor (its command) on each subfolder")
    parser.add_argument("--cisco", metavar="PATH", help="also run cisco-ai-skill-scanner's skill-scanner command")
    args = parser.parse_args(argv)
    subfolders = sorted(p for p in args.corpus.iterdir() if p.is_dir() and p.name.startswith(LABELS)) if (
        args.corpus.is_dir()) else []  # fmt: skip
    if not subfolders:
        print(f"scan_corpus: no malicious*/ or benign*/ subfolder in {args.corpus}", file=sys.stderr)
        return 2
    header = ("subfolder", "skills", "flagged", "dangerous", "errors", "measure", "time", "per skill")
    columns = "{:<24} {:>6} {:>12} {:>9} {:>6} {:>22} {:>8} {:>9}".format(*header)
    print(columns + ("   ungated" if args.baseline else ""))
    if bool(args.auditor) != bool(args.cisco):
        print("scan_corpus: --auditor and --cisco go together", file=sys.stderr)
        return 2
    total_time = total_baseline = total_auditor = total_cisco = 0.0
    for folder in subfolders:
        if args.list:
            print(f"  {folder.name}:")
        count, flagged, dangerous, errors, seconds = bench_subfolder(folder, show=args.list)
        total_time += seconds
        share = flagged / count if count else 0.0
        measure = f"recall {share:.0%}" if folder.name.startswith("malicious") else f"false positives {share:.0%}"
        line = (
            f"{folder.name:<24} {count:>6} {flagged:>5} ({share:>4.0%}) {dangerous:>9} {errors:>6} {measure:>22} "
            f"{seconds:>7.2f}s {1000 * seconds / max(count, 1):>7.0f}ms"
        )
        if args.baseline:
            with gates_off():
                baseline = time_subfolder(folder)
            total_baseline += baseline
            line += f"   {baseline:>7.2f}s ({baseline / max(seconds, 1e-9):.1f}x)"
        print(line, flush=True)
        if args.auditor:
            peers, auditor_seconds, cisco_seconds = peers_line(folder, args.auditor, args.cisco)
            total_auditor, total_cisco = total_auditor + auditor_seconds, total_cisco + cisco_seconds
            print(peers, flush=True)
    print(f"total time {total_time:.2f}s", end="")
    if args.baseline:
        ratio = total_baseline / max(total_time, 1e-9)
        print(f"; with the gates off {total_baseline:.2f}s: {ratio:.1f}x slower", end="")
    if args.auditor:
        print(f"; skill-auditor {total_auditor:.1f}s ({total_auditor / max(total_time, 1e-9):.1f}x), "
              f"cisco {total_cisco:.1f}s ({total_cisco / max(total_time, 1e-9):.1f}x)", end="")  # fmt: skip
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

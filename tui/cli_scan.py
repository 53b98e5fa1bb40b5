"""`skillwarden scan PATH... [--json] [--sarif FILE] [--fail-on caution|dangerous]`: audit skill folders
anywhere (~/.claude/skills, a plugin, a repository) with the scanner that gates every commit. Needs no
workspace. Exit 0 when every verdict is below --fail-on, 1 when one reaches it, 2 on a usage error."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from skillwarden.core.model import path_line
from skillwarden.core.security.scan import (
    SCANNER_VERSION,
    VERDICT_RANK,
    Finding,
    ScanReport,
    Severity,
    Verdict,
    find_skill_folders,
    report_of,
    scan_folder,
)
from skillwarden.core.security.scan.chars import escape_invisible
from skillwarden.core.security.scan.sarif import to_sarif
from skillwarden.tui.commands import Command
from skillwarden.tui.progress import CountProgress
from skillwarden.tui.progress import wanted as progress_wanted

FAIL_ON = {"caution": Verdict.CAUTION, "dangerous": Verdict.DANGEROUS}


def scan_arguments(scan: argparse.ArgumentParser) -> None:
    scan.add_argument("paths", nargs="+", metavar="PATH", help="a skill folder, a SKILL.md, or a folder holding skills")
    scan.add_argument("--json", action="store_true", help="print the results as JSON")
    scan.add_argument("--sarif", metavar="FILE", help="also write the results as SARIF 2.1.0 to FILE")
    scan.add_argument(
        "--fail-on", choices=sorted(FAIL_ON), default="dangerous",
        help="exit 1 when a skill's verdict is this or worse (default: dangerous)",
    )  # fmt: skip


def run_scan(args: argparse.Namespace, _config: None) -> int:
    folders: list[tuple[str, Path]] = []
    for name in args.paths:
        path = Path(name)
        if not path.exists():
            return usage_error(f"{name}: no such file or folder")
        found = find_skill_folders(path)
        if not found:
            return usage_error(f"{name}: no skill folder (a folder holding SKILL.md) here or below")
        folders += [(shown_path(folder), folder) for folder in found]
    results = []
    shown_bar = progress_wanted(sys.stderr, as_json=args.json)
    with CountProgress(len(folders), "scanning", "skill folders", enabled=shown_bar) as bar:
        for shown, folder in folders:
            results.append((shown, scan_one(folder)))
            bar.advance()
    if args.sarif:
        try:
            Path(args.sarif).write_text(json.dumps(to_sarif(results), indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            return usage_error(f"cannot write {args.sarif}: {error.strerror or error}")
    if args.json:
        print(json.dumps([{"path": shown, **report_json(report)} for shown, report in results], indent=2))
    else:
        print_text(results)
    threshold = VERDICT_RANK[FAIL_ON[args.fail_on]]
    return 1 if any(VERDICT_RANK[report.verdict] >= threshold for _, report in results) else 0


def scan_one(folder: Path) -> ScanReport:
    """The report of one folder; a scanner fault becomes a finding, so one bad skill never stops the rest
    and is never called safe."""
    try:
        return scan_folder(folder)
    except Exception as error:  # noqa: BLE001 - any fault in the scanner must not end the run
        return report_of([Finding("uninspectable", Severity.MEDIUM, 0, "", "scan_error",
                                  f"the scanner failed on this folder ({type(error).__name__})")])  # fmt: skip


def report_json(report: ScanReport) -> dict:
    data = report.to_json()
    return {"verdict": data["verdict"], "scanner_version": SCANNER_VERSION, "findings": data["findings"]}


def shown_path(folder: Path) -> str:
    """The folder as the user would type it: relative to here when inside it."""
    try:
        return Path(os.path.relpath(folder)).as_posix() if not os.path.relpath(folder).startswith("..") else str(folder)
    except ValueError:  # another drive on Windows
        return str(folder)


def print_text(results: list[tuple[str, ScanReport]]) -> None:
    for shown, report in results:
        print(f"{report.verdict:<9} {escape_invisible(shown)}")
        for finding in report.findings:
            if finding.severity is Severity.LOW:
                continue
            place = path_line(finding.file or "SKILL.md", finding.line)
            message = escape_invisible(finding.message)
            print(f"  {finding.severity:<8} {escape_invisible(place)}  {finding.rule}: {message}")
            if finding.excerpt:
                print(f"           {escape_invisible(finding.excerpt)}")
    counts = {verdict: sum(report.verdict == verdict for _, report in results) for verdict in Verdict}
    print(f"{len(results)} skill(s): " + ", ".join(f"{counts[v]} {v}" for v in Verdict))


def usage_error(message: str) -> int:
    print(f"skillwarden: {message}", file=sys.stderr)
    return 2


COMMANDS = [
    Command("scan", "security-scan skill folders (every folder holding a SKILL.md under the paths)", run_scan,
            scan_arguments, workspace=False),
]  # fmt: skip

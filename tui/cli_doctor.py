"""`skillwarden doctor [--json]`: what is watched, linked and installed, and what to do about each problem."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from skillwarden.core.workspace.config import Config
from skillwarden.reviews.doctor import Check, diagnose
from skillwarden.tui.commands import Command


def doctor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true")


def run_doctor(args: argparse.Namespace, config: Config) -> int:
    findings = diagnose(config, Path.home())
    if args.json:
        print(json.dumps([finding.to_json() for finding in findings], indent=2))
    else:
        print_findings(findings)
    return 0 if all(finding.ok for finding in findings) else 1


def print_findings(findings: list[Check]) -> None:
    area = None
    for finding in findings:
        if finding.area != area:
            area = finding.area
            print(area)
        print(f"  {'ok' if finding.ok else 'PROBLEM':<8} {finding.what}")
        if finding.fix:
            print(f"  {'':<8} -> {finding.fix}")
    problems = sum(1 for finding in findings if not finding.ok)
    print(f"{problems} problem(s)" if problems else "no problems found")


COMMANDS = [
    Command("doctor", "check folders, skills repository, linked agents and hooks; say how to fix each problem",
            run_doctor, doctor_arguments),
]  # fmt: skip

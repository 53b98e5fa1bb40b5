"""`skillwarden link | unlink | links`: publish the approved skills where agents load them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from skillwarden.core.workspace.config import Config
from skillwarden.reviews import publishing
from skillwarden.skills.library import SkillLibrary
from skillwarden.skills.links import load_targets
from skillwarden.skills.publish import AGENTS, COPY, SYMLINK, SyncReport, plan, target_for
from skillwarden.tui.commands import Command


def agent_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("agent", metavar="AGENT", choices=sorted(AGENTS), help=", ".join(sorted(AGENTS)))
    parser.add_argument("--project", metavar="DIR", help="the project's skills folder instead of the user's")
    parser.add_argument("--json", action="store_true")


def link_arguments(parser: argparse.ArgumentParser) -> None:
    agent_arguments(parser)
    parser.add_argument("--copy", action="store_true", help="copy the skills instead of symlinking them")


def links_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true")


def run_link(args: argparse.Namespace, config: Config) -> int:
    """`link` and `unlink`, run holding the workspace lock (`tui.commands`); a PublishError is one line
    (`cli.user_errors`)."""
    project = Path(args.project) if args.project else None
    mode = COPY if args.command == "link" and args.copy else SYMLINK
    target = target_for(args.agent, user_home=Path.home(), project=project, mode=mode)
    with SkillLibrary(config.skills_repo) as library:
        action = publishing.link if args.command == "link" else publishing.unlink
        report = action(config, library, target)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        verb = "linked" if args.command == "link" else "unlinked"
        print(f"{verb} {target.label}: {target.folder}")
        for line in publish_lines([report]):
            print(line)
    print_problems([report])
    return 0


def publish_lines(reports: list[SyncReport]) -> list[str]:
    """One line per skill put in place, refreshed or taken away in an agent folder."""
    lines = []
    for report in reports:
        for verb, names in (("published", report.published), ("updated", report.updated),
                            ("removed", report.removed)):  # fmt: skip
            lines += [f"  {verb} {report.target.folder / name}" for name in names]
    return lines


def print_problems(reports: list[SyncReport]) -> None:
    for problem in (problem for report in reports for problem in report.problems):
        print(f"skillwarden: warning: {problem}", file=sys.stderr)


def run_links(args: argparse.Namespace, config: Config) -> int:
    targets = load_targets(config.home)
    with SkillLibrary(config.skills_repo) as library:
        names = library.skill_names()
        rows = []
        for target in targets:
            actions = plan(target, names, publishing.skills_dir(config), library.skill_files)
            rows.append({
                **target.to_json(),
                "published": [a.name for a in actions if a.kind == "keep"],
                "out_of_sync": [{"skill": a.name, "needs": a.kind, "path": str(a.path), "message": a.message}
                                for a in actions if a.kind != "keep"],
            })  # fmt: skip
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        where = f"project {row['project']}" if row["project"] else "user"
        state = "in sync" if not row["out_of_sync"] else f"{len(row['out_of_sync'])} out of sync (skillwarden doctor)"
        print(f"{row['agent']:<12} {where:<30} {row['mode']:<8} {len(row['published']):>4} skill(s)  {state}"
              f"  {row['folder']}")  # fmt: skip
    if not rows:
        print("no agent linked yet: skillwarden link claude-code (or agents, codex; --project DIR for a project)")
    return 0


COMMANDS = [
    Command("link", "publish the approved skills where AGENT loads them, and keep them in sync from then on",
            run_link, link_arguments, writes=True),
    Command("unlink", "remove what skillwarden published for AGENT, and stop publishing", run_link, agent_arguments,
            writes=True),
    Command("links", "the agent folders the skills are published to, and their state", run_links, links_arguments),
]  # fmt: skip

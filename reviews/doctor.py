"""`skillwarden doctor`: the whole loop checked from the outside, with what to do about each problem.

Trace folders watched and discovered, the skills repository, the agent folders the skills are published to
(and whether what is there matches the repository), the prompt hooks installed. Only reads: nothing is
fixed here, every problem names the command or the step that fixes it.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import asdict, dataclass
from pathlib import Path

from skillwarden.core.ingest.files import found_files
from skillwarden.core.workspace.config import Config
from skillwarden.core.workspace.discover import DEFAULT_LOCATIONS
from skillwarden.reviews.publishing import skills_dir
from skillwarden.skills import claude_settings, select_index
from skillwarden.skills.claude_settings import HookError
from skillwarden.skills.decision_repository import APPROVED_DIR
from skillwarden.skills.library import SkillLibrary
from skillwarden.skills.library_errors import LibraryError
from skillwarden.skills.links import load_targets
from skillwarden.skills.publish import AGENTS, PublishError, Target, entry_names, inspect, plan


@dataclass(frozen=True)
class Check:
    area: str  # "folders" | "skills repository" | "agents" | "hooks"
    ok: bool
    what: str  # the state, in one line
    fix: str = ""  # what to do about it, when it is a problem

    def to_json(self) -> dict:
        return asdict(self)


def ok(area: str, what: str) -> Check:
    return Check(area, True, what)


def problem(area: str, what: str, fix: str) -> Check:
    return Check(area, False, what, fix)


def names(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# ------------------------------------------------------------------------------------- trace folders


def check_folders(config: Config, user_home: Path) -> list[Check]:
    area = "folders"
    defaults = {(user_home / relative).resolve(): agent for agent, relative in DEFAULT_LOCATIONS.items()}
    findings, total = [], 0
    for folder in config.watch:
        agent = defaults.get(folder.resolve())
        origin = f" (discovered: {agent})" if agent else ""
        if not folder.is_dir():
            fix = f"create it, or take it out of `watch` in {config.home / 'config.yaml'}"
            findings.append(problem(area, f"watched folder {folder} does not exist", fix))
            continue
        count = sum(1 for _ in found_files([folder]))
        total += count
        findings.append(ok(area, f"watched {folder}{origin}: {count} trace file(s)"))
    watched = {folder.resolve() for folder in config.watch}
    unwatched = {folder.resolve() for folder in config.unwatch}
    for folder, agent in defaults.items():
        if folder.is_dir() and folder not in watched:
            why = "listed in `unwatch`" if folder in unwatched else "`discover: false`"
            findings.append(ok(area, f"not watched: {folder} ({agent}), {why}"))
    if total == 0:
        fix = "add your agents' trace folders to `watch` in config.yaml (or try `skillwarden demo`)"
        findings.append(problem(area, "no trace files in the watched folders, so nothing can be mined", fix))
    return findings


# ------------------------------------------------------------------------------------- the repository


def check_repository(config: Config) -> tuple[list[Check], list[str]]:
    """Findings, and the approved skill names (empty when the repository cannot be read)."""
    area = "skills repository"
    repo = config.skills_repo
    if not (repo / ".git").exists():
        return [problem(area, f"no skills repository at {repo} yet",
                        "run any command on the workspace (skillwarden ingest) to create it")], []  # fmt: skip
    try:
        with SkillLibrary(repo, create=False) as library:
            approved = library.skill_names()
            interrupted = library.interrupted_decision()
            changes = library.uncommitted_changes()
    except LibraryError as error:
        return [problem(area, f"{repo} cannot be read: {error}", "fix the repository, or move it away and rebuild")], []
    findings = [ok(area, f"{repo}: {len(approved)} approved skill(s)")]
    if interrupted is not None:
        findings.append(problem(area, f"a {interrupted.action} of {interrupted.candidate_id} did not finish",
                                "run any command that writes (skillwarden ingest) to finish or undo it"))  # fmt: skip
    published = [path for _, path in changes if path.startswith(f"{APPROVED_DIR}/")]
    if published:
        findings.append(problem(area, f"uncommitted changes to approved skills: {names(published)}; agents "
                                "loading them through a symlink see these, not the reviewed text",
                                f"commit or discard them: git -C {repo} status"))  # fmt: skip
    elif changes:
        fix = f"decisions are refused until they are committed or discarded: git -C {repo} status"
        findings.append(problem(area, f"uncommitted changes: {names([path for _, path in changes])}", fix))
    return findings, approved


# ------------------------------------------------------------------------------------- published skills


def relink(target: Target) -> str:
    project = f" --project {shlex.quote(str(target.project))}" if target.project else ""
    copy = " --copy" if target.mode == "copy" else ""
    return f"skillwarden link {target.agent}{project}{copy}"


def check_target(config: Config, target: Target, approved: list[str], read_files) -> list[Check]:
    area = "agents"
    actions = plan(target, approved, skills_dir(config), read_files)
    by_kind: dict[str, list[str]] = {}
    for action in actions:
        by_kind.setdefault(action.kind, []).append(action.name)
    kept = by_kind.get("keep", [])
    findings = [ok(area, f"{target.label} {target.folder} ({target.mode}): {len(kept)} of {len(approved)} "
                         "approved skill(s) in place")]  # fmt: skip
    wording = {
        "publish": "approved but missing there",
        "update": "different from the repository there",
        "remove": "published there but no longer approved",
    }
    for kind, text in wording.items():
        if by_kind.get(kind):
            findings.append(problem(area, f"{target.label}: {names(by_kind[kind])} {text}",
                                    f"{relink(target)} (brings the folder in step again)"))  # fmt: skip
    for action in actions:
        if action.kind == "clash":
            findings.append(problem(area, action.message, f"rename or move {action.path}, then {relink(target)}"))
    for name in entry_names(target):
        entry = inspect(target, name, skills_dir(config))
        if entry.state == "foreign" and entry.link and not os.path.exists(entry.path):
            findings.append(problem(area, f"{entry.path} is a dangling symlink to {entry.link} (not this "
                                    "workspace's, so skillwarden leaves it)",
                                    f"remove it if it is an old link: rm {shlex.quote(str(entry.path))}"))  # fmt: skip
    return findings


def check_links(config: Config, user_home: Path, approved: list[str]) -> list[Check]:
    area = "agents"
    try:
        targets = load_targets(config.home)
    except PublishError as error:
        return [problem(area, str(error), "fix or delete links.json, then link the agents again")]
    findings = []
    if targets and (config.skills_repo / ".git").exists():
        with SkillLibrary(config.skills_repo, create=False) as library:
            for target in targets:
                findings += check_target(config, target, approved, library.skill_files)
    if not targets:
        present = [agent for agent, folders in AGENTS.items() if (user_home / folders.user).parent.is_dir()]
        suggestion = f"skillwarden link {present[0] if present else 'claude-code'}"
        if approved:
            findings.append(problem(area, f"no agent is linked: the {len(approved)} approved skill(s) reach no agent",
                                    f"{suggestion} (or agents, codex; --project DIR for one project)"))  # fmt: skip
        else:
            findings.append(ok(area, f"no agent linked yet (when skills are approved: {suggestion})"))
    return findings


# ------------------------------------------------------------------------------------- hooks


def check_hooks(config: Config, user_home: Path, approved: list[str]) -> list[Check]:
    area = "hooks"
    try:
        records = claude_settings.load_records(config.home)
    except HookError as error:
        return [problem(area, str(error), "fix or delete hooks.json, then install the hook again")]
    findings = []
    for record in records:
        path = Path(record.settings)
        project = path.parent.parent if path.parent.parent != user_home.resolve() else None
        again = "skillwarden hook install claude-code" + (f" --project {shlex.quote(str(project))}" if project else "")
        try:
            settings = claude_settings.parse_claude_settings(claude_settings.read_bytes(path), path)
            present = claude_settings.has_hook(settings, record.command, path)
        except HookError as error:
            findings.append(problem(area, str(error), f"fix {path}"))
            continue
        if not present:
            findings.append(problem(area, f"the UserPromptSubmit hook installed in {path} is not there any more",
                                    f"{again} (or `hook uninstall` to forget it)"))  # fmt: skip
            continue
        program = shlex.split(record.command)[0]
        if not (os.path.isfile(program) and os.access(program, os.X_OK)):
            findings.append(problem(area, f"the hook in {path} runs {program}, which is not there any more",
                                    f"skillwarden hook uninstall claude-code, then {again}"))  # fmt: skip
            continue
        findings.append(ok(area, f"UserPromptSubmit hook in {path} runs {program}"))
    if records:
        indexed = {entry["name"] for entry in select_index.read_index(config.home)}
        missing = [name for name in approved if name not in indexed]
        if missing:
            findings.append(problem(area, f"the hook's selection index lacks {names(missing)}",
                                    "skillwarden rebuild (any decision or ingest also rewrites it)"))  # fmt: skip
    else:
        findings.append(ok(area, "no prompt hook installed (skillwarden hook install claude-code names the "
                                 "fitting skills to Claude Code on every prompt)"))  # fmt: skip
    return findings


def diagnose(config: Config, user_home: Path) -> list[Check]:
    repository, approved = check_repository(config)
    return [
        *check_folders(config, user_home),
        *repository,
        *check_links(config, user_home, approved),
        *check_hooks(config, user_home, approved),
    ]

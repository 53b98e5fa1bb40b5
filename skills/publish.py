"""Put the approved skills where agents load them, and nothing else anywhere.

A target is one folder an agent loads skills from: `~/.claude/skills` (Claude Code), `~/.agents/skills`
(the Agent Skills standard: Codex, Cursor, Copilot, Gemini CLI…), `~/.codex/skills`, or a project's
`DIR/.claude/skills` and `DIR/.agents/skills`. Each approved skill appears there under its name as a
symlink to its folder in the skills repository, or, where a symlink cannot be made (or the target asks
for copies), as a copy of its committed files holding a marker file that says skillwarden owns it.

An entry of a target is ours only when it is such a symlink (pointing into this skills repository) or
such a copy (its marker naming this skills repository and this skill). Everything else is the user's
and is never changed, replaced or removed: a skill whose name is taken there is a clash, reported with
both paths. Removing a copy removes only the files its marker lists, so a file a user added stays.

Everything here works on paths it is given: the user's home comes in as an argument, never from the
environment, so tests and callers decide which home is touched.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from skillwarden.core.workspace.private_files import SHARED_FILE, write_atomically
from skillwarden.skills.skill_md import SkillFormatError, validate_name

MARKER = ".skillwarden-owned.json"
OWNER = "skillwarden"
SYMLINK = "symlink"
COPY = "copy"
MODES = (SYMLINK, COPY)


@dataclass(frozen=True)
class AgentFolders:
    user: str  # relative to the user's home
    project: str | None  # relative to a project folder; None: the agent has no project folder of its own


AGENTS: dict[str, AgentFolders] = {
    "claude-code": AgentFolders(".claude/skills", ".claude/skills"),
    "agents": AgentFolders(".agents/skills", ".agents/skills"),
    "codex": AgentFolders(".codex/skills", None),
}


class PublishError(Exception):
    """A target cannot be used as asked; nothing was changed."""


class ClashError(PublishError):
    """A skill's name is taken in a target by a folder skillwarden did not create."""


@dataclass(frozen=True)
class Target:
    agent: str
    folder: Path  # absolute
    project: Path | None = None  # None: the user's own folder
    mode: str = SYMLINK

    @property
    def label(self) -> str:
        return f"{self.agent} ({'project ' + str(self.project) if self.project else 'user'})"

    def same_place(self, other: Target) -> bool:
        return self.agent == other.agent and self.folder == other.folder

    def to_json(self) -> dict:
        return {"agent": self.agent, "folder": str(self.folder),
                "project": str(self.project) if self.project else None, "mode": self.mode}  # fmt: skip

    @classmethod
    def from_json(cls, data: object) -> Target:
        if not isinstance(data, dict) or not isinstance(data.get("folder"), str) or data.get("agent") not in AGENTS:
            raise PublishError(f"not a publishing target: {data!r}")
        mode = data.get("mode", SYMLINK)
        if mode not in MODES:
            raise PublishError(f"unknown publishing mode {mode!r}")
        project = data.get("project")
        return cls(data["agent"], Path(data["folder"]), Path(project) if isinstance(project, str) else None, mode)


def target_for(agent: str, *, user_home: Path, project: Path | None = None, mode: str = SYMLINK) -> Target:
    """The folder `agent` loads skills from: the user's own, or the project's when `project` is given."""
    if agent not in AGENTS:
        raise PublishError(f"unknown agent {agent!r}: choose one of {', '.join(AGENTS)}")
    folders = AGENTS[agent]
    if project is None:
        return Target(agent, Path(os.path.abspath(user_home / folders.user)), None, mode)
    if folders.project is None:
        raise PublishError(
            f"{agent} has no project skills folder of its own; it loads project skills from "
            "DIR/.agents/skills: use `link agents --project DIR`"
        )
    project = Path(os.path.abspath(project))
    if not project.is_dir():
        raise PublishError(f"project folder {project} does not exist")
    return Target(agent, project / folders.project, project, mode)


# ------------------------------------------------------------------------------------- ownership


@dataclass(frozen=True)
class Entry:
    """What a target holds under one name."""

    state: str  # "absent" | "link" (ours) | "copy" (ours) | "foreign"
    path: Path
    files: tuple[str, ...] = ()  # a copy's files, as its marker lists them
    link: str = ""  # where a symlink points


def repo_folder(skills_dir: Path, name: str) -> Path:
    return Path(os.path.abspath(skills_dir / name))


def points_into(link_text: str, entry: Path, expected: Path) -> bool:
    """Whether a symlink's text names `expected`, literally or once both are resolved."""
    pointed = Path(link_text) if os.path.isabs(link_text) else entry.parent / link_text
    if os.path.normpath(pointed) == os.path.normpath(expected):
        return True
    return os.path.realpath(pointed) == os.path.realpath(expected)


def read_marker(folder: Path) -> dict | None:
    marker = folder / MARKER
    try:
        if marker.is_symlink() or not marker.is_file() or marker.stat().st_size > 64 * 1024:
            return None
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def inspect(target: Target, name: str, skills_dir: Path) -> Entry:
    """Who owns `name` in `target`: nobody, us (as a link or a copy), or someone else."""
    path = target.folder / name
    if not os.path.lexists(path):
        return Entry("absent", path)
    if path.is_symlink():
        link = os.readlink(path)
        return Entry("link" if points_into(link, path, repo_folder(skills_dir, name)) else "foreign", path, link=link)
    marker = read_marker(path) if path.is_dir() else None
    if (
        marker is not None
        and marker.get("owner") == OWNER
        and marker.get("skill") == name
        and same_repository(marker.get("skills_repo"), skills_dir)
        and isinstance(marker.get("files"), list)
    ):
        files = tuple(f for f in marker["files"] if isinstance(f, str) and safe_relative(f))
        return Entry("copy", path, files=files)
    return Entry("foreign", path)


def repo_root(skills_dir: Path) -> Path:
    return Path(os.path.abspath(skills_dir)).parent


def same_repository(recorded: object, skills_dir: Path) -> bool:
    """Whether a marker's repository is this one, however either path is spelled (a symlinked /tmp)."""
    if not isinstance(recorded, str):
        return False
    root = repo_root(skills_dir)
    return recorded == str(root) or os.path.realpath(recorded) == os.path.realpath(root)


def safe_relative(relative: str) -> bool:
    parts = PurePosixPath(relative).parts
    return bool(parts) and not PurePosixPath(relative).is_absolute() and not any(p in ("", ".", "..") for p in parts)


def entry_names(target: Target) -> list[str]:
    """Names in the target folder that could be skills (hidden entries and files are never ours)."""
    try:
        children = sorted(os.listdir(target.folder))
    except OSError:  # not there (yet), or unreadable: then writing there fails too, and says so
        return []
    names = []
    for child in children:
        try:
            names.append(validate_name(child))
        except SkillFormatError:
            continue
    return names


def clash_message(target: Target, name: str, skills_dir: Path, entry: Entry) -> str:
    what = f"a symlink to {entry.link}" if entry.link else "a folder"
    return (
        f"skill {name!r} of {repo_folder(skills_dir, name)} cannot be published to {target.label}: "
        f"{entry.path} is {what} that skillwarden did not create; rename or move it, or unlink {target.agent}"
    )


# ------------------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class PlannedChange:
    kind: str  # "publish" | "update" | "remove" | "clash" | "keep"
    name: str
    path: Path
    message: str = ""


FileReader = Callable[[str], Mapping[str, bytes]]  # a skill's committed files, by relative path


def plan(
    target: Target, names: Iterable[str], skills_dir: Path, read_files: FileReader | None = None
) -> list[PlannedChange]:
    """What to do so that `target` holds exactly the skills `names`, as this target's mode says.

    With `read_files`, a copy is compared with the committed files and updated when they differ.
    """
    wanted = sorted(set(names))
    actions = []
    for name in sorted(set(wanted) | set(entry_names(target))):
        entry = inspect(target, name, skills_dir)
        if name not in wanted:
            if entry.state in ("link", "copy"):
                actions.append(PlannedChange("remove", name, entry.path))
            continue
        if entry.state == "absent":
            actions.append(PlannedChange("publish", name, entry.path))
        elif entry.state == "foreign":
            actions.append(PlannedChange("clash", name, entry.path, clash_message(target, name, skills_dir, entry)))
        elif entry.state == "copy":
            # A copy stays a copy (in a symlink target it is there because no symlink could be made).
            same = read_files is None or copy_matches(entry, read_files(name))
            actions.append(PlannedChange("keep" if same else "update", name, entry.path))
        else:  # a link: kept, unless the target now asks for copies
            actions.append(PlannedChange("keep" if target.mode == SYMLINK else "update", name, entry.path))
    return actions


def copy_matches(entry: Entry, files: Mapping[str, bytes]) -> bool:
    if set(entry.files) != set(files):
        return False
    for relative, data in files.items():
        path = entry.path / relative
        try:
            if path.is_symlink() or path.read_bytes() != data:
                return False
        except OSError:
            return False
    return True


def clashes(target: Target, names: Iterable[str], skills_dir: Path) -> list[str]:
    """The clash messages publishing `names` to `target` would meet."""
    messages = []
    for name in sorted(set(names)):
        entry = inspect(target, name, skills_dir)
        if entry.state == "foreign":
            messages.append(clash_message(target, name, skills_dir, entry))
    return messages


# ------------------------------------------------------------------------------------- applying


@dataclass
class SyncReport:
    target: Target
    published: list[str]
    updated: list[str]
    removed: list[str]
    problems: list[str]  # clashes and failures, one sentence each
    failed: list[str]  # the skills those problems left unpublished there

    def to_json(self) -> dict:
        return {"target": self.target.to_json(), "published": self.published, "updated": self.updated,
                "removed": self.removed, "problems": self.problems, "failed": self.failed}  # fmt: skip


def apply(target: Target, actions: Iterable[PlannedChange], skills_dir: Path, read_files: FileReader) -> SyncReport:
    """Carry out a plan. One entry that fails is reported and the others still go ahead."""
    report = SyncReport(target, [], [], [], [], [])
    actions = list(actions)
    if any(action.kind in ("publish", "update") for action in actions):
        try:
            target.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            report.problems.append(f"cannot create {target.folder} for {target.label}: {error.strerror or error}")
            report.failed += [action.name for action in actions if action.kind != "remove"]
            return report
    for action in actions:
        try:
            if action.kind == "clash":
                report.problems.append(action.message)
                report.failed.append(action.name)
            elif action.kind == "publish":
                place(target, action.name, skills_dir, read_files)
                report.published.append(action.name)
            elif action.kind == "update":
                entry = inspect(target, action.name, skills_dir)
                if entry.state == "link":
                    withdraw(entry)
                previous = entry.files if entry.state == "copy" else ()
                write_copy(entry.path, action.name, skills_dir, read_files(action.name), previous=previous)
                report.updated.append(action.name)
            elif action.kind == "remove":
                left = withdraw(inspect(target, action.name, skills_dir))
                report.removed.append(action.name)
                if left:
                    report.problems.append(f"{action.path} kept: it holds files skillwarden did not put there")
        except OSError as error:
            report.problems.append(f"cannot {action.kind} {action.path}: {error.strerror or error}")
            if action.kind != "remove":
                report.failed.append(action.name)
    return report


def place(target: Target, name: str, skills_dir: Path, read_files: FileReader) -> None:
    """Publish one skill where nothing is: a symlink, or a copy where the target asks for one or where a
    symlink cannot be made (a file system or platform without them)."""
    path = target.folder / name
    if target.mode == SYMLINK:
        try:
            os.symlink(repo_folder(skills_dir, name), path, target_is_directory=True)
            return
        except OSError:
            if os.path.lexists(path):
                raise
    write_copy(path, name, skills_dir, read_files(name), previous=())


def write_copy(path: Path, name: str, skills_dir: Path, files: Mapping[str, bytes], *, previous: Iterable[str]) -> None:
    """Make the folder `path` hold `files`, marker first, so an interrupted copy is still known as ours."""
    files = {relative: data for relative, data in files.items() if safe_relative(relative)}
    path.mkdir(exist_ok=True)
    marker = {"owner": OWNER, "skill": name, "skills_repo": str(repo_root(skills_dir)),
              "files": sorted(set(files) | set(previous))}  # fmt: skip
    write_atomically(path / MARKER, (json.dumps(marker, indent=2) + "\n").encode("utf-8"), mode=SHARED_FILE)
    for relative, data in files.items():
        destination = path / relative
        if destination.is_symlink():
            destination.unlink()
        destination.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(destination, data, mode=SHARED_FILE)
    for relative in set(previous) - set(files):
        remove_file(path, relative)
    marker["files"] = sorted(files)
    write_atomically(path / MARKER, (json.dumps(marker, indent=2) + "\n").encode("utf-8"), mode=SHARED_FILE)


def remove_file(folder: Path, relative: str) -> None:
    path = folder / relative
    if path.is_symlink() or path.is_file():
        path.unlink()
    parent = path.parent
    while parent != folder and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def withdraw(entry: Entry) -> bool:
    """Remove an entry of ours; True when a copy's folder stays because it holds files not listed as ours."""
    if entry.state == "link":
        entry.path.unlink()
        return False
    if entry.state != "copy":
        return False
    for relative in entry.files:
        remove_file(entry.path, relative)
    (entry.path / MARKER).unlink(missing_ok=True)
    if any(entry.path.iterdir()):
        return True
    entry.path.rmdir()
    return False


def sync(target: Target, names: Iterable[str], skills_dir: Path, read_files: FileReader) -> SyncReport:
    """Make `target` hold exactly the approved skills `names` (ours only; the user's entries untouched)."""
    names = list(names)
    return apply(target, plan(target, names, skills_dir, read_files), skills_dir, read_files)


def withdraw_all(target: Target, skills_dir: Path) -> SyncReport:
    """Remove everything of ours from `target`: what unlinking it does."""
    return sync(target, [], skills_dir, lambda name: {})

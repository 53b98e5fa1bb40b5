"""Install the prompt hook in Claude Code's settings.json, and take it out again exactly.

Installing adds one `UserPromptSubmit` entry running the hook command and keeps every other key and hook
as it was; the file as it stood is kept beside it (`settings.json.skillwarden-backup`) and the install is
recorded in the workspace's `hooks.json`. Uninstalling a file nobody changed since puts the original bytes
back (or removes the file and the folders the install created, when there was none); a file changed since
loses only the entry that was added. A settings file that is not a JSON object is never rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from skillwarden.core.workspace.private_files import SHARED_FILE, write_atomically

SETTINGS = Path(".claude") / "settings.json"
EVENT = "UserPromptSubmit"
RECORD_FILE = "hooks.json"
BACKUP_SUFFIX = ".skillwarden-backup"
HOOK_TIMEOUT = 10  # seconds Claude Code gives the hook; it answers in milliseconds
NEW_FILE_MODE = 0o644


class HookError(Exception):
    """The settings file cannot be changed as asked; it was left as it was."""


def settings_path(*, user_home: Path, project: Path | None = None) -> Path:
    if project is None:
        return Path(os.path.abspath(user_home / SETTINGS))
    project = Path(os.path.abspath(project))
    if not project.is_dir():
        raise HookError(f"project folder {project} does not exist")
    return project / SETTINGS


def hook_command(program: list[str], home: Path) -> str:
    return shlex.join([*program, "--home", str(home), "hook", "run"])


# ------------------------------------------------------------------------------------- the settings object


def hook_groups(settings: dict, path: Path) -> list:
    hooks = settings.get("hooks", {})
    if not isinstance(hooks, dict):
        raise HookError(f"{path}: `hooks` is not an object; fix it first (nothing was changed)")
    groups = hooks.get(EVENT, [])
    if not isinstance(groups, list):
        raise HookError(f"{path}: `hooks.{EVENT}` is not a list; fix it first (nothing was changed)")
    return groups


def is_ours(hook: object, command: str) -> bool:
    return isinstance(hook, dict) and hook.get("type") == "command" and hook.get("command") == command


def has_hook(settings: dict, command: str, path: Path) -> bool:
    return any(
        is_ours(hook, command)
        for group in hook_groups(settings, path)
        if isinstance(group, dict) and isinstance(group.get("hooks"), list)
        for hook in group["hooks"]
    )


def with_hook(settings: dict, command: str, path: Path) -> dict:
    """A copy of `settings` with one more `UserPromptSubmit` group running `command`."""
    groups = hook_groups(settings, path)
    entry = {"hooks": [{"type": "command", "command": command, "timeout": HOOK_TIMEOUT}]}
    hooks = {**settings.get("hooks", {}), EVENT: [*groups, entry]}
    return {**settings, "hooks": hooks}


def without_hook(settings: dict, command: str, path: Path) -> dict:
    """A copy of `settings` without the hooks running `command`; a group, list or `hooks` object left empty
    by that goes too. Keys keep their order."""
    groups = []
    for group in hook_groups(settings, path):
        if isinstance(group, dict) and isinstance(group.get("hooks"), list):
            kept = [hook for hook in group["hooks"] if not is_ours(hook, command)]
            if not kept and group["hooks"]:
                continue  # the group held only our hook
            group = {**group, "hooks": kept}
        groups.append(group)
    if "hooks" not in settings:
        return dict(settings)
    hooks = {key: (groups if key == EVENT else value) for key, value in settings["hooks"].items()}
    if not groups:
        del hooks[EVENT]
    if hooks:
        return {**settings, "hooks": hooks}
    return {key: value for key, value in settings.items() if key != "hooks"}


def parse_claude_settings(data: bytes | None, path: Path) -> dict:
    if data is None:
        return {}
    try:
        settings = json.loads(data.decode("utf-8")) if data.strip() else {}
    except (UnicodeDecodeError, ValueError) as error:
        raise HookError(f"{path} is not valid JSON ({error}); fix it first (nothing was changed)") from error
    if not isinstance(settings, dict):
        raise HookError(f"{path} is not a JSON object; fix it first (nothing was changed)")
    return settings


def render(settings: dict) -> bytes:
    return (json.dumps(settings, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# ------------------------------------------------------------------------------------- the workspace's record


@dataclass(frozen=True)
class Installed:
    settings: str
    command: str
    backup: str | None  # None: there was no settings file before
    installed_sha256: str  # the file as the install left it
    mode: int | None  # the original file's permission bits
    created: tuple[str, ...]  # folders the install created, innermost first

    def to_json(self) -> dict:
        return {**self.__dict__, "created": list(self.created)}

    @classmethod
    def from_json(cls, data: dict) -> Installed:
        return cls(str(data["settings"]), str(data["command"]), data.get("backup"), str(data["installed_sha256"]),
                   data.get("mode"), tuple(data.get("created", ())))  # fmt: skip


def load_records(home: Path) -> list[Installed]:
    path = home / RECORD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Installed.from_json(item) for item in data["hooks"]]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise HookError(f"{path} is unreadable ({error}); fix or delete it") from error


def save_records(home: Path, records: list[Installed]) -> None:
    data = {"version": 1, "hooks": [record.to_json() for record in records]}
    try:
        write_atomically(home / RECORD_FILE, (json.dumps(data, indent=2) + "\n").encode("utf-8"), mode=SHARED_FILE)
    except OSError as error:
        raise HookError(f"cannot write {home / RECORD_FILE}: {error.strerror or error}") from error


def record_for(home: Path, path: Path) -> Installed | None:
    return next((record for record in load_records(home) if record.settings == str(path)), None)


# ------------------------------------------------------------------------------------- install, uninstall


def real_path(path: Path) -> Path:
    """A settings file kept elsewhere (a dotfiles repository) and symlinked is changed where it is kept."""
    return Path(os.path.realpath(path))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise HookError(f"cannot read {path}: {error.strerror or error}") from error


def backup_path(path: Path, original: bytes) -> Path:
    """Beside the file; a backup of other bytes already there is never overwritten."""
    for number in range(100):
        candidate = path.with_name(path.name + BACKUP_SUFFIX + (f".{number}" if number else ""))
        existing = read_bytes(candidate)
        if existing is None or existing == original:
            return candidate
    raise HookError(f"too many backups of {path}; remove old {path.name}{BACKUP_SUFFIX}* files")


def install(home: Path, path: Path, command: str) -> str:
    """Add the hook to the settings file at `path`. Returns what happened, one sentence."""
    path = real_path(path)
    original = read_bytes(path)
    settings = parse_claude_settings(original, path)
    if has_hook(settings, command, path):
        return f"already installed in {path}"
    data = render(with_hook(settings, command, path))
    created = []
    parent = path.parent
    while not parent.exists():
        created.append(str(parent))
        parent = parent.parent
    # settings.json may hold secrets (its `env`): the new file and the backup keep the original's mode.
    mode = path.stat().st_mode & 0o777 if original is not None else None
    backup = backup_path(path, original) if original is not None else None
    others = [record for record in load_records(home) if record.settings != str(path)]
    record = Installed(str(path), command, str(backup) if backup else None, sha256(data), mode, tuple(created))
    save_records(home, [*others, record])  # first: an install the workspace does not know of is never left
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if backup is not None:
            write_atomically(backup, original, mode=mode)
        write_atomically(path, data, mode=mode or NEW_FILE_MODE)
    except OSError as error:
        save_records(home, others)
        raise HookError(f"cannot write {path}: {error.strerror or error}") from error
    saved = f"; the file as it was is in {backup}" if backup else ""
    return f"installed the {EVENT} hook in {path}{saved}"


def uninstall(home: Path, path: Path, command: str) -> str:
    """Take the hook out of the settings file at `path`. Returns what happened, one sentence."""
    path = real_path(path)
    record = record_for(home, path)
    current = read_bytes(path)
    if current is None:
        message = f"{path} does not exist; nothing to remove"
    elif record is not None and sha256(current) == record.installed_sha256:
        message = restore(path, record)
    else:
        settings = parse_claude_settings(current, path)
        ours = record.command if record is not None else command
        if not has_hook(settings, ours, path):
            message = f"no skillwarden hook in {path}; nothing to remove"
        else:
            try:
                mode = path.stat().st_mode & 0o777
                write_atomically(path, render(without_hook(settings, ours, path)), mode=mode)
            except OSError as error:
                raise HookError(f"cannot write {path}: {error.strerror or error}") from error
            kept = f"; the backup from the install stays in {record.backup}" if record and record.backup else ""
            message = f"removed the {EVENT} hook from {path}, which changed since the install{kept}"
    if record is not None:
        save_records(home, [r for r in load_records(home) if r.settings != str(path)])
    return message


def restore(path: Path, record: Installed) -> str:
    """Put back the file as it was before the install: nothing changed it since."""
    try:
        if record.backup is None:
            path.unlink()
            for folder in record.created:
                with_contents = Path(folder)
                if with_contents.is_dir() and not any(with_contents.iterdir()):
                    with_contents.rmdir()
            return f"removed {path}, which the install had created"
        backup = Path(record.backup)
        original = read_bytes(backup)
        if original is None:
            raise HookError(f"the backup {backup} is gone; remove the hook from {path} by hand")
        write_atomically(path, original, mode=record.mode or NEW_FILE_MODE)
        backup.unlink()
    except OSError as error:
        raise HookError(f"cannot restore {path}: {error.strerror or error}") from error
    return f"restored {path} as it was before the install"

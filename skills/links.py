"""The publishing targets a workspace is linked to, remembered in its `links.json`.

The file lives in the workspace, not in the cache: deleting the cache (`rebuild`) keeps the links, and
every later decision keeps each remembered target in sync. It is small, written atomically, and read
defensively: a hand-edited file that is not what we wrote is an error that names the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from skillwarden.core.workspace.private_files import SHARED_FILE, write_atomically
from skillwarden.skills.publish import PublishError, Target

LINKS_FILE = "links.json"
VERSION = 1


def links_path(home: Path) -> Path:
    return home / LINKS_FILE


def load_targets(home: Path) -> list[Target]:
    path = links_path(home)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        raise PublishError(f"{path} is unreadable ({error}); fix or delete it, then link the agents again") from error
    if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
        raise PublishError(f"{path} is not a list of publishing targets; fix or delete it")
    try:
        return [Target.from_json(item) for item in data["targets"]]
    except PublishError as error:
        raise PublishError(f"{path}: {error}") from error


def save_targets(home: Path, targets: list[Target]) -> None:
    data = {"version": VERSION, "targets": [target.to_json() for target in targets]}
    try:
        write_atomically(links_path(home), (json.dumps(data, indent=2) + "\n").encode("utf-8"), mode=SHARED_FILE)
    except OSError as error:
        raise PublishError(f"cannot write {links_path(home)}: {error.strerror or error}") from error


def remember(home: Path, target: Target) -> list[Target]:
    """Add `target` (replacing one at the same place, whose mode may differ); returns the new list."""
    targets = [known for known in load_targets(home) if not known.same_place(target)] + [target]
    save_targets(home, targets)
    return targets


def forget(home: Path, target: Target) -> bool:
    """Drop the target at `target`'s place; False when none was remembered there."""
    targets = load_targets(home)
    kept = [known for known in targets if not known.same_place(target)]
    if len(kept) == len(targets):
        return False
    save_targets(home, kept)
    return True


def remembered(home: Path, target: Target) -> Target | None:
    return next((known for known in load_targets(home) if known.same_place(target)), None)

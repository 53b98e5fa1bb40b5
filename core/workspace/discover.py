"""Where agents write their traces by default, found under a given user home (never assumed to be ours:
tests pass a temporary one)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

# Per agent, its trace folder relative to the user's home, as the agents themselves default it.
DEFAULT_LOCATIONS: dict[str, str] = {
    "claude_code": ".claude/projects",
    "codex": ".codex/sessions",
    "gptme": ".local/share/gptme/logs",
    "gemini_cli": ".gemini/tmp",
}


def default_trace_folders(user_home: Path) -> list[Path]:
    """The default locations that exist under `user_home`, in DEFAULT_LOCATIONS order."""
    return [folder for relative in DEFAULT_LOCATIONS.values() if (folder := user_home / relative).is_dir()]


def watched_folders(configured: Iterable[Path], discovered: Iterable[Path], unwatch: Iterable[Path]) -> list[Path]:
    """Configured folders, then discovered ones, without duplicates or any folder listed in `unwatch`."""
    removed = {_same(path) for path in unwatch}
    result: list[Path] = []
    seen: set[Path] = set()
    for folder in [*configured, *discovered]:
        key = _same(folder)
        if key not in removed and key not in seen:
            seen.add(key)
            result.append(folder)
    return result


def _same(path: Path) -> Path:
    """A spelling-independent form of a folder (`a/../b`, a trailing slash, a symlinked parent)."""
    return path.resolve()

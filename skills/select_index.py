"""The selection index: what the prompt hook needs to pick skills, in one small file of the workspace.

The hook runs on every prompt an agent's user submits, so it cannot open the skills repository or read
every cached session to compute posteriors. This file holds, per approved skill, the text a prompt is
matched against (name and description), its success posterior and its use count as of the last
statistics, and where its SKILL.md was published. Publishing rewrites it after each decision (keeping the
posteriors it holds); every statistics pass (after an ingest) rewrites the posteriors.

It is derived data: deleting it only silences the hook until the next decision or ingest.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

INDEX_FILE = "select-index.json"
VERSION = 1
MAX_DESCRIPTION = 300  # what the hook quotes of a description
MAX_TEXT = 2000
EXAMPLES_HEADING = "Tasks it was learned from:"


def index_path(home: Path) -> Path:
    return home / INDEX_FILE


def read_index(home: Path) -> list[dict]:
    """The entries, or [] when the index is missing or unreadable (the hook then stays silent)."""
    try:
        data = json.loads(index_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    skills = data.get("skills") if isinstance(data, dict) else None
    return [entry for entry in skills if valid_entry(entry)] if isinstance(skills, list) else []


def valid_entry(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and isinstance(entry.get("description"), str)
        and isinstance(entry.get("text"), str)
        and all(isinstance(entry.get(key), int | float) and entry[key] > 0 for key in ("alpha", "beta"))
        and isinstance(entry.get("uses"), int)
        and isinstance(entry.get("paths"), list)
    )


def write_index(home: Path, entries: list[dict]) -> None:
    """Atomically: the hook may read it at any moment."""
    data = (json.dumps({"version": VERSION, "skills": entries}, separators=(",", ":")) + "\n").encode("utf-8")
    descriptor, temp = tempfile.mkstemp(dir=home, prefix=f".{INDEX_FILE}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, index_path(home))
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def match_text(name: str, description: str, body: str) -> str:
    """What a prompt is matched against: the name, the description and the example tasks a mined skill
    lists under "Tasks it was learned from:" (reviewed text, never shown by the hook)."""
    examples, listing = [], False
    for line in body.splitlines():
        if line.strip() == EXAMPLES_HEADING:
            listing = True
        elif listing and line.startswith("- "):
            examples.append(line[2:].strip().strip('"'))
        elif listing and line.strip():
            break
    return " ".join([name.replace("-", " "), description, *examples])[:MAX_TEXT]


def build_entries(
    names: Iterable[str],
    description_of: Callable[[str], tuple[str, str]],
    *,
    previous: Mapping[str, dict],
    stats: Mapping[str, dict] | None = None,
    paths: Mapping[str, list[str]] | None = None,
) -> list[dict]:
    """One entry per skill name; `description_of` gives its description and match text. Posteriors come
    from `stats` (rows of `skill_stats`), else from the previous index, else the prior; paths from
    `paths`, else the previous index."""
    entries = []
    for name in names:
        before = previous.get(name, {})
        row = (stats or {}).get(name) or before
        description, text = description_of(name)
        entries.append({
            "name": name,
            "description": description[:MAX_DESCRIPTION],
            "text": text,
            "alpha": float(row.get("alpha", 1.0)),
            "beta": float(row.get("beta", 1.0)),
            "uses": int(row.get("uses", 0)),
            "paths": list((paths or {}).get(name, before.get("paths", []))),
        })  # fmt: skip
    return entries


def refresh(
    home: Path,
    names: list[str],
    description_of: Callable[[str], tuple[str, str]],
    *,
    stats: list[dict] | None = None,
    paths: Mapping[str, list[str]] | None = None,
) -> None:
    """Rewrite the index for the approved skills `names`."""
    previous = {entry["name"]: entry for entry in read_index(home)}
    by_name = {row["skill"]: row for row in stats} if stats is not None else None
    write_index(home, build_entries(names, description_of, previous=previous, stats=by_name, paths=paths))

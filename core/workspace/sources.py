"""The trace files and folders ingested by name (`skillwarden ingest PATH`), remembered in the workspace
beside the cache rather than in it, so that `rebuild`, which deletes the cache, re-reads them too.

A path below a watched folder is not remembered: the folder is read anyway. The list is JSON; a path whose
bytes are not UTF-8 (Python decodes them to lone surrogates) round-trips through JSON's `\\udcxx` escapes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from skillwarden.core.workspace.private_files import PRIVATE_FILE, write_atomically


def remembered(record: Path) -> list[str]:
    """The paths `record` holds, oldest first; none when it is missing or unreadable (it only adds to
    what `rebuild` reads, so losing it loses nothing that the watched folders hold)."""
    try:
        value = json.loads(record.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def remember(record: Path, paths: Iterable[os.PathLike | str], watched: Iterable[Path]) -> list[str]:
    """Add the absolute forms of `paths` that no watched folder holds; returns the paths added."""
    folders = [os.path.abspath(folder) for folder in watched]
    known = remembered(record)
    added = []
    for path in paths:
        absolute = os.path.abspath(os.fspath(path))
        if absolute in known or absolute in added or any(is_within(absolute, folder) for folder in folders):
            continue
        added.append(absolute)
    if added:
        write_atomically(record, (json.dumps(known + added, indent=1) + "\n").encode("ascii"), mode=PRIVATE_FILE)
    return added


def is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)

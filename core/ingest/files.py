"""Which files an ingest reads: the trace-looking files below watched folders, in a stable order, and why a
file named or found is not read at all."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from skillwarden.core.adapters import FORMATS
from skillwarden.core.ingest.tail import not_a_regular_file
from skillwarden.core.workspace.config import LOCK_FILE_NAME

TRACE_SUFFIXES = (".jsonl", ".json", ".traj")
# Names the formats declare beyond those suffixes (aider's history, named as the user likes).
SCANNED_NAMES = tuple(declared.scanned_name for declared in FORMATS.values() if declared.scanned_name is not None)
# What agents write beside their traces that is no trace (a sub-agent's `.meta.json`), as their formats declare.
COMPANION_SUFFIXES = tuple(suffix for declared in FORMATS.values() for suffix in declared.companion_suffixes)


def is_trace_name(name: str) -> bool:
    if name.endswith(TRACE_SUFFIXES):
        return not name.endswith(COMPANION_SUFFIXES)
    return any(pattern.search(name) for pattern in SCANNED_NAMES)


# A file to ingest: its path, the folder it was found in (None if named itself), and whether it is known to
# be a regular file at its real path (found below a real folder, not a symlink), which needs no checks.
FoundFile = tuple[str, str | None, bool]


def found_files(paths: Iterable[os.PathLike | str]) -> Iterator[FoundFile]:
    """Files named directly, and trace-looking files below named folders, in a stable order (each level
    sorted by name, files before sub-folders). Folder symlinks are not followed, so a loop cannot trap
    us. Strings from one directory scan per folder: ingest looks at every file of every watched folder,
    and a path object and a realpath for each of thousands of files cost more than reading a small
    transcript."""
    for raw in paths:
        path = os.fspath(raw)
        if not os.path.isdir(path):
            yield path, None, False
            continue
        # Walking the folder's real path gives every file below it by its real path: folder symlinks
        # inside are not followed.
        real = os.path.realpath(path)
        for file, plain in _scan(real):
            yield file, real, plain


def _scan(folder: str) -> Iterator[tuple[str, bool]]:
    """Trace files below `folder`, files before sub-folders, each level sorted by name, and whether each
    is a regular file rather than a symlink or other."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    folders = []
    # A skillwarden workspace's own files (its event feed, its label and ingest lists) are not traces; the
    # trace folders inside it (the demo's `traces/`) are.
    in_workspace = any(entry.name == LOCK_FILE_NAME for entry in entries)
    names = {entry.name for entry in entries}
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
            elif is_trace_name(entry.name) and not in_workspace and evaluated_output(entry.name) not in names:
                yield entry.path, entry.is_file(follow_symlinks=False)
        except OSError:
            continue
    for sub in folders:
        yield from _scan(sub)


# OpenHands' SWE-bench evaluation writes `<name>.swebench_eval.jsonl` beside the `<name>.jsonl` it evaluated:
# the same runs, each with its verdict (a label file for `outcomes import`), not more runs.
EVALUATION_SUFFIX = ".swebench_eval.jsonl"


def evaluated_output(name: str) -> str | None:
    """The name of the output an OpenHands evaluation file evaluated; None for any other file."""
    return name.removesuffix(EVALUATION_SUFFIX) + ".jsonl" if name.endswith(EVALUATION_SUFFIX) else None


def is_watched_trace(path: str) -> bool:
    """Whether a file a watched folder reports changed is one a scan of that folder reads."""
    folder, name = os.path.split(path)
    evaluated = evaluated_output(name)
    return is_trace_name(name) and (evaluated is None or not os.path.exists(os.path.join(folder, evaluated)))


def skip_reason(path: Path, root: Path | None) -> str | None:
    """Why `path` is not read at all (checked before opening it), or None."""
    try:
        if path.is_symlink():
            target = path.resolve(strict=True)
            if root is not None and not target.is_relative_to(root.resolve()):
                return f"skipped: symlink to {target}, outside the watched folder {root}"
        mode = path.stat().st_mode
    except RuntimeError:
        return "skipped: symlink loop"
    except OSError as exc:
        return f"skipped: cannot read: {exc.strerror or exc}"
    kind = not_a_regular_file(mode)
    return f"skipped: {kind}, not a trace file" if kind else None

"""Ground truth in the workspace: importing label files, and keeping the cache's copy in step with them.

The workspace's `labels.json` is the record (the cache is rebuilt from it); the cache applies each label
to the sessions it settles, where it overrides the grade (`outcome_source: label`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from skillwarden.core.signals.labels import (
    Label,
    file_stem,
    is_under,
    load_workspace_labels,
    match_sessions,
    read_label_file,
    save_import,
)
from skillwarden.core.workspace.config import Config
from skillwarden.core.workspace.store import Store

LABELS_DIGEST = "labels_digest"


def labels_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "none"


def sync_labels(config: Config, store: Store) -> None:
    """Load the workspace's labels into the cache when the file changed since it was last loaded (a
    rebuilt cache has none). A cache that cannot be written (a read-only workspace) keeps what it has."""
    digest = labels_digest(config.labels_file)
    if store.meta_value(LABELS_DIGEST) == digest:
        return
    try:
        store.replace_labels(load_workspace_labels(config.labels_file))
        store.set_meta(LABELS_DIGEST, digest)
    except sqlite3.OperationalError:
        pass


def import_labels(config: Config, store: Store, file: Path, under: Path | None = None) -> dict:
    """Record the labels of `file` in the workspace (replacing an earlier import of the same file and
    folder) and apply them; return what was read and what it settled."""
    if under is not None and not under.is_dir():
        raise NotADirectoryError(f"--under {under}: not a folder")
    labels = read_label_file(file, under=under)
    folder = str(under.resolve()) if under is not None else ""
    save_import(config.labels_file, labels, str(file.resolve()), folder)
    sync_labels(config, store)
    sessions = [(s.id, s.path, s.task_id) for s in store.sessions()]
    mine = match_sessions(labels, sessions)
    considered = [s for s in sessions if is_under(s[1], folder)]
    return {
        "file": str(file),
        "under": folder or None,
        "labels": len(labels),
        "resolved": sum(label.resolved for label in labels),
        "sessions_labelled": len(mine),
        "sessions_resolved": sum(label.resolved for label in mine.values()),
        "sessions_without_label": len(considered) - len(mine),
        "labels_without_session": len({label.key for label in labels} - matched_keys(labels, sessions)),
    }


def matched_keys(labels: list[Label], sessions: list[tuple[str, str, str]]) -> set[str]:
    keys = {k for sid, path, task_id in sessions for k in (sid, file_stem(path), task_id) if k}
    return {label.key for label in labels if label.key in keys}

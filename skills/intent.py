"""The record of a decision in progress (beside git's own files, never in the working tree) and atomic
writes: a process killed part-way leaves enough behind for `reviews/recovery.py` to finish or undo it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

# Points inside a decision where `on_step` is called; the crash tests kill the process at each.
STEP_WRITTEN = "written"
STEP_STAGED = "staged"
STEP_COMMITTED = "committed"

# The record of a decision in progress, beside git's own files (never in the working tree).
INTENT_FILE = "skillwarden-intent.json"


@dataclass(frozen=True)
class Intent:
    """What a decision in progress is about to do, written before it touches the working tree."""

    pid: int
    start_time: str | None
    parent: str | None  # HEAD when the decision began
    action: str
    candidate_id: str
    content_hash: str
    paths: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "paths": list(self.paths)}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Intent:
        data = json.loads(text)
        return cls(**{**data, "paths": tuple(data["paths"])})


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Temp file in the same directory, fsync, rename: a crash leaves the old or the new file, never half.

    `mode` is set before the rename, so the file never has other permissions under its name."""
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)  # mkstemp makes it 0600; agents running as other users must read skills
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, where it is best effort.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

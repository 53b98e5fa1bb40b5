"""The record of a decision in progress (beside git's own files, never in the working tree): a process killed
part-way leaves enough behind for `reviews/recovery.py` to finish or undo it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

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

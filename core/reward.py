"""A graded reward in [0, 1] per session, with the explanation a reviewer can read.

The weights live here and nowhere else. A later pass adds test exit codes, retries, commits, tokens
and duration; this first version grades what every trace format can tell: how the session ended and
how many tool calls failed on their own (sibling cascades are not independent failures).
"""

from __future__ import annotations

from core.model import Outcome, Session

OUTCOME_BASE = {
    Outcome.SUCCEEDED: 1.0,
    Outcome.UNKNOWN: 0.5,
    Outcome.INTERRUPTED: 0.2,
    Outcome.FAILED: 0.0,
}
PENALTY_PER_ERROR = 0.05
MAX_ERROR_PENALTY = 0.3
PENALTY_PER_REJECTION = 0.05


def grade(session: Session) -> tuple[float, str]:
    """Return (reward, explanation), e.g. (0.9, "0.90: succeeded, 2 tool errors")."""
    base = OUTCOME_BASE[session.outcome]
    # A rejected tool use is flagged is_error in traces; it is the user's choice, counted on its own.
    errors = max(0, session.errors - session.rejections)
    penalty = min(MAX_ERROR_PENALTY, PENALTY_PER_ERROR * errors + PENALTY_PER_REJECTION * session.rejections)
    reward = round(min(1.0, max(0.0, base - penalty)), 4)
    parts = [session.outcome.value]
    if errors:
        parts.append(f"{errors} tool error{'s' if errors != 1 else ''}")
    if session.rejections:
        parts.append(f"{session.rejections} rejected tool use{'s' if session.rejections != 1 else ''}")
    if session.interruptions:
        parts.append(f"{session.interruptions} interruption{'s' if session.interruptions != 1 else ''}")
    return reward, f"{reward:.2f}: " + ", ".join(parts)

"""What a parsed session becomes before it is stored: type-checked, cleaned of terminal controls, redacted
and graded."""

from __future__ import annotations

import orjson

from skillwarden.core.adapters.shared import ARGS_CAP, cap_args
from skillwarden.core.model import Session, well_typed
from skillwarden.core.security.redact import might_hold_secret, redact, redact_value
from skillwarden.core.security.sanitize import clean_id, clean_line, clean_text, clean_value, json_needs_cleaning
from skillwarden.core.signals.reward import grade
from skillwarden.core.workspace.store import SessionWrite


def write_for(session: Session, first_new_step: int, resolved: set[int], undated: str | None = None) -> SessionWrite:
    """Type-check and redact what is new in the session (stored steps were when first stored), then grade it:
    the stored outcome is the graded one (a claimed success may be `unverified` or `failed`). A session its
    trace gives no start time (SWE-agent, mini-swe-agent) starts at `undated`: its file's modification time,
    so time windows (friction, the evaluation's time split) count it."""
    well_typed(session, first_new_step)
    if session.started_at is None:
        session.started_at = undated
    redact_session(session, first_new_step, resolved)
    graded = grade(session)
    session.claimed_outcome, session.outcome = str(session.outcome), graded.outcome
    return SessionWrite(session, graded.reward, graded.explanation, first_new_step=first_new_step, resolved=resolved)


def redact_session(session: Session, first_new_step: int, resolved: set[int]) -> None:
    """Nothing secret and nothing that drives a terminal may reach the cache: tool arguments, results,
    the task and the final message are cleaned of escape sequences and invisible characters (first, so a
    secret an ANSI colour code splits is whole again) and redacted. Long strings in arguments (file
    contents) are capped first, as results are, with a marker. Names and ids are folded onto one line.
    (Lone surrogates are replaced when the rows are built: `store.prepare_read`.)"""
    session.id = clean_id(session.id)
    if session.subagent_ids is not None:
        session.subagent_ids = (clean_id(session.subagent_ids[0]), clean_id(session.subagent_ids[1]))
    session.task = redact(clean_text(session.task))
    session.final_message = redact(clean_text(session.final_message))
    session.model, session.cwd = redact(clean_line(session.model)), redact(clean_line(session.cwd))
    for step in session.steps[first_new_step:]:
        step.args = capped_redacted_args(step.args)
        step.result = redact(clean_text(step.result))
        step.tool = clean_line(step.tool)
    for index in resolved:
        session.steps[index].result = redact(clean_text(session.steps[index].result))


def capped_redacted_args(args: dict) -> dict:
    """`args` capped, cleaned and redacted. Most arguments are short, hold nothing to clean and name no
    secret: one scan of their JSON shows that, where walking them costs a call per string."""
    try:
        encoded = orjson.dumps(args, default=str, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # what orjson refuses (lone surrogates, huge integers) takes the walk
        encoded = None
    if encoded is not None and len(encoded) <= ARGS_CAP:
        # No string is over the cap (a string is no longer than its JSON).
        dirty = json_needs_cleaning(encoded)
        if not dirty and not might_hold_secret(encoded):
            return args
        return redact_value(clean_value(args) if dirty else args)
    return redact_value(clean_value(cap_args(args)))

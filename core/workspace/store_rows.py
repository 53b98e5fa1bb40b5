"""A read of a trace file as the rows it writes, and those rows as SQLite takes them, whatever a trace holds.

SQLite text is UTF-8, which some of what a machine holds is not: a file name that is not UTF-8 (Python
decodes its bytes to lone surrogates) is stored as its bytes, a BLOB, and read back as the same name
(`db_path`, `path_from_db`); lone surrogates anywhere else (a JSON `\ud800` escape in a trace) are
replaced, integers kept within 64 bits, and other types stored as their text (`storable_row`).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson

from skillwarden.core.model import Outcome

if TYPE_CHECKING:
    from skillwarden.core.workspace.store import FileRead, SessionWrite

SQLITE_MAX_INT = 2**63 - 1
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
SESSION_COLUMNS = (
    "id, path, format, task, started_at, ended_at, outcome, reward, reward_explanation, steps, errors, tokens_in, "
    "tokens_out, model, cwd, final_message, interruptions, rejections, claimed_outcome, end_reason, patch_lines, "
    "task_id, project, "
    "agent_chars, agent_turns, self_corrections"
)


def db_path(path: str) -> str | bytes:
    """A file path as stored: its text when that is UTF-8, else its bytes (see the module's docstring)."""
    if path.isascii():
        return path
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return path


def path_from_db(value: str | bytes) -> str:
    return os.fsdecode(value) if isinstance(value, bytes) else value


def storable(text: str) -> str:
    """`text` without lone surrogates (a JSON `\\ud800` escape decodes to one), which SQLite refuses."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")  # the common case, text beyond ASCII and no surrogate: checked at C speed
    except UnicodeEncodeError:
        return LONE_SURROGATE.sub("\ufffd", text)
    return text


def storable_row(row: tuple) -> tuple:
    """`row` as SQLite takes it, whatever a trace put in it: text without lone surrogates, integers within
    64 bits, and anything else SQLite has no type for as its str. One row it refused would fail the batch."""
    for value in row:
        kind = type(value)
        if kind is str:
            if not value.isascii() and storable(value) is not value:
                break
        elif not (value is None or kind is float or kind is bytes
                  or (kind is int and -SQLITE_MAX_INT <= value <= SQLITE_MAX_INT)):  # fmt: skip
            break
    else:
        return row
    return tuple(storable_value(value) for value in row)


def storable_value(value: object) -> object:
    if value is None or isinstance(value, float | bytes):
        return value
    if isinstance(value, int):
        return max(-SQLITE_MAX_INT, min(SQLITE_MAX_INT, value))
    return storable(value if isinstance(value, str) else str(value))


# What json.dumps(value, default=str) gives, without building an encoder for every step.
_encode_json_slowly = json.JSONEncoder(default=str).encode


def encode_json(value: object) -> str:
    """JSON as stored (tool arguments, parser state): by orjson, ten times as fast as json, unless it
    refuses the value (lone surrogates, integers past 64 bits), then by json. What JSON has no form for
    becomes its str."""
    try:
        return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return _encode_json_slowly(value)


@dataclass
class PreparedRead:
    """A FileRead as the rows it writes: plain tuples, cheap to send from a worker process and to store."""

    path: str
    reset: bool
    file_row: tuple
    session_rows: list[tuple] = field(default_factory=list)
    step_deletes: list[tuple] = field(default_factory=list)  # (session id, first step index to replace)
    step_rows: list[tuple] = field(default_factory=list)
    result_updates: list[tuple] = field(default_factory=list)  # results that arrived for stored steps
    link_rows: list[tuple] = field(default_factory=list)


def prepare_read(read: FileRead) -> PreparedRead:
    """The rows of a read, each storable as it is (paths as `db_path`, no lone surrogates in any text)."""
    state = read.state
    path = db_path(state.path)
    prepared = PreparedRead(
        state.path, read.reset,
        storable_row((
            path, state.dev, state.inode, state.size, state.mtime_ns, state.fingerprint, state.consumed,
            state.format, state.error,
            None if state.parser_state is None else encode_json(state.parser_state),
        )),
        link_rows=[
            storable_row((root, agent, parent, call, path)) for (root, agent), (parent, call) in read.links.items()
        ],
    )  # fmt: skip
    for write in read.sessions:
        add_session_rows(prepared, write)
    return prepared


def add_session_rows(prepared: PreparedRead, write: SessionWrite) -> None:
    """The session row; its new steps (replacing any stored from that index on); earlier steps whose
    result arrived now."""
    # Imported here, on the writing side: a reader of the cache (the TUI's first frame) does not wait for
    # the normalizer's modules.
    from skillwarden.core.signals.step_facts import encoded_facts

    session = write.session
    root_id, agent_id = session.subagent_ids or (None, None)
    session_id = storable(session.id)
    prepared.session_rows.append(storable_row((
        session_id, db_path(session.path), session.format, session.task, session.started_at, session.ended_at,
        Outcome(session.outcome).value, write.reward, write.explanation, len(session.steps), session.errors,
        stored_int(session.tokens_in), stored_int(session.tokens_out), session.model, session.cwd,
        session.final_message, session.interruptions, session.rejections, session.claimed_outcome, session.end_reason,
        stored_int(session.patch_lines), session.task_id, session.project, stored_int(session.agent_chars),
        stored_int(session.agent_turns), stored_int(session.self_corrections), root_id, agent_id,
    )))  # fmt: skip
    first = write.first_new_step
    prepared.step_deletes.append((session_id, first))
    prepared.step_rows += [
        storable_row((
            session_id, idx, step.tool, encoded_facts(step), encode_json(step.args), step.result,
            int(step.is_error), int(step.cascade), step.started_at, step.line, step.call_id, step.ended_at,
        ))
        for idx, step in enumerate(session.steps[first:], start=first)
    ]  # fmt: skip
    prepared.result_updates += [
        storable_row((step.result, int(step.is_error), int(step.cascade), step.ended_at, session_id, idx))
        for idx, step in ((idx, session.steps[idx]) for idx in sorted(write.resolved))
    ]


def stored_int(value: int | None) -> int | None:
    """A count from a trace as SQLite can hold it: a hostile or broken trace may claim 2**70 tokens."""
    return value if value is None or value < SQLITE_MAX_INT else SQLITE_MAX_INT


def write_prepared(db: sqlite3.Connection, reads: list[PreparedRead]) -> None:
    """The rows of `reads`, one statement per kind: what reset reads replace goes first."""

    def rows(kind: str) -> list[tuple]:
        return [row for read in reads for row in getattr(read, kind)]

    reset = [(db_path(read.path),) for read in reads if read.reset]
    if reset:
        db.executemany("DELETE FROM steps WHERE session_id IN (SELECT id FROM sessions WHERE path = ?)", reset)
        db.executemany("DELETE FROM sessions WHERE path = ?", reset)
        db.executemany("DELETE FROM subagent_links WHERE path = ?", reset)
    db.executemany(
        f"INSERT OR REPLACE INTO sessions({SESSION_COLUMNS}, root_id, agent_id) VALUES({','.join('?' * 28)})",
        rows("session_rows"),
    )
    db.executemany("DELETE FROM steps WHERE session_id = ? AND idx >= ?", rows("step_deletes"))
    db.executemany("INSERT INTO steps VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", rows("step_rows"))
    db.executemany(
        "UPDATE steps SET result = ?, is_error = ?, cascade = ?, ended_at = ? WHERE session_id = ? AND idx = ?",
        rows("result_updates"),
    )
    db.executemany("INSERT OR REPLACE INTO subagent_links VALUES(?,?,?,?,?)", rows("link_rows"))
    db.executemany("INSERT OR REPLACE INTO files VALUES(?,?,?,?,?,?,?,?,?,?)", [read.file_row for read in reads])

"""The trace model every adapter produces: a Session is an ordered list of tool Steps."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

# A sub-agent's session is named `<root session id>:agent-<agent id>` by every adapter whose traces hold
# sub-agents (Claude Code's transcripts and its stream-json), which also sets `Session.subagent_ids`; the
# store keeps the two parts apart. The mark alone makes no sub-agent: any trace may hold such an id.
SUBAGENT_MARK = ":agent-"


def subagent_session_id(root_id: str, agent_id: str) -> str:
    return f"{root_id}{SUBAGENT_MARK}{agent_id}"


class Outcome(enum.StrEnum):
    """How a session ended, as far as its trace can tell."""

    SUCCEEDED = "succeeded"
    # Claimed done after changing files, with no check after the last change: not evidence of success.
    UNVERIFIED = "unverified"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    UNKNOWN = "unknown"


@dataclass
class Step:
    """One tool call and its result.

    `args` keeps the tool's input as the agent sent it (a dict); `result` is the tool's output text,
    capped by the adapter so a huge Read does not end up in the cache whole.
    """

    tool: str
    args: dict
    result: str = ""
    is_error: bool = False
    started_at: str | None = None  # ISO-8601 UTC, e.g. "2025-12-10T19:37:50.651Z"
    ended_at: str | None = None
    call_id: str | None = None
    line: int | None = None  # 1-based line of the call in the trace file, for provenance
    # A failure caused by a sibling call in the same parallel batch, not by this call itself.
    cascade: bool = False


@dataclass
class Session:
    """One agent session read from one trace file."""

    id: str
    format: str  # "claude_code", "codex", ...
    path: str
    steps: list[Step] = field(default_factory=list)
    task: str = ""  # the first real user prompt, the best summary of what was asked
    started_at: str | None = None
    ended_at: str | None = None
    outcome: Outcome = Outcome.UNKNOWN
    tokens_in: int = 0
    tokens_out: int = 0
    model: str = ""
    cwd: str = ""
    interruptions: int = 0
    rejections: int = 0  # tool uses the user refused
    final_message: str = ""  # the agent's last text, used to judge completion
    # What the trace claimed before grading (`outcome` becomes the graded outcome once the session is graded).
    claimed_outcome: str = ""
    # Why the run stopped, in the format's words where it says ("submitted", "cost limit", ...).
    end_reason: str = ""
    # Lines added or removed by the patch the run handed in; None when the format hands in none.
    patch_lines: int | None = None
    task_id: str = ""  # the benchmark instance or ticket the run worked on, where the trace names one
    project: str = ""  # the repository the run worked in ("django/django"), where the trace says
    agent_chars: int = 0  # characters the agent wrote as text (thoughts, replies) beside its tool calls
    agent_turns: int = 0  # messages the agent wrote text in
    self_corrections: int = 0  # "wait", "actually", "oops", "my mistake" in the agent's own text
    # (root session id, agent id) of a sub-agent's session, as the adapter that read it as one says; None
    # for a main session, whatever its id holds.
    subagent_ids: tuple[str, str] | None = None

    @property
    def errors(self) -> int:
        return sum(1 for step in self.steps if step.is_error and not step.cascade)


@dataclass
class ParseError:
    """A problem in one trace file. `line` is 1-based, None when it concerns the whole file."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{path_line(self.path, self.line)}: {self.message}"


def path_line(path: object, line: int | None) -> str:
    """A place in a file as every message and viewer writes it: `path:line`, or the path alone without a line."""
    return f"{path}:{line}" if line else str(path)


@dataclass
class ParseResult:
    sessions: list[Session] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    # Bytes consumed: up to and including the last complete line. A half-written last line is not
    # consumed, so a tailer knows where to resume.
    consumed: int = 0


# -- the types a session promises, enforced where it is stored ---------------------------------------------------
# An adapter copies values out of a trace, which is hostile input: where a string is expected a trace may hold a
# number, a list or an object. `well_typed` makes a session what its annotations say before anything else
# (redaction, grading, the cache) relies on them.


def well_typed(session: Session, first_step: int = 0) -> Session:
    """`session` with every field of the type its annotation says; steps before `first_step` are left alone
    (they were checked when first stored). Text that is no string becomes its str; a time or an id that is
    no string becomes None; a count that is no integer becomes 0."""
    session.id = text(session.id)
    session.task, session.model = text(session.task), text(session.model)
    session.cwd, session.final_message = text(session.cwd), text(session.final_message)
    session.started_at, session.ended_at = optional_text(session.started_at), optional_text(session.ended_at)
    session.tokens_in, session.tokens_out = count(session.tokens_in), count(session.tokens_out)
    session.interruptions, session.rejections = count(session.interruptions), count(session.rejections)
    if not isinstance(session.outcome, Outcome):
        session.outcome = Outcome(session.outcome) if session.outcome in set(Outcome) else Outcome.UNKNOWN
    for step in session.steps[first_step:]:
        step.tool, step.result = text(step.tool), text(step.result)
        step.args = step.args if isinstance(step.args, dict) else {"value": step.args}
        step.is_error, step.cascade = bool(step.is_error), bool(step.cascade)
        step.started_at, step.ended_at = optional_text(step.started_at), optional_text(step.ended_at)
        step.call_id = optional_text(step.call_id)
        step.line = step.line if type(step.line) is int else None
    return session


def text(value: object) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


def optional_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def count(value: object) -> int:
    return value if type(value) is int else 0

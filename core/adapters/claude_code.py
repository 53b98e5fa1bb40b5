"""Claude Code session transcripts (`~/.claude/projects/<project>/<sessionId>.jsonl`).

One file normally holds one session. A sub-agent transcript (every conversation line has
`isSidechain: true` and an `agentId`) becomes a session of its own, id `<sessionId>:agent-<agentId>`;
the automatic "Warmup" sidechain Claude Code starts on launch yields no session at all.

Outcome rule, decided from the last meaningful event of the session (meta lines, slash-command
wrappers without arguments such as `/exit` or `/model`, system, progress and bookkeeping lines
do not count):

- an assistant text          -> succeeded (the agent answered after its last tool result; a
                                 trailing `/exit`, as in the agtrace sample, changes nothing)
- an interruption or a user rejection of a tool use -> interrupted
- a failing tool result      -> failed (the agent never got to say anything after it)
- anything else (a pending prompt or tool call, a successful tool result) -> unknown
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from skillwarden.core.adapters.shared import cap_text, content_text, note_agent_text, read_json_lines
from skillwarden.core.adapters.trace_format import (
    Resumable,
    SessionChange,
    SessionLoader,
    SubagentLinks,
    TraceFormat,
)
from skillwarden.core.model import SUBAGENT_MARK, Outcome, ParseResult, Session, Step, subagent_session_id
from skillwarden.core.security.sanitize import clean_id

FORMAT = "claude_code"

INTERRUPTION = "[Request interrupted by user"
REJECTION = "The user doesn't want to proceed with this tool use"
REJECTION_RESULT = "User rejected tool use"
CASCADE = "Sibling tool call errored"
WARMUP = "Warmup"
# Claude Code's stand-in model name for messages it writes itself (e.g. API error notices).
SYNTHETIC_MODEL = "<synthetic>"
# Bookkeeping lines that carry no session (no sessionId), skipped before JSON decoding. They are written
# with `type` first; a line spelled otherwise is simply decoded and then ignored.
NO_SESSION_LINES = (b'{"type":"file-history-snapshot"', b'{"type":"summary"')
# Beside a sub-agent transcript: `{agentType, description, toolUseId}`, not a trace itself.
SUBAGENT_META_SUFFIX = ".meta.json"

_COMMAND_MARKERS = ("<command-name>", "<command-message>", "<local-command-")
_COMMAND_NAME = re.compile(r"<command-name>(.*?)</command-name>", re.S)
_COMMAND_ARGS = re.compile(r"<command-args>(.*?)</command-args>", re.S)


def parse(data: bytes, path: str) -> ParseResult:
    lines = read_json_lines(data, path)
    reader = ResumableParse(path)
    for number, record in lines.records:
        reader.add(number, record)
    sessions = [change.session for change in reader.changes()]
    return ParseResult(sessions=sessions, errors=lines.errors, consumed=lines.consumed)


def is_subagent_record(record: dict) -> bool:
    return bool(record.get("isSidechain") and record.get("agentId"))


def subagent_ids_of(key: str, record: dict) -> tuple[str, str] | None:
    """(root session id, agent id) of the session `key` names, if the record is a sub-agent's: its id is
    `<root>:agent-<agent id>`, and the agent id (hex) holds no colon where the root id may hold the mark."""
    if not is_subagent_record(record):
        return None
    root, _mark, agent = key.rpartition(SUBAGENT_MARK)
    return root, agent


def session_key(record: dict) -> str | None:
    """The session a line belongs to; None for lines that belong to no session (summary, snapshots)."""
    session_id = record.get("sessionId")
    if not session_id:
        return None
    if is_subagent_record(record):
        session_id = subagent_session_id(session_id, record["agentId"])
    # Ingest stores the id cleaned (core.security.sanitize); a resumed read must look the session up by that id.
    # (This runs once per line: a plain id, as nearly every one is, skips the call.)
    if session_id.__class__ is str and session_id.isprintable() and " " not in session_id:
        return session_id
    return clean_id(session_id)


class ResumableParse:
    """Parse a transcript in pieces: feed the lines read so far, save `state()`, and later resume with
    that state and only the lines appended since.

    `load(session_id)` returns a session as stored after the earlier pieces (its steps included), so a
    tool result arriving now updates the step it belongs to. The state is small and holds no trace
    text: per session, its pending tool calls, token counters and how its last event ended it.
    """

    def __init__(self, path: str, state: dict | None = None, load: SessionLoader | None = None):
        self.path = path
        self._saved: dict[str, dict] = dict(state or {})
        self._load = load or (lambda _id: None)
        self._builders: dict[str, SessionBuilder] = {}
        self.links: SubagentLinks = {}  # named by the lines read: progress lines, Task results

    def add(self, number: int, record: dict) -> None:
        key = session_key(record)
        if key is None:
            return
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = self._builder(key, record)
        builder.add(number, record)
        if builder.new_links:
            for agent_id, call_id in builder.take_links():
                self.links[(record["sessionId"], agent_id)] = (key, call_id)

    def _builder(self, key: str, record: dict) -> SessionBuilder:
        subagent = subagent_ids_of(key, record)
        saved = self._saved.get(key)
        if saved is None:
            return SessionBuilder(key, self.path, subagent)
        stored = self._load(key) if saved["stored"] else None
        return SessionBuilder.resume(key, self.path, subagent, saved, stored)

    def changes(self) -> list[SessionChange]:
        """The sessions touched since the start (or the resume), finished as they stand now."""
        return [change for builder in self._builders.values() if (change := builder.change())]

    def state(self) -> dict:
        return self._saved | {key: builder.snapshot() for key, builder in self._builders.items()}

    def subagent_links(self, sessions: list[Session]) -> SubagentLinks:
        """The links the lines named, and those the `.meta.json` beside a sub-agent transcript names."""
        return self.links | subagent_meta_links(self.path, sessions)


def subagent_meta_links(path: str, sessions: list[Session]) -> SubagentLinks:
    """The `<agent>.meta.json` beside a sub-agent transcript names the Task call that started it."""
    subagents = [ids for session in sessions if (ids := session.subagent_ids)]
    if not subagents:
        return {}
    meta_path = Path(path).with_suffix(SUBAGENT_META_SUFFIX)
    if not meta_path.is_file():
        return {}
    try:
        call_id = json.loads(meta_path.read_bytes()).get("toolUseId")
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(call_id, str):
        return {}
    return {(root, agent): (root, call_id) for root, agent in subagents}


def slash_command_prompt(text: str) -> str | None:
    """`/command args` for a slash command the user typed with arguments, else None.

    A command with arguments is a real request (a custom command carrying the task); a bare
    `/exit` or `/model` and the `<local-command-stdout>` echo are bookkeeping.
    """
    args = _COMMAND_ARGS.search(text)
    if not args or not args.group(1).strip():
        return None
    name = _COMMAND_NAME.search(text)
    return f"{name.group(1).strip() if name else ''} {args.group(1).strip()}".strip()


def input_tokens(usage: dict) -> int:
    """Tokens a message consumed as input. Cached prompt tokens are still input the session consumed."""
    get = usage.get  # spelled out: this runs for every assistant line
    return (
        (get("input_tokens") or 0) + (get("cache_creation_input_tokens") or 0) + (get("cache_read_input_tokens") or 0)
    )


def _is_rejection(text: str, tool_use_result: object) -> bool:
    return REJECTION in text or tool_use_result == REJECTION_RESULT


@dataclass
class SessionBuilder:
    id: str
    path: str
    subagent: tuple[str, str] | None  # (root session id, agent id) of a sub-agent's session
    session: Session = field(init=False)
    pending: dict[str, int] = field(default_factory=dict)  # tool call id -> index of its step
    # Usage of finished API messages, summed; the current message's copy is kept apart because
    # every content block is its own line repeating that usage, and the last copy wins. Claude Code
    # writes a message's blocks on consecutive lines, so a new message id closes the previous one.
    tokens: list[int] = field(default_factory=lambda: [0, 0])
    message: list | None = None  # [message key, tokens in, tokens out]
    warmup: bool | None = None  # whether the first prompt was the automatic "Warmup"; None before it
    last_event: str = ""
    has_conversation: bool = False
    stored_steps: int = 0  # steps an earlier read already stored
    resolved: set[int] = field(default_factory=set)
    new_links: list[tuple[str, str]] = field(default_factory=list)  # (agent id, Task call id)

    def __post_init__(self) -> None:
        self.session = Session(id=self.id, format=FORMAT, path=self.path, subagent_ids=self.subagent)

    @classmethod
    def resume(
        cls, key: str, path: str, subagent: tuple[str, str] | None, saved: dict, stored: Session | None
    ) -> SessionBuilder:
        builder = cls(key, path, subagent, pending=dict(saved["pending"]), tokens=list(saved["tokens"]),
                      message=saved["message"], warmup=saved["warmup"], last_event=saved["last_event"],
                      has_conversation=saved["conversation"])  # fmt: skip
        if stored is not None:
            builder.session = stored
            stored.subagent_ids = subagent  # the cache keeps it in two columns, not on the loaded session
            builder.stored_steps = len(stored.steps)
        builder.session.started_at = saved["started_at"]
        builder.session.cwd = saved["cwd"]
        return builder

    def snapshot(self) -> dict:
        return {
            "stored": self.change() is not None, "pending": self.pending, "tokens": self.tokens,
            "message": self.message, "warmup": self.warmup, "last_event": self.last_event,
            "conversation": self.has_conversation, "started_at": self.session.started_at, "cwd": self.session.cwd,
        }  # fmt: skip

    def take_links(self) -> Iterator[tuple[str, str]]:
        links, self.new_links = self.new_links, []
        return iter(links)

    def add(self, number: int, record: dict) -> None:
        if self.warmup:
            return  # the whole session is dropped
        timestamp = record.get("timestamp")
        if timestamp:
            self.session.started_at = self.session.started_at or timestamp
            self.session.ended_at = timestamp
        if not self.session.cwd and record.get("cwd"):
            self.session.cwd = record["cwd"]
        kind = record.get("type")
        if kind == "progress":
            self._progress(record)
            return
        message = record.get("message")
        if not isinstance(message, dict):
            return
        if kind == "assistant":
            self.has_conversation = True
            self._assistant(number, record, message)
        elif kind == "user" and not record.get("isMeta"):
            self.has_conversation = True
            self._user(record, message)

    def _progress(self, record: dict) -> None:
        """A sub-agent's progress names the Task call that started it."""
        data = record.get("data")
        if isinstance(data, dict) and data.get("type") == "agent_progress":
            agent_id, call_id = data.get("agentId"), record.get("parentToolUseID")
            if isinstance(agent_id, str) and isinstance(call_id, str):
                self.new_links.append((agent_id, call_id))

    def _assistant(self, number: int, record: dict, message: dict) -> None:
        model = message.get("model")
        if model and model != SYNTHETIC_MODEL:
            self.session.model = model
        usage = message.get("usage")
        if isinstance(usage, dict):
            self._usage(message.get("id") or record.get("requestId") or f"line-{number}", usage)
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        for block in blocks:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text" and block.get("text", "").strip():
                self.session.final_message = block["text"]
                note_agent_text(self.session, block["text"])
                self.last_event = "answered"
            elif block.get("type") == "tool_use":
                self._tool_use(number, record, block)

    def _usage(self, message_key: str, usage: dict) -> None:
        if self.message is not None and self.message[0] != message_key:
            self.tokens = [self.tokens[0] + self.message[1], self.tokens[1] + self.message[2]]
        self.message = [message_key, input_tokens(usage), usage.get("output_tokens") or 0]

    def _tool_use(self, number: int, record: dict, block: dict) -> None:
        tool_input = block.get("input")
        step = Step(
            tool=block.get("name", ""),
            args=tool_input if isinstance(tool_input, dict) else {"input": tool_input},
            started_at=record.get("timestamp"),
            call_id=block.get("id"),
            line=number,
        )
        if step.call_id:
            self.pending[step.call_id] = len(self.session.steps)
        self.session.steps.append(step)
        self.last_event = "calling"

    def _user(self, record: dict, message: dict) -> None:
        content = message.get("content")
        if isinstance(content, str):
            self._prompt(content)
            return
        for block in content or []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "tool_result":
                self._tool_result(record, block)
            elif block.get("type") == "text":
                self._prompt(block.get("text", ""))

    def _prompt(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        if self.warmup is None:
            self.warmup = self.subagent is not None and text == WARMUP
        if text.startswith(INTERRUPTION):
            self.session.interruptions += 1
            self.last_event = "interrupted"
            return
        if text.startswith(_COMMAND_MARKERS):
            text = slash_command_prompt(text) or ""
            if not text:
                return
        self.session.task = self.session.task or text
        self.last_event = "prompt"

    def _tool_result(self, record: dict, block: dict) -> None:
        index = self.pending.pop(block.get("tool_use_id", ""), None)
        if index is None:
            return
        step = self.session.steps[index]
        if index < self.stored_steps:
            self.resolved.add(index)
        text = content_text(block.get("content"))
        step.result = cap_text(text)
        step.is_error = bool(block.get("is_error"))
        step.cascade = step.is_error and CASCADE in text
        step.ended_at = record.get("timestamp")
        tool_use_result = record.get("toolUseResult")
        if isinstance(tool_use_result, dict) and isinstance(tool_use_result.get("agentId"), str) and step.call_id:
            self.new_links.append((tool_use_result["agentId"], step.call_id))
        if _is_rejection(text, tool_use_result):
            self.session.rejections += 1
            self.last_event = "rejected"
        else:
            self.last_event = "failed" if step.is_error else "tool_ok"

    def finish(self) -> Session | None:
        change = self.change()
        return change.session if change else None

    def change(self) -> SessionChange | None:
        """The session as it stands, or None while it is no session (no conversation yet, Warmup)."""
        if not self.has_conversation or self.warmup:
            return None
        current = self.message or ["", 0, 0]
        self.session.tokens_in = self.tokens[0] + current[1]
        self.session.tokens_out = self.tokens[1] + current[2]
        self.session.outcome = _OUTCOMES.get(self.last_event, Outcome.UNKNOWN)
        return SessionChange(self.session, self.stored_steps, set(self.resolved))


_OUTCOMES = {
    "answered": Outcome.SUCCEEDED,
    "interrupted": Outcome.INTERRUPTED,
    "rejected": Outcome.INTERRUPTED,
    "failed": Outcome.FAILED,
}


TRACE_FORMAT = TraceFormat(
    id=FORMAT,
    name="Claude Code session JSONL",
    signature=re.compile(r'"(?:parentUuid|leafUuid)"\s*:|"type"\s*:\s*"(?:file-history-snapshot|queue-operation)"'),
    file_name=re.compile(r"(?:^|[\\/])(?:agent-[^/]*|[0-9a-f]{8}-[0-9a-f]{4}-[^/]*)\.jsonl$"),
    parse=parse,
    resumable=Resumable(ResumableParse, skipped_lines=NO_SESSION_LINES),
    companion_suffixes=(SUBAGENT_META_SUFFIX,),
)

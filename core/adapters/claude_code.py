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

import re
from dataclasses import dataclass, field

from core.adapters import cap_text, content_text, read_json_lines
from core.model import Outcome, ParseResult, Session, Step

FORMAT = "claude_code"

INTERRUPTION = "[Request interrupted by user"
REJECTION = "The user doesn't want to proceed with this tool use"
REJECTION_RESULT = "User rejected tool use"
CASCADE = "Sibling tool call errored"
WARMUP = "Warmup"
# Claude Code's stand-in model name for messages it writes itself (e.g. API error notices).
SYNTHETIC_MODEL = "<synthetic>"

# Cached prompt tokens are still input the session consumed, so they count toward tokens_in.
INPUT_TOKEN_FIELDS = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")

_COMMAND_MARKERS = ("<command-name>", "<command-message>", "<local-command-")
_COMMAND_NAME = re.compile(r"<command-name>(.*?)</command-name>", re.S)
_COMMAND_ARGS = re.compile(r"<command-args>(.*?)</command-args>", re.S)


def parse(data: bytes, path: str) -> ParseResult:
    lines = read_json_lines(data, path)
    builders: dict[str, _SessionBuilder] = {}
    for number, record in lines.records:
        key = session_key(record)
        if key is not None:
            if key not in builders:
                builders[key] = _SessionBuilder(key, path, subagent=key != record.get("sessionId"))
            builders[key].add(number, record)
    sessions = [session for builder in builders.values() if (session := builder.finish())]
    return ParseResult(sessions=sessions, errors=lines.errors, consumed=lines.consumed)


def session_key(record: dict) -> str | None:
    """The session a line belongs to; None for lines that belong to no session (summary, snapshots)."""
    session_id = record.get("sessionId")
    if not session_id:
        return None
    if record.get("isSidechain") and record.get("agentId"):
        return f"{session_id}:agent-{record['agentId']}"
    return session_id


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


def _count(usage: dict, *fields: str) -> int:
    return sum(usage.get(name) or 0 for name in fields)


def _is_rejection(text: str, tool_use_result: object) -> bool:
    return REJECTION in text or tool_use_result == REJECTION_RESULT


@dataclass
class _SessionBuilder:
    id: str
    path: str
    subagent: bool
    session: Session = field(init=False)
    pending: dict[str, Step] = field(default_factory=dict)
    usage_by_message: dict[str, dict] = field(default_factory=dict)
    first_prompt: str | None = None
    last_event: str = ""
    has_conversation: bool = False

    def __post_init__(self) -> None:
        self.session = Session(id=self.id, format=FORMAT, path=self.path)

    def add(self, number: int, record: dict) -> None:
        timestamp = record.get("timestamp")
        if timestamp:
            self.session.started_at = self.session.started_at or timestamp
            self.session.ended_at = timestamp
        if not self.session.cwd and record.get("cwd"):
            self.session.cwd = record["cwd"]
        kind = record.get("type")
        message = record.get("message")
        if not isinstance(message, dict):
            return
        if kind == "assistant":
            self.has_conversation = True
            self._assistant(number, record, message)
        elif kind == "user" and not record.get("isMeta"):
            self.has_conversation = True
            self._user(record, message)

    def _assistant(self, number: int, record: dict, message: dict) -> None:
        model = message.get("model")
        if model and model != SYNTHETIC_MODEL:
            self.session.model = model
        usage = message.get("usage")
        if isinstance(usage, dict):
            # Every content block is its own line repeating the message's usage; streaming may
            # update it, so the last copy per message wins.
            message_key = message.get("id") or record.get("requestId") or f"line-{number}"
            self.usage_by_message[message_key] = usage
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        for block in blocks:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text" and block.get("text", "").strip():
                self.session.final_message = block["text"]
                self.last_event = "answered"
            elif block.get("type") == "tool_use":
                self._tool_use(number, record, block)

    def _tool_use(self, number: int, record: dict, block: dict) -> None:
        tool_input = block.get("input")
        step = Step(
            tool=block.get("name", ""),
            args=tool_input if isinstance(tool_input, dict) else {"input": tool_input},
            started_at=record.get("timestamp"),
            call_id=block.get("id"),
            line=number,
        )
        self.session.steps.append(step)
        if step.call_id:
            self.pending[step.call_id] = step
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
        if self.first_prompt is None:
            self.first_prompt = text
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
        step = self.pending.pop(block.get("tool_use_id", ""), None)
        if step is None:
            return
        text = content_text(block.get("content"))
        step.result = cap_text(text)
        step.is_error = bool(block.get("is_error"))
        step.cascade = step.is_error and CASCADE in text
        step.ended_at = record.get("timestamp")
        if _is_rejection(text, record.get("toolUseResult")):
            self.session.rejections += 1
            self.last_event = "rejected"
        else:
            self.last_event = "failed" if step.is_error else "tool_ok"

    def finish(self) -> Session | None:
        if not self.has_conversation:
            return None
        if self.subagent and self.first_prompt == WARMUP:
            return None
        usages = self.usage_by_message.values()
        self.session.tokens_in = sum(_count(usage, *INPUT_TOKEN_FIELDS) for usage in usages)
        self.session.tokens_out = sum(_count(usage, "output_tokens") for usage in usages)
        self.session.outcome = _OUTCOMES.get(self.last_event, Outcome.UNKNOWN)
        return self.session


_OUTCOMES = {
    "answered": Outcome.SUCCEEDED,
    "interrupted": Outcome.INTERRUPTED,
    "rejected": Outcome.INTERRUPTED,
    "failed": Outcome.FAILED,
}

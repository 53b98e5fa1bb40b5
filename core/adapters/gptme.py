"""gptme conversation logs (`~/.local/share/gptme/logs/<YYYY-MM-DD-name>/conversation.jsonl`).

No real public log exists; this follows gptme's `Message.to_dict`: one message per line,
`{role: system|user|assistant, content, timestamp (naive, kept as written), call_id?,
metadata? {model, usage}}`. The session id is the log folder's name.

Tool calls live inside assistant markdown as fenced blocks named after the tool: ```` ```shell ````,
```` ```ipython ````, ```` ```tmux ````, ```` ```save PATH ````, ```` ```append PATH ````,
```` ```patch PATH ````. Their results are the `system` messages that follow, matched by
`call_id` when both sides have one and by position otherwise. A step fails when its result is a
gptme error ("Error …") or reports a non-zero `Return code: N`.

Outcome, from the last event: "Stopped: reached max steps limit" -> failed; the interrupt notice
("Interrupted…") -> interrupted; an assistant message without tool calls -> succeeded;
anything else (a pending prompt, a tool result the agent never answered) -> unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from skillwarden.core.adapters.shared import cap_text, content_text, note_agent_text, read_json_lines
from skillwarden.core.adapters.trace_format import TraceFormat
from skillwarden.core.model import Outcome, ParseResult, Session, Step

FORMAT = "gptme"

COMMAND_TOOLS = {"shell", "ipython", "tmux"}
FILE_TOOLS = {"save", "append", "patch"}
MAX_STEPS = "Stopped: reached max steps limit"
INTERRUPT = "Interrupted"
INPUT_TOKEN_FIELDS = ("input_tokens", "cache_read_tokens", "cache_creation_tokens")

_FENCE = re.compile(r"^```([\w.-]+)[ \t]*([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)
_RETURN_CODE = re.compile(r"^Return code: (-?\d+)", re.M)


def parse(data: bytes, path: str) -> ParseResult:
    lines = read_json_lines(data, path)
    builder = _Builder(Session(id=Path(path).parent.name or Path(path).stem, format=FORMAT, path=path))
    for number, record in lines.records:
        builder.add(number, record)
    session = builder.finish()
    return ParseResult(sessions=[session] if session else [], errors=lines.errors, consumed=lines.consumed)


def tool_blocks(markdown: str) -> list[Step]:
    """The tool calls an assistant message makes, one per executable fenced block."""
    steps = []
    for match in _FENCE.finditer(markdown):
        tool, argument, body = match.group(1), match.group(2).strip(), match.group(3)
        if tool in COMMAND_TOOLS:
            steps.append(Step(tool=tool, args={"command": body.rstrip("\n")}))
        elif tool in FILE_TOOLS and argument:
            steps.append(Step(tool=tool, args={"path": argument, "content": body}))
    return steps


def result_failed(text: str) -> bool:
    code = _RETURN_CODE.search(text)
    return text.lstrip().startswith("Error") or (code is not None and int(code.group(1)) != 0)


@dataclass
class _Builder:
    session: Session
    pending: list[Step] = field(default_factory=list)
    last_event: str = ""
    seen_message: bool = False

    def add(self, number: int, record: dict) -> None:
        role = record.get("role")
        if role not in ("system", "user", "assistant"):
            return
        self.seen_message = True
        timestamp = record.get("timestamp")
        if timestamp:
            self.session.started_at = self.session.started_at or timestamp
            self.session.ended_at = timestamp
        text = content_text(record.get("content")).strip()
        if role == "user":
            self.session.task = self.session.task or text
            self.pending = []
            self.last_event = "prompt"
        elif role == "assistant":
            self._assistant(number, timestamp, record, text)
        elif text.startswith(MAX_STEPS):
            self.last_event = "max_steps"
        elif text.startswith(INTERRUPT):
            self.session.interruptions += 1
            self.last_event = "interrupted"
        else:
            self._result(timestamp, record, text)

    def _assistant(self, number: int, timestamp: str | None, record: dict, text: str) -> None:
        metadata = record.get("metadata") or {}
        self.session.model = metadata.get("model") or self.session.model
        usage = metadata.get("usage") or {}
        self.session.tokens_in += sum(usage.get(name) or 0 for name in INPUT_TOKEN_FIELDS)
        self.session.tokens_out += usage.get("output_tokens") or 0
        steps = tool_blocks(text)
        for step in steps:
            step.line, step.started_at, step.call_id = number, timestamp, record.get("call_id")
        self.session.steps.extend(steps)
        self.pending = steps
        if text:
            self.session.final_message = text
            note_agent_text(self.session, text)
        self.last_event = "calling" if steps else "answered"

    def _result(self, timestamp: str | None, record: dict, text: str) -> None:
        call_id = record.get("call_id")
        step = next((s for s in self.pending if call_id and s.call_id == call_id), None)
        if step is None and self.pending:
            step = self.pending[0]
        if step is None:
            return  # a system prompt or notice, not a tool result
        self.pending.remove(step)
        step.result = cap_text(text)
        step.is_error = result_failed(text)
        step.ended_at = timestamp
        self.last_event = "tool_result"

    def finish(self) -> Session | None:
        if not self.seen_message:
            return None
        self.session.outcome = _OUTCOMES.get(self.last_event, Outcome.UNKNOWN)
        return self.session


_OUTCOMES = {
    "answered": Outcome.SUCCEEDED,
    "interrupted": Outcome.INTERRUPTED,
    "max_steps": Outcome.FAILED,
}


# gptme writes with json.dumps' default separators and `role` first on every line.
_LINE_START = r'\{"role": "(?:system|user|assistant|tool)", "content": '

TRACE_FORMAT = TraceFormat(
    id=FORMAT,
    name="gptme conversation.jsonl",
    signature=re.compile(r"\n" + _LINE_START),
    file_name=re.compile(r"(?:^|[\\/])conversation\.jsonl$"),
    parse=parse,
    opening=re.compile(_LINE_START),
)

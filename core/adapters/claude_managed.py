"""Anthropic hosted-agent (Managed Agents) session events, as exported one per line.

The open-hai harness wraps each API event as `{role, kind, time, content, raw}`; `raw` is the
event itself (`sevt_…` id, `type`). A bare event line (no wrapper) is read the same way. One file
is one session.

Steps are `agent.tool_use {id, name, input}` joined to `agent.tool_result {tool_use_id,
is_error, content}` by id. Tokens are summed over `span.model_request_end.model_usage` (cached
prompt tokens count as input, as for Claude Code). The task is the `user.define_outcome`
description, or else the first `user.message`.

Outcome: the grader's `span.outcome_evaluation_end.result` decides when present: `satisfied` ->
succeeded, any other verdict -> failed. Without an evaluation: ending on `user.interrupt` ->
interrupted, on an agent message -> succeeded, otherwise unknown. A `user.interrupt` after a
satisfied evaluation (the sample's harness stops the idle session) changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from skillwarden.core.adapters.shared import cap_text, content_text, note_agent_text, read_json_lines
from skillwarden.core.adapters.trace_format import TraceFormat
from skillwarden.core.model import Outcome, ParseResult, Session, Step

FORMAT = "claude_managed"

SATISFIED = "satisfied"
INPUT_TOKEN_FIELDS = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def parse(data: bytes, path: str) -> ParseResult:
    lines = read_json_lines(data, path)
    builder = _Builder(Session(id=Path(path).stem, format=FORMAT, path=path))
    for number, record in lines.records:
        event = record.get("raw") if isinstance(record.get("raw"), dict) else record
        if "." in str(event.get("type", "")):
            builder.add(number, record.get("time") or event.get("processed_at"), event)
    session = builder.finish()
    return ParseResult(sessions=[session] if session else [], errors=lines.errors, consumed=lines.consumed)


def is_true(value: object) -> bool:
    return value is True or str(value).lower() == "true"


@dataclass
class _Builder:
    session: Session
    pending: dict[str, Step] = field(default_factory=dict)
    verdict: str | None = None
    last_event: str = ""

    def add(self, number: int, timestamp: str | None, event: dict) -> None:
        if timestamp:
            self.session.started_at = self.session.started_at or timestamp
            self.session.ended_at = timestamp
        kind = event["type"]
        if kind == "agent.tool_use":
            self._tool_use(number, timestamp, event)
        elif kind == "agent.tool_result":
            self._tool_result(timestamp, event)
        elif kind == "agent.message":
            text = content_text(event.get("content")).strip()
            if text:
                self.session.final_message = text
                note_agent_text(self.session, text)
                self.last_event = "answered"
        elif kind in ("user.define_outcome", "user.message"):
            text = content_text(event.get("description") or event.get("content")).strip()
            self.session.task = self.session.task or text
            self.last_event = "prompt"
        elif kind == "user.interrupt":
            self.session.interruptions += 1
            self.last_event = "interrupted"
        elif kind == "span.model_request_end":
            self._usage(event.get("model_usage") or {})
        elif kind == "span.outcome_evaluation_end":
            self.verdict = str(event.get("result") or "")

    def _tool_use(self, number: int, timestamp: str | None, event: dict) -> None:
        tool_input = event.get("input")
        step = Step(
            tool=event.get("name", ""),
            args=tool_input if isinstance(tool_input, dict) else {"input": tool_input},
            started_at=timestamp,
            call_id=event.get("id"),
            line=number,
        )
        self.session.steps.append(step)
        if step.call_id:
            self.pending[step.call_id] = step
        self.last_event = "calling"

    def _tool_result(self, timestamp: str | None, event: dict) -> None:
        step = self.pending.pop(event.get("tool_use_id", ""), None)
        if step is None:
            return
        step.result = cap_text(content_text(event.get("content")))
        step.is_error = is_true(event.get("is_error"))
        step.ended_at = timestamp
        self.last_event = "tool_result"

    def _usage(self, usage: dict) -> None:
        self.session.tokens_in += sum(usage.get(name) or 0 for name in INPUT_TOKEN_FIELDS)
        self.session.tokens_out += usage.get("output_tokens") or 0

    def finish(self) -> Session | None:
        if not (self.session.steps or self.session.task or self.session.final_message):
            return None
        if self.verdict is not None:
            self.session.outcome = Outcome.SUCCEEDED if self.verdict == SATISFIED else Outcome.FAILED
        elif self.last_event == "interrupted":
            self.session.outcome = Outcome.INTERRUPTED
        elif self.last_event == "answered":
            self.session.outcome = Outcome.SUCCEEDED
        return self.session


TRACE_FORMAT = TraceFormat(
    id=FORMAT,
    name="Anthropic hosted-agent session events",
    signature=re.compile(r'"id"\s*:\s*"sevt_|"type"\s*:\s*"(?:agent|span|session|user)\.[a-z_]+"'),
    file_name=re.compile(r"transcript\.jsonl$"),
    parse=parse,
)

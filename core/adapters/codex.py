"""OpenAI Codex CLI rollouts (`~/.codex/sessions/YYYY/MM/DD/rollout-<ts>-<uuid>.jsonl`).

One file is one session. Tool steps are `function_call` (shell_command, exec_command,
write_stdin, update_plan, MCP tools), `custom_tool_call` (apply_patch) and hosted
`web_search_call` items; calls and outputs are joined by `call_id`.

A step fails when its exit code is non-zero. `exec_command_end.exit_code` and
`patch_apply_end.success` are authoritative; otherwise the code is read from the output header
(`Exit code: N` in 0.66, `Process exited with code N` in 0.125+) or from the JSON metadata of
custom tool outputs. A `write_stdin` call only polls a process an `exec_command` started; that
process's exit status belongs to the exec_command step, so a poll never fails on it (counting
both would report one failure twice).

Outcome: succeeded when the session ends with `task_complete` or with an assistant message;
interrupted when it ends with `turn_aborted`; unknown otherwise (e.g. cut off mid tool call).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from skillwarden.core.adapters.shared import cap_text, content_text, note_agent_text, read_json_lines
from skillwarden.core.adapters.trace_format import TraceFormat
from skillwarden.core.model import Outcome, ParseResult, Session, Step

FORMAT = "codex"

# Text Codex injects as user messages before the real prompt.
INJECTED_PREFIXES = (
    "<environment_context>",
    "<user_instructions>",
    "<permissions",
    "# AGENTS.md instructions",
    "<INSTRUCTIONS>",
    "<turn_aborted>",
)
POLL_TOOL = "write_stdin"

_EXIT_CODE = re.compile(r"^(?:Exit code:|Process exited with code) (-?\d+)", re.M)
_PATCH_FILE = re.compile(r"^\*\*\* (?:(?:Add|Update|Delete) File|Move to): (.+?)\s*$", re.M)


def parse(data: bytes, path: str) -> ParseResult:
    lines = read_json_lines(data, path)
    builder = _RolloutBuilder(path)
    for number, record in lines.records:
        builder.add(number, record)
    session = builder.finish()
    return ParseResult(sessions=[session] if session else [], errors=lines.errors, consumed=lines.consumed)


def tool_name(payload: dict) -> str:
    # MCP tools carry their server as a namespace; join them the way Claude Code names MCP tools
    # (`mcp__server__tool`) so skills can match tools across formats.
    name = payload.get("name", "")
    namespace = payload.get("namespace")
    return f"{namespace}__{name}" if namespace else name


def call_arguments(arguments: object) -> dict:
    if isinstance(arguments, dict):
        return arguments
    try:
        decoded = json.loads(arguments) if isinstance(arguments, str) else None
    except json.JSONDecodeError:
        decoded = None
    return decoded if isinstance(decoded, dict) else {"raw": arguments}


def patch_arguments(patch: str) -> dict:
    return {"patch": patch, "files": _PATCH_FILE.findall(patch)}


def exit_code_from_output(text: str) -> int | None:
    # Only the header before "Output:" is Codex's own; the command's output may contain anything.
    header = text.split("Output:", 1)[0]
    match = _EXIT_CODE.search(header)
    return int(match.group(1)) if match else None


def unwrap_output(output: object) -> tuple[str, int | None]:
    """The output text and exit code of a tool output item.

    Custom tool outputs (and older shell outputs) are a JSON string
    `{"output": ..., "metadata": {"exit_code": N}}`; newer shell outputs are plain text.
    """
    if isinstance(output, str) and output.startswith("{"):
        try:
            wrapped = json.loads(output)
        except json.JSONDecodeError:
            wrapped = None
        if isinstance(wrapped, dict) and "output" in wrapped:
            metadata = wrapped.get("metadata") or {}
            return content_text(wrapped["output"]), metadata.get("exit_code")
    text = content_text(output)
    return text, exit_code_from_output(text)


def is_injected(text: str) -> bool:
    return text.lstrip().startswith(INJECTED_PREFIXES)


@dataclass
class _RolloutBuilder:
    path: str
    session: Session = field(init=False)
    steps_by_call: dict[str, Step] = field(default_factory=dict)
    # call_ids whose status came from an *_end event, which outranks the output text.
    settled: set[str] = field(default_factory=set)
    last_event: str = ""
    seen_codex_record: bool = False

    def __post_init__(self) -> None:
        self.session = Session(id=Path(self.path).stem, format=FORMAT, path=self.path)

    def add(self, number: int, record: dict) -> None:
        payload = record.get("payload")
        if not isinstance(payload, dict):
            return
        self.seen_codex_record = True
        timestamp = record.get("timestamp")
        if timestamp:
            self.session.started_at = self.session.started_at or timestamp
            self.session.ended_at = timestamp
        kind = record.get("type")
        if kind == "session_meta":
            self._session_meta(payload)
        elif kind == "turn_context":
            self.session.model = payload.get("model") or self.session.model
            self.session.cwd = self.session.cwd or payload.get("cwd", "")
        elif kind == "response_item":
            self._response_item(number, timestamp, payload)
        elif kind == "event_msg":
            self._event(timestamp, payload)

    def _session_meta(self, payload: dict) -> None:
        self.session.id = payload.get("id") or self.session.id
        self.session.cwd = payload.get("cwd") or self.session.cwd
        self.session.started_at = payload.get("timestamp") or self.session.started_at

    def _response_item(self, number: int, timestamp: str | None, payload: dict) -> None:
        item = payload.get("type")
        if item == "message" and payload.get("role") == "user":
            self._prompt(content_text(payload.get("content")))
        elif item == "message" and payload.get("role") == "assistant":
            text = content_text(payload.get("content")).strip()
            if text:
                self.session.final_message = text
                note_agent_text(self.session, text)
                self.last_event = "answered"
        elif item == "function_call":
            name = tool_name(payload)
            args = call_arguments(payload.get("arguments"))
            if name == "apply_patch" and isinstance(args.get("input"), str):
                args = patch_arguments(args["input"])
            self._call(Step(tool=name, args=args), number, timestamp, payload)
        elif item == "custom_tool_call":
            tool_input = payload.get("input", "")
            args = patch_arguments(tool_input) if payload.get("name") == "apply_patch" else {"input": tool_input}
            self._call(Step(tool=payload.get("name", ""), args=args), number, timestamp, payload)
        elif item == "web_search_call":
            # Hosted search is written once it is done and has no output item to wait for.
            search = Step(tool="web_search", args=payload.get("action") or {}, ended_at=timestamp)
            self._call(search, number, timestamp, payload)
        elif item in ("function_call_output", "custom_tool_call_output"):
            self._output(timestamp, payload)

    def _prompt(self, text: str) -> None:
        text = text.strip()
        if not text or is_injected(text):
            return
        self.session.task = self.session.task or text
        self.last_event = "prompt"

    def _call(self, step: Step, number: int, timestamp: str | None, payload: dict) -> None:
        step.line = number
        step.started_at = timestamp
        step.call_id = payload.get("call_id")
        self.session.steps.append(step)
        if step.call_id:
            self.steps_by_call[step.call_id] = step
        self.last_event = "calling"

    def _output(self, timestamp: str | None, payload: dict) -> None:
        step = self.steps_by_call.get(payload.get("call_id", ""))
        if step is None:
            return
        text, exit_code = unwrap_output(payload.get("output"))
        step.result = cap_text(text)
        step.ended_at = timestamp
        if step.call_id not in self.settled and step.tool != POLL_TOOL and exit_code is not None:
            step.is_error = exit_code != 0

    def _settle(self, payload: dict, failed: bool) -> None:
        step = self.steps_by_call.get(payload.get("call_id", ""))
        if step is not None:
            step.is_error = failed
            self.settled.add(step.call_id)

    def _event(self, timestamp: str | None, payload: dict) -> None:
        event = payload.get("type")
        if event == "user_message":
            self._prompt(payload.get("message") or "")
        elif event == "exec_command_end" and payload.get("exit_code") is not None:
            self._settle(payload, failed=payload["exit_code"] != 0)
        elif event == "patch_apply_end" and payload.get("success") is not None:
            self._settle(payload, failed=not payload["success"])
        elif event == "token_count":
            self._token_count(payload)
        elif event == "task_complete":
            self.session.final_message = payload.get("last_agent_message") or self.session.final_message
            self.last_event = "complete"
        elif event == "turn_aborted":
            self.session.interruptions += 1
            self.last_event = "aborted"

    def _token_count(self, payload: dict) -> None:
        # total_token_usage is cumulative: the last one is the session's total, summing would overcount.
        total = (payload.get("info") or {}).get("total_token_usage")
        if isinstance(total, dict):
            self.session.tokens_in = total.get("input_tokens") or 0
            self.session.tokens_out = total.get("output_tokens") or 0

    def finish(self) -> Session | None:
        if not self.seen_codex_record:
            return None
        self.session.outcome = _OUTCOMES.get(self.last_event, Outcome.UNKNOWN)
        return self.session


_OUTCOMES = {
    "answered": Outcome.SUCCEEDED,
    "complete": Outcome.SUCCEEDED,
    "aborted": Outcome.INTERRUPTED,
}


TRACE_FORMAT = TraceFormat(
    id=FORMAT,
    name="Codex CLI rollout JSONL",
    signature=re.compile(r'"type"\s*:\s*"(?:session_meta|response_item|event_msg|turn_context)"\s*,\s*"payload"\s*:'),
    file_name=re.compile(r"(?:^|[\\/])rollout-[^/]*\.jsonl$"),
    parse=parse,
)

"""Headless Claude Code output: `claude -p --output-format stream-json` (and claude-code-action's
`claude-execution-output.json`, the same messages collected into one JSON array).

Messages are `{type: system|assistant|user|result, …}` with snake_case envelope fields
(`session_id`, `parent_tool_use_id`, `tool_use_result`); `message` is the same Anthropic Messages
object as in the interactive transcript. So each message is renamed to the transcript's
camelCase and read by the Claude Code adapter's session builder: tool calls, results, errors,
rejections and interruptions follow exactly the transcript rules. A JSONL stream has lines
(`Step.line`); the array form is one document and has none.

Messages of a Task sub-agent carry `parent_tool_use_id`; like transcript sidechains they become
a session of their own, id `<session_id>:agent-<parent_tool_use_id>`.

Outcome: the closing `{type: "result"}` message decides: `subtype: "success"` with
`is_error: false` -> succeeded; any other subtype (`error_max_turns`,
`error_during_execution`) or `is_error: true` -> failed. Its `result` text is the final message
and its `usage` the session total. Without a result message (a stream cut short) the
transcript's last-event rule applies.
"""

from __future__ import annotations

import re

from skillwarden.core.adapters.claude_code import SessionBuilder, input_tokens
from skillwarden.core.adapters.shared import read_json_document, read_json_lines
from skillwarden.core.adapters.trace_format import TraceFormat
from skillwarden.core.model import Outcome, ParseResult, Session, subagent_session_id

FORMAT = "claude_stream"

SUCCESS = "success"


def parse(data: bytes, path: str) -> ParseResult:
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        document = read_json_document(data, path)
        messages = document.value if isinstance(document.value, list) else []
        records = [(None, message) for message in messages if isinstance(message, dict)]
        errors, consumed = document.errors, document.consumed
    else:
        lines = read_json_lines(data, path)
        records, errors, consumed = lines.records, lines.errors, lines.consumed
    return ParseResult(sessions=_sessions(records, path), errors=errors, consumed=consumed)


def as_transcript_record(message: dict, session_key: str) -> dict:
    """The message in the interactive transcript's shape, which the Claude Code builder reads."""
    record = dict(message)
    record["sessionId"] = session_key
    if "tool_use_result" in message:
        record["toolUseResult"] = message["tool_use_result"]
    return record


def result_outcome(result: dict) -> Outcome:
    succeeded = result.get("subtype") == SUCCESS and not result.get("is_error")
    return Outcome.SUCCEEDED if succeeded else Outcome.FAILED


def _sessions(records: list[tuple[int | None, dict]], path: str) -> list[Session]:
    builders: dict[str, SessionBuilder] = {}
    init: dict = {}
    result: dict | None = None
    for number, message in records:
        kind = message.get("type")
        if kind == "system" and message.get("subtype") == "init":
            init = message
        elif kind == "result":
            result = message
        elif kind in ("assistant", "user"):
            main_id = message.get("session_id") or init.get("session_id") or path
            parent = message.get("parent_tool_use_id")
            key = subagent_session_id(main_id, parent) if parent else main_id
            if key not in builders:
                builders[key] = SessionBuilder(key, path, subagent=(main_id, parent) if parent else None)
            builders[key].add(number, as_transcript_record(message, key))
    sessions = [session for builder in builders.values() if (session := builder.finish())]
    for session in sessions:
        session.format = FORMAT
        session.model = session.model or init.get("model", "")
        session.cwd = session.cwd or init.get("cwd", "")
    main = next((session for session in sessions if session.subagent_ids is None), None)
    if main is not None and result is not None:
        _apply_result(main, result)
    return sessions


def _apply_result(session: Session, result: dict) -> None:
    session.outcome = result_outcome(result)
    if isinstance(result.get("result"), str) and result["result"].strip():
        session.final_message = result["result"]
    usage = result.get("usage")
    if isinstance(usage, dict):
        session.tokens_in = input_tokens(usage)
        session.tokens_out = usage.get("output_tokens") or 0


TRACE_FORMAT = TraceFormat(
    id=FORMAT,
    name="Claude Code headless stream-json (claude -p --output-format stream-json)",
    # snake_case keys: the interactive transcript spells them sessionId/parentUuid instead.
    signature=re.compile(r'"(?:session_id|parent_tool_use_id)"\s*:|"subtype"\s*:\s*"init"'),
    file_name=re.compile(r"(?:^|[\\/])claude-execution-output\.json$|\.stream\.jsonl?$"),
    parse=parse,
)

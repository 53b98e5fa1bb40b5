"""Gemini CLI chat sessions (`~/.gemini/tmp/<projectHash>/chats/session-*.json`).

One pretty-printed JSON document per session, rewritten as the chat goes on (so it is read
whole: `consumed` is the file size when it parses, and `Step.line` stays None). Messages are
`{type: user|gemini, content, tokens, model, toolCalls[]}`; a tool call carries its own result
(`result[].functionResponse.response.output|error`) and `status`.

A step fails when its status is not `success` (error, cancelled), when its response holds an
`error`, or when a shell command's output reports a non-zero `Exit Code: N` (the tool itself
succeeds in running a failing command).

Outcome: the last message is from gemini and no tool call of the session failed its status ->
succeeded; a failed status -> failed; a session ending on a user message -> unknown. Tokens are
summed over messages: each `tokens` block counts one model call.
"""

from __future__ import annotations

import re

from skillwarden.core.adapters.shared import cap_text, content_text, note_agent_text, read_json_document
from skillwarden.core.adapters.trace_format import TraceFormat
from skillwarden.core.model import Outcome, ParseResult, Session, Step

FORMAT = "gemini_cli"

OK_STATUS = "success"
_EXIT_CODE = re.compile(r"^Exit Code: (-?\d+)", re.M)


def parse(data: bytes, path: str) -> ParseResult:
    document = read_json_document(data, path)
    value = document.value
    session = _session(value, path) if isinstance(value, dict) and isinstance(value.get("messages"), list) else None
    return ParseResult(sessions=[session] if session else [], errors=document.errors, consumed=document.consumed)


def call_result(call: dict) -> tuple[str, bool]:
    """The text a tool call returned, and whether its response is an explicit error."""
    texts, errored = [], False
    for part in call.get("result") or []:
        response = ((part or {}).get("functionResponse") or {}).get("response") or {}
        if response.get("error"):
            errored = True
            texts.append(content_text(response["error"]))
        elif "output" in response:
            texts.append(content_text(response["output"]))
    return "\n".join(texts), errored


def shell_exit_code(output: str) -> int | None:
    match = _EXIT_CODE.search(output)
    return int(match.group(1)) if match else None


def tool_step(call: dict) -> Step:
    output, errored = call_result(call)
    code = shell_exit_code(output)
    args = call.get("args")
    return Step(
        tool=call.get("name", ""),
        args=args if isinstance(args, dict) else {"input": args},
        result=cap_text(output),
        is_error=errored or call.get("status", OK_STATUS) != OK_STATUS or bool(code),
        started_at=call.get("timestamp"),
        call_id=call.get("id"),
    )


def _session(document: dict, path: str) -> Session:
    session = Session(id=document.get("sessionId") or path, format=FORMAT, path=path)
    session.started_at = document.get("startTime")
    session.ended_at = document.get("lastUpdated")
    status_failed = False
    last_type = ""
    for message in document["messages"]:
        if not isinstance(message, dict):
            continue
        last_type = message.get("type", "")
        text = content_text(message.get("content")).strip()
        if last_type == "user" and text:
            session.task = session.task or text
        elif last_type == "gemini":
            session.model = message.get("model") or session.model
            session.final_message = text or session.final_message
            note_agent_text(session, text)
            tokens = message.get("tokens") or {}
            # Cached prompt tokens are part of `input`, so they are not added again.
            session.tokens_in += tokens.get("input") or 0
            session.tokens_out += (tokens.get("output") or 0) + (tokens.get("thoughts") or 0)
            for call in message.get("toolCalls") or []:
                if isinstance(call, dict):
                    session.steps.append(tool_step(call))
                    status_failed = status_failed or call.get("status", OK_STATUS) != OK_STATUS
    if status_failed:
        session.outcome = Outcome.FAILED
    elif last_type == "gemini":
        session.outcome = Outcome.SUCCEEDED
    return session


TRACE_FORMAT = TraceFormat(
    id=FORMAT,
    name="Gemini CLI chat session JSON",
    signature=re.compile(r'"(?:projectHash|toolCalls)"\s*:|"type"\s*:\s*"gemini"'),
    file_name=re.compile(r"(?:^|[\\/])session-[^/]*\.json$"),
    parse=parse,
)

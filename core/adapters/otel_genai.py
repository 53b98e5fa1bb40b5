"""OpenTelemetry GenAI spans: mozilla-ai/any-agent `AgentTrace` JSON and standard OTLP/JSON.

- any-agent: `{spans[], final_output}`; a span has `name`, `parent`, `context{trace_id, span_id}`
  (integers), `start_time`/`end_time` (unix nanoseconds), `status{status_code}` and a flat
  `attributes` dict with `gen_ai.*` keys.
- OTLP/JSON export: `{resourceSpans[{scopeSpans[{spans[]}]}]}`; ids are hex strings, times are
  nanosecond strings, attributes a list of `{key, value: {stringValue|intValue|…}}`, and status
  codes `STATUS_CODE_OK|ERROR` (or 1|2). No real export was found, so its test is written to the
  spec.

One trace (trace id) is one session, one whole-file document (`Step.line` stays None). Steps are
the `execute_tool` spans in start order (`gen_ai.tool.name`, `gen_ai.tool.args`, output in
`gen_ai.output`); tokens are summed over `gen_ai.usage.*` of the LLM calls; the task is the
first user message of the first LLM call's `gen_ai.input.messages`.

Outcome: any span with an error status -> failed; otherwise all child spans ok and a final
output (any-agent `final_output`, or the root span's `gen_ai.output`) -> succeeded; else
unknown. The root `invoke_agent` span stays `unset`, so it does not count against success.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from skillwarden.core.adapters.shared import cap_text, content_text, read_json_document
from skillwarden.core.adapters.trace_format import TraceFormat
from skillwarden.core.model import Outcome, ParseResult, Session, Step

FORMAT = "otel_genai"

ERROR_STATUSES = {"error", "status_code_error", "2"}
OK_STATUSES = {"ok", "status_code_ok", "1"}
TOOL_OPERATION = "execute_tool"
LLM_OPERATIONS = {"call_llm", "chat", "text_completion", "generate_content"}


@dataclass
class _Span:
    """A span in a shape both source formats reduce to."""

    trace_id: str
    span_id: str
    parent_id: str
    name: str
    start_ns: int
    end_ns: int
    status: str
    attributes: dict = field(default_factory=dict)


def parse(data: bytes, path: str) -> ParseResult:
    document = read_json_document(data, path)
    value = document.value if isinstance(document.value, dict) else {}
    if "resourceSpans" in value:
        spans = otlp_spans(value)
    else:
        spans = [any_agent_span(span) for span in value.get("spans") or [] if isinstance(span, dict)]
    final_output = value.get("final_output")
    traces: dict[str, list[_Span]] = {}
    for span in spans:
        traces.setdefault(span.trace_id, []).append(span)
    sessions = [_session(trace_id, trace, path, final_output) for trace_id, trace in traces.items()]
    return ParseResult(sessions=sessions, errors=document.errors, consumed=document.consumed)


def nanos_to_iso(nanos: int) -> str | None:
    if not nanos:
        return None
    moment = datetime.fromtimestamp(nanos / 1e9, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def any_agent_span(raw: dict) -> _Span:
    context = raw.get("context") or {}
    parent = raw.get("parent") or {}
    return _Span(
        trace_id=str(context.get("trace_id", "")),
        span_id=str(context.get("span_id", "")),
        parent_id=str(parent.get("span_id") or ""),
        name=raw.get("name", ""),
        start_ns=int(raw.get("start_time") or 0),
        end_ns=int(raw.get("end_time") or 0),
        status=str((raw.get("status") or {}).get("status_code", "")).lower(),
        attributes=raw.get("attributes") or {},
    )


def otlp_value(value: dict) -> object:
    """The Python value of an OTLP `AnyValue` (`{"stringValue": …}`, `{"intValue": "12"}`, …)."""
    if "intValue" in value:
        return int(value["intValue"])
    if "arrayValue" in value:
        return [otlp_value(item) for item in (value["arrayValue"].get("values") or [])]
    for kind in ("stringValue", "boolValue", "doubleValue"):
        if kind in value:
            return value[kind]
    return None


def otlp_spans(document: dict) -> list[_Span]:
    spans = []
    for resource in document.get("resourceSpans") or []:
        for scope in resource.get("scopeSpans") or []:
            for raw in scope.get("spans") or []:
                attributes = {a.get("key"): otlp_value(a.get("value") or {}) for a in raw.get("attributes") or []}
                spans.append(
                    _Span(
                        trace_id=raw.get("traceId", ""),
                        span_id=raw.get("spanId", ""),
                        parent_id=raw.get("parentSpanId", ""),
                        name=raw.get("name", ""),
                        start_ns=int(raw.get("startTimeUnixNano") or 0),
                        end_ns=int(raw.get("endTimeUnixNano") or 0),
                        status=str((raw.get("status") or {}).get("code", "")).lower(),
                        attributes=attributes,
                    )
                )
    return spans


def operation(span: _Span) -> str:
    return str(span.attributes.get("gen_ai.operation.name") or span.name.split(" ", 1)[0])


def decode_json(text: object) -> object:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def first_user_message(messages: object) -> str:
    for message in decode_json(messages) or []:
        if isinstance(message, dict) and message.get("role") == "user":
            return content_text(message.get("content") or message.get("parts")).strip()
    return ""


def tool_step(span: _Span) -> Step:
    args = decode_json(span.attributes.get("gen_ai.tool.args") or span.attributes.get("gen_ai.tool.call.arguments"))
    output = span.attributes.get("gen_ai.output") or span.attributes.get("gen_ai.tool.call.result") or ""
    return Step(
        tool=str(span.attributes.get("gen_ai.tool.name") or span.name.removeprefix(f"{TOOL_OPERATION} ")),
        args=args if isinstance(args, dict) else {"input": args},
        result=cap_text(output if isinstance(output, str) else json.dumps(output)),
        is_error=span.status in ERROR_STATUSES,
        started_at=nanos_to_iso(span.start_ns),
        ended_at=nanos_to_iso(span.end_ns),
        call_id=str(span.attributes.get("gen_ai.tool.call.id") or span.span_id),
    )


def _session(trace_id: str, spans: list[_Span], path: str, final_output: object) -> Session:
    spans.sort(key=lambda span: span.start_ns)
    session = Session(id=trace_id, format=FORMAT, path=path)
    session.started_at = nanos_to_iso(spans[0].start_ns)
    session.ended_at = nanos_to_iso(max(span.end_ns for span in spans))
    span_ids = {span.span_id for span in spans}
    roots = [span for span in spans if span.parent_id not in span_ids]
    for span in spans:
        kind = operation(span)
        if kind == TOOL_OPERATION:
            session.steps.append(tool_step(span))
        elif kind in LLM_OPERATIONS:
            session.model = session.model or str(span.attributes.get("gen_ai.request.model") or "")
            session.task = session.task or first_user_message(span.attributes.get("gen_ai.input.messages"))
            session.tokens_in += int(span.attributes.get("gen_ai.usage.input_tokens") or 0)
            session.tokens_out += int(span.attributes.get("gen_ai.usage.output_tokens") or 0)
    if final_output is None and roots:
        final_output = decode_json(roots[0].attributes.get("gen_ai.output"))
    if final_output is not None:
        session.final_message = final_output if isinstance(final_output, str) else json.dumps(final_output)
    children = [span for span in spans if span not in roots]
    if any(span.status in ERROR_STATUSES for span in spans):
        session.outcome = Outcome.FAILED
    elif children and final_output and all(span.status in OK_STATUSES for span in children):
        session.outcome = Outcome.SUCCEEDED
    return session


TRACE_FORMAT = TraceFormat(
    id=FORMAT,
    name="OpenTelemetry GenAI spans (any-agent AgentTrace or OTLP JSON)",
    signature=re.compile(r'"(?:spans|resourceSpans|scopeSpans)"\s*:|"gen_ai\.[a-z_.]+"'),
    file_name=re.compile(r"trace[^/]*\.json$"),
    parse=parse,
)

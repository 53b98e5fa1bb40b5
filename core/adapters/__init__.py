"""Trace adapters: turn an agent's trace file into `Session`s.

Each format lives in a module named after its format id and exposes
`parse(data: bytes, path: str) -> ParseResult`. Modules are imported on first use, so they can
import the shared line-reading helpers below without an import cycle.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from skillwarden.core.model import ParseError, ParseResult, Session
from skillwarden.core.security.redact import cut_keeping_secrets_whole

SNIFF_BYTES = 8192
# What json says of nesting past Python's recursion limit (orjson, tried first, refuses past 1024 levels).
TOO_DEEP = "invalid JSON: nested too deeply"
RESULT_CAP = 2000
# Long strings inside a tool call's arguments (file contents in a Write or Edit) are cut to this many characters.
ARGS_CAP = RESULT_CAP


@dataclass(frozen=True)
class _Format:
    name: str
    # Patterns matched against the raw head of a file. They look for structural JSON keys with
    # unescaped quotes, which cannot occur inside a JSON string value, so a session that merely
    # talks about another format does not match it.
    signature: re.Pattern[str]
    # Used only to break a tie between formats whose content matched equally well.
    file_name: re.Pattern[str]
    # A match at the very start of the file, counted with the signature's. Kept apart because a pattern
    # with a branch anchored at the start cannot skip ahead to its literal: it would try every position.
    opening: re.Pattern[str] | None = None


_GPTME_LINE = r'\{"role": "(?:system|user|assistant|tool)", "content": '
_AIDER_START = r"# aider chat started at \d{4}-"

_FORMATS: dict[str, _Format] = {
    "claude_code": _Format(
        name="Claude Code session JSONL",
        signature=re.compile(r'"(?:parentUuid|leafUuid)"\s*:|"type"\s*:\s*"(?:file-history-snapshot|queue-operation)"'),
        file_name=re.compile(r"(?:^|[\\/])(?:agent-[^/]*|[0-9a-f]{8}-[0-9a-f]{4}-[^/]*)\.jsonl$"),
    ),
    "codex": _Format(
        name="Codex CLI rollout JSONL",
        signature=re.compile(
            r'"type"\s*:\s*"(?:session_meta|response_item|event_msg|turn_context)"\s*,\s*"payload"\s*:'
        ),
        file_name=re.compile(r"(?:^|[\\/])rollout-[^/]*\.jsonl$"),
    ),
    "claude_stream": _Format(
        name="Claude Code headless stream-json (claude -p --output-format stream-json)",
        # snake_case keys: the interactive transcript spells them sessionId/parentUuid instead.
        signature=re.compile(r'"(?:session_id|parent_tool_use_id)"\s*:|"subtype"\s*:\s*"init"'),
        file_name=re.compile(r"(?:^|[\\/])claude-execution-output\.json$|\.stream\.jsonl?$"),
    ),
    "claude_managed": _Format(
        name="Anthropic hosted-agent session events",
        signature=re.compile(r'"id"\s*:\s*"sevt_|"type"\s*:\s*"(?:agent|span|session|user)\.[a-z_]+"'),
        file_name=re.compile(r"transcript\.jsonl$"),
    ),
    "swe_agent": _Format(
        name="SWE-agent .traj / mini-swe-agent .traj.json",
        signature=re.compile(r'"(?:trajectory|trajectory_format)"\s*:'),
        file_name=re.compile(r"\.traj(?:\.json)?$"),
        # The bare mini-swe-agent messages list has no envelope: only a list opening on a role.
        opening=re.compile(r'\s*\[\s*\{\s*"role"\s*:'),
    ),
    "openhands": _Format(
        name="OpenHands event stream / eval output",
        signature=re.compile(
            r'"source"\s*:\s*"(?:user|agent|environment)"|"(?:instance_id|issue_type|agent_class)"\s*:'
            r'|"action"\s*:\s*"(?:run|run_ipython|finish)"'
        ),
        file_name=re.compile(r"(?:^|[\\/])output\.jsonl$"),
    ),
    "gemini_cli": _Format(
        name="Gemini CLI chat session JSON",
        signature=re.compile(r'"(?:projectHash|toolCalls)"\s*:|"type"\s*:\s*"gemini"'),
        file_name=re.compile(r"(?:^|[\\/])session-[^/]*\.json$"),
    ),
    "otel_genai": _Format(
        name="OpenTelemetry GenAI spans (any-agent AgentTrace or OTLP JSON)",
        signature=re.compile(r'"(?:spans|resourceSpans|scopeSpans)"\s*:|"gen_ai\.[a-z_.]+"'),
        file_name=re.compile(r"trace[^/]*\.json$"),
    ),
    "gptme": _Format(
        name="gptme conversation.jsonl",
        # gptme writes with json.dumps' default separators and `role` first on every line.
        signature=re.compile(r"\n" + _GPTME_LINE),
        file_name=re.compile(r"(?:^|[\\/])conversation\.jsonl$"),
        opening=re.compile(_GPTME_LINE),
    ),
    "aider": _Format(
        name="Aider chat history Markdown",
        signature=re.compile(r"\n" + _AIDER_START),
        file_name=re.compile(r"aider[^/]*\.md$"),
        opening=re.compile(_AIDER_START),
    ),
}

SUPPORTED_FORMATS: dict[str, str] = {fmt: spec.name for fmt, spec in _FORMATS.items()}


class UnsupportedFormat(Exception):
    """Raised when a file's content matches none of the supported trace formats."""

    def __init__(self, path: str, detail: str = "content matches no known trace format") -> None:
        supported = ", ".join(f"{fmt} ({name})" for fmt, name in SUPPORTED_FORMATS.items())
        super().__init__(f"{path}: {detail}; supported formats: {supported}")
        self.path = path


def sniff(head: bytes, name: str = "", tail: bytes = b"") -> str | None:
    """Guess the format of a file from its first few KB and, where those say nothing, its last few KB
    (mini-swe-agent writes `trajectory_format` after the messages); the file name only breaks ties."""
    fmt = sniff_text(head[:SNIFF_BYTES].decode("utf-8", errors="replace"), name)
    if fmt is None and tail:
        fmt = sniff_text(tail[-SNIFF_BYTES:].decode("utf-8", errors="replace"), name)
    return fmt


def sniff_text(text: str, name: str = "") -> str | None:
    scores = {fmt: signature_matches(spec, text) for fmt, spec in _FORMATS.items()}
    best = max(scores.values())
    if best == 0:
        return None
    candidates = [fmt for fmt, score in scores.items() if score == best]
    by_name = [fmt for fmt in candidates if _FORMATS[fmt].file_name.search(name)]
    return (by_name or candidates)[0]


def sniff_document(data: bytes, name: str = "") -> str | None:
    """The format of a whole-file JSON document whose telling keys sit neither in its head nor in its
    tail: its top-level keys (or those of its first record) are matched as the signatures match text."""
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return None
    try:
        value = json.loads(data.decode("utf-8", errors="replace").lstrip("\ufeff"))
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, dict)), None)
        keys = f'[{{"{next(iter(value))}": ' if value else ""
    else:
        keys = ""
    if isinstance(value, dict):
        keys += " ".join(f'"{key}": ' for key in value if isinstance(key, str))
    return sniff_text(keys, name) if keys else None


def signature_matches(spec: _Format, text: str) -> int:
    opening = spec.opening is not None and spec.opening.match(text) is not None
    return len(spec.signature.findall(text)) + opening


def parse_bytes(fmt: str, data: bytes, path: str) -> ParseResult:
    if fmt not in _FORMATS:
        raise UnsupportedFormat(path, f"unknown format id {fmt!r}")
    module = importlib.import_module(f"{__name__}.{fmt}")
    return module.parse(data, path)


def parse_file(path: str | os.PathLike) -> ParseResult:
    """Read, sniff and parse one trace file.

    Problems with the file itself come back as a ParseError so a batch run keeps going; only
    content that is no trace at all raises UnsupportedFormat.
    """
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        return ParseResult(errors=[ParseError(name, f"unreadable: {exc.strerror or exc}")])
    head = data[:SNIFF_BYTES]
    if b"\0" in head:
        return ParseResult(errors=[ParseError(name, "binary file (NUL bytes), not a trace")])
    if not data.strip():
        return ParseResult()
    fmt = sniff(head, name, data[-SNIFF_BYTES:]) or sniff_document(data, name)
    if fmt is None:
        raise UnsupportedFormat(name)
    return parse_bytes(fmt, data, name)


# --- helpers shared by the line-based adapters ---------------------------------------------------


@dataclass
class JsonLines:
    records: list[tuple[int, dict]] = field(default_factory=list)  # (1-based line number, object)
    errors: list[ParseError] = field(default_factory=list)
    consumed: int = 0


def read_json_lines(data: bytes, path: str) -> JsonLines:
    """Decode a JSONL byte string line by line, keeping going past bad lines.

    A last line without a newline is taken only if it is complete JSON: a trace being written
    right now ends in a half-written line, which is neither an error nor consumed.
    """
    out = JsonLines()
    complete_end = data.rfind(b"\n") + 1
    for number, raw in enumerate(data[:complete_end].split(b"\n")[:-1], start=1):
        record, problem = decode_line(raw)
        if problem:
            out.errors.append(ParseError(path, problem, line=number))
        elif record is not None:
            out.records.append((number, record))
    out.consumed = complete_end
    tail_record, tail_problem = decode_line(data[complete_end:])
    if tail_record is not None and not tail_problem:
        out.records.append((data.count(b"\n") + 1, tail_record))
        out.consumed = len(data)
    return out


def decode_line(raw: bytes) -> tuple[dict | None, str | None]:
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
    if not text:
        return None, None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return None, TOO_DEEP
    if not isinstance(value, dict):
        return None, f"expected a JSON object, got {type(value).__name__}"
    return value, None


@dataclass
class JsonDocument:
    value: object = None
    errors: list[ParseError] = field(default_factory=list)
    consumed: int = 0


def read_json_document(data: bytes, path: str) -> JsonDocument:
    """Decode a whole-file JSON document (.traj, .json), which has no lines to resume from.

    It is all or nothing: the whole file is consumed when it parses; otherwise one ParseError
    gives the position of the problem and nothing is consumed, so a rewrite is read again.
    """
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        return JsonDocument(value=json.loads(text), consumed=len(data))
    except json.JSONDecodeError as exc:
        problem = f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        return JsonDocument(errors=[ParseError(path, problem, line=exc.lineno)])
    except RecursionError:
        return JsonDocument(errors=[ParseError(path, TOO_DEEP)])


def cap_text(text: str, limit: int = RESULT_CAP) -> str:
    """`text` cut to `limit` characters; redaction runs on what is kept, so the cut never splits a secret."""
    if len(text) <= limit:
        return text
    return f"{cut_keeping_secrets_whole(text, limit)}…[truncated {len(text) - limit} chars]"


def cap_args(value: object, limit: int = ARGS_CAP) -> object:
    """A tool call's arguments with every string longer than `limit` cut as `cap_text` cuts a result.

    A Write or Edit carries whole file contents; what is read from arguments (the command, the paths,
    a short excerpt in the review) sits in their first characters. Run before redaction, so the cut
    never leaves the first part of a secret behind. Values without a long string come back unchanged.
    """
    if isinstance(value, str):
        return cap_text(value, limit) if len(value) > limit else value
    if isinstance(value, dict):
        return {key: cap_args(item, limit) for key, item in value.items()}
    if isinstance(value, list | tuple):
        capped = [cap_args(item, limit) for item in value]
        return capped if isinstance(value, list) else tuple(capped)
    return value


def content_text(content: object) -> str:
    """Flatten message/tool-result content (a string or a list of blocks) to plain text.

    Image blocks become a placeholder: their base64 payload is useless for analysis and huge.
    """
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return "" if content is None else json.dumps(content)
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif isinstance(block, dict) and "image" in str(block.get("type", "")):
            parts.append("[image]")
    return "\n".join(parts)


# Words an agent uses when it catches itself: how often it does is a sign the task is going badly.
# Matched in lower-cased text: a case-insensitive scan of every reply costs twice as much.
SELF_CORRECTION = re.compile(r"\b(?:wait|hmm+|actually|oops|mistakes?|wrong)\b")
_SELF_CORRECTION_WORDS = ("wait", "hmm", "actually", "oops", "mistake", "wrong")
_FENCE = "```"
# SWE-bench style instance ids: `django__django-11099` is the repository django/django.
_INSTANCE_ID = re.compile(r"^([A-Za-z0-9][\w.-]*)__([A-Za-z0-9][\w.-]*?)-\d+$")


def note_agent_text(session: Session, text: str) -> None:
    """Count what the agent wrote as prose (its thoughts and replies, not the code it fenced)."""
    prose = unfenced(text).strip()
    if not prose:
        return
    session.agent_chars += len(prose)
    session.agent_turns += 1
    lowered = prose.lower()
    if any(word in lowered for word in _SELF_CORRECTION_WORDS):  # most replies hold none
        session.self_corrections += len(SELF_CORRECTION.findall(lowered))


def unfenced(text: str) -> str:
    """`text` with each fenced block (from a fence to the next, or to the end) replaced by a blank."""
    parts = text.split(_FENCE)
    return " ".join(parts[0::2]) + (" " if len(parts) % 2 == 0 else "")


def project_of_instance(instance_id: str) -> str:
    """`django__django-11099` -> `django/django`; "" for ids of any other shape."""
    match = _INSTANCE_ID.match(instance_id)
    return f"{match.group(1)}/{match.group(2)}" if match else ""


def patch_size(patch: object) -> int | None:
    """Lines a unified diff adds or removes; None when there is no patch at all (not even an empty one)."""
    if patch is None:
        return None
    lines = str(patch).splitlines()
    return sum(1 for line in lines if line.startswith(("+", "-")) and not line.startswith(("+++", "---")))

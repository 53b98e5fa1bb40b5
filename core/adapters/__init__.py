"""Trace adapters: turn an agent's trace file into `Session`s.

Each format lives in a module named after its format id and exposes
`parse(data: bytes, path: str) -> ParseResult`; what they share (reading JSON lines, capping text) is in
`shared`. Modules are imported on first use.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from skillwarden.core.model import ParseError, ParseResult

SNIFF_BYTES = 8192


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

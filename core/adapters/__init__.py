"""Trace adapters: turn an agent's trace file into `Session`s.

Each format lives in a module named after its format id, which declares everything about the format in one
`TraceFormat` (trace_format.py): its id and name, how a file of it is recognised, its parser and, where it
has one, its resumable reader. This registry only lists those modules and picks a file's format from their
declarations; what the modules share (reading JSON lines, capping text) is in `shared`.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

from skillwarden.core.adapters.trace_format import Resumable, TraceFormat
from skillwarden.core.model import ParseError, ParseResult

SNIFF_BYTES = 8192

# The order breaks a tie the file name leaves: of formats whose content matched equally well, the first listed.
ADAPTER_MODULES = (
    "claude_code",
    "codex",
    "claude_stream",
    "claude_managed",
    "swe_agent",
    "openhands",
    "gemini_cli",
    "otel_genai",
    "gptme",
    "aider",
)

FORMATS: dict[str, TraceFormat] = {
    declared.id: declared
    for declared in (importlib.import_module(f"{__name__}.{module}").TRACE_FORMAT for module in ADAPTER_MODULES)
}

SUPPORTED_FORMATS: dict[str, str] = {fmt: declared.name for fmt, declared in FORMATS.items()}


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
    scores = {fmt: declared.signature_matches(text) for fmt, declared in FORMATS.items()}
    best = max(scores.values())
    if best == 0:
        return None
    candidates = [fmt for fmt, score in scores.items() if score == best]
    by_name = [fmt for fmt in candidates if FORMATS[fmt].file_name.search(name)]
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


def parse_bytes(fmt: str, data: bytes, path: str) -> ParseResult:
    if fmt not in FORMATS:
        raise UnsupportedFormat(path, f"unknown format id {fmt!r}")
    return FORMATS[fmt].parse(data, path)


def resumable(fmt: str | None) -> Resumable | None:
    """How a grown file of format `fmt` is read on from where the last read stopped; None for a format
    whose files are read whole each time."""
    declared = FORMATS.get(fmt) if fmt is not None else None
    return declared.resumable if declared is not None else None


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

"""What the format modules share: reading JSON lines and whole JSON documents (keeping going past bad
lines), capping long results and arguments without splitting a secret, flattening message content to text,
and counting the agent's own prose."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from skillwarden.core.exact_json import NOT_DECODED, loads_exactly
from skillwarden.core.model import ParseError, Session
from skillwarden.core.security.redact import cut_keeping_secrets_whole

# What json says of nesting past Python's recursion limit (orjson, tried first, refuses past 1024 levels).
TOO_DEEP = "invalid JSON: nested too deeply"
RESULT_CAP = 2000
# Long strings inside a tool call's arguments (file contents in a Write or Edit) are cut to this many characters.
ARGS_CAP = RESULT_CAP


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
    value = loads_exactly(data)  # json's value at orjson's speed; the rest takes json's path below
    if value is not NOT_DECODED:
        return JsonDocument(value=value, consumed=len(data))
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


# The shell naming itself before saying it could not run a command (`/bin/bash: line 9: mvn: command not
# found`, dash's `sh: 1: mvn: not found`), and Maven's and Gradle's launch scripts refusing to start without
# a Java: regex pieces, for the adapters and for mining's reading of errors.
SHELL_SAYS = r"(?:/[\w/.-]*/)?(?:ba|da|z)?sh: (?:line \d+: |\d+: )?"
NO_JAVA = r"JAVA_HOME is (?:not set|not defined correctly|set to an invalid directory)"
# The first line of output that says the command never ran. For traces that record no exit status.
NOT_STARTED = re.compile(
    rf"(?:{SHELL_SAYS}[^\n:]+: (?:(?:command )?not found|No such file or directory|Permission denied)|"
    rf"(?:ERROR|Error): {NO_JAVA})"
)


def epoch_to_iso(seconds: object) -> str | None:
    """A Unix time in seconds as a trace writes times (ISO-8601 UTC, milliseconds, Z); None for anything that
    is no plausible time (a string, a bool, NaN, a number past what a date holds)."""
    if type(seconds) not in (int, float):
        return None
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def could_not_start(output: str) -> bool:
    return NOT_STARTED.match(output.lstrip().split("\n", 1)[0]) is not None


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


# A file a run creates at the top of the repository in a programming language, or compiles anywhere, is its
# scratch work (`reproduce.py`, `ReproduceBug.java`, `Main.class`), not a change to the project: a fix adds
# its modules inside the project's folders. (A new LICENSE or a top-level config file counts as work.)
_SCRATCH_SOURCE = re.compile(r"\.(?:py|java|js|mjs|cjs|ts|go|rs|rb|php|kt|scala|c|cc|cpp|sh)$")
_BUILD_OUTPUT = (".class", ".pyc", ".o")


def is_scratch_file(path: str) -> bool:
    return ("/" not in path and _SCRATCH_SOURCE.search(path) is not None) or path.endswith(_BUILD_OUTPUT)


def patch_size(patch: object) -> int | None:
    """Lines a unified diff adds or removes, scratch files it creates left out (`is_scratch_file`: the
    reproduction script a run never deleted is not work on the project, so a patch of nothing else changes as
    much of it as an empty one); None when there is no patch at all (not even an empty one)."""
    if patch is None:
        return None
    changed = 0
    counting = True
    created = False  # the file of this block is new (git says so in its header, a plain diff by /dev/null)
    for line in str(patch).splitlines():
        if line.startswith("diff --git "):
            created = False
        elif line.startswith("new file mode"):  # a header line: hunk lines start with ' ', '+', '-' or '\\'
            created = True
        elif line.startswith("--- "):
            created = created or _diff_name(line) == "/dev/null"
        elif line.startswith("+++ "):
            name = _diff_name(line)
            counting = not (created and is_scratch_file(name[2:] if name.startswith("b/") else name))
            created = False
        elif counting and line.startswith(("+", "-")):
            changed += 1
    return changed


def _diff_name(header: str) -> str:
    """The file name of a `--- ` or `+++ ` line (a plain diff may follow it with a tab and a date)."""
    return header[4:].split("\t")[0].strip()

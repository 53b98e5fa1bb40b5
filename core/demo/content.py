"""What the demo generator's sessions are made of: a small vocabulary of projects and names, tool calls and
their results in the shapes Claude Code records, and synthetic file contents."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

# ---------------------------------------------------------------------------------------------
# Vocabulary. Small on purpose: recurring names are what makes a corpus look like one team's work.


@dataclass(frozen=True)
class Project:
    name: str
    package: str
    modules: tuple[str, ...]
    tables: tuple[str, ...]

    @property
    def cwd(self) -> str:
        return f"/home/dev/{self.name}"

    @property
    def dir_name(self) -> str:
        # ~/.claude/projects names a project by its cwd with "/" replaced by "-".
        return self.cwd.replace("/", "-")


PROJECTS = (
    Project("webshop", "webshop", ("cart", "orders", "payments", "inventory", "pricing"), ("orders", "products")),
    Project("billing-api", "billing", ("invoices", "ledger", "tax", "webhooks"), ("invoices", "accounts")),
    Project("datahub", "datahub", ("ingest", "schema", "transforms", "export"), ("datasets", "runs")),
    Project("support-bot", "supportbot", ("routing", "replies", "tickets", "handoff"), ("tickets", "agents")),
)
BEHAVIOURS = (
    "applies_discount",
    "rounds_totals",
    "rejects_negative_quantity",
    "handles_empty_input",
    "serializes_dates",
    "retries_on_timeout",
    "skips_archived",
    "merges_duplicates",
    "validates_currency",
    "keeps_order",
    "parses_iso_week",
    "caches_lookup",
)
DEPENDENCIES = (
    "httpx",
    "pydantic",
    "structlog",
    "tenacity",
    "orjson",
    "rich",
    "sqlalchemy",
    "redis",
    "boto3",
    "python-dateutil",
    "click",
    "jinja2",
    "cachetools",
    "attrs",
)
COLUMNS = ("discount_code", "archived_at", "external_id", "currency", "notes", "priority", "locale")
LINT_CODES = (
    ("F401", "`os` imported but unused"),
    ("F841", "Local variable `result` is assigned to but never used"),
    ("E501", "Line too long (131 > 110)"),
    ("B006", "Do not use mutable data structures for argument defaults"),
    ("UP035", "`typing.List` is deprecated, use `list` instead"),
)
VERBS = ("load", "build", "apply", "compute", "resolve", "merge", "validate", "render", "fetch", "sync")
NOUNS = ("total", "items", "record", "batch", "config", "rate", "entry", "payload", "summary", "token")
_TYPES = ("int", "str", "float", "dict[str, str]", "list[int]", "Decimal")
SLUG_WORDS = (
    ("humble", "steady", "dazzling", "radiant", "typed", "quiet", "brisk", "gentle"),
    ("seeking", "stirring", "imagining", "floating", "meandering", "wandering", "humming"),
    ("umbrella", "dragon", "barto", "music", "trinket", "lantern", "otter", "harbor"),
)
MODELS = ("claude-opus-4-6", "claude-sonnet-4-5-20250929")
VERSIONS = ("2.1.38", "2.1.39")
_ALPHANUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_READ_REMINDER = (
    "\n\n<system-reminder>\nWhenever you read a file, you should consider whether it would be considered "
    "malware. You CAN and SHOULD provide analysis of malware, what it is doing. But you MUST refuse to "
    "improve or augment the code. You can still analyze existing code, write reports, or answer questions "
    "about the code behavior.\n</system-reminder>\n"
)
_REJECTION = (
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a "
    "file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the "
    "user to tell you how to proceed."
)
TODO_ACK = (
    "Todos have been modified successfully. Ensure that you continue to use the todo list to track your "
    "progress. Please proceed with the current tasks if applicable"
)


# Maps every byte to a base62 character (slightly biased, which nobody reads ids for), so ids come from
# one fast `randbytes` call instead of a Python-level loop.
_BASE62_TABLE = bytes((_ALPHANUM * 5)[:256], "ascii")


def api_id(rng: random.Random, prefix: str, length: int = 22) -> str:
    return prefix + rng.randbytes(length).translate(_BASE62_TABLE).decode("ascii")


def random_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iso_time(ms: int) -> str:
    moment = datetime.fromtimestamp(ms // 1000, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def random_version(rng: random.Random) -> str:
    return f"{rng.randint(0, 3)}.{rng.randint(1, 19)}.{rng.randint(0, 9)}"


# ---------------------------------------------------------------------------------------------
# Tool calls and their results, in the shapes Claude Code records.


@dataclass(frozen=True)
class ToolOutcome:
    content: str
    tool_use_result: dict | str
    is_error: bool = False


@dataclass(frozen=True)
class ToolCall:
    name: str
    input: dict
    outcome: ToolOutcome
    narration: str = ""  # the assistant text block sent with the call, if any
    duration_ms: int = 300


def bash_call(
    command: str, description: str, stdout: str, *, exit_code: int = 0, duration_ms: int = 900, narration: str = ""
) -> ToolCall:
    if exit_code:
        # Failed commands lose the structured result: Claude Code stores only an error string.
        text = f"Exit code {exit_code}\n{stdout}"
        outcome = ToolOutcome(text, f"Error: {text}", is_error=True)
    else:
        outcome = ToolOutcome(stdout, {"stdout": stdout, "stderr": "", "interrupted": False, "isImage": False})
    return ToolCall("Bash", {"command": command, "description": description}, outcome, narration, duration_ms)


def rejected_by_user(call: ToolCall) -> ToolCall:
    return ToolCall(
        call.name, call.input, ToolOutcome(_REJECTION, "User rejected tool use", is_error=True), call.narration, 4000
    )


# Read results number lines like `cat -n`; prefixes are precomputed because big Reads dominate run time.
_LINE_NUMBERS = tuple(f"{n:>6}→" for n in range(1, 4001))


def _numbered(content: str) -> str:
    lines = content.split("\n")
    if len(lines) > len(_LINE_NUMBERS):
        return "\n".join(f"{n:>6}→{line}" for n, line in enumerate(lines, 1))
    return "\n".join(map(str.__add__, _LINE_NUMBERS, lines))


def _patch(content: str, old: str, new: str) -> list[dict]:
    """A single-hunk structuredPatch with three lines of context, like Claude Code's."""
    lines = content.split("\n")
    first = content[: content.index(old)].count("\n")
    old_lines, new_lines = old.split("\n"), new.split("\n")
    before = lines[max(0, first - 3) : first]
    after = lines[first + len(old_lines) : first + len(old_lines) + 3]
    start = first - len(before) + 1
    body = [f" {x}" for x in before] + [f"-{x}" for x in old_lines] + [f"+{x}" for x in new_lines]
    body += [f" {x}" for x in after]
    return [
        {
            "oldStart": start,
            "oldLines": len(before) + len(old_lines) + len(after),
            "newStart": start,
            "newLines": len(before) + len(new_lines) + len(after),
            "lines": body,
        }
    ]


class Workspace:
    """The files a session touches, so Reads and Edits of one file agree with each other."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.files: dict[str, str] = {}

    def path(self, relative: str) -> str:
        return f"{self.root}/{relative}"

    def ensure(self, relative: str, make: Callable[[], str]) -> str:
        if relative not in self.files:
            self.files[relative] = make()
        return self.files[relative]

    def read(self, relative: str, make: Callable[[], str], narration: str = "") -> ToolCall:
        content = self.ensure(relative, make)
        path = self.path(relative)
        lines = content.count("\n") + 1
        result = {
            "type": "text",
            "file": {"filePath": path, "content": content, "numLines": lines, "startLine": 1, "totalLines": lines},
        }
        return ToolCall(
            "Read", {"file_path": path}, ToolOutcome(_numbered(content) + _READ_REMINDER, result), narration, 60
        )

    def edit(self, relative: str, old: str, new: str, narration: str = "") -> ToolCall:
        original = self.files[relative]
        path = self.path(relative)
        self.files[relative] = original.replace(old, new, 1)
        result = {
            "filePath": path,
            "oldString": old,
            "newString": new,
            "originalFile": original,
            "structuredPatch": _patch(original, old, new),
            "userModified": False,
            "replaceAll": False,
        }
        tool_input = {"file_path": path, "old_string": old, "new_string": new, "replace_all": False}
        return ToolCall(
            "Edit", tool_input, ToolOutcome(f"The file {path} has been updated successfully.", result), narration, 120
        )

    def tweak_line(self, rng: random.Random, relative: str, narration: str = "") -> ToolCall:
        """Edit one code line of the file: the generic "fix" when the exact change does not matter."""
        candidates = [line for line in self.files[relative].split("\n") if line.startswith("    return ")]
        old = rng.choice(candidates)
        new = old.replace("return ", rng.choice(("return round(", "return int(", "return max(0, ")), 1) + ")"
        if new in self.files[relative]:
            new = f"{old}  # noqa: {rng.choice(LINT_CODES)[0]}"
        return self.edit(relative, old, new, narration)

    def write(self, relative: str, content: str, narration: str = "") -> ToolCall:
        self.files[relative] = content
        path = self.path(relative)
        result = {"type": "create", "filePath": path, "content": content, "structuredPatch": [], "originalFile": None}
        return ToolCall(
            "Write",
            {"file_path": path, "content": content},
            ToolOutcome(f"File created successfully at: {path}", result),
            narration,
            90,
        )


# ---------------------------------------------------------------------------------------------
# Synthetic file contents. Sizes vary from ~1 KB to ~30 KB, like the Reads in real sessions.


def _function_source(rng: random.Random, index: int) -> str:
    verb, noun, kind = rng.choice(VERBS), rng.choice(NOUNS), rng.choice(_TYPES)
    arg = rng.choice(NOUNS)
    return (
        f"def {verb}_{noun}_{index}({arg}: {kind}, *, strict: bool = False) -> {kind}:\n"
        f'    """{verb.capitalize()} the {noun} from a {arg}; strict mode raises instead of guessing."""\n'
        f"    if {arg} is None:\n"
        f'        raise ValueError("{arg} is required")\n'
        f'    log.debug("{verb} {noun} %s", {arg})\n'
        f"    return _{verb}({arg}, strict=strict)\n"
    )


def python_module(rng: random.Random, package: str, module: str) -> str:
    functions = rng.choice((6, 12, 20, 40, 60, 90, 120))
    header = (
        f'"""{module.capitalize()} logic for {package}."""\n\nfrom __future__ import annotations\n\n'
        "import logging\nfrom decimal import Decimal\n\nlog = logging.getLogger(__name__)\n"
    )
    return "\n\n".join([header, *(_function_source(rng, i) for i in range(functions))])


def test_module_text(rng: random.Random, package: str, module: str, failing_test: str) -> str:
    names = [failing_test, *(f"test_{b}" for b in rng.sample(BEHAVIOURS, rng.randint(3, 9)) if b not in failing_test)]
    body = [
        f"def {name}():\n    value = {module}.{rng.choice(VERBS)}_{rng.choice(NOUNS)}_0({rng.randint(1, 99)})\n"
        f"    assert value == {rng.randint(1, 99)}\n"
        for name in names
    ]
    return "\n\n".join([f"import pytest\n\nfrom {package} import {module}\n", *body])


def pyproject_text(package: str, version: str, dependencies: list[str]) -> str:
    deps = "".join(f'    "{d}",\n' for d in dependencies)
    return (
        f'[project]\nname = "{package}"\nversion = "{version}"\nrequires-python = ">=3.11"\n'
        f"dependencies = [\n{deps}]\n\n[project.optional-dependencies]\n"
        'test = ["pytest>=8.3", "ruff>=0.6"]\n\n[tool.ruff]\nline-length = 110\n'
    )


def changelog_text(rng: random.Random, versions: list[str]) -> str:
    sections = [
        f"## {v}\n\n"
        + "".join(
            f"- {rng.choice(VERBS).capitalize()} {rng.choice(NOUNS)} handling\n" for _ in range(rng.randint(2, 6))
        )
        for v in versions
    ]
    return "# Changelog\n\n## Unreleased\n\n- Nothing yet\n\n" + "\n".join(sections)


def migration_text(revision: str, down_revision: str, message: str) -> str:
    return (
        f'"""{message}\n\nRevision ID: {revision}\nRevises: {down_revision}\n"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f'revision = "{revision}"\ndown_revision = "{down_revision}"\n\n\n'
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )


def _banner(text: str, fill: str = "=") -> str:
    """pytest's 80-column section header."""
    return f" {text} ".center(80, fill)


def pytest_output(rng: random.Random, cwd: str, passed: int, failures: list[tuple[str, str]]) -> str:
    lines = [
        _banner("test session starts"),
        "platform linux -- Python 3.11.9, pytest-8.3.3, pluggy-1.5.0",
        f"rootdir: {cwd}",
        "configfile: pyproject.toml",
        f"collected {passed + len(failures)} items",
        "",
    ]
    seconds = f"{rng.uniform(0.4, 30):.2f}s"
    if not failures:
        return "\n".join([*lines, _banner(f"{passed} passed in {seconds}")])
    lines.append(_banner("FAILURES"))
    for test_file, test in failures:
        expected, got = rng.randint(1, 500), rng.randint(1, 500)
        lines += [
            _banner(test, "_"),
            "",
            f"    def {test}():",
            f">       assert value == {expected}",
            f"E       assert {got} == {expected}",
            "",
            f"{test_file}:{rng.randint(5, 120)}: AssertionError",
        ]
    lines.append(_banner("short test summary info"))
    lines += [f"FAILED {f}::{t} - assert" for f, t in failures]
    lines.append(_banner(f"{len(failures)} failed, {passed} passed in {seconds}"))
    return "\n".join(lines)

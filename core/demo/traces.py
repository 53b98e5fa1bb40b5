"""Deterministic generator of synthetic Claude Code sessions, for the demo and for benchmarks.

The files copy the transcript schema of the real samples in `shared/traces/claude_code/`
(FORMATS.md section 1): a `parentUuid` chain, one line per assistant content block repeating the
message id and usage, tool results with a tool-specific `toolUseResult` (a string on errors) and
`sourceToolAssistantUUID`, plus the occasional `file-history-snapshot`, `summary` and
`system/turn_duration` line. A handful of procedures (`PLANTED_PROCEDURES`) recur across sessions
with varying arguments and noise steps, so a miner's recall and precision can be measured against
known ground truth.

Everything derives from `random.Random`, never from the clock, so equal arguments give
byte-identical corpora.
"""

from __future__ import annotations

import argparse
import enum
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class PlantedProcedure:
    """A procedure the generator repeats across sessions: the ground truth a miner should find."""

    name: str
    task_templates: tuple[str, ...]
    # The abstract signature, in `abstract_step` notation, as an ordered subsequence of the calls.
    steps: tuple[str, ...]


PLANTED_PROCEDURES: tuple[PlantedProcedure, ...] = (
    PlantedProcedure(
        name="fix-failing-test",
        task_templates=(
            "{test} in tests/test_{module}.py is failing, can you fix it and commit?",
            "pytest fails on {test} since the last merge — please fix the code and commit the fix",
            "CI is red because of tests/test_{module}.py::{test}. Fix it please.",
        ),
        steps=("Bash:pytest", "Read:.py", "Edit:.py", "Bash:pytest", "Bash:git commit"),
    ),
    PlantedProcedure(
        name="add-dependency",
        task_templates=(
            "Add {dependency}>={version} as a dependency and make sure the tests still pass",
            "We need {dependency} for the {module} module. Add it to the project (>= {version}).",
            "please add a dependency on {dependency} {version} and reinstall",
        ),
        steps=("Read:pyproject.toml", "Edit:pyproject.toml", "Bash:pip install", "Bash:pytest"),
    ),
    PlantedProcedure(
        name="release-version",
        task_templates=(
            "Release {version}: update the changelog, bump the version, commit and tag it",
            "cut a release v{version} please",
            "Time for {version}. Changelog + version bump + tag.",
        ),
        steps=(
            "Read:CHANGELOG.md",
            "Edit:CHANGELOG.md",
            "Read:pyproject.toml",
            "Edit:pyproject.toml",
            "Bash:git commit",
            "Bash:git tag",
        ),
    ),
    PlantedProcedure(
        name="fix-lint-errors",
        task_templates=(
            "ruff is complaining about src/{package}/{module}.py, fix the lint errors",
            "Make `ruff check` pass again",
            "lint is failing on {module}.py ({code}), can you clean it up?",
        ),
        steps=("Bash:ruff check", "Read:.py", "Edit:.py", "Bash:ruff check"),
    ),
    PlantedProcedure(
        name="add-db-migration",
        task_templates=(
            "Add a `{column}` column to the {table} table, with an alembic migration",
            "We need {table}.{column} in the database. Write the migration and apply it.",
            "create a migration that adds {column} to {table} and run it",
        ),
        steps=("Bash:alembic revision", "Read:.py", "Edit:.py", "Bash:alembic upgrade", "Bash:pytest"),
    ),
)

# Bash commands are abstracted to these prefixes (longest first) so arguments do not matter.
_COMMAND_PREFIXES = (
    "alembic revision",
    "alembic upgrade",
    "git commit",
    "git tag",
    "pip install",
    "ruff check",
    "pytest",
)
# Files whose name, not just their extension, identifies the procedure.
_WELL_KNOWN_FILES = ("pyproject.toml", "CHANGELOG.md")


def abstract_step(tool: str, tool_input: dict) -> str:
    """The signature notation of `PlantedProcedure.steps`: tool plus command prefix or file kind."""
    if tool == "Bash":
        command = tool_input.get("command", "")
        prefix = next((p for p in _COMMAND_PREFIXES if command.startswith(p)), command.split(" ")[0])
        return f"Bash:{prefix}"
    if tool in ("Read", "Edit", "Write"):
        path = PurePosixPath(tool_input.get("file_path", ""))
        return f"{tool}:{path.name if path.name in _WELL_KNOWN_FILES else path.suffix}"
    return tool


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
_BEHAVIOURS = (
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
_DEPENDENCIES = (
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
_COLUMNS = ("discount_code", "archived_at", "external_id", "currency", "notes", "priority", "locale")
_LINT_CODES = (
    ("F401", "`os` imported but unused"),
    ("F841", "Local variable `result` is assigned to but never used"),
    ("E501", "Line too long (131 > 110)"),
    ("B006", "Do not use mutable data structures for argument defaults"),
    ("UP035", "`typing.List` is deprecated, use `list` instead"),
)
_VERBS = ("load", "build", "apply", "compute", "resolve", "merge", "validate", "render", "fetch", "sync")
_NOUNS = ("total", "items", "record", "batch", "config", "rate", "entry", "payload", "summary", "token")
_TYPES = ("int", "str", "float", "dict[str, str]", "list[int]", "Decimal")
_SLUG_WORDS = (
    ("humble", "steady", "dazzling", "radiant", "typed", "quiet", "brisk", "gentle"),
    ("seeking", "stirring", "imagining", "floating", "meandering", "wandering", "humming"),
    ("umbrella", "dragon", "barto", "music", "trinket", "lantern", "otter", "harbor"),
)
_MODELS = ("claude-opus-4-6", "claude-sonnet-4-5-20250929")
_VERSIONS = ("2.1.38", "2.1.39")
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
_TODO_ACK = (
    "Todos have been modified successfully. Ensure that you continue to use the todo list to track your "
    "progress. Please proceed with the current tasks if applicable"
)


# Maps every byte to a base62 character (slightly biased, which nobody reads ids for), so ids come from
# one fast `randbytes` call instead of a Python-level loop.
_BASE62_TABLE = bytes((_ALPHANUM * 5)[:256], "ascii")


def _api_id(rng: random.Random, prefix: str, length: int = 22) -> str:
    return prefix + rng.randbytes(length).translate(_BASE62_TABLE).decode("ascii")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms // 1000, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def _version(rng: random.Random) -> str:
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


def _bash(
    command: str, description: str, stdout: str, *, exit_code: int = 0, duration_ms: int = 900, narration: str = ""
) -> ToolCall:
    if exit_code:
        # Failed commands lose the structured result: Claude Code stores only an error string.
        text = f"Exit code {exit_code}\n{stdout}"
        outcome = ToolOutcome(text, f"Error: {text}", is_error=True)
    else:
        outcome = ToolOutcome(stdout, {"stdout": stdout, "stderr": "", "interrupted": False, "isImage": False})
    return ToolCall("Bash", {"command": command, "description": description}, outcome, narration, duration_ms)


def _rejected(call: ToolCall) -> ToolCall:
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


class _Workspace:
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
            new = f"{old}  # noqa: {rng.choice(_LINT_CODES)[0]}"
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
    verb, noun, kind = rng.choice(_VERBS), rng.choice(_NOUNS), rng.choice(_TYPES)
    arg = rng.choice(_NOUNS)
    return (
        f"def {verb}_{noun}_{index}({arg}: {kind}, *, strict: bool = False) -> {kind}:\n"
        f'    """{verb.capitalize()} the {noun} from a {arg}; strict mode raises instead of guessing."""\n'
        f"    if {arg} is None:\n"
        f'        raise ValueError("{arg} is required")\n'
        f'    log.debug("{verb} {noun} %s", {arg})\n'
        f"    return _{verb}({arg}, strict=strict)\n"
    )


def _python_module(rng: random.Random, package: str, module: str) -> str:
    functions = rng.choice((6, 12, 20, 40, 60, 90, 120))
    header = (
        f'"""{module.capitalize()} logic for {package}."""\n\nfrom __future__ import annotations\n\n'
        "import logging\nfrom decimal import Decimal\n\nlog = logging.getLogger(__name__)\n"
    )
    return "\n\n".join([header, *(_function_source(rng, i) for i in range(functions))])


def _test_module(rng: random.Random, package: str, module: str, failing_test: str) -> str:
    names = [failing_test, *(f"test_{b}" for b in rng.sample(_BEHAVIOURS, rng.randint(3, 9)) if b not in failing_test)]
    body = [
        f"def {name}():\n    value = {module}.{rng.choice(_VERBS)}_{rng.choice(_NOUNS)}_0({rng.randint(1, 99)})\n"
        f"    assert value == {rng.randint(1, 99)}\n"
        for name in names
    ]
    return "\n\n".join([f"import pytest\n\nfrom {package} import {module}\n", *body])


def _pyproject(package: str, version: str, dependencies: list[str]) -> str:
    deps = "".join(f'    "{d}",\n' for d in dependencies)
    return (
        f'[project]\nname = "{package}"\nversion = "{version}"\nrequires-python = ">=3.11"\n'
        f"dependencies = [\n{deps}]\n\n[project.optional-dependencies]\n"
        'test = ["pytest>=8.3", "ruff>=0.6"]\n\n[tool.ruff]\nline-length = 110\n'
    )


def _changelog(rng: random.Random, versions: list[str]) -> str:
    sections = [
        f"## {v}\n\n"
        + "".join(
            f"- {rng.choice(_VERBS).capitalize()} {rng.choice(_NOUNS)} handling\n" for _ in range(rng.randint(2, 6))
        )
        for v in versions
    ]
    return "# Changelog\n\n## Unreleased\n\n- Nothing yet\n\n" + "\n".join(sections)


def _migration(revision: str, down_revision: str, message: str) -> str:
    return (
        f'"""{message}\n\nRevision ID: {revision}\nRevises: {down_revision}\n"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f'revision = "{revision}"\ndown_revision = "{down_revision}"\n\n\n'
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )


def _banner(text: str, fill: str = "=") -> str:
    """pytest's 80-column section header."""
    return f" {text} ".center(80, fill)


def _pytest_output(rng: random.Random, cwd: str, passed: int, failures: list[tuple[str, str]]) -> str:
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


# ---------------------------------------------------------------------------------------------
# Session plans: what one session asks for and which calls it makes.


class Fate(enum.Enum):
    SUCCEEDED = "succeeded"
    STUCK = "stuck"  # the procedure breaks: the same check keeps failing; ends on that failure
    INTERRUPTED = "interrupted"  # the user stops the agent mid-way
    REJECTED = "rejected"  # the user refuses a tool use, then interrupts
    PUSH_REJECTED = "push_rejected"  # the procedure succeeds, then the user refuses the agent's `git push`


@dataclass
class _Plan:
    prompt: str
    batches: list[list[ToolCall]]  # each batch is one assistant message; several calls run in parallel
    closing: str
    branch: str


@dataclass
class _Context:
    rng: random.Random
    project: Project
    workspace: _Workspace
    stuck: bool
    params: dict[str, str] = field(default_factory=dict)

    def prompt(self, procedure: PlantedProcedure) -> str:
        return self.rng.choice(procedure.task_templates).format(**self.params)


def _stuck_rounds(ctx: _Context, relative: str, failing_check: Callable[[], ToolCall]) -> list[list[ToolCall]]:
    """The breakdown loop: edit the same file and rerun the same failing check, again and again."""
    rounds = []
    for _ in range(ctx.rng.randint(4, 6)):
        rounds.append([ctx.workspace.tweak_line(ctx.rng, relative, "Let me try a different approach.")])
        rounds.append([failing_check()])
    return rounds


def _apology(what: str) -> str:
    return (
        f"I'm sorry — I still can't get {what} after several attempts. One last run, then I'll stop so "
        "we can look at it together."
    )


def _procedure(name: str) -> PlantedProcedure:
    return next(p for p in PLANTED_PROCEDURES if p.name == name)


def _plan_fix_failing_test(ctx: _Context) -> _Plan:
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    module = rng.choice(project.modules)
    test = f"test_{module}_{rng.choice(_BEHAVIOURS)}"
    test_file, source = f"tests/test_{module}.py", f"src/{project.package}/{module}.py"
    ctx.params.update(test=test, module=module)
    branch = f"fix/{module}-{test.removeprefix('test_').replace('_', '-')}"
    passed = rng.randint(20, 400)

    def run_tests(failing: bool) -> ToolCall:
        output = _pytest_output(rng, project.cwd, passed, [(test_file, test)] if failing else [])
        return _bash(
            f"pytest {test_file} -x -q" if rng.random() < 0.5 else "pytest -q",
            "Run the test suite",
            output,
            exit_code=1 if failing else 0,
            duration_ms=rng.randint(2000, 40000),
            narration="Let me run the tests to see the failure." if failing else "",
        )

    ws.ensure(test_file, lambda: _test_module(rng, project.package, module, test))
    batches = [
        [run_tests(True)],
        [
            ws.read(
                source,
                lambda: _python_module(rng, project.package, module),
                f"The assertion comes from `{module}`. Let me look at the code.",
            )
        ],
    ]
    batches.append([ws.tweak_line(rng, source, "Found it — the result is not normalised before returning.")])
    if ctx.stuck:
        batches += [[run_tests(True)], *_stuck_rounds(ctx, source, lambda: run_tests(True))]
        return _Plan(ctx.prompt(_procedure("fix-failing-test")), batches, _apology(f"{test} passing"), branch)
    sha = f"{rng.getrandbits(28):07x}"
    commit_message = f"Fix {test.removeprefix('test_').replace('_', ' ')}"
    batches += [
        [run_tests(False)],
        [
            _bash(
                f'git commit -am "{commit_message}"',
                "Commit the fix",
                f"[{branch} {sha}] {commit_message}\n 1 file changed, 1 insertion(+), 1 deletion(-)",
            )
        ],
    ]
    return _Plan(
        ctx.prompt(_procedure("fix-failing-test")),
        batches,
        f"Done — `{test}` passes again and the fix is committed ({sha}).",
        branch,
    )


def _plan_add_dependency(ctx: _Context) -> _Plan:
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    dependency, version = rng.choice(_DEPENDENCIES), _version(rng)
    ctx.params.update(dependency=dependency, version=version, module=rng.choice(project.modules))
    existing = sorted(rng.sample([d for d in _DEPENDENCIES if d != dependency], rng.randint(1, 5)))
    ws.ensure("pyproject.toml", lambda: _pyproject(project.package, _version(rng), [f"{d}>=1.0" for d in existing]))
    anchor = f'    "{existing[-1]}>=1.0",\n'
    batches = [
        [ws.read("pyproject.toml", lambda: "", "Let me check the current dependencies.")],
        [ws.edit("pyproject.toml", anchor, f'{anchor}    "{dependency}>={version}",\n')],
    ]
    installed = f"Successfully installed {dependency}-{version} {project.package}-0.1.0"
    install = _bash(
        "pip install -e .",
        "Reinstall the project with the new dependency",
        f"Obtaining file://{project.cwd}\n  Installing build dependencies: started\n"
        f"  Installing build dependencies: finished with status 'done'\n{installed}",
        duration_ms=rng.randint(4000, 30000),
    )
    tests = _pytest_output(rng, project.cwd, rng.randint(20, 400), [])
    if ctx.stuck:
        conflict = (
            f"ERROR: Cannot install {project.package} because these package versions have conflicting "
            f"dependencies.\nThe conflict is caused by:\n    {project.package} depends on "
            f"{dependency}>={version}\nERROR: ResolutionImpossible"
        )

        def failing_install() -> ToolCall:
            return _bash(
                "pip install -e .", "Reinstall the project", conflict, exit_code=1, duration_ms=rng.randint(4000, 9000)
            )

        batches += [[failing_install()], *_stuck_rounds_pyproject(ctx, failing_install)]
        return _Plan(
            ctx.prompt(_procedure("add-dependency")),
            batches,
            _apology(f"{dependency} to install"),
            f"feat/add-{dependency}",
        )
    batches += [[install], [_bash("pytest -q", "Run the tests", tests, duration_ms=rng.randint(2000, 40000))]]
    return _Plan(
        ctx.prompt(_procedure("add-dependency")),
        batches,
        f"Added `{dependency}>={version}` to pyproject.toml, reinstalled, and the test suite passes.",
        f"feat/add-{dependency}",
    )


def _stuck_rounds_pyproject(ctx: _Context, failing_check: Callable[[], ToolCall]) -> list[list[ToolCall]]:
    """Dependency conflicts break down by loosening the pin over and over."""
    rounds = []
    for _ in range(ctx.rng.randint(4, 6)):
        current = ctx.workspace.files["pyproject.toml"]
        old = current.split("dependencies = [\n", 1)[1].split("\n", 1)[0]
        new = old.replace(">=", "~=", 1) if ">=" in old else old.replace("~=", ">=", 1)
        rounds.append([ctx.workspace.edit("pyproject.toml", old, new, "Let me relax the version constraint.")])
        rounds.append([failing_check()])
    return rounds


def _plan_release(ctx: _Context) -> _Plan:
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    major, minor = rng.randint(0, 3), rng.randint(1, 30)
    previous, version = f"{major}.{minor}.{rng.randint(0, 5)}", f"{major}.{minor + 1}.0"
    ctx.params.update(version=version)
    history = [previous, *(f"{major}.{m}.0" for m in range(minor - 1, max(0, minor - rng.randint(3, 25)), -1))]
    ws.ensure("CHANGELOG.md", lambda: _changelog(rng, history))
    ws.ensure("pyproject.toml", lambda: _pyproject(project.package, previous, ["httpx>=0.27"]))
    today = "## Unreleased\n\n- Nothing yet\n"
    batches = [
        [ws.read("CHANGELOG.md", lambda: "", "Let me look at the changelog first.")],
        [
            ws.edit(
                "CHANGELOG.md",
                today,
                f"## Unreleased\n\n## {version}\n\n- {rng.choice(_VERBS).capitalize()} {rng.choice(_NOUNS)} handling\n",
            )
        ],
        [ws.read("pyproject.toml", lambda: "")],
        [ws.edit("pyproject.toml", f'version = "{previous}"', f'version = "{version}"', "Now the version bump.")],
    ]
    message = f"Release {version}"

    def commit(failing: bool) -> ToolCall:
        if failing:
            hook = (
                "check changelog.........................................................Failed\n"
                "- hook id: changelog-format\n- exit code: 1\n\nCHANGELOG.md: release section has no date"
            )
            return _bash(f'git commit -am "{message}"', "Commit the release", hook, exit_code=1)
        sha = f"{rng.getrandbits(28):07x}"
        return _bash(
            f'git commit -am "{message}"',
            "Commit the release",
            f"[main {sha}] {message}\n 2 files changed, 4 insertions(+), 1 deletion(-)",
        )

    if ctx.stuck:
        batches += [[commit(True)], *_stuck_rounds_changelog(ctx, version, lambda: commit(True))]
        return _Plan(
            ctx.prompt(_procedure("release-version")), batches, _apology(f"the {version} release committed"), "main"
        )
    batches += [[commit(False)], [_bash(f'git tag -a v{version} -m "{message}"', "Tag the release", "")]]
    return _Plan(
        ctx.prompt(_procedure("release-version")),
        batches,
        f"Released {version}: changelog updated, version bumped, committed and tagged `v{version}`.",
        "main",
    )


def _stuck_rounds_changelog(ctx: _Context, version: str, failing_check: Callable[[], ToolCall]) -> list[list[ToolCall]]:
    """A changelog hook that keeps rejecting the heading: the heading gets rewritten each round."""
    rounds = []
    for attempt in range(ctx.rng.randint(4, 6)):
        current = ctx.workspace.files["CHANGELOG.md"]
        old = next(line for line in current.split("\n") if line.startswith("## ") and version in line)
        new = f"## {version} - 2026-11-{attempt + 1:02d}" if attempt % 2 == 0 else f"## [{version}]"
        rounds.append([ctx.workspace.edit("CHANGELOG.md", old, new, "Let me adjust the heading format.")])
        rounds.append([failing_check()])
    return rounds


def _plan_fix_lint(ctx: _Context) -> _Plan:
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    module = rng.choice(project.modules)
    code, description = rng.choice(_LINT_CODES)
    source = f"src/{project.package}/{module}.py"
    ctx.params.update(module=module, package=project.package, code=code)
    position = f"{source}:{rng.randint(3, 200)}:{rng.randint(1, 40)}"

    def ruff(failing: bool) -> ToolCall:
        if failing:
            output = f"{position}: {code} {description}\nFound 1 error."
            return _bash(
                "ruff check .", "Run the linter", output, exit_code=1, narration="Let me see what ruff reports."
            )
        return _bash("ruff check .", "Run the linter", "All checks passed!")

    batches = [
        [ruff(True)],
        [ws.read(source, lambda: _python_module(rng, project.package, module))],
        [ws.tweak_line(rng, source, f"Fixing the {code} violation.")],
    ]
    if ctx.stuck:
        batches += [[ruff(True)], *_stuck_rounds(ctx, source, lambda: ruff(True))]
        return _Plan(ctx.prompt(_procedure("fix-lint-errors")), batches, _apology("ruff to pass"), "chore/lint")
    batches.append([ruff(False)])
    return _Plan(
        ctx.prompt(_procedure("fix-lint-errors")),
        batches,
        f"Fixed the {code} error in `{source}`; `ruff check` now passes.",
        "chore/lint",
    )


def _plan_migration(ctx: _Context) -> _Plan:
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    table, column = rng.choice(project.tables), rng.choice(_COLUMNS)
    ctx.params.update(table=table, column=column)
    revision, down = f"{rng.getrandbits(48):012x}", f"{rng.getrandbits(48):012x}"
    message = f"add {column} to {table}"
    migration = f"migrations/versions/{revision}_{message.replace(' ', '_')}.py"
    ws.ensure(migration, lambda: _migration(revision, down, message))
    batches = [
        [
            _bash(
                f'alembic revision -m "{message}"',
                "Create a migration",
                f"  Generating {ws.path(migration)} ...  done",
                narration="I'll start with a new revision.",
            )
        ],
        [ws.read(migration, lambda: "")],
        [
            ws.edit(
                migration,
                "def upgrade() -> None:\n    pass",
                f'def upgrade() -> None:\n    op.add_column("{table}", sa.Column("{column}", sa.String(), '
                "nullable=True))",
            )
        ],
    ]
    log = (
        "INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.\n"
        "INFO  [alembic.runtime.migration] Will assume transactional DDL.\n"
    )

    def upgrade(failing: bool) -> ToolCall:
        if failing:
            error = (
                f"{log}sqlalchemy.exc.ProgrammingError: (psycopg.errors.DuplicateColumn) column "
                f'"{column}" of relation "{table}" already exists'
            )
            return _bash("alembic upgrade head", "Apply the migration", error, exit_code=1)
        return _bash(
            "alembic upgrade head",
            "Apply the migration",
            f"{log}INFO  [alembic.runtime.migration] Running upgrade {down} -> {revision}, {message}",
        )

    if ctx.stuck:
        batches += [[upgrade(True)], *_stuck_rounds_migration(ctx, migration, lambda: upgrade(True))]
        return _Plan(
            ctx.prompt(_procedure("add-db-migration")),
            batches,
            _apology("the migration to apply"),
            f"feat/{table}-{column}".replace("_", "-"),
        )
    tests = _pytest_output(rng, project.cwd, rng.randint(20, 400), [])
    batches += [[upgrade(False)], [_bash("pytest -q", "Run the tests", tests, duration_ms=rng.randint(2000, 40000))]]
    return _Plan(
        ctx.prompt(_procedure("add-db-migration")),
        batches,
        f"Added `{table}.{column}` with migration `{revision}`, applied it, and the tests pass.",
        f"feat/{table}-{column}".replace("_", "-"),
    )


def _stuck_rounds_migration(
    ctx: _Context, migration: str, failing_check: Callable[[], ToolCall]
) -> list[list[ToolCall]]:
    """The column already exists; the agent keeps rewriting the same op instead of asking."""
    rounds = []
    for attempt in range(ctx.rng.randint(4, 6)):
        current = ctx.workspace.files[migration]
        old = next(line for line in current.split("\n") if "op.add_column" in line)
        new = (
            old.replace("nullable=True", "nullable=False")
            if attempt % 2 == 0
            else old.replace("nullable=False", "nullable=True")
        )
        rounds.append([ctx.workspace.edit(migration, old, new, "Let me adjust the migration.")])
        rounds.append([failing_check()])
    return rounds


_PROCEDURE_PLANNERS: dict[str, Callable[[_Context], _Plan]] = {
    "fix-failing-test": _plan_fix_failing_test,
    "add-dependency": _plan_add_dependency,
    "release-version": _plan_release,
    "fix-lint-errors": _plan_fix_lint,
    "add-db-migration": _plan_migration,
}


def _plan_distractor(ctx: _Context) -> _Plan:
    """A one-off task with no recurring shape, so a miner has something to ignore."""
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    module = rng.choice(project.modules)
    source = f"src/{project.package}/{module}.py"
    kind = rng.choice(("explain", "script", "history"))
    if kind == "explain":
        batches = [
            [_grep(project, rng, f"def {rng.choice(_VERBS)}_")],
            [ws.read(source, lambda: _python_module(rng, project.package, module))],
        ]
        return _Plan(
            f"How does the {module} module work? Give me a short overview.",
            batches,
            f"`{module}` is a thin layer of pure helpers; each validates its input and delegates "
            "to a private implementation function.",
            "main",
        )
    if kind == "script":
        name = f"scripts/{rng.choice(_VERBS)}_{rng.choice(_NOUNS)}.py"
        script = '"""One-off helper."""\nimport json\nimport sys\n\nprint(json.dumps({"ok": True}))\n'
        batches = [
            [ws.write(name, script, "I'll write a small script for that.")],
            [_bash(f"python {name}", "Run the script", '{"ok": true}')],
        ]
        return _Plan(
            f"write a quick script that prints a JSON status for {project.name}",
            batches,
            f"Created `{name}`; it prints a JSON status line.",
            "main",
        )
    log = "\n".join(
        f"{rng.getrandbits(28):07x} {rng.choice(_VERBS).capitalize()} {rng.choice(_NOUNS)}"
        for _ in range(rng.randint(5, 30))
    )
    batches = [
        [_bash("git log --oneline -n 30", "Show recent history", log)],
        [_bash("git diff --stat HEAD~5", "Summarise recent changes", f" {source} | 12 ++++++------")],
    ]
    return _Plan(
        "what changed in the last few commits?",
        batches,
        f"The recent commits mostly touch `{module}`: small refactors and fixes.",
        "main",
    )


# ---------------------------------------------------------------------------------------------
# Noise: exploratory calls sprinkled between the procedure's steps.


def _glob(project: Project, rng: random.Random) -> ToolCall:
    names = [f"{project.cwd}/src/{project.package}/{m}.py" for m in project.modules]
    names += [f"{project.cwd}/tests/test_{m}.py" for m in rng.sample(project.modules, 2)]
    result = {"filenames": names, "durationMs": rng.randint(5, 80), "numFiles": len(names), "truncated": False}
    return ToolCall("Glob", {"pattern": "**/*.py"}, ToolOutcome("\n".join(names), result), duration_ms=40)


def _grep(project: Project, rng: random.Random, pattern: str) -> ToolCall:
    names = [f"src/{project.package}/{m}.py" for m in rng.sample(project.modules, rng.randint(1, 3))]
    result = {"mode": "files_with_matches", "filenames": names, "numFiles": len(names)}
    return ToolCall(
        "Grep",
        {"pattern": pattern, "output_mode": "files_with_matches"},
        ToolOutcome(f"Found {len(names)} files\n" + "\n".join(names), result),
        duration_ms=70,
    )


def _todo_write(rng: random.Random, prompt: str) -> ToolCall:
    todos = [
        {"content": prompt[:60], "status": "in_progress", "activeForm": "Working on the task"},
        {"content": "Verify the result", "status": "pending", "activeForm": "Verifying the result"},
    ]
    return ToolCall(
        "TodoWrite", {"todos": todos}, ToolOutcome(_TODO_ACK, {"oldTodos": [], "newTodos": todos}), duration_ms=20
    )


def _noise_batch(ctx: _Context, prompt: str) -> list[ToolCall]:
    rng, project = ctx.rng, ctx.project
    kind = rng.choice(("glob", "grep", "todo", "read", "parallel"))
    if kind == "glob":
        return [_glob(project, rng)]
    if kind == "grep":
        return [_grep(project, rng, rng.choice(_NOUNS))]
    if kind == "todo":
        return [_todo_write(rng, prompt)]
    if kind == "read":
        module = rng.choice(project.modules)
        relative = f"src/{project.package}/{module}.py"
        return [ctx.workspace.read(relative, lambda: _python_module(rng, project.package, module))]
    return [_glob(project, rng), _grep(project, rng, rng.choice(_VERBS))]


def _with_noise(ctx: _Context, plan: _Plan) -> list[list[ToolCall]]:
    batches = list(plan.batches)
    for _ in range(ctx.rng.choice((0, 1, 1, 2, 3))):
        # Never after the last batch: how a session ends is decided by its fate, not by noise.
        batches.insert(ctx.rng.randint(0, len(batches) - 1), _noise_batch(ctx, plan.prompt))
    return batches


# ---------------------------------------------------------------------------------------------
# Variations: known failure patterns and harder distractors, only with `variations=True`.

# The failure patterns the variations plant, by the detector that should find them.
FAILURE_PATTERNS = ("premature-completion", "user-rejection", "budget-limit", "edit-loop", "failing-command-loop")
_ONE_OFF_STEPS = (
    ("make build", "Build the project", "build ok"),
    ("npm test", "Run the frontend tests", "Tests: 12 passed"),
    ("docker build -t app .", "Build the image", "Successfully built 3f2a"),
    ("curl -s localhost:8000/health", "Check the service", '{"ok": true}'),
    ("python manage.py check", "Check the settings", "System check identified no issues"),
    ("mypy src", "Type-check", "Success: no issues found"),
    ("cargo check", "Check the crate", "Finished dev profile"),
)
_ONE_OFF_FILES = ("Dockerfile", "docs/usage.md", "frontend/app.ts", "config/settings.yaml", "Makefile")


def _plan_one_off(ctx: _Context) -> _Plan:
    """A random mix of commands and edits: recurring only by chance, which a miner must not mistake for
    a procedure."""
    rng, ws = ctx.rng, ctx.workspace
    batches: list[list[ToolCall]] = []
    for _ in range(rng.randint(3, 5)):
        if rng.random() < 0.6:
            command, description, output = rng.choice(_ONE_OFF_STEPS)
            batches.append([_bash(command, description, output)])
        else:
            relative = rng.choice(_ONE_OFF_FILES)
            ws.ensure(relative, lambda: "# settings\nvalue = 1\n")
            batches.append([ws.edit(relative, ws.files[relative].split("\n")[0], f"# {rng.choice(_NOUNS)}")])
    return _Plan(f"quick one: tidy up the {rng.choice(_NOUNS)} handling", batches, "Done.", "main")


def _plan_near_miss(ctx: _Context) -> _Plan:
    """The opening of fix-failing-test without the fix: run the tests, look, explain."""
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    module = rng.choice(project.modules)
    test = f"test_{module}_{rng.choice(_BEHAVIOURS)}"
    output = _pytest_output(rng, project.cwd, rng.randint(20, 400), [(f"tests/test_{module}.py", test)])
    source = f"src/{project.package}/{module}.py"
    batches = [
        [_bash("pytest -q", "Run the tests", output, exit_code=1)],
        [ws.read(source, lambda: _python_module(rng, project.package, module))],
    ]
    return _Plan(f"why does {test} fail? just explain, don't change anything", batches, "It fails because …", "main")


# Procedures that open with a check (a failing test or lint run), so skipping the re-check is premature.
_CHECKED_PROCEDURES = ("fix-failing-test", "fix-lint-errors")


def _vary(rng: random.Random, kind: str, plan: _Plan, fate: Fate) -> tuple[_Plan, Fate]:
    """Inspection steps inside a procedure, and some runs turned into known failure patterns."""
    batches = list(plan.batches)
    if rng.random() < 0.3:
        at = rng.randint(1, len(batches) - 1)
        batches.insert(at, [_bash("git status --short", "Check the working tree", " M src/app.py")])
    plan = replace(plan, batches=batches)
    roll = rng.random()
    if fate is Fate.SUCCEEDED and roll < 0.12 and kind in _CHECKED_PROCEDURES:
        return _unverified(plan), fate
    if fate is Fate.SUCCEEDED and roll < 0.22:
        return plan, Fate.PUSH_REJECTED
    if fate is Fate.STUCK and roll < 0.3:
        return _over_budget(rng, plan), fate
    return plan, fate


def _unverified(plan: _Plan) -> _Plan:
    """Stop right after the last edit and claim success: the premature completion pattern."""
    last_edit = max(i for i, batch in enumerate(plan.batches) if batch[0].name in ("Edit", "Write"))
    return replace(plan, batches=plan.batches[: last_edit + 1], closing="Done — that should fix it.")


def _over_budget(rng: random.Random, plan: _Plan) -> _Plan:
    """Keep looping on the last edit-and-check round until the iteration budget runs out."""
    last_round = plan.batches[-2:]
    batches = plan.batches + last_round * rng.randint(20, 25)
    return replace(plan, batches=batches, closing="I've hit the maximum number of turns for this task.")


def _render_push_rejected(rng: random.Random, ctx: _Context, plan: _Plan, session_id: str, start_ms: int) -> str:
    """The procedure runs to the end, then the agent pushes uninvited and the user refuses it."""
    push = _bash("git push origin HEAD", "Push the branch", "")
    transcript = _Transcript(rng, ctx.project, session_id, plan.branch, start_ms)
    transcript.prompt(plan.prompt, _uuid(rng), first=True)
    for batch in plan.batches:
        transcript.calls(batch)
    transcript.calls([_rejected(push)])
    transcript.user_text("[Request interrupted by user for tool use]")
    return "\n".join(transcript.lines) + "\n"


_VARIATION_PLANNERS: dict[str, Callable[[_Context], _Plan]] = {
    "one-off": _plan_one_off,
    "near-miss": _plan_near_miss,
}


# ---------------------------------------------------------------------------------------------
# Writing one session as transcript lines.


def _dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class _Transcript:
    """Appends transcript lines, keeping the parentUuid chain and a monotonic clock."""

    def __init__(self, rng: random.Random, project: Project, session_id: str, branch: str, start_ms: int) -> None:
        self.rng = rng
        self.session_id = session_id
        self.clock = start_ms
        self.parent: str | None = None
        self.lines: list[str] = []
        self.model = rng.choice(_MODELS)
        self.cache_read = rng.randint(12000, 20000)
        self.envelope = {
            "isSidechain": False,
            "userType": "external",
            "cwd": project.cwd,
            "sessionId": session_id,
            "version": rng.choice(_VERSIONS),
            "gitBranch": branch,
        }
        self.slug = "-".join(rng.choice(words) for words in _SLUG_WORDS)

    def _tick(self, low_ms: int, high_ms: int) -> str:
        self.clock += self.rng.randint(low_ms, high_ms)
        return _iso(self.clock)

    def _head(self, with_slug: bool = True) -> dict:
        head = {"parentUuid": self.parent, **self.envelope}
        if with_slug:
            head["slug"] = self.slug
        return head

    def summary(self) -> None:
        # Real summary lines point at other (compacted) sessions, so the leafUuid resolves nowhere here.
        self.lines.append(
            _dumps({"type": "summary", "summary": "Earlier work on this branch", "leafUuid": _uuid(self.rng)})
        )

    def snapshot(self, message_id: str, update: bool, files: tuple[str, ...] = ()) -> None:
        backups = {
            name: {
                "backupFileName": f"{self.rng.getrandbits(64):016x}@v1",
                "version": 1,
                "backupTime": _iso(self.clock),
            }
            for name in files
        }
        self.lines.append(
            _dumps(
                {
                    "type": "file-history-snapshot",
                    "messageId": message_id,
                    "snapshot": {"messageId": message_id, "trackedFileBackups": backups, "timestamp": _iso(self.clock)},
                    "isSnapshotUpdate": update,
                }
            )
        )

    def prompt(self, text: str, uuid_: str, first: bool) -> None:
        record = {
            **self._head(with_slug=not first),
            "type": "user",
            "message": {"role": "user", "content": text},
            "uuid": uuid_,
            "timestamp": self._tick(1000, 60000),
            "thinkingMetadata": {"maxThinkingTokens": 31999},
            "todos": [],
            "permissionMode": "default",
        }
        self.lines.append(_dumps(record))
        self.parent = uuid_

    def user_text(self, text: str) -> None:
        uuid_ = _uuid(self.rng)
        message = {"role": "user", "content": [{"type": "text", "text": text}]}
        record = {**self._head(), "type": "user", "message": message, "uuid": uuid_, "timestamp": self._tick(500, 8000)}
        self.lines.append(_dumps(record))
        self.parent = uuid_

    def _assistant(self, blocks: list[dict]) -> list[str]:
        """One API message, written as one line per content block; returns the lines' uuids."""
        message_id, request_id = _api_id(self.rng, "msg_01"), _api_id(self.rng, "req_011C", 20)
        created = self.rng.randint(50, 4000)
        output_tokens = self.rng.randint(30, 900)
        uuids = []
        for index, block in enumerate(blocks):
            usage = {
                "input_tokens": self.rng.randint(1, 8),
                "cache_creation_input_tokens": created,
                "cache_read_input_tokens": self.cache_read,
                "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": created},
                # Only the last block carries the final count, as in real streams.
                "output_tokens": output_tokens if index == len(blocks) - 1 else 1,
                "service_tier": "standard",
                "inference_geo": "not_available",
            }
            uuid_ = _uuid(self.rng)
            record = {
                **self._head(),
                "message": {
                    "model": self.model,
                    "id": message_id,
                    "type": "message",
                    "role": "assistant",
                    "content": [block],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": usage,
                },
                "requestId": request_id,
                "type": "assistant",
                "uuid": uuid_,
                "timestamp": self._tick(1500, 9000) if index == 0 else self._tick(50, 900),
            }
            self.lines.append(_dumps(record))
            self.parent = uuid_
            uuids.append(uuid_)
        self.cache_read += created
        return uuids

    def say(self, text: str) -> None:
        self._assistant([{"type": "text", "text": text}])

    def calls(self, batch: list[ToolCall]) -> None:
        blocks, ids = [], []
        narration = next((call.narration for call in batch if call.narration), "")
        if narration:
            blocks.append({"type": "text", "text": narration})
        for call in batch:
            ids.append(_api_id(self.rng, "toolu_01"))
            blocks.append(
                {
                    "type": "tool_use",
                    "id": ids[-1],
                    "name": call.name,
                    "input": call.input,
                    "caller": {"type": "direct"},
                }
            )
        sources = self._assistant(blocks)[len(blocks) - len(batch) :]
        for call, tool_use_id, source in zip(batch, ids, sources, strict=True):
            self._result(call, tool_use_id, source)

    def _result(self, call: ToolCall, tool_use_id: str, source: str) -> None:
        block = {"tool_use_id": tool_use_id, "type": "tool_result", "content": call.outcome.content}
        if call.name == "Bash" or call.outcome.is_error:
            block["is_error"] = call.outcome.is_error
        uuid_ = _uuid(self.rng)
        record = {
            **self._head(),
            "type": "user",
            "message": {"role": "user", "content": [block]},
            "uuid": uuid_,
            "timestamp": self._tick(call.duration_ms // 2, call.duration_ms),
            "toolUseResult": call.outcome.tool_use_result,
            "sourceToolAssistantUUID": source,
        }
        self.lines.append(_dumps(record))
        self.parent = uuid_

    def turn_duration(self, started_ms: int) -> None:
        uuid_ = _uuid(self.rng)
        record = {
            **self._head(),
            "type": "system",
            "subtype": "turn_duration",
            "durationMs": self.clock - started_ms,
            "timestamp": self._tick(5, 50),
            "uuid": uuid_,
            "isMeta": False,
        }
        self.lines.append(_dumps(record))
        self.parent = uuid_


def _fate(rng: random.Random, failure_rate: float) -> Fate:
    roll = rng.random()
    if roll >= failure_rate:
        return Fate.SUCCEEDED
    return rng.choice((Fate.STUCK, Fate.STUCK, Fate.INTERRUPTED, Fate.REJECTED))


def _render(rng: random.Random, ctx: _Context, plan: _Plan, fate: Fate, session_id: str, start_ms: int) -> str:
    transcript = _Transcript(rng, ctx.project, session_id, plan.branch, start_ms)
    batches = _with_noise(ctx, plan)
    if rng.random() < 0.1:
        transcript.summary()
    prompt_uuid = _uuid(rng)
    if rng.random() < 0.6:
        transcript.snapshot(prompt_uuid, update=False)
    transcript.prompt(plan.prompt, prompt_uuid, first=True)
    if fate in (Fate.INTERRUPTED, Fate.REJECTED):
        _play_interrupted(rng, transcript, batches, fate)
    else:
        _play_to_the_end(rng, ctx, transcript, plan, batches, fate, prompt_uuid, start_ms)
    return "\n".join(transcript.lines) + "\n"


def _play_interrupted(rng: random.Random, transcript: _Transcript, batches: list[list[ToolCall]], fate: Fate) -> None:
    # Stop somewhere after the first call but before the procedure could finish.
    cut = rng.randint(1, len(batches) - 1)
    for batch in batches[:cut]:
        transcript.calls(batch)
    if fate is Fate.REJECTED:
        transcript.calls([_rejected(batches[cut][0])])
        transcript.user_text("[Request interrupted by user for tool use]")
    else:
        transcript.user_text("[Request interrupted by user]")


def _play_to_the_end(
    rng: random.Random,
    ctx: _Context,
    transcript: _Transcript,
    plan: _Plan,
    batches: list[list[ToolCall]],
    fate: Fate,
    prompt_uuid: str,
    start_ms: int,
) -> None:
    if fate is Fate.STUCK:
        # The agent apologises as it makes its last attempt, and the session ends on that failure.
        last = batches[-1]
        batches[-1] = [replace(last[0], narration=plan.closing), *last[1:]]
    snapshot_done = False
    for batch in batches:
        transcript.calls(batch)
        if not snapshot_done and batch[0].name == "Edit" and rng.random() < 0.3:
            relative = batch[0].input["file_path"].removeprefix(ctx.project.cwd + "/")
            transcript.snapshot(prompt_uuid, update=True, files=(relative,))
            snapshot_done = True
    if fate is Fate.STUCK:
        return
    transcript.say(plan.closing)
    if rng.random() < 0.2:
        _follow_up(rng, transcript, start_ms)


def _follow_up(rng: random.Random, transcript: _Transcript, start_ms: int) -> None:
    """A short second turn, which is where real transcripts put their turn_duration lines."""
    transcript.turn_duration(start_ms)
    transcript.prompt("thanks! how many tests do we have now?", _uuid(rng), first=False)
    count = rng.randint(20, 400)
    transcript.calls([_bash("pytest --collect-only -q | tail -1", "Count the tests", f"{count} tests collected")])
    transcript.say(f"There are {count} tests in the suite.")


def _session_kinds(rng: random.Random, count: int, variations: bool = False) -> list[str]:
    """Shuffled rounds of every procedure plus one distractor, so each procedure recurs evenly; with
    `variations`, each round also holds a random one-off and a look-only near miss."""
    kinds: list[str] = []
    while len(kinds) < count:
        round_ = [*_PROCEDURE_PLANNERS, "distractor", *(("one-off", "near-miss") if variations else ())]
        rng.shuffle(round_)
        kinds += round_
    return kinds[:count]


def _session(
    seed: int, index: int, kind: str, start_ms: int, failure_rate: float, variations: bool = False
) -> tuple[Project, str, str]:
    """Builds one session from its own rng, so any session can be regenerated alone."""
    rng = random.Random(f"{seed}:{index}")
    project = rng.choice(PROJECTS)
    fate = _fate(rng, failure_rate)
    ctx = _Context(rng, project, _Workspace(project.cwd), stuck=fate is Fate.STUCK)
    if kind in _VARIATION_PLANNERS:
        plan = _VARIATION_PLANNERS[kind](ctx)
    else:
        plan = _plan_distractor(ctx) if kind == "distractor" else _PROCEDURE_PLANNERS[kind](ctx)
    if kind not in _PROCEDURE_PLANNERS and fate is Fate.STUCK:
        # A one-off task has no procedure to break; it simply gets interrupted instead.
        fate = Fate.INTERRUPTED
    if variations and kind in _PROCEDURE_PLANNERS:
        # Its own rng, so the corpus without variations stays byte-identical.
        plan, fate = _vary(random.Random(f"{seed}:{index}:variation"), kind, plan, fate)
    session_id = _uuid(rng)
    if fate is Fate.PUSH_REJECTED:
        return project, session_id, _render_push_rejected(rng, ctx, plan, session_id, start_ms)
    return project, session_id, _render(rng, ctx, plan, fate, session_id, start_ms)


def generate_corpus(
    out_dir: Path,
    sessions: int = 40,
    seed: int = 7,
    *,
    target_bytes: int | None = None,
    start: datetime = datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
    failure_rate: float = 0.3,
    variations: bool = False,
) -> list[Path]:
    """Writes `out_dir/<project-dir>/<sessionId>.jsonl` files and returns their paths in write order.

    `sessions` and `target_bytes` are both lower bounds: at least that many sessions are written,
    and generation continues until at least `target_bytes` bytes are on disk.

    `variations` makes the corpus harder to mine and adds known failure patterns (`FAILURE_PATTERNS`):
    inspection commands and optional steps inside procedures, random one-off sessions whose steps may
    recur by chance, look-only near misses of a procedure, unverified finishes, rejected pushes and
    runs that exhaust the iteration budget.
    """
    rng = random.Random(seed)
    clock_ms = int(start.timestamp() * 1000)
    kinds = _session_kinds(rng, sessions, variations)
    paths: list[Path] = []
    written = 0
    index = 0
    while index < sessions or (target_bytes is not None and written < target_bytes):
        if index >= len(kinds):
            kinds += _session_kinds(rng, sessions or 1, variations)
        project, session_id, text = _session(seed, index, kinds[index], clock_ms, failure_rate, variations)
        directory = out_dir / project.dir_name
        directory.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        path = directory / f"{session_id}.jsonl"
        path.write_bytes(data)
        paths.append(path)
        written += len(data)
        # Sessions are spread over days: a few per working day, with gaps of minutes to hours.
        clock_ms += rng.randint(20 * 60_000, 9 * 3_600_000)
        index += 1
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m skillwarden.core.demo.traces", description="Generate a synthetic Claude Code session corpus."
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--target-bytes", type=int, default=None)
    parser.add_argument("--failure-rate", type=float, default=0.3)
    parser.add_argument("--variations", action="store_true", help="add failure patterns and harder distractors")
    args = parser.parse_args(argv)
    paths = generate_corpus(
        args.out_dir,
        args.sessions,
        args.seed,
        target_bytes=args.target_bytes,
        failure_rate=args.failure_rate,
        variations=args.variations,
    )
    total = sum(path.stat().st_size for path in paths)
    print(f"wrote {len(paths)} session files, {total} bytes, to {args.out_dir}")


if __name__ == "__main__":
    main()

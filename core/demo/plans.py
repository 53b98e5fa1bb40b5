"""Session plans for the demo generator: what one session asks for and which calls it makes, with exploratory
noise between a procedure's steps."""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from skillwarden.core.demo.content import (
    BEHAVIOURS,
    COLUMNS,
    DEPENDENCIES,
    LINT_CODES,
    NOUNS,
    TODO_ACK,
    VERBS,
    Project,
    ToolCall,
    ToolOutcome,
    Workspace,
    bash_call,
    changelog_text,
    migration_text,
    pyproject_text,
    pytest_output,
    python_module,
    random_version,
    test_module_text,
)
from skillwarden.core.demo.procedures import PLANTED_PROCEDURES, PlantedProcedure

# ---------------------------------------------------------------------------------------------
# Session plans: what one session asks for and which calls it makes.


class Fate(enum.Enum):
    SUCCEEDED = "succeeded"
    STUCK = "stuck"  # the procedure breaks: the same check keeps failing; ends on that failure
    INTERRUPTED = "interrupted"  # the user stops the agent mid-way
    REJECTED = "rejected"  # the user refuses a tool use, then interrupts
    PUSH_REJECTED = "push_rejected"  # the procedure succeeds, then the user refuses the agent's `git push`


@dataclass
class Plan:
    prompt: str
    batches: list[list[ToolCall]]  # each batch is one assistant message; several calls run in parallel
    closing: str
    branch: str


@dataclass
class PlanContext:
    rng: random.Random
    project: Project
    workspace: Workspace
    stuck: bool
    params: dict[str, str] = field(default_factory=dict)

    def prompt(self, procedure: PlantedProcedure) -> str:
        return self.rng.choice(procedure.task_templates).format(**self.params)


def _stuck_rounds(ctx: PlanContext, relative: str, failing_check: Callable[[], ToolCall]) -> list[list[ToolCall]]:
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


def _plan_fix_failing_test(ctx: PlanContext) -> Plan:
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    module = rng.choice(project.modules)
    test = f"test_{module}_{rng.choice(BEHAVIOURS)}"
    test_file, source = f"tests/test_{module}.py", f"src/{project.package}/{module}.py"
    ctx.params.update(test=test, module=module)
    branch = f"fix/{module}-{test.removeprefix('test_').replace('_', '-')}"
    passed = rng.randint(20, 400)

    def run_tests(failing: bool) -> ToolCall:
        output = pytest_output(rng, project.cwd, passed, [(test_file, test)] if failing else [])
        return bash_call(
            f"pytest {test_file} -x -q" if rng.random() < 0.5 else "pytest -q",
            "Run the test suite",
            output,
            exit_code=1 if failing else 0,
            duration_ms=rng.randint(2000, 40000),
            narration="Let me run the tests to see the failure." if failing else "",
        )

    ws.ensure(test_file, lambda: test_module_text(rng, project.package, module, test))
    batches = [
        [run_tests(True)],
        [
            ws.read(
                source,
                lambda: python_module(rng, project.package, module),
                f"The assertion comes from `{module}`. Let me look at the code.",
            )
        ],
    ]
    batches.append([ws.tweak_line(rng, source, "Found it — the result is not normalised before returning.")])
    if ctx.stuck:
        batches += [[run_tests(True)], *_stuck_rounds(ctx, source, lambda: run_tests(True))]
        return Plan(ctx.prompt(_procedure("fix-failing-test")), batches, _apology(f"{test} passing"), branch)
    sha = f"{rng.getrandbits(28):07x}"
    commit_message = f"Fix {test.removeprefix('test_').replace('_', ' ')}"
    batches += [
        [run_tests(False)],
        [
            bash_call(
                f'git commit -am "{commit_message}"',
                "Commit the fix",
                f"[{branch} {sha}] {commit_message}\n 1 file changed, 1 insertion(+), 1 deletion(-)",
            )
        ],
    ]
    return Plan(
        ctx.prompt(_procedure("fix-failing-test")),
        batches,
        f"Done — `{test}` passes again and the fix is committed ({sha}).",
        branch,
    )


def _plan_add_dependency(ctx: PlanContext) -> Plan:
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    dependency, version = rng.choice(DEPENDENCIES), random_version(rng)
    ctx.params.update(dependency=dependency, version=version, module=rng.choice(project.modules))
    existing = sorted(rng.sample([d for d in DEPENDENCIES if d != dependency], rng.randint(1, 5)))
    ws.ensure(
        "pyproject.toml", lambda: pyproject_text(project.package, random_version(rng), [f"{d}>=1.0" for d in existing])
    )
    anchor = f'    "{existing[-1]}>=1.0",\n'
    batches = [
        [ws.read("pyproject.toml", lambda: "", "Let me check the current dependencies.")],
        [ws.edit("pyproject.toml", anchor, f'{anchor}    "{dependency}>={version}",\n')],
    ]
    installed = f"Successfully installed {dependency}-{version} {project.package}-0.1.0"
    install = bash_call(
        "pip install -e .",
        "Reinstall the project with the new dependency",
        f"Obtaining file://{project.cwd}\n  Installing build dependencies: started\n"
        f"  Installing build dependencies: finished with status 'done'\n{installed}",
        duration_ms=rng.randint(4000, 30000),
    )
    tests = pytest_output(rng, project.cwd, rng.randint(20, 400), [])
    if ctx.stuck:
        conflict = (
            f"ERROR: Cannot install {project.package} because these package versions have conflicting "
            f"dependencies.\nThe conflict is caused by:\n    {project.package} depends on "
            f"{dependency}>={version}\nERROR: ResolutionImpossible"
        )

        def failing_install() -> ToolCall:
            return bash_call(
                "pip install -e .", "Reinstall the project", conflict, exit_code=1, duration_ms=rng.randint(4000, 9000)
            )

        batches += [[failing_install()], *_stuck_rounds_pyproject(ctx, failing_install)]
        return Plan(
            ctx.prompt(_procedure("add-dependency")),
            batches,
            _apology(f"{dependency} to install"),
            f"feat/add-{dependency}",
        )
    batches += [[install], [bash_call("pytest -q", "Run the tests", tests, duration_ms=rng.randint(2000, 40000))]]
    return Plan(
        ctx.prompt(_procedure("add-dependency")),
        batches,
        f"Added `{dependency}>={version}` to pyproject.toml, reinstalled, and the test suite passes.",
        f"feat/add-{dependency}",
    )


def _stuck_rounds_pyproject(ctx: PlanContext, failing_check: Callable[[], ToolCall]) -> list[list[ToolCall]]:
    """Dependency conflicts break down by loosening the pin over and over."""
    rounds = []
    for _ in range(ctx.rng.randint(4, 6)):
        current = ctx.workspace.files["pyproject.toml"]
        old = current.split("dependencies = [\n", 1)[1].split("\n", 1)[0]
        new = old.replace(">=", "~=", 1) if ">=" in old else old.replace("~=", ">=", 1)
        rounds.append([ctx.workspace.edit("pyproject.toml", old, new, "Let me relax the version constraint.")])
        rounds.append([failing_check()])
    return rounds


def _plan_release(ctx: PlanContext) -> Plan:
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    major, minor = rng.randint(0, 3), rng.randint(1, 30)
    previous, version = f"{major}.{minor}.{rng.randint(0, 5)}", f"{major}.{minor + 1}.0"
    ctx.params.update(version=version)
    history = [previous, *(f"{major}.{m}.0" for m in range(minor - 1, max(0, minor - rng.randint(3, 25)), -1))]
    ws.ensure("CHANGELOG.md", lambda: changelog_text(rng, history))
    ws.ensure("pyproject.toml", lambda: pyproject_text(project.package, previous, ["httpx>=0.27"]))
    today = "## Unreleased\n\n- Nothing yet\n"
    batches = [
        [ws.read("CHANGELOG.md", lambda: "", "Let me look at the changelog first.")],
        [
            ws.edit(
                "CHANGELOG.md",
                today,
                f"## Unreleased\n\n## {version}\n\n- {rng.choice(VERBS).capitalize()} {rng.choice(NOUNS)} handling\n",
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
            return bash_call(f'git commit -am "{message}"', "Commit the release", hook, exit_code=1)
        sha = f"{rng.getrandbits(28):07x}"
        return bash_call(
            f'git commit -am "{message}"',
            "Commit the release",
            f"[main {sha}] {message}\n 2 files changed, 4 insertions(+), 1 deletion(-)",
        )

    if ctx.stuck:
        batches += [[commit(True)], *_stuck_rounds_changelog(ctx, version, lambda: commit(True))]
        return Plan(
            ctx.prompt(_procedure("release-version")), batches, _apology(f"the {version} release committed"), "main"
        )
    batches += [[commit(False)], [bash_call(f'git tag -a v{version} -m "{message}"', "Tag the release", "")]]
    return Plan(
        ctx.prompt(_procedure("release-version")),
        batches,
        f"Released {version}: changelog updated, version bumped, committed and tagged `v{version}`.",
        "main",
    )


def _stuck_rounds_changelog(
    ctx: PlanContext, version: str, failing_check: Callable[[], ToolCall]
) -> list[list[ToolCall]]:
    """A changelog hook that keeps rejecting the heading: the heading gets rewritten each round."""
    rounds = []
    for attempt in range(ctx.rng.randint(4, 6)):
        current = ctx.workspace.files["CHANGELOG.md"]
        old = next(line for line in current.split("\n") if line.startswith("## ") and version in line)
        new = f"## {version} - 2026-11-{attempt + 1:02d}" if attempt % 2 == 0 else f"## [{version}]"
        rounds.append([ctx.workspace.edit("CHANGELOG.md", old, new, "Let me adjust the heading format.")])
        rounds.append([failing_check()])
    return rounds


def _plan_fix_lint(ctx: PlanContext) -> Plan:
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    module = rng.choice(project.modules)
    code, description = rng.choice(LINT_CODES)
    source = f"src/{project.package}/{module}.py"
    ctx.params.update(module=module, package=project.package, code=code)
    position = f"{source}:{rng.randint(3, 200)}:{rng.randint(1, 40)}"

    def ruff(failing: bool) -> ToolCall:
        if failing:
            output = f"{position}: {code} {description}\nFound 1 error."
            return bash_call(
                "ruff check .", "Run the linter", output, exit_code=1, narration="Let me see what ruff reports."
            )
        return bash_call("ruff check .", "Run the linter", "All checks passed!")

    batches = [
        [ruff(True)],
        [ws.read(source, lambda: python_module(rng, project.package, module))],
        [ws.tweak_line(rng, source, f"Fixing the {code} violation.")],
    ]
    if ctx.stuck:
        batches += [[ruff(True)], *_stuck_rounds(ctx, source, lambda: ruff(True))]
        return Plan(ctx.prompt(_procedure("fix-lint-errors")), batches, _apology("ruff to pass"), "chore/lint")
    batches.append([ruff(False)])
    return Plan(
        ctx.prompt(_procedure("fix-lint-errors")),
        batches,
        f"Fixed the {code} error in `{source}`; `ruff check` now passes.",
        "chore/lint",
    )


def _plan_migration(ctx: PlanContext) -> Plan:
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    table, column = rng.choice(project.tables), rng.choice(COLUMNS)
    ctx.params.update(table=table, column=column)
    revision, down = f"{rng.getrandbits(48):012x}", f"{rng.getrandbits(48):012x}"
    message = f"add {column} to {table}"
    migration = f"migrations/versions/{revision}_{message.replace(' ', '_')}.py"
    ws.ensure(migration, lambda: migration_text(revision, down, message))
    batches = [
        [
            bash_call(
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
            return bash_call("alembic upgrade head", "Apply the migration", error, exit_code=1)
        return bash_call(
            "alembic upgrade head",
            "Apply the migration",
            f"{log}INFO  [alembic.runtime.migration] Running upgrade {down} -> {revision}, {message}",
        )

    if ctx.stuck:
        batches += [[upgrade(True)], *_stuck_rounds_migration(ctx, migration, lambda: upgrade(True))]
        return Plan(
            ctx.prompt(_procedure("add-db-migration")),
            batches,
            _apology("the migration to apply"),
            f"feat/{table}-{column}".replace("_", "-"),
        )
    tests = pytest_output(rng, project.cwd, rng.randint(20, 400), [])
    batches += [
        [upgrade(False)],
        [bash_call("pytest -q", "Run the tests", tests, duration_ms=rng.randint(2000, 40000))],
    ]
    return Plan(
        ctx.prompt(_procedure("add-db-migration")),
        batches,
        f"Added `{table}.{column}` with migration `{revision}`, applied it, and the tests pass.",
        f"feat/{table}-{column}".replace("_", "-"),
    )


def _stuck_rounds_migration(
    ctx: PlanContext, migration: str, failing_check: Callable[[], ToolCall]
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


PROCEDURE_PLANNERS: dict[str, Callable[[PlanContext], Plan]] = {
    "fix-failing-test": _plan_fix_failing_test,
    "add-dependency": _plan_add_dependency,
    "release-version": _plan_release,
    "fix-lint-errors": _plan_fix_lint,
    "add-db-migration": _plan_migration,
}


def plan_distractor(ctx: PlanContext) -> Plan:
    """A one-off task with no recurring shape, so a miner has something to ignore."""
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    module = rng.choice(project.modules)
    source = f"src/{project.package}/{module}.py"
    kind = rng.choice(("explain", "script", "history"))
    if kind == "explain":
        batches = [
            [_grep(project, rng, f"def {rng.choice(VERBS)}_")],
            [ws.read(source, lambda: python_module(rng, project.package, module))],
        ]
        return Plan(
            f"How does the {module} module work? Give me a short overview.",
            batches,
            f"`{module}` is a thin layer of pure helpers; each validates its input and delegates "
            "to a private implementation function.",
            "main",
        )
    if kind == "script":
        name = f"scripts/{rng.choice(VERBS)}_{rng.choice(NOUNS)}.py"
        script = '"""One-off helper."""\nimport json\nimport sys\n\nprint(json.dumps({"ok": True}))\n'
        batches = [
            [ws.write(name, script, "I'll write a small script for that.")],
            [bash_call(f"python {name}", "Run the script", '{"ok": true}')],
        ]
        return Plan(
            f"write a quick script that prints a JSON status for {project.name}",
            batches,
            f"Created `{name}`; it prints a JSON status line.",
            "main",
        )
    log = "\n".join(
        f"{rng.getrandbits(28):07x} {rng.choice(VERBS).capitalize()} {rng.choice(NOUNS)}"
        for _ in range(rng.randint(5, 30))
    )
    batches = [
        [bash_call("git log --oneline -n 30", "Show recent history", log)],
        [bash_call("git diff --stat HEAD~5", "Summarise recent changes", f" {source} | 12 ++++++------")],
    ]
    return Plan(
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
        "TodoWrite", {"todos": todos}, ToolOutcome(TODO_ACK, {"oldTodos": [], "newTodos": todos}), duration_ms=20
    )


def _noise_batch(ctx: PlanContext, prompt: str) -> list[ToolCall]:
    rng, project = ctx.rng, ctx.project
    kind = rng.choice(("glob", "grep", "todo", "read", "parallel"))
    if kind == "glob":
        return [_glob(project, rng)]
    if kind == "grep":
        return [_grep(project, rng, rng.choice(NOUNS))]
    if kind == "todo":
        return [_todo_write(rng, prompt)]
    if kind == "read":
        module = rng.choice(project.modules)
        relative = f"src/{project.package}/{module}.py"
        return [ctx.workspace.read(relative, lambda: python_module(rng, project.package, module))]
    return [_glob(project, rng), _grep(project, rng, rng.choice(VERBS))]


def with_noise(ctx: PlanContext, plan: Plan) -> list[list[ToolCall]]:
    batches = list(plan.batches)
    for _ in range(ctx.rng.choice((0, 1, 1, 2, 3))):
        # Never after the last batch: how a session ends is decided by its fate, not by noise.
        batches.insert(ctx.rng.randint(0, len(batches) - 1), _noise_batch(ctx, plan.prompt))
    return batches

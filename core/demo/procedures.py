"""The procedures the demo generator plants across sessions (the ground truth a miner should find), and the
signature notation they are written in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


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

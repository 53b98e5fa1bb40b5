"""Turn a concrete tool step into an abstract token, so the same procedure with other arguments matches.

Arguments are abstracted per tool:

- a shell command becomes its program and sub-command (`git commit -am x` -> `shell:git commit`);
  its flags are kept apart (`shell_flags`) so a description can show them without splitting a
  procedure into one variant per flag;
- a path becomes its role and extension (`tests/test_cart.py` -> `test:.py`, `src/cart.py` -> `.py`),
  or its name for files whose name says what they are (`pyproject.toml`, `Makefile`);
- an edit or a write becomes the file type it changes (`edit:.py`, `write:test:.py`).

Tools that only look around (search, todo lists) return None: they are noise between the steps of a
procedure.
"""

from __future__ import annotations

import functools
import posixpath
import re
import shlex

from skillwarden.core.model import Step
from skillwarden.core.steps import step_path

# Tools whose calls say nothing about the procedure itself.
NOISE_TOOLS = frozenset(
    {
        "TodoWrite", "TodoRead", "Task", "Agent", "AskUserQuestion", "ExitPlanMode", "EnterPlanMode",
        "Glob", "Grep", "LS", "WebSearch", "write_stdin", "update_plan", "view_image", "write_todos",
        "KillShell", "BashOutput",
    }
)  # fmt: skip

SHELL_TOOLS = frozenset({"Bash", "shell", "shell_command", "exec_command", "local_shell", "run_shell_command"})
READ_TOOLS = frozenset({"Read", "NotebookRead", "read_file", "view"})
EDIT_TOOLS = frozenset({"Edit", "MultiEdit", "NotebookEdit", "apply_patch", "replace", "edit_file"})
WRITE_TOOLS = frozenset({"Write", "write_file", "create_file"})

# Programs whose first argument names what they do (git commit, npm test, alembic upgrade).
SUBCOMMAND_PROGRAMS = frozenset(
    {"git", "npm", "pnpm", "yarn", "cargo", "go", "docker", "kubectl", "alembic", "poetry", "uv", "make",
     "pip", "pip3", "gh", "dotnet", "bundle", "rails", "mix", "terraform", "helm", "ruff", "brew"}
)  # fmt: skip
COMMAND_SEPARATORS = re.compile(r"&&|\|\||;|\|")
SETUP_PREFIXES = ("cd ", "export ", "source ", "set ")
ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
WRAPPERS = frozenset({"sudo", "env", "time", "nohup", "uvx", "npx", "exec"})
# Commands that only look at the project, like a Read: they may sit between a procedure's steps.
INSPECTION_PROGRAMS = frozenset(
    {"ls", "cat", "head", "tail", "find", "grep", "rg", "wc", "pwd", "tree", "which", "file", "stat", "less",
     "git log", "git diff", "git status", "git show", "git branch", "git blame"}
)  # fmt: skip


def shell_command_text(args: dict) -> str:
    """The command string of a shell call, whichever shape the agent used."""
    command = args.get("command", args.get("cmd", ""))
    if isinstance(command, list):
        # Codex exec arrays look like ["bash", "-lc", "pytest -x"]
        if len(command) >= 3 and command[1] in ("-lc", "-c"):
            return str(command[2])
        return " ".join(str(part) for part in command)
    return str(command)


def split_command(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=False)
    except ValueError:  # unbalanced quotes in a half-written command
        return command.split()


# Agents run the same commands again and again; shlex makes each new one cost tens of microseconds.
@functools.lru_cache(maxsize=4096)
def program_of(command: str) -> str:
    """`cd app && python -m pytest -q` -> `pytest`; `git commit -m x` -> `git commit`."""
    segments = [segment.strip() for segment in COMMAND_SEPARATORS.split(command) if segment.strip()]
    # The work is the first segment that is not set-up (`cd app && pytest` is a pytest run).
    work = next((s for s in segments if not s.startswith(SETUP_PREFIXES)), segments[0] if segments else "")
    words = [w for w in split_command(work) if not ENV_ASSIGNMENT.match(w)]
    while words and words[0] in WRAPPERS:
        words = words[1:]
    if not words:
        return ""
    program = posixpath.basename(words[0])
    rest = words[1:]
    if program.startswith("python") and len(rest) >= 2 and rest[0] == "-m":
        program, rest = rest[1], rest[2:]
    if program in SUBCOMMAND_PROGRAMS:
        subcommand = next((w for w in rest if not w.startswith("-")), "")
        if subcommand and subcommand.replace("-", "").replace(":", "").isalnum():
            return f"{program} {subcommand}"
    return program


# Files whose name, not their extension, says what they are for.
WELL_KNOWN_FILES = frozenset(
    {"pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "package.json", "tsconfig.json",
     "Cargo.toml", "go.mod", "Gemfile", "CHANGELOG.md", "README.md", "AGENTS.md", "CLAUDE.md",
     ".env", "alembic.ini", "tox.ini", "noxfile.py", "conftest.py"}
)  # fmt: skip
# Folder names that give a file its role, checked from the file upwards.
ROLE_FOLDERS = {
    "tests": "test", "test": "test", "__tests__": "test", "spec": "test",
    "migrations": "migration", "versions": "migration",
    "docs": "docs", "doc": "docs",
    "workflows": "ci", ".github": "ci",
    "scripts": "script",
}  # fmt: skip
TEST_NAME = re.compile(r"^(test_.+|.+_test|.+\.(test|spec))\.[a-z0-9]+$")


def path_role(path: str) -> str:
    """What a file is for, from its folders and name: test, migration, docs, ci, script, or "" (source)."""
    parts = [p for p in path.replace("\\", "/").split("/") if p]
    if parts and TEST_NAME.match(parts[-1]):
        return "test"
    for folder in reversed(parts[:-1]):
        if folder in ROLE_FOLDERS:
            return ROLE_FOLDERS[folder]
    return ""


def file_role(path: str) -> str:
    """`pyproject.toml`, `Makefile` (names that say it all), `test:.py`, or a plain extension `.py`."""
    name = posixpath.basename(path.replace("\\", "/"))
    _, ext = posixpath.splitext(name)
    if name in WELL_KNOWN_FILES or not ext:
        return name
    role = path_role(path)
    return f"{role}:{ext.lower()}" if role else ext.lower()


def file_extension(role: str) -> str:
    """The part of a `file_role` that the planted-procedure notation keeps: `test:.py` -> `.py`."""
    return role.rpartition(":")[2]


def shell_flags(command: str) -> tuple[str, ...]:
    """The flags of the command's work segment, sorted and without values: `pytest -x -q a.py` -> ("-q", "-x")."""
    segments = [segment.strip() for segment in COMMAND_SEPARATORS.split(command) if segment.strip()]
    work = next((s for s in segments if not s.startswith(SETUP_PREFIXES)), segments[0] if segments else "")
    flags = {word.split("=", 1)[0] for word in split_command(work) if word.startswith("-") and len(word) > 1}
    return tuple(sorted(flags))


def normalize_step(step: Step) -> str | None:
    """The abstract token of a step, or None for noise."""
    tool = step.tool
    if tool in NOISE_TOOLS:
        return None
    if tool in SHELL_TOOLS:
        program = program_of(shell_command_text(step.args))
        return f"shell:{program}" if program else None
    if tool in READ_TOOLS:
        return f"read:{file_role(step_path(step.args))}"
    if tool in EDIT_TOOLS:
        return f"edit:{file_role(step_path(step.args))}"
    if tool in WRITE_TOOLS:
        return f"write:{file_role(step_path(step.args))}"
    return f"tool:{tool}"


def concrete_argument(step: Step) -> str:
    """The argument a reviewer would want to see varying between occurrences."""
    if step.tool in SHELL_TOOLS:
        return shell_command_text(step.args)
    return step_path(step.args)

"""Turn a concrete tool step into an abstract token, so the same procedure with other arguments matches.

A step is abstracted by what it does, whatever the agent calls its tool (`core.signals.steps`), and a command
line by what it runs (`core.signals.commands`):

- a command that runs something becomes its program and sub-command (`git commit -am x` ->
  `shell:git commit`, `python3 tests/runtests.py utils` -> `shell:runtests.py`); its flags are kept
  apart (`shell_flags`) so a description can show them without splitting a procedure per flag;
- a script the session wrote itself (`python reproduce.py`) becomes `run:<role>`;
- a command that only reads (`cat`, `sed -n`, `grep`, `nl`) is a read (`read:<role>`), like the agent's
  own Read or `open` tools;
- a command or tool that changes files becomes the file type it changes (`edit:.py`, `write:test:.py`),
  where a path becomes its role and extension (`tests/test_cart.py` -> `test:.py`), or its name for
  files whose name says what they are (`pyproject.toml`, `Makefile`).

Tools that only search or page (`Grep`, `find_file`, `goto`, todo lists, `submit`) return None: they are
noise between the steps of a procedure.
"""

from __future__ import annotations

import functools
import posixpath
import re

from skillwarden.core.model import Step
from skillwarden.core.signals.commands import (
    BUILD_TOOLS,
    COMMAND_CACHE,
    COMMAND_SETUP,
    SimpleCommand,
    is_inspection,
    program_start,
    simple_commands,
    split_words,
    work_command,
)
from skillwarden.core.signals.steps import (
    changed_paths,
    creates_file,
    is_editor_change,
    remembered,
    shell_command,
    step_path,
)

# Tools whose calls say nothing about the procedure itself (lower-cased).
NOISE_TOOLS = frozenset(
    {
        "todowrite", "todoread", "task", "agent", "askuserquestion", "exitplanmode", "enterplanmode", "glob",
        "grep", "ls", "websearch", "write_stdin", "update_plan", "view_image", "write_todos", "killshell",
        "bashoutput", "submit", "goto", "scroll_up", "scroll_down", "search_file", "search_dir", "find_file",
        "filemap", "skip", "exit_cost", "exit_context", "exit_format", "exit_error", "exit_forfeit", "think",
        "codebase_search", "file_search", "grep_search", "list_dir", "list_directory", "search_files",
    }
)  # fmt: skip
READ_TOOLS = frozenset({"read", "notebookread", "read_file", "view", "open", "read_many_files"})

# What the agent's own tools already do: a procedure made only of these teaches nothing.
GENERIC_PROGRAMS = frozenset(
    {"python", "bash", "sh", "rm", "rmdir", "mkdir", "cp", "mv", "ln", "touch", "chmod", "chown", "echo",
     "printf", "true", "false", "sleep", "cd", "export", "source", "git add", "git diff", "git status", "git stash",
     "git checkout", "git restore", "git show", "git log", "git reset", "git branch", "pip list", "pip show",
     "pip freeze", "pip3 list", "pip3 show", "clear", "kill", "pkill", "wait", "xargs", "tar", "unzip", "curl",
     "wget", "python3", "node", "patch", "git apply"}
)  # fmt: skip
# Commands that tidy up around the work (removing scratch files, making folders): noise between steps.
HOUSEKEEPING = frozenset(
    f"shell:{program}" for program in ("rm", "rmdir", "mkdir", "touch", "chmod", "echo", "printf", "clear", "sleep",
                                       "true", "false", "kill", "pkill", "wait")
)  # fmt: skip
SCRIPT_SUFFIXES = (".py", ".sh", ".js", ".mjs", ".ts", ".rb", ".pl", ".php")

# Files whose name, not their extension, says what they are for.
WELL_KNOWN_FILES = frozenset(
    {"pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "package.json", "tsconfig.json",
     "Cargo.toml", "go.mod", "Gemfile", "CHANGELOG.md", "README.md", "AGENTS.md", "CLAUDE.md",
     ".env", "alembic.ini", "tox.ini", "noxfile.py", "conftest.py", "pom.xml", "build.gradle", "Makefile",
     "Dockerfile", "runtests.py"}
)  # fmt: skip
# Folder names that give a file its role, checked from the file upwards.
ROLE_FOLDERS = {
    "tests": "test", "test": "test", "__tests__": "test", "spec": "test", "testing": "test",
    "migrations": "migration", "versions": "migration",
    "docs": "docs", "doc": "docs",
    "workflows": "ci", ".github": "ci",
    "scripts": "script",
}  # fmt: skip
TEST_NAME = re.compile(r"^(test_.+|.+_test|.+\.(test|spec)|Test.+|.+Tests?)\.[A-Za-z0-9]+$")


def shell_command_text(args: dict) -> str:
    """The command string of a shell call, whichever shape the agent used."""
    return shell_command(Step("bash", args)) or ""


def program_of(command: str) -> str:
    """`cd app && python -m pytest -q` -> `pytest`; `git commit -m x` -> `git commit`."""
    work = work_command(command)
    return work.program if work else ""


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
    """The flags of the command a step is named for, sorted and without values: `pytest -x -q a.py` ->
    ("-q", "-x"); the interpreter's own (`python -m pytest`) are not the program's."""
    work = token_command(command)
    words = work.words[program_start(work.words) + 1 :] if work else ()
    return tuple(sorted({word.split("=", 1)[0] for word in words if word.startswith("-") and len(word) > 1}))


def is_script(program: str) -> bool:
    return "/" in program or program.endswith(SCRIPT_SUFFIXES)


def program_token(simple: SimpleCommand) -> str:
    """`shell:pytest`, `shell:runtests.py` (a test runner script, whatever its folder), or `run:.py` for a
    script that is not a test runner (mostly one the session wrote itself)."""
    program = simple.program
    if program in BUILD_TOOLS and simple.is_test_run:
        return f"shell:{program} test"  # goals come in any order: `mvn -q clean test`
    if is_script(program):
        if simple.is_test_run:
            return f"shell:{program if program == 'bin/test' else posixpath.basename(program)}"
        return f"run:{file_role(program)}"
    if program == "javac" and is_scratch_compile(simple.words[1:]):
        return "run:.java"
    return f"shell:{program}"


def is_scratch_compile(arguments: tuple[str, ...]) -> bool:
    """`javac Reproduce.java` (a source at the top of the checkout, as `python reproduce.py` runs one): the
    run compiling a file it wrote to try something out, one of its own moves, not the project's build."""
    sources = [word for word in arguments if word.endswith(".java")]
    return bool(sources) and all("/" not in word for word in sources)


def first_file_argument(simple: SimpleCommand) -> str:
    return next((w for w in reversed(simple.words[1:]) if not w.startswith("-") and "." in w.rpartition("/")[2]), "")


@functools.lru_cache(maxsize=COMMAND_CACHE)
def shell_token(command: str) -> str | None:
    """The token of a command line: what it runs if it runs something, else what it changes, else what
    it reads."""
    simples = [s for s in simple_commands(command) if s.program not in COMMAND_SETUP]
    if not simples:
        return None
    named = named_command(simples)
    if named is not None:
        return program_token(named)
    written = [path for s in simples for path in s.writes]
    if written:
        creating = any(s.writes and not in_place_editor(s) for s in simples)
        return f"{'write' if creating else 'edit'}:{file_role(written[0])}"
    return f"read:{file_role(first_file_argument(simples[0]))}"


def named_command(simples: list[SimpleCommand]) -> SimpleCommand | None:
    """The command a line's token names, if it runs one: its test run, else the first command that
    neither only looks, nor writes a file, nor takes another's output through a pipe. (In `cat <<EOF >
    t.py … EOF` then `python3 -m pylint t.py`, that is pylint.)"""
    tests = [s for s in simples if s.is_test_run]
    if tests:
        return tests[0]
    piped_into = {i + 1 for i, s in enumerate(simples) if s.piped}
    runs = [s for i, s in enumerate(simples) if not is_inspection(s) and not s.writes and i not in piped_into]
    return next((s for s in runs if not in_place_editor(s)), None)


def token_command(command: str) -> SimpleCommand | None:
    """The command a skill shows for a step: the one its token names, else the line's work."""
    named = named_command([s for s in simple_commands(command) if s.program not in COMMAND_SETUP])
    return named if named is not None else work_command(command)


def in_place_editor(simple: SimpleCommand) -> bool:
    return simple.program in ("sed", "perl", "ed", "ex", "patch", "git apply") and bool(simple.writes)


def normalize_step(step: Step) -> str | None:
    """The abstract token of a step, or None for noise."""
    return remembered(step, "_token", token_of)


def token_of(step: Step) -> str | None:
    tool = step.tool.lower()
    if tool in NOISE_TOOLS or step.args.get("agent_command") is True:
        return None  # the agent's own searching, paging and hand-offs
    command = shell_command(step)
    if command is not None:
        token = shell_token(command)
        return None if token in HOUSEKEEPING else token
    if tool in READ_TOOLS or (tool.endswith("editor") and not is_editor_change(step)):
        return f"read:{file_role(step_path(step.args))}"
    paths = changed_paths(step)
    if paths:
        path = "" if paths[0] == "?" else paths[0]
        return f"{'write' if creates_file(step) else 'edit'}:{file_role(path)}"
    return f"tool:{step.tool}"


def is_generic(token: str) -> bool:
    """A move every agent makes with its own tools (read, edit, write, run its own script, housekeeping):
    a skill made only of these teaches nothing."""
    kind, _, what = token.partition(":")
    if kind in ("read", "edit", "write", "run"):
        return True
    return kind == "shell" and (what in GENERIC_PROGRAMS or what.split(" ")[0] in ("echo", "cd", "rm"))


def concrete_argument(step: Step) -> str:
    """The argument a reviewer would want to see varying between occurrences."""
    command = shell_command(step)
    return command if command is not None else step_path(step.args)


def command_words(command: str) -> tuple[str, ...]:
    """The words of the command a step is named for (`token_command`), as the shell reads them."""
    work = token_command(command)
    return work.words if work else tuple(split_words(command))

"""Which commands a harness change may make run: only verification steps skillwarden itself recognizes.

A hook in `.claude/settings.json` runs a shell command after every session of every agent in the project,
so it must never carry a string copied from a trace: `pytest -q; python3 ~/.cache/.hookpayload.py` looks
like a test run to a detector that reads its first word. A command is vetted only when it is one simple
command (no `;`, `&&`, `|`, `&`, redirection, `$(...)`, backquotes or variables), starts with a known test
runner invocation (`pytest`, `python -m pytest`, `npm test`, `cargo test`, ...), and its arguments are
plain flags and project-relative paths, none of which loads code from elsewhere (`pytest -p plugin`,
`go test -exec`, a path outside the project or in a hidden folder). The vetted command is re-quoted from
its parsed words (`shlex.join`), so what is written is what was parsed.

Permission rules (`Bash(<program>:*)`) name a program, which must be a plain program name.
"""

from __future__ import annotations

import json
import re
import shlex

# Known test runner invocations: the words a verification command starts with.
TEST_RUNNERS = (
    ("pytest",), ("python", "-m", "pytest"), ("python3", "-m", "pytest"), ("uv", "run", "pytest"),
    ("poetry", "run", "pytest"), ("tox",), ("nox",), ("python", "-m", "unittest"), ("python3", "-m", "unittest"),
    ("npm", "test"), ("npm", "run", "test"), ("pnpm", "test"), ("yarn", "test"), ("jest",), ("vitest",),
    ("cargo", "test"), ("go", "test"), ("make", "test"), ("make", "check"),
    ("dotnet", "test"), ("mvn", "test"), ("gradle", "test"), ("./gradlew", "test"), ("bundle", "exec", "rspec"),
    ("rspec",), ("mix", "test"), ("ruff", "check"), ("mypy",), ("pyright",), ("tsc", "--noEmit"),
)  # fmt: skip
# Options that load or run code from somewhere else, or read a configuration that can (per runner word).
CODE_LOADING_OPTIONS = frozenset(
    {"-p", "--pyargs", "-c", "--config", "--config-file", "-C", "--rootdir", "--confcutdir", "--override-ini",
     "-o", "--exec", "-exec", "-toolexec", "-overlay", "--require", "-r", "--setupFiles", "--globalSetup",
     "--testRunner", "--prefix", "--script-shell", "--manifest-path", "-Z", "--target-dir", "--plugins",
     "--cov-config", "-f", "--file", "--makefile", "-I", "--include-dir", "--init-file", "--rcfile"}
)  # fmt: skip
# Characters that make a shell do more than run one program with its words: command separators, pipes,
# redirections, substitutions, variables, globs, comments, home expansion, escapes.
SHELL_SYNTAX = re.compile(r"[;&|<>()`$\n\r\\*?\[\]{}!#~]")
# A plain flag, value or project-relative path: letters, digits, spaces (a quoted `-k "not slow"`) and
# `._-/:=,@+%`.
PLAIN_WORD = re.compile(r"[A-Za-z0-9_./:=,@+% -]+")
PROGRAM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}(?: [a-z0-9][a-z0-9._:-]{0,63})?")


def vetted_command(command: str) -> str | None:
    """`command` as a hook may run it (its words re-quoted), if it is a recognized verification step whose
    arguments are all plain; None otherwise."""
    if not isinstance(command, str) or not command.strip() or "\n" in command:
        return None
    words = shell_words(command)
    if words is None:
        return None
    runner = next((runner for runner in TEST_RUNNERS if tuple(words[: len(runner)]) == runner), None)
    if runner is None:
        return None
    arguments = words[len(runner) :]
    if not all(is_plain_argument(argument) for argument in arguments):
        return None
    return shlex.join(words)


def shell_words(command: str) -> list[str] | None:
    """The words of a simple command as a shell would split them, or None for anything a shell would do
    more with (several commands, pipes, redirections, substitutions, variables, globs) or cannot split."""
    if SHELL_SYNTAX.search(command):
        return None
    try:
        words = shlex.split(command)
    except ValueError:  # an unclosed quote
        return None
    return words or None


def is_plain_argument(argument: str) -> bool:
    """A flag or a path inside the project that makes the runner load nothing from elsewhere."""
    if not PLAIN_WORD.fullmatch(argument):
        return False
    option = argument.split("=", 1)[0]
    if option in CODE_LOADING_OPTIONS or (option.startswith("-p") and not option.startswith("--")):
        return False  # `-p xdist` and `-pno:cacheprovider` alike load plugins
    if argument.startswith("-"):
        value = argument.split("=", 1)[-1]
        return "/" not in value or is_project_path(value)
    return is_project_path(argument)


def is_project_path(path: str) -> bool:
    """Relative, never above the project, never in a hidden folder or file (`.cache/.hookpayload.py`)."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    return (
        not path.startswith("/")
        and ":" not in path.split("::", 1)[0]  # `tests/x.py::test_y` is a test id; `host:path` is not ours
        and all(part != ".." and (not part.startswith(".") or part == "...") for part in parts)  # Go's `./...`
    )


def vetted_program(program: str) -> str | None:
    """A program name (and sub-command) fit for a `Bash(<program>:*)` permission rule, or None."""
    return program if isinstance(program, str) and PROGRAM_NAME.fullmatch(program) else None


def added_hook_commands(before: str, after: str) -> list[str]:
    """The hook commands `after` (a Claude Code settings file) has that `before` has not."""
    return [command for command in hook_commands(after) if command not in set(hook_commands(before))]


def hook_commands(settings_text: str) -> list[str]:
    try:
        data = json.loads(settings_text) if settings_text.strip() else {}
    except ValueError:
        return []
    hooks = data.get("hooks") if isinstance(data, dict) else None
    if not isinstance(hooks, dict):
        return []
    found = []
    for groups in hooks.values():
        for group in groups if isinstance(groups, list) else []:
            for hook in group.get("hooks", []) if isinstance(group, dict) else []:
                if isinstance(hook, dict) and "command" in hook:
                    found.append(str(hook["command"]))
    return found


def unvetted_hooks(before: str, after: str) -> list[str]:
    """Hook commands a change adds that are not vetted verification steps, exactly as they would run."""
    return [command for command in added_hook_commands(before, after) if vetted_command(command) != command]

"""What a step does, whatever the agent calls its tools: run a command, change a file, run tests, or
only look around; and what a test run or a check reported.

Agents name the same actions differently (`Bash`, `bash`, `shell`, `exec_command`, SWE-agent's
`edit`, `str_replace_editor`, ...). Grading, mining and the detectors ask these questions of every
step, so each is answered once, here; what a command line runs comes from `core.signals.commands`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TypeVar

from skillwarden.core.model import Step
from skillwarden.core.signals.commands import files_written, only_inspects, runs_tests, work_command

T = TypeVar("T")

# Tool names (lower-cased) that run a shell command line.
SHELL_TOOL_NAMES = frozenset(
    {"bash", "shell", "shell_command", "exec_command", "local_shell", "run_shell_command", "run", "execute_bash",
     "terminal", "tmux", "execute_command", "run_command", "run_terminal_cmd", "cmd", "sh", "zsh", "powershell",
     "bash_tool", "container.exec", "exec"}
)  # fmt: skip
# Tool names (lower-cased) that change a file.
CHANGE_TOOL_NAMES = frozenset(
    {"edit", "multiedit", "notebookedit", "apply_patch", "replace", "edit_file", "write", "write_file",
     "create_file", "save", "append", "patch", "str_replace_editor", "str_replace_based_edit_tool", "create",
     "insert", "str_replace", "search_replace", "file_editor", "edit_notebook"}
)  # fmt: skip
# Of those, the tools that create a file rather than change one.
CREATE_TOOL_NAMES = frozenset({"write", "write_file", "create_file", "create", "save"})
# Editor tools that also view files: these sub-commands change nothing.
VIEW_SUBCOMMANDS = frozenset({"view", "read", "view_range"})
# Tools that only read, list or search: an agent's own way of looking around.
NAVIGATION_TOOL_NAMES = frozenset(
    {"read", "notebookread", "read_file", "view", "glob", "grep", "ls", "list_dir", "list_directory",
     "search_files", "search", "find", "open", "goto", "scroll_up", "scroll_down", "search_file", "search_dir",
     "find_file", "filemap", "read_many_files", "webfetch", "websearch", "web_search", "fetch", "view_image",
     "codebase_search", "file_search", "grep_search"}
)  # fmt: skip
_SHELL_LIKE = re.compile(r"bash|shell|terminal|exec|command")


@functools.lru_cache(maxsize=1024)
def is_shell_tool(tool: str) -> bool:
    name = tool.lower()
    return name in SHELL_TOOL_NAMES or (name not in CHANGE_TOOL_NAMES and _SHELL_LIKE.search(name) is not None)


def remembered(step: Step, what: str, compute: Callable[[Step], T]) -> T:
    """`compute(step)`, computed once per step and kept on it. Grading, mining, the detectors and the
    predictions each ask what a step runs, many times over; the answer depends on the tool and the
    arguments only, and is kept with the very objects it was computed from, so a step whose arguments
    were replaced (redaction gives a new dict) is computed again."""
    kept = step.__dict__.get(what)
    if kept is not None and kept[0] is step.tool and kept[1] is step.args:
        return kept[2]
    value = compute(step)
    remember(step, what, value)
    return value


def remember(step: Step, what: str, value: object) -> None:
    """Keep `value` as what `remembered(step, what, ...)` answers, until the step's tool or arguments change."""
    step.__dict__[what] = (step.tool, step.args, value)


def shell_command(step: Step) -> str | None:
    """The command line a step runs, or None for every step that runs none."""
    return remembered(step, "_shell_command", command_of_step)


def command_of_step(step: Step) -> str | None:
    if not is_shell_tool(step.tool):
        return None
    command = step.args.get("command", step.args.get("cmd", step.args.get("code", "")))
    if isinstance(command, list):
        # Codex exec arrays look like ["bash", "-lc", "pytest -x"]
        if len(command) >= 3 and str(command[1]) in ("-lc", "-c"):
            return str(command[2]) or None
        return " ".join(str(part) for part in command) or None
    return str(command) or None


def step_path(args: dict) -> str:
    for key in ("file_path", "path", "notebook_path", "absolute_path", "filename", "target_file"):
        value = args.get(key)
        if isinstance(value, str) and value:
            return value
    files = args.get("files")
    if isinstance(files, list) and files:
        return str(files[0])
    return ""


def is_editor_change(step: Step) -> bool:
    tool = step.tool.lower()
    return tool in CHANGE_TOOL_NAMES and str(step.args.get("command", "")).lower() not in VIEW_SUBCOMMANDS


def changed_paths(step: Step) -> tuple[str, ...]:
    """Files the step changes (`("?",)` for a change whose file the step does not name)."""
    return remembered(step, "_changed", paths_changed_by)


def paths_changed_by(step: Step) -> tuple[str, ...]:
    if is_editor_change(step):
        return (step_path(step.args) or "?",)
    command = shell_command(step)
    return files_written(command) if command else ()


def creates_file(step: Step) -> bool:
    """A write of a whole new file (an editor's create, or a `>` redirection / heredoc)."""
    return remembered(step, "_creates", creates_a_file)


def creates_a_file(step: Step) -> bool:
    tool = step.tool.lower()
    if tool in CREATE_TOOL_NAMES or (tool in CHANGE_TOOL_NAMES and step.args.get("command") == "create"):
        return True
    command = shell_command(step)
    return bool(command) and re.search(r"(?<![>&])>(?!>)\s*\S|\btee\s", command) is not None


def produces_change(step: Step) -> bool:
    """True when the step changes the workspace: a file edit or write, a commit, a writing shell command."""
    return bool(changed_paths(step)) or is_commit_step(step)


def is_navigation(step: Step) -> bool:
    """Only looks: the agent's reading and searching tools, or a shell command that only inspects."""
    if step.tool.lower() in NAVIGATION_TOOL_NAMES or (
        step.tool.lower() in CHANGE_TOOL_NAMES and not is_editor_change(step)
    ):
        return True
    command = shell_command(step)
    return command is not None and only_inspects(command)


def is_test_step(step: Step) -> bool:
    return remembered(step, "_test", runs_a_test)


def runs_a_test(step: Step) -> bool:
    command = shell_command(step)
    return command is not None and runs_tests(command)


def shell_program(step: Step) -> str:
    """What the step's command line runs (`pytest`, `git commit`: see `work_command`), "" if it runs none."""
    return remembered(step, "_program", program_of_step)


def program_of_step(step: Step) -> str:
    command = shell_command(step)
    work = work_command(command) if command else None
    return work.program if work else ""


_COMMIT = re.compile(r"(?:^|[;&|\n]\s*)(?:[A-Za-z_]\w*=\S*\s+)*git\s+(?:-\S+\s+(?:\S+\s+)?)*commit\b")


def is_commit_step(step: Step) -> bool:
    command = shell_command(step)
    return command is not None and _COMMIT.search(command) is not None


# What test runners print when they are done, across ecosystems. Failure markers are checked first.
_TESTS_FAILED = re.compile(
    r"\b\d+ (?:failed|errors?)\b|^FAILED \(|^FAIL[: ]|^FAILED\b|BUILD FAILURE|BUILD FAILED|test result: FAILED"
    r"|Tests? failed|^--- FAIL|^not ok \d|\bTests:\s+\d+ failed|ERROR: (?:test|Failures)|Traceback \(most recent",
    re.MULTILINE,
)
_TESTS_PASSED = re.compile(
    r"\b\d+ passed\b|^OK(?: \(|$)|BUILD SUCCESS|test result: ok|^ok\s+\S|\bTests:\s+\d+ passed|All tests passed"
    r"|^PASS\b|tests? passed|=+ \d+ passed|Ran \d+ tests? in [\d.]+s\s+OK",
    re.MULTILINE,
)
_CHECK_FAILED = re.compile(
    r"Traceback \(most recent call last\)|\b(?:AssertionError|Exception|[A-Z]\w*Error):|^FAIL|\bFAILED\b"
    r"|BUILD FAILURE|BUILD FAILED|error:|panicked at|Segmentation fault|command not found",
    re.MULTILINE,
)


def test_run_passed(step: Step) -> bool | None:
    """Whether a test run passed: from the runner's summary when it printed one, else from its exit
    status (None when the run says neither, e.g. no exit status and no summary)."""
    text = step.result[-4000:]
    if _TESTS_FAILED.search(text):
        return False
    if _TESTS_PASSED.search(text):
        return not step.is_error
    return False if step.is_error else None


def check_failed(step: Step) -> bool:
    """A run that went wrong: a failing exit status, a traceback, an error or failure message."""
    if step.is_error:
        return True
    if is_test_step(step):
        return test_run_passed(step) is False
    return _CHECK_FAILED.search(step.result[-4000:]) is not None


def is_check(step: Step) -> bool:
    """A step that runs something (tests, a script, a build) rather than reading or writing files."""
    command = shell_command(step)
    if command is None:
        return False
    return runs_tests(command) or not (only_inspects(command) or (files_written(command) and not _runs_code(command)))


_RUNS_CODE = re.compile(r"\b(?:python\d*(?:\.\d+)?|node|ruby|go run|cargo run|java|bash|sh|make|npm|\./)\S*")


def _runs_code(command: str) -> bool:
    return _RUNS_CODE.search(command) is not None

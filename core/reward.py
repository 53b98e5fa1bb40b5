"""A graded reward in [0, 1] per session, with the explanation a reviewer can read.

Every weight lives in `WEIGHTS` below and nowhere else. The reward starts from how the session
ended and is moved by what the trace shows about the work:

    reward = outcome base                      (succeeded 0.80, unknown 0.45, interrupted 0.20, failed 0)
           + 0.15 if the last test run passed, - 0.20 if it failed (no test run: 0)
           + 0.05 if a `git commit` succeeded
           - 0.04 per independent tool error                        (at most 0.20)
           - 0.03 per blind retry                                    (at most 0.10)
           - 0.05 per rejected tool use or extra interruption        (at most 0.20)
           - 0.05 if the session used over 2M tokens, - 0.05 if it ran over 2 hours
    clamped to [0, 1]

So a clean success that ends on green tests with a commit scores 1.0, and one that says it is done
without running any test scores 0.8. A blind retry is a shell command run again, unchanged, right
after it failed, with no edit in between: the agent hoped instead of fixing. The step classifiers
here (`is_test_command`, `is_commit`, `produces_change`) are shared with the friction metrics.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

from skillwarden.core.model import Outcome, Session, Step
from skillwarden.core.normalize import COMMAND_SEPARATORS, shell_command_text


@dataclass(frozen=True)
class RewardWeights:
    outcome_base: tuple[tuple[Outcome, float], ...] = (
        (Outcome.SUCCEEDED, 0.80),
        (Outcome.UNKNOWN, 0.45),
        (Outcome.INTERRUPTED, 0.20),
        (Outcome.FAILED, 0.0),
    )
    tests_passed: float = 0.15
    tests_failed: float = -0.20
    commit: float = 0.05
    per_error: float = 0.04
    max_error_penalty: float = 0.20
    per_retry: float = 0.03
    max_retry_penalty: float = 0.10
    per_rejection_or_interruption: float = 0.05
    max_user_penalty: float = 0.20
    token_budget: int = 2_000_000
    over_token_budget: float = 0.05
    duration_budget_seconds: float = 2 * 3600
    over_duration_budget: float = 0.05

    def base(self, outcome: Outcome) -> float:
        return dict(self.outcome_base)[Outcome(outcome)]


WEIGHTS = RewardWeights()

# Tool names (lower-cased) that run a shell command, across the adapters' formats.
SHELL_TOOL_NAMES = frozenset(
    {"bash", "shell", "shell_command", "exec_command", "local_shell", "run_shell_command", "run", "execute_bash",
     "terminal", "tmux"}
)  # fmt: skip
# Tool names (lower-cased) that change a file.
CHANGE_TOOL_NAMES = frozenset(
    {"edit", "multiedit", "notebookedit", "apply_patch", "replace", "edit_file", "write", "write_file",
     "create_file", "save", "append", "patch", "str_replace_editor", "str_replace_based_edit_tool"}
)  # fmt: skip
# Editor tools that also view files: these sub-commands change nothing.
VIEW_SUBCOMMANDS = frozenset({"view", "read"})

# Environment assignments and launchers that may precede a test runner (`uv run`, `python -m`, ...).
_RUNNER_PREFIX = (
    r"^(?:[A-Za-z_]\w*=\S*\s+)*"
    r"(?:(?:uv|poetry|pdm|hatch|pipenv)\s+run\s+|npx\s+|bundle\s+exec\s+|python3?\s+-m\s+)*"
)
TEST_RUNNER = re.compile(
    _RUNNER_PREFIX
    + r"(?:pytest|py\.test|tox|nox|jest|vitest|mocha|rspec|phpunit|ctest|unittest|go\s+test|cargo\s+(?:test|nextest)"
    r"|(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?test|make\s+(?:test|check)|dotnet\s+test|mix\s+test|(?:mvn|gradle)\w*\s+test)"
    r"(?:\s|$)"
)
# Runs that collect or list tests without running them say nothing about whether they pass.
NOT_A_TEST_RUN = re.compile(r"--collect-only|--co\b|--list\b|--version\b|--help\b")
COMMIT = re.compile(r"^(?:[A-Za-z_]\w*=\S*\s+)*git\s+(?:-\S+\s+(?:\S+\s+)?)*commit\b")
# Shell commands that write files: in-place edits, redirections, patches.
SHELL_WRITE = re.compile(
    r"\bsed\s+-i|\btee\b|[^>2&]>>?\s*[^\s&>]|\bgit\s+(?:apply|am|mv|rm)\b|\bpatch\s+-|\bmv\s|\bcp\s"
)


def command_of(step: Step) -> str | None:
    """The command text of a shell step, or None for every other tool."""
    if step.tool.lower() not in SHELL_TOOL_NAMES:
        return None
    text = shell_command_text(step.args)
    if not text:
        text = str(step.args.get("code", ""))  # ipython-style runners
    return text or None


def command_segments(command: str) -> list[str]:
    return [segment.strip() for segment in COMMAND_SEPARATORS.split(command) if segment.strip()]


# Agents run the same commands again and again: each is classified once.
@functools.lru_cache(maxsize=8192)
def is_test_command(command: str) -> bool:
    if NOT_A_TEST_RUN.search(command):
        return False
    return any(TEST_RUNNER.search(segment) for segment in command_segments(command))


@functools.lru_cache(maxsize=8192)
def is_commit(command: str) -> bool:
    return any(COMMIT.search(segment) for segment in command_segments(command))


def produces_change(step: Step) -> bool:
    """True when the step changes the workspace: a file edit or write, a commit, a writing shell command."""
    tool = step.tool.lower()
    if tool in CHANGE_TOOL_NAMES:
        return str(step.args.get("command", "")).lower() not in VIEW_SUBCOMMANDS
    command = command_of(step)
    return command is not None and writes_files(command)


@functools.lru_cache(maxsize=8192)
def writes_files(command: str) -> bool:
    return is_commit(command) or SHELL_WRITE.search(command) is not None


def last_test_result(steps: list[Step]) -> bool | None:
    """True if the last test run passed, False if it failed, None if the session ran no tests."""
    for step in reversed(steps):
        command = command_of(step)
        if command is not None and is_test_command(command):
            return not step.is_error
    return None


def successful_commits(steps: list[Step]) -> int:
    return sum(1 for step in steps if not step.is_error and (c := command_of(step)) is not None and is_commit(c))


def blind_retries(steps: list[Step]) -> int:
    """Shell commands re-run unchanged right after they failed, with no change made in between."""
    retries = 0
    previous_failed: str | None = None
    for step in steps:
        command = command_of(step)
        if command is None:
            if produces_change(step):
                previous_failed = None
            continue
        if previous_failed is not None and command == previous_failed:
            retries += 1
        previous_failed = command if step.is_error else None
    return retries


def duration_seconds(session: Session) -> float | None:
    try:
        start = datetime.fromisoformat(str(session.started_at).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(session.ended_at).replace("Z", "+00:00"))
        return (end - start).total_seconds()
    except (ValueError, TypeError):  # missing, malformed, or one side naive and the other aware
        return None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def grade(session: Session, weights: RewardWeights = WEIGHTS) -> tuple[float, str]:
    """Return (reward, explanation), e.g. (0.92, "0.92: succeeded, tests passed, 2 tool errors")."""
    reward = weights.base(session.outcome)
    parts = [Outcome(session.outcome).value]

    tests = last_test_result(session.steps)
    if tests is True:
        reward += weights.tests_passed
        parts.append("tests passed")
    elif tests is False:
        reward += weights.tests_failed
        parts.append("last test run failed")
    if successful_commits(session.steps):
        reward += weights.commit
        parts.append("committed")

    # A rejected tool use is flagged is_error in traces; it is the user's choice, counted on its own.
    errors = max(0, session.errors - session.rejections)
    reward -= min(weights.max_error_penalty, weights.per_error * errors)
    if errors:
        parts.append(_plural(errors, "tool error"))
    retries = blind_retries(session.steps)
    reward -= min(weights.max_retry_penalty, weights.per_retry * retries)
    if retries:
        parts.append(f"{retries} blind {'retry' if retries == 1 else 'retries'}")

    # The interruption that ended an interrupted session is already in its base.
    extra_interruptions = max(0, session.interruptions - (session.outcome == Outcome.INTERRUPTED))
    user_stops = session.rejections + extra_interruptions
    reward -= min(weights.max_user_penalty, weights.per_rejection_or_interruption * user_stops)
    if session.rejections:
        parts.append(_plural(session.rejections, "rejected tool use"))
    if session.interruptions:
        parts.append(_plural(session.interruptions, "interruption"))

    tokens = (session.tokens_in or 0) + (session.tokens_out or 0)
    if tokens > weights.token_budget:
        reward -= weights.over_token_budget
        parts.append(f"{tokens / 1e6:.1f}M tokens")
    seconds = duration_seconds(session)
    if seconds is not None and seconds > weights.duration_budget_seconds:
        reward -= weights.over_duration_budget
        parts.append(f"{seconds / 3600:.1f} h")

    reward = round(min(1.0, max(0.0, reward)), 4)
    return reward, f"{reward:.2f}: " + ", ".join(parts)

"""A graded outcome and reward in [0, 1] per session, with the explanation a reviewer can read.

Every weight lives in `WEIGHTS` below and nowhere else. The grade starts from how the run ended, as
far as the trace can tell, and is moved by what the trace shows about the work:

    outcome = what the run claims (the agent said it was done, it was interrupted, it failed), except:
              a run stopped at a cost, context or step limit is failed, even when it was auto-submitted;
              a run that claims success with an empty patch is failed, and so is one whose patch only
              adds scratch files (a reproduction script left at the top of the repository changes none of
              the project's code; `core/adapters/shared.py`);
              a run whose last message says it could not finish ("tests still fail", "unable to
              resolve") is failed, whatever its exit said;
              a run that changed files and claims success with no check (a test run, a script run)
              after its last change is `unverified`: nothing in the trace bears the claim out, so it
              is never mined as a success
    score   = 0.80
            - 0.06 per doubling of the steps beyond 4                     (at most 0.40)
            - 0.09 per doubling of the agent's prose per message beyond 300 characters (at most 0.40)
            - 0.01 per self-correction ("wait", "actually", "oops") in the agent's prose (at most 0.10)
            - 0.02 per doubling of the lines the handed-in patch changes beyond 120 (at most 0.40)
            + 0.02 if the last test run after the last change passed, - 0.04 if it failed
            + 0.01 if a check that failed before the first change passes after the last one,
            - 0.03 if a check that passed before the first change fails after the last one
            + 0.05 if a `git commit` succeeded
            - 0.002 per independent tool error                            (at most 0.05)
            - 0.03 per blind retry                                        (at most 0.10)
            - 0.05 per rejected tool use or extra interruption            (at most 0.20)
            - 0.05 if the session used over 2M tokens, - 0.05 if it ran over 2 hours
    clamped to [0, 1]
    reward  = the score placed in the outcome's band   (succeeded and unverified 0.50-1.00,
                                                        unknown 0.30-0.50, interrupted 0.10-0.30,
                                                        failed 0-0.10)

The outcome decides where a run ranks, and the score orders runs within their outcome: a failed run
that worked briefly and cleanly before its cost limit ranks above one that wandered for 300 steps, where
a reward of 0 for every failed run could not tell them apart. (On the labelled Java runs of
SWE-agent, 6 of the 25 resolved runs were auto-submitted at their cost limit.) The bands do not overlap,
so no amount of effort sinks a success below a failure; their widths only scale the reward that the
skill statistics count, and no ranking depends on them.

The weights were set on labelled real runs (the development set in `../shared/corpora/`, measured with
`bench/real_labels.py`, which also prints how each signal moves the agreement with the labels), where every
run claims success and the labels come from hidden tests. There, the runs that had not solved their task
were the ones that took more steps, wrote more per message and corrected themselves more often; the agent's
own test results, tool errors and checks told almost nothing (the hidden tests are not the agent's), so they
keep small weights. A large patch is less often right (the labelled runs of every agent measured so far
agree), but on the development set the steps and the prose mostly tell it already: its weight is the one
that set's resampled AUC favoured, though held-out runs favour a stronger one. An unverified claim keeps the
reward of a success: on labelled runs of other agents, runs that changed code and submitted without a
further check were solved no less often.

A test run's result comes from what the runner printed (`3 passed`, `FAILED (failures=1)`, `BUILD
FAILURE`), else from its exit status; a test run before the last change says nothing about the code as
it was handed in. `grep` finding nothing, `diff` finding differences and `test` being false are answers,
not errors. A blind retry is a shell command run again, unchanged, right after it failed, with no change
in between.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import NamedTuple

from skillwarden.core.model import Outcome, Session, Step
from skillwarden.core.signals.commands import runs_tests
from skillwarden.core.signals.steps import (
    changed_paths,
    check_failed,
    creates_file,
    is_check,
    is_commit_step,
    is_test_step,
    produces_change,
    shell_command,
    test_run_passed,
)


@dataclass(frozen=True)
class RewardWeights:
    # Each outcome's band of rewards, (lowest, highest): the outcome says where a run ranks, and the
    # work the trace shows orders runs within their band.
    succeeded: tuple[float, float] = (0.50, 1.00)
    unverified: tuple[float, float] = (0.50, 1.00)
    unknown: tuple[float, float] = (0.30, 0.50)
    interrupted: tuple[float, float] = (0.10, 0.30)
    failed: tuple[float, float] = (0.00, 0.10)
    # The score of the work before any signal moves it, where 0 and 1 are the ends of the band.
    start: float = 0.80
    tests_passed: float = 0.02
    tests_failed: float = -0.04
    fixed_check: float = 0.01
    broken_check: float = -0.03
    commit: float = 0.05
    per_error: float = 0.002
    max_error_penalty: float = 0.05
    per_retry: float = 0.03
    max_retry_penalty: float = 0.10
    per_rejection_or_interruption: float = 0.05
    max_user_penalty: float = 0.20
    effort_free_steps: int = 4
    effort_per_doubling: float = 0.06
    max_effort_penalty: float = 0.40
    deliberation_free_chars: int = 300
    deliberation_per_doubling: float = 0.09
    max_deliberation_penalty: float = 0.40
    per_self_correction: float = 0.01
    max_self_correction_penalty: float = 0.10
    patch_free_lines: int = 120
    patch_per_doubling: float = 0.02
    max_patch_penalty: float = 0.40
    token_budget: int = 2_000_000
    over_token_budget: float = 0.05
    duration_budget_seconds: float = 2 * 3600
    over_duration_budget: float = 0.05
    # A run stopped at a limit, or that handed in an empty patch, is failed whatever it claims.
    limits_fail: bool = True
    # A claimed success with no check after the last change is `unverified`.
    unverified_outcome: bool = True

    def band(self, outcome: Outcome) -> tuple[float, float]:
        return getattr(self, Outcome(outcome).value)

    def without(self, signal: str) -> RewardWeights:
        """These weights with one grading signal switched off (for measuring what it contributes)."""
        return replace(self, **{name: OFF[name] for name in SIGNALS[signal]})


WEIGHTS = RewardWeights()
# Each signal of the grade and the weights it is made of, for `RewardWeights.without`.
SIGNALS = {
    "end reason (limits, empty patch)": ("limits_fail",),
    "unverified claims": ("unverified_outcome",),
    "last test run after the last change": ("tests_passed", "tests_failed"),
    "checks fixed or broken by the change": ("fixed_check", "broken_check"),
    "commits": ("commit",),
    "tool errors": ("per_error",),
    "blind retries": ("per_retry",),
    "rejections and interruptions": ("per_rejection_or_interruption",),
    "effort (steps)": ("effort_per_doubling",),
    "words per message": ("deliberation_per_doubling",),
    "self-corrections": ("per_self_correction",),
    "patch size": ("patch_per_doubling",),
    "token and time budgets": ("over_token_budget", "over_duration_budget"),
}
OFF = {f.name: False if f.type == "bool" else 0 for f in fields(RewardWeights)}


def grading_signals() -> list[str]:
    return list(SIGNALS)


# The agent's own last word that it did not get there (checked on its last message only).
ADMITS_FAILURE = re.compile(
    r"\b(?:still (?:fail\w*|broken|does(?:n't| not) work|not working)|could(?:n't| not) (?:fix|get|make|resolve|"
    r"complete|find a fix)|(?:was|am|were) (?:not |un)able to (?:fix|resolve|complete|get|make|reproduce)|wasn't able"
    r" to|unable to (?:fix|resolve|complete|get|make)|did(?:n't| not) (?:work|succeed|pass|fix)|gave up|giving up"
    r"|tests? (?:are |is )?still fail\w*)",
    re.IGNORECASE,
)


def admits_failure(final_message: str) -> bool:
    return ADMITS_FAILURE.search(final_message[-1500:]) is not None


class Grade(NamedTuple):
    outcome: Outcome
    reward: float
    explanation: str


def command_of(step: Step) -> str | None:
    """The command text of a shell step, or None for every other tool."""
    return shell_command(step)


@functools.lru_cache(maxsize=8192)
def is_test_command(command: str) -> bool:
    return runs_tests(command)


def is_commit(command: str) -> bool:
    return is_commit_step(Step("bash", {"command": command}))


def project_changes(steps: list[Step]) -> list[int]:
    """Indices of the steps that change the project: edits of files the session did not create itself
    (a reproduction script written and rewritten along the way is scaffolding, not the change)."""
    created: set[str] = set()
    changes = []
    for index, step in enumerate(steps):
        paths = changed_paths(step)
        if not paths:
            continue
        if creates_file(step):
            fresh = [p for p in paths if p != "?" and p not in created]
            created.update(fresh)
            if fresh and len(fresh) == len(paths):
                continue
        if any(p == "?" or p not in created for p in paths):
            changes.append(index)
    return changes


def last_test_result(steps: list[Step], after: int = -1) -> bool | None:
    """True if the last test run (after step `after`) passed, False if it failed, None if there was
    none or it did not say."""
    for step in reversed(steps[after + 1 :]):
        if is_test_step(step):
            return test_run_passed(step)
    return None


def checked_after(steps: list[Step], index: int) -> bool:
    return any(is_check(step) for step in steps[index + 1 :])


def fixed_and_broken_checks(steps: list[Step], first_change: int, last_change: int) -> tuple[int, int]:
    """Commands run both before the first change and after the last: how many went from failing to
    passing, and how many from passing to failing."""
    before: dict[str, bool] = {}
    for step in steps[:first_change]:
        command = shell_command(step)
        if command and is_check(step):
            before[" ".join(command.split())] = check_failed(step)
    after: dict[str, bool] = {}
    for step in steps[last_change + 1 :]:
        command = shell_command(step)
        key = " ".join(command.split()) if command else ""
        if key in before:
            after[key] = check_failed(step)
    fixed = sum(1 for key, failed in after.items() if before[key] and not failed)
    broken = sum(1 for key, failed in after.items() if not before[key] and failed)
    return fixed, broken


def successful_commits(steps: list[Step]) -> int:
    return sum(1 for step in steps if not step.is_error and is_commit_step(step))


def blind_retries(steps: list[Step]) -> int:
    """Shell commands re-run unchanged right after they failed, with no change made in between."""
    retries = 0
    previous_failed: str | None = None
    for step in steps:
        command = shell_command(step)
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


def doublings(value: float, free: float) -> float:
    return math.log2(value / free) if value > free > 0 else 0.0


def graded_outcome(session: Session, changes: list[int], weights: RewardWeights) -> tuple[Outcome, str]:
    """The outcome the trace bears out, and the reason when it differs from the claim."""
    claimed = Outcome(session.outcome)
    if weights.limits_fail and session.end_reason.endswith("(auto-submitted)"):
        return Outcome.FAILED, f"stopped at the {session.end_reason.removesuffix(' (auto-submitted)')}, auto-submitted"
    if claimed == Outcome.SUCCEEDED and weights.limits_fail and session.patch_lines == 0:
        return Outcome.FAILED, "empty patch, or scratch files only"
    if claimed == Outcome.SUCCEEDED and weights.limits_fail and admits_failure(session.final_message):
        return Outcome.FAILED, "the agent's last message says it did not finish"
    if claimed == Outcome.FAILED and session.end_reason:
        return claimed, f"stopped: {session.end_reason}"
    unchecked = bool(changes) and not checked_after(session.steps, changes[-1])
    if claimed == Outcome.SUCCEEDED and weights.unverified_outcome and unchecked:
        return Outcome.UNVERIFIED, "no check after the last change"
    return claimed, ""


def grade(session: Session, weights: RewardWeights = WEIGHTS) -> Grade:
    """The outcome, reward and explanation, e.g. (succeeded, 0.92, "0.92: succeeded, tests passed, ...")."""
    steps = session.steps
    changes = project_changes(steps)
    outcome, reason = graded_outcome(session, changes, weights)
    reward = weights.start
    parts = [outcome.value + (f" ({reason})" if reason else "")]

    tests = last_test_result(steps, changes[-1] if changes else -1)
    if tests is True and weights.tests_passed:
        reward += weights.tests_passed
        parts.append("tests passed after the last change")
    elif tests is False and weights.tests_failed:
        reward += weights.tests_failed
        parts.append("last test run failed")
    if changes:
        fixed, broken = fixed_and_broken_checks(steps, changes[0], changes[-1])
        if fixed and weights.fixed_check:
            reward += weights.fixed_check
            parts.append("a failing check passes after the change")
        if broken and weights.broken_check:
            reward += weights.broken_check
            parts.append("a passing check fails after the change")
    if successful_commits(steps) and weights.commit:
        reward += weights.commit
        parts.append("committed")

    # A rejected tool use is flagged is_error in traces; it is the user's choice, counted on its own.
    errors = max(0, session.errors - session.rejections)
    reward -= min(weights.max_error_penalty, weights.per_error * errors)
    if errors and weights.per_error:
        parts.append(_plural(errors, "tool error"))
    retries = blind_retries(steps)
    reward -= min(weights.max_retry_penalty, weights.per_retry * retries)
    if retries and weights.per_retry:
        parts.append(f"{retries} blind {'retry' if retries == 1 else 'retries'}")

    # The interruption that ended an interrupted session is already in its base.
    extra_interruptions = max(0, session.interruptions - (outcome == Outcome.INTERRUPTED))
    user_stops = session.rejections + extra_interruptions
    reward -= min(weights.max_user_penalty, weights.per_rejection_or_interruption * user_stops)
    if session.rejections:
        parts.append(_plural(session.rejections, "rejected tool use"))
    if session.interruptions:
        parts.append(_plural(session.interruptions, "interruption"))

    effort = min(
        weights.max_effort_penalty, weights.effort_per_doubling * doublings(len(steps), weights.effort_free_steps)
    )
    if effort >= 0.005:
        reward -= effort
        parts.append(f"{len(steps)} steps")
    per_message = session.agent_chars / session.agent_turns if session.agent_turns else 0
    deliberation = min(
        weights.max_deliberation_penalty,
        weights.deliberation_per_doubling * doublings(per_message, weights.deliberation_free_chars),
    )
    if deliberation >= 0.005:
        reward -= deliberation
        parts.append(f"{per_message:,.0f} characters per message")
    corrections = min(weights.max_self_correction_penalty, weights.per_self_correction * session.self_corrections)
    if corrections >= 0.005:
        reward -= corrections
        parts.append(_plural(session.self_corrections, "self-correction"))

    patch = min(
        weights.max_patch_penalty,
        weights.patch_per_doubling * doublings(session.patch_lines or 0, weights.patch_free_lines),
    )
    if patch >= 0.005:
        reward -= patch
        parts.append(f"{session.patch_lines} lines changed")

    tokens = (session.tokens_in or 0) + (session.tokens_out or 0)
    if tokens > weights.token_budget and weights.over_token_budget:
        reward -= weights.over_token_budget
        parts.append(f"{tokens / 1e6:.1f}M tokens")
    seconds = duration_seconds(session)
    if seconds is not None and seconds > weights.duration_budget_seconds and weights.over_duration_budget:
        reward -= weights.over_duration_budget
        parts.append(f"{seconds / 3600:.1f} h")

    lowest, highest = weights.band(outcome)
    reward = round(lowest + (highest - lowest) * min(1.0, max(0.0, reward)), 4)
    return Grade(outcome, reward, f"{reward:.2f}: " + ", ".join(parts))

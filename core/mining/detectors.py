"""Failure detectors over sessions: the patterns a harness change (an instruction, a hook) could prevent.

Each detector looks at one session and reports `Firing`s: which detector, a signature of what went
wrong (a file type, a command, a normalized error text) and where. Firings with the same detector and
signature across sessions become one `FailurePattern`, which `core.mining.harness` turns into a diff.

Each detector also has an early `trigger`: the first sign, visible before the session is over, that
the situation its rule is about has begun (a second failing run of a command, a first edit). The
prediction check in `core.mining.predict` uses triggers as forecasts and full detections as what happened.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from skillwarden.core.adapters.shared import NO_JAVA
from skillwarden.core.mining.pitfalls import INVOCATION_ERROR
from skillwarden.core.mining.procedures import FAILURE_OUTCOMES, is_lookaround
from skillwarden.core.model import Session, Step
from skillwarden.core.signals.normalize import normalize_step
from skillwarden.core.signals.steps import (
    changed_paths,
    creates_file,
    is_test_step,
    remembered,
    shell_command,
    shell_program,
    step_path,
)

# Architecture default: the same file edited this many times in one session is a doom loop.
EDIT_LOOP_THRESHOLD = 5
# The same command failing this many times in one session is retrying instead of thinking.
FAILING_COMMAND_THRESHOLD = 3
# More tool calls than this in one session: an iteration budget a harness should cap.
STEP_BUDGET = 60
MAX_ERROR_SIGNATURE = 160
USER_STOPS = frozenset({"user-rejection", "user-interruption"})
STOP_LIFT = 2.0
# How much lower the mean reward of a failure pattern's sessions must be than everyone's to count as worse.
WORSE_BY = 0.05
# Errors and rejections a tool or the environment gives cost steps whatever the run's grade: these
# detectors are kept when their sessions end worse than the rest, or the error is widespread.
OUTCOME_FREE = frozenset({"recurring-error", "user-rejection"})
# Share of all sessions an error must recur in to be worth a rule on its own.
WIDESPREAD_SHARE = 0.05

VERIFY_PROGRAMS = frozenset(
    {"pytest", "tox", "nox", "unittest", "ruff check", "mypy", "pyright", "flake8", "pylint", "npm test",
     "npm run", "pnpm test", "yarn test", "cargo test", "cargo build", "cargo check", "cargo clippy", "go test",
     "go build", "go vet", "make", "tsc", "eslint", "jest", "vitest", "mvn", "gradle", "dotnet test"}
)  # fmt: skip
REJECTION_MARKERS = ("The user doesn't want to proceed with this tool use", "User rejected tool use")
LIMIT_MARKERS = re.compile(
    r"max(imum)?[ _-]?turns|turn limit|iteration limit|budget (exceeded|exhausted)|context (window|length) exceeded",
    re.I,
)  # noqa: E501


@dataclass(frozen=True)
class Firing:
    detector: str
    signature: str
    session_id: str
    first_step: int
    last_step: int
    example: str = ""  # a concrete line for the reviewer (a command, an error, a file)


@dataclass
class FailurePattern:
    detector: str
    signature: str
    firings: list[Firing] = field(default_factory=list)

    @property
    def sessions(self) -> list[str]:
        return list(dict.fromkeys(f.session_id for f in self.firings))


# -- per-step helpers ------------------------------------------------------------------------


def is_rejection(step: Step) -> bool:
    return step.is_error and any(marker in step.result for marker in REJECTION_MARKERS)


def is_verification(step: Step) -> bool:
    """A test run, or a build, lint or type check."""
    return remembered(step, "_verification", verification_of)


def verification_of(step: Step) -> bool:
    if is_test_step(step):
        return True
    program = shell_program(step)
    return program in VERIFY_PROGRAMS or program.split(" ")[0] in VERIFY_PROGRAMS


def is_change(step: Step) -> bool:
    return bool(changed_paths(step))


PATH_LIKE = re.compile(r"(?:[A-Za-z]:)?(?:[\w.~-]*[/\\])+[\w.-]+")
HEX_LIKE = re.compile(r"\b(?:0x)?[0-9a-f]{7,}\b", re.I)
NUMBER = re.compile(r"\d+")
# A capitalized word the shell was asked to run is the agent's prose sent as a command (`The`, `DISCUSSION`:
# SWE-agent runs an action's every line): one failure, whatever the word.
PROSE_WORD = re.compile(r"[A-Z][a-z]+|[A-Z]{2,}")
PROSE_RUN = re.compile(r"(?<![\w./-])(?:[A-Z][a-z]+|[A-Z]{2,}): (?=(?:command )?not found)")
PROSE = "<prose>"  # what error_signature writes for that word
QUOTED = re.compile(r"([\"'`])[^\"'`\n]{1,80}\1")
# A signature of a command that never ran: the shell found no such program, or a launcher found no Java.
NEVER_RAN = re.compile(rf"[^\s:]+: (?:command )?not found$|{NO_JAVA}")


ERROR_WORDS = re.compile(r"error|failed|exception|cannot|denied|rejected", re.I)


@functools.lru_cache(maxsize=8192)  # the detectors and every harness rule's trigger ask about the same outputs
def error_signature(text: str) -> str:
    """The recurring part of an error: its most telling line, with paths, hex, numbers and quoted names
    replaced, so the same failure on another file or revision gives the same signature. A message that
    opens with its headline (a linter's "Your proposed edit has introduced new syntax error(s)") is told
    by that; a traceback by its last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.lower().startswith(("exit code", "info ", "warning"))]
    headline = lines[0] if lines and ERROR_WORDS.search(lines[0]) and len(lines[0]) > 20 else None
    telling = headline or next((line for line in reversed(lines) if ERROR_WORDS.search(line)),
                               lines[-1] if lines else "")  # fmt: skip
    text = PROSE_RUN.sub(f"{PROSE}: ", QUOTED.sub('"…"', telling))
    text = PATH_LIKE.sub("<path>", text)
    text = HEX_LIKE.sub("<hex>", text)
    text = NUMBER.sub("<n>", text)
    signature = " ".join(text.split())[:MAX_ERROR_SIGNATURE]
    # A line that is nothing but a path or a number says nothing that recurs for a reason.
    return signature if re.search(r"[A-Za-z]{3}", signature.replace("<path>", "").replace("<hex>", "")) else ""


# -- detectors: session -> firings -----------------------------------------------------------


def edit_loops(session: Session, threshold: int = EDIT_LOOP_THRESHOLD) -> list[Firing]:
    """The same file edited `threshold` or more times in one session."""
    edits: dict[str, list[int]] = defaultdict(list)
    for index, step in enumerate(session.steps):
        paths = changed_paths(step)
        if paths and not creates_file(step):
            for path in paths:
                if path != "?":
                    edits[path].append(index)
    return [
        Firing("edit-loop", normalize_step(session.steps[at[0]]) or "edit", session.id, at[0], at[-1], path)
        for path, at in sorted(edits.items())
        if len(at) >= threshold
    ]


def failing_command_loops(session: Session, threshold: int = FAILING_COMMAND_THRESHOLD) -> list[Firing]:
    """The same command (program and sub-command) failing `threshold` or more times with the same error."""
    failures: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, step in enumerate(session.steps):
        program = shell_program(step) if step.is_error and not step.cascade else ""
        if program and not PROSE_WORD.fullmatch(program):  # prose run as a command is `tool_errors`' to tell
            failures[(program, error_signature(step.result))].append(index)
    # A command that never ran (`javac: command not found`, `JAVA_HOME is not set`) is no retry of a failing
    # one: its recurring error is `tool_errors`' to tell, as a rule that says what is missing.
    return [
        Firing("failing-command-loop", program, session.id, at[0], at[-1], step_example(session.steps[at[0]]))
        for (program, signature), at in sorted(failures.items())
        if len(at) >= threshold and not NEVER_RAN.search(signature)
    ]


def premature_completion(session: Session) -> list[Firing]:
    """The agent declared the task finished after changing files without re-running the check (test,
    build, lint) it had run before the last change. A session that never checks anything (a release, a
    one-off script) is not flagged: the rule is for an agent that knew the check and skipped it. A
    session that ended on a failure or an interruption did not claim to be finished."""
    if session.outcome in FAILURE_OUTCOMES:
        return []
    last_change = max((i for i, step in enumerate(session.steps) if is_change(step)), default=None)
    if last_change is None or not any(is_verification(step) for step in session.steps[:last_change]):
        return []
    if any(is_verification(step) for step in session.steps[last_change + 1 :]):
        return []
    changed = step_path(session.steps[last_change].args)
    return [Firing("premature-completion", "unverified-change", session.id, last_change, last_change, changed)]


def tool_errors(session: Session) -> list[Firing]:
    """Every distinct normalized error a tool or the environment gave (the cross-session count decides
    what recurs): a tool refusing its input (an editor's linter), a command that could not run. The
    traceback of the project's own code under a script or a test is the task at work, not friction."""
    seen: dict[str, int] = {}
    for index, step in enumerate(session.steps):
        if not step.is_error or step.cascade or is_rejection(step) or not step.result.strip():
            continue
        if shell_command(step) is None or INVOCATION_ERROR.search(step.result[-6000:]):
            seen.setdefault(error_signature(step.result), index)
    return [
        Firing("recurring-error", signature, session.id, index, index, step_example(session.steps[index]))
        for signature, index in seen.items()
        if signature
    ]


def user_stops(session: Session) -> list[Firing]:
    """Tool uses the user rejected, and the step the user interrupted after."""
    firings = [
        Firing("user-rejection", normalize_step(step) or step.tool, session.id, i, i, step_example(step))
        for i, step in enumerate(session.steps)
        if is_rejection(step)
    ]
    if session.outcome == "interrupted" and not firings and session.steps:
        last = len(session.steps) - 1
        token = normalize_step(session.steps[last])
        # Stopping after the agent looked at something is not about what it looked at.
        if token and not is_lookaround(token):
            firings.append(
                Firing("user-interruption", token, session.id, last, last, step_example(session.steps[last]))
            )
    return firings


def budget_limits(session: Session, budget: int = STEP_BUDGET) -> list[Firing]:
    """An iteration or budget limit reached: a limit message, or more tool calls than the budget."""
    if LIMIT_MARKERS.search(session.final_message or "") or any(
        step.is_error and LIMIT_MARKERS.search(step.result) for step in session.steps[-3:]
    ):
        return [Firing("budget-limit", "limit-reached", session.id, 0, max(0, len(session.steps) - 1))]
    if len(session.steps) > budget:
        return [Firing("budget-limit", "over-budget", session.id, budget, len(session.steps) - 1)]
    return []


def step_example(step: Step) -> str:
    return shell_command(step) or f"{step.tool} {step_path(step.args)}".strip()


DETECTORS: dict[str, Callable[[Session], list[Firing]]] = {
    "edit-loop": edit_loops,
    "failing-command-loop": failing_command_loops,
    "premature-completion": premature_completion,
    "recurring-error": tool_errors,
    "user-stop": user_stops,
    "budget-limit": budget_limits,
}


def detect(sessions: Iterable[Session]) -> list[Firing]:
    return [firing for session in sessions for detector in DETECTORS.values() for firing in detector(session)]


def failure_patterns(
    firings: Iterable[Firing],
    outcomes: dict[str, str],
    *,
    min_sessions: int = 3,
    token_sessions: dict[str, int] | None = None,
    rewards: dict[str, float] | None = None,
) -> list[FailurePattern]:
    """Firings grouped by (detector, signature), kept when they recur in `min_sessions` sessions and
    those sessions fail at least as often as they succeed, or go with worse outcomes than the rest
    (`rewards`: their mean reward is `WORSE_BY` below the mean of all sessions): a run can be graded a
    success and still be worse off for the error it kept meeting. A harness rule for what works is noise.

    A user stop is kept only when users stop that step at least `STOP_LIFT` times more often than
    they stop sessions at all (`token_sessions`: in how many sessions each token occurs): stops that
    land on whatever step happened to be running say nothing about the step."""
    groups: dict[tuple[str, str], FailurePattern] = {}
    for firing in firings:
        groups.setdefault((firing.detector, firing.signature), FailurePattern(firing.detector, firing.signature))
        groups[(firing.detector, firing.signature)].firings.append(firing)
    kept = []
    for pattern in groups.values():
        sessions = pattern.sessions
        failed = sum(1 for s in sessions if outcomes.get(s) in FAILURE_OUTCOMES)
        succeeded = sum(1 for s in sessions if outcomes.get(s) == "succeeded")
        # An unverified finish looks successful in the trace; its risk is the point, so it needs no failures.
        harmful = failed >= succeeded or pattern.detector == "premature-completion"
        if pattern.detector in OUTCOME_FREE:
            harmful = harmful or goes_with_worse_outcomes(sessions, rewards or {})
            harmful = harmful or widespread(pattern, outcomes, rewards or {})
        if len(sessions) < min_sessions or not harmful:
            continue
        if pattern.detector in USER_STOPS and not stopped_often(pattern, outcomes, token_sessions or {}):
            continue
        kept.append(pattern)
    return sorted(kept, key=lambda p: (-len(p.sessions), p.detector, p.signature))


def widespread(pattern: FailurePattern, outcomes: dict[str, str], rewards: dict[str, float]) -> bool:
    """An error that a good share of all sessions keep meeting (a linter rejecting edits, a tool the
    environment lacks) costs steps in each, whatever the grade says of their ending, unless its
    sessions end better than the rest."""
    if pattern.detector != "recurring-error" or len(pattern.sessions) < WIDESPREAD_SHARE * len(outcomes):
        return False
    known = [rewards[s] for s in pattern.sessions if s in rewards]
    everyone = sum(rewards.values()) / len(rewards) if rewards else 0.0
    return not known or sum(known) / len(known) <= everyone + WORSE_BY


def goes_with_worse_outcomes(sessions: list[str], rewards: dict[str, float]) -> bool:
    """The sessions' mean reward is `WORSE_BY` below the mean of all sessions (labels, where imported,
    are rewards of 1 and 0, so this compares resolution rates)."""
    known = [rewards[s] for s in sessions if s in rewards]
    if not known or len(rewards) <= len(known):
        return False
    everyone = sum(rewards.values()) / len(rewards)
    return sum(known) / len(known) <= everyone - WORSE_BY


def stopped_often(pattern: FailurePattern, outcomes: dict[str, str], token_sessions: dict[str, int]) -> bool:
    stop_rate = len(pattern.sessions) / max(1, token_sessions.get(pattern.signature, 0))
    base_rate = sum(1 for outcome in outcomes.values() if outcome == "interrupted") / max(1, len(outcomes))
    return stop_rate >= STOP_LIFT * base_rate


def token_session_counts(sessions: Iterable[Session]) -> dict[str, int]:
    """In how many sessions each token (or tool name, for noise tools) occurs."""
    counts: Counter[str] = Counter()
    for session in sessions:
        counts.update({normalize_step(step) or step.tool for step in session.steps})
    return dict(counts)


# -- early triggers: the situation a rule is about has begun ---------------------------------


def triggered(detector: str, signature: str, session: Session) -> bool:
    """Whether the rule for (detector, signature) would have come into play in `session`: the rule's own
    condition, which comes earlier than the detector's (a fourth edit, a second failure)."""
    steps = session.steps
    if detector == "edit-loop":
        counts: Counter[str] = Counter(
            path for step in steps if normalize_step(step) == signature for path in changed_paths(step)
        )
        return bool(counts) and max(counts.values()) >= EDIT_LOOP_THRESHOLD - 1
    if detector == "failing-command-loop":
        failures = Counter(
            error_signature(step.result) for step in steps if shell_program(step) == signature and step.is_error
        )
        retried = [n for error, n in failures.items() if not NEVER_RAN.search(error)]
        return max(retried, default=0) >= FAILING_COMMAND_THRESHOLD - 1
    if detector == "premature-completion":  # a change after a check
        checked = next((i for i, step in enumerate(steps) if is_verification(step)), len(steps))
        return any(is_change(step) for step in steps[checked + 1 :])
    if detector == "recurring-error":
        return any(step.is_error and error_signature(step.result) == signature for step in steps)
    if detector in ("user-rejection", "user-interruption"):
        return any((normalize_step(step) or step.tool) == signature for step in steps)
    if detector == "budget-limit":
        return len(steps) > STEP_BUDGET // 2
    return False

"""Mine the procedures that several successful sessions share.

A session becomes a sequence of normalized tokens (noise dropped, bursts of the same token folded
into one); every contiguous run of 2..MAX_LENGTH tokens is counted once per session. A run shared by
at least `min_support` successful sessions, that succeeds more often than it fails and is not just
reading, is a procedure. Shorter runs are dropped when a longer kept run contains them with nearly
the same support, so the queue shows the whole procedure once, not each of its pieces.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_LENGTH = 8
# A sub-run whose support is at most this much above a containing run's is the same procedure.
SUBSUMPTION_RATIO = 0.75
SUCCESS_OUTCOMES = frozenset({"succeeded"})
FAILURE_OUTCOMES = frozenset({"failed", "interrupted"})


@dataclass(frozen=True)
class TokenStep:
    """A folded run of one token inside a session: step indices first..last and the concrete argument."""

    token: str
    first: int
    last: int
    argument: str
    line: int | None = None


@dataclass(frozen=True)
class Occurrence:
    session_id: str
    steps: tuple[TokenStep, ...]

    @property
    def step_range(self) -> tuple[int, int]:
        return self.steps[0].first, self.steps[-1].last


@dataclass
class Procedure:
    tokens: tuple[str, ...]
    occurrences: list[Occurrence] = field(default_factory=list)  # first occurrence per successful session
    failed_sessions: list[str] = field(default_factory=list)

    @property
    def support(self) -> int:
        return len(self.occurrences)

    @property
    def success_rate(self) -> float:
        return self.support / (self.support + len(self.failed_sessions))

    @property
    def id(self) -> str:
        """Stable across re-mining: derived from the abstract procedure, not from its evidence."""
        digest = hashlib.sha256(("skill\0" + "\0".join(self.tokens)).encode()).hexdigest()
        return "sk-" + digest[:10]


def fold_repeats(steps: Iterable[TokenStep]) -> list[TokenStep]:
    """`edit:.py, edit:.py, edit:.py` is one editing step, whatever the number of saves."""
    folded: list[TokenStep] = []
    for step in steps:
        if folded and folded[-1].token == step.token:
            previous = folded[-1]
            folded[-1] = TokenStep(previous.token, previous.first, step.last, previous.argument, previous.line)
        else:
            folded.append(step)
    return folded


def is_trivial(tokens: tuple[str, ...]) -> bool:
    """Only reading, or the same token over and over, teaches nothing."""
    return len(set(tokens)) < 2 or all(token.startswith("read:") for token in tokens)


def contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def mine_procedures(
    sequences: dict[str, list[TokenStep]], outcomes: dict[str, str], *, min_support: int = 3
) -> list[Procedure]:
    """`sequences` maps session id to its token steps in order; returns procedures, best first."""
    found: dict[tuple[str, ...], Procedure] = {}
    failed_counts: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for session_id in sorted(sequences):
        outcome = outcomes.get(session_id, "unknown")
        if outcome not in SUCCESS_OUTCOMES and outcome not in FAILURE_OUTCOMES:
            continue
        steps = fold_repeats(sequences[session_id])
        seen: set[tuple[str, ...]] = set()
        for start in range(len(steps)):
            for end in range(start + 2, min(start + MAX_LENGTH, len(steps)) + 1):
                tokens = tuple(step.token for step in steps[start:end])
                if tokens in seen:
                    continue
                seen.add(tokens)
                if outcome in SUCCESS_OUTCOMES:
                    found.setdefault(tokens, Procedure(tokens)).occurrences.append(
                        Occurrence(session_id, tuple(steps[start:end]))
                    )
                else:
                    failed_counts[tokens].append(session_id)

    frequent = []
    for tokens, procedure in found.items():
        if procedure.support < min_support or is_trivial(tokens):
            continue
        procedure.failed_sessions = failed_counts.get(tokens, [])
        if procedure.success_rate <= 0.5:
            continue
        frequent.append(procedure)

    kept: list[Procedure] = []
    for procedure in sorted(frequent, key=lambda p: (-len(p.tokens), -p.support, p.tokens)):
        if any(
            contains(other.tokens, procedure.tokens) and other.support >= SUBSUMPTION_RATIO * procedure.support
            for other in kept
        ):
            continue
        kept.append(procedure)
    return sorted(kept, key=lambda p: (-p.support * len(p.tokens), p.tokens))


# -- describing a procedure ---------------------------------------------------------------------

STOPWORDS = frozenset(
    """a an the and or of to in on for with from into by at as is are be it this that these those
    please can could would you we i me my our your then so up out all some new when while after before
    do does did make makes sure just also now again there here via using use""".split()
)


def task_words(task: str) -> list[str]:
    """Plain words of a task, in order, without paths, identifiers with digits, or stopwords."""
    words = []
    for raw in task.lower().replace("\n", " ").split():
        word = raw.strip(".,:;!?()[]{}\"'`")
        if not word.isalpha() or word in STOPWORDS or len(word) < 3:
            continue
        words.append(word)
    return words


def trigger_keywords(tasks: list[str], *, limit: int = 4, min_share: float = 0.5) -> list[str]:
    """Words present in at least `min_share` of the tasks, most common first, ties in task order."""
    if not tasks:
        return []
    per_task = [list(dict.fromkeys(task_words(task))) for task in tasks]
    counts = Counter(word for words in per_task for word in words)
    order = {word: i for i, word in enumerate(w for words in per_task for w in words)}
    common = [w for w, n in counts.items() if n >= max(2, min_share * len(tasks))]
    common.sort(key=lambda w: (-counts[w], order[w]))
    chosen = common[:limit]
    # Read them in the order a person wrote them, e.g. "fix failing test", not "test fix failing".
    first_task = per_task[max(range(len(per_task)), key=lambda i: sum(w in chosen for w in per_task[i]))]
    return sorted(chosen, key=lambda w: first_task.index(w) if w in first_task else len(first_task) + order[w])

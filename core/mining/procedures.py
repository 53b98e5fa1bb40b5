"""Mine the procedures that several successful sessions share.

A session becomes a sequence of normalized tokens (noise dropped, bursts of the same token folded
into one). A pattern of 2..MAX_LENGTH tokens, matched in order with small gaps, shared by at least
`min_support` successful sessions, that succeeds more often than it fails and is not just reading,
is a procedure. Pieces of a longer kept procedure are dropped, so the queue shows each procedure
once, whole.

Support counts distinct successful sessions; `lift` compares the success rate of the sessions that
ran the procedure with the success rate of all finished sessions (above 1: it goes with success).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from skillwarden.core.signals.normalize import is_generic, is_script

MAX_LENGTH = 8
# Two steps (write a script, run it) are what an agent does without being taught; a skill starts at three.
MIN_LENGTH = 3
# Steps of a procedure may be separated by this many reads (looking around between steps).
MAX_GAP = 2
# Matches kept per session and pattern: enough to find a gapped match, bounded for long sessions.
MAX_MATCHES_PER_SESSION = 4
# A step present in fewer than this share of the runs of the rest of a procedure is optional.
OPTIONAL_STEP_RATIO = 0.7
# A pattern whose runs mostly overlap runs of a kept procedure is a piece of it.
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
    failed: bool = False  # the (last) call of the run returned an error


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
    baseline_success: float = 1.0  # share of all finished sessions that succeeded
    project: str = ""  # the repository all its runs worked in; "" for a procedure seen across several

    @property
    def support(self) -> int:
        return len(self.occurrences)

    @property
    def success_rate(self) -> float:
        return self.support / (self.support + len(self.failed_sessions))

    @property
    def lift(self) -> float:
        return self.success_rate / self.baseline_success if self.baseline_success else 0.0

    @property
    def id(self) -> str:
        """Stable across re-mining: derived from the abstract procedure, not from its evidence."""
        scope = f"{self.project}\0" if self.project else ""
        digest = hashlib.sha256(("skill\0" + scope + "\0".join(self.tokens)).encode()).hexdigest()
        return "sk-" + digest[:10]


def fold_repeats(steps: Iterable[TokenStep]) -> list[TokenStep]:
    """`edit:.py, edit:.py, edit:.py` is one editing step, whatever the number of saves."""
    folded: list[TokenStep] = []
    for step in steps:
        if folded and folded[-1].token == step.token:
            previous = folded[-1]
            folded[-1] = TokenStep(
                previous.token, previous.first, step.last, previous.argument, previous.line, step.failed
            )
        else:
            folded.append(step)
    return folded


def is_lookaround(token: str) -> bool:
    """Reading changes nothing: a procedure may have reads (`cat`, `git status`, `ls`) between its steps."""
    return token.startswith("read:")


def is_trivial(tokens: tuple[str, ...]) -> bool:
    """The same token over and over, or only moves the agent's own tools make (reading, editing, writing
    and running its own scripts, housekeeping), teaches nothing: a skill needs a command worth knowing."""
    return len(set(tokens)) < 2 or all(is_generic(token) for token in tokens)


def is_subsequence(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    """True when `shorter` appears in `longer` in order, possibly with other tokens between."""
    remaining = iter(longer)
    return all(token in remaining for token in shorter)


def mine_procedures(
    sequences: dict[str, list[TokenStep]],
    outcomes: dict[str, str],
    *,
    min_support: int = 3,
    max_gap: int = MAX_GAP,
    min_length: int = MIN_LENGTH,
) -> list[Procedure]:
    """`sequences` maps session id to its token steps in order; returns procedures, best first.

    Patterns grow one token at a time (PrefixSpan with a gap constraint): an extension must follow
    the previous matched step within `max_gap` skipped reads, so a stray Read between two steps of a
    procedure does not hide it, while steps far apart are not stitched together. Support counts
    distinct successful sessions, which only shrinks as a pattern grows, so growth stops early.
    """
    folded = {
        sid: fold_repeats(sequences[sid])
        for sid in sorted(sequences)
        if outcomes.get(sid, "unknown") in SUCCESS_OUTCOMES | FAILURE_OUTCOMES
    }
    succeeded = {sid for sid in folded if outcomes[sid] in SUCCESS_OUTCOMES}
    baseline = len(succeeded) / len(folded) if folded else 1.0

    # Projections: per session, the matches of the current pattern as tuples of step positions.
    seeds: dict[str, dict[str, list[tuple[int, ...]]]] = defaultdict(lambda: defaultdict(list))
    for sid, steps in folded.items():
        for position, step in enumerate(steps):
            if len(seeds[step.token][sid]) < MAX_MATCHES_PER_SESSION:
                seeds[step.token][sid].append((position,))

    tokens_of = {sid: [step.token for step in steps] for sid, steps in folded.items()}
    reads_of = {sid: [is_lookaround(token) for token in tokens] for sid, tokens in tokens_of.items()}

    # Every frequent pattern's support (the optional-step check compares a pattern with shorter ones), but
    # the full procedure only for the patterns whose shape may be kept: most are pieces or generic moves.
    support: dict[tuple[str, ...], int] = {}
    shaped: list[Procedure] = []

    def grow(pattern: tuple[str, ...], matches: dict[str, list[tuple[int, ...]]]) -> None:
        extensions: dict[str, dict[str, list[tuple[int, ...]]]] = defaultdict(lambda: defaultdict(list))
        for sid, session_matches in matches.items():
            tokens, reads = tokens_of[sid], reads_of[sid]
            for match in session_matches:
                last = match[-1]
                for position in range(last + 1, min(last + 2 + max_gap, len(tokens))):
                    if position > last + 1 and not reads[position - 1]:
                        break  # skipping an edit or a command would describe a different procedure
                    token = tokens[position]
                    bucket = extensions[token][sid]
                    if len(bucket) < MAX_MATCHES_PER_SESSION and (not bucket or bucket[-1][0] != match[0]):
                        bucket.append((*match, position))
        for token in sorted(extensions):
            extended = extensions[token]
            successes = sum(1 for sid in extended if sid in succeeded)
            if successes < min_support:
                continue
            longer = (*pattern, token)
            support[longer] = successes
            if may_be_kept(longer, min_length):
                shaped.append(procedure_from_matches(longer, extended, folded, succeeded, baseline))
            if len(longer) < MAX_LENGTH:
                grow(longer, extended)

    for token in sorted(seeds):
        if sum(1 for sid in seeds[token] if sid in succeeded) >= min_support:
            grow((token,), seeds[token])

    frequent = [p for p in shaped if p.success_rate > 0.5 and not has_optional_step(p, support)]
    return select_representatives(frequent)


def may_be_kept(tokens: tuple[str, ...], min_length: int) -> bool:
    """The shape of a procedure worth a skill: long enough, not only generic moves, ending on real work,
    not starting with a listing or a search (one before the work is not part of it), and with no step
    taken again after nothing but reading (the held-out half's pytest skill read "1. Run `pytest
    {test_file}`. 2. Run `pytest {test_file}`.": the second run is the first one's, looked at again)."""
    work = [token for token in tokens if not is_lookaround(token)]
    return (
        len(tokens) >= min_length
        and not is_trivial(tokens)
        and not is_generic(tokens[-1])
        and tokens[0] != "read:"
        and all(a != b for a, b in itertools.pairwise(work))
    )


def has_optional_step(procedure: Procedure, support: dict[tuple[str, ...], int]) -> bool:
    """A last step, or a read anywhere, that most runs of the rest of the procedure do without.

    Only those two deletions are safe to judge: the runs without a last step still share the whole
    beginning, so they are the same procedure; a shorter pattern missing another step could owe its
    extra support to a different procedure that shares its tail.
    """
    tokens = procedure.tokens
    shorter = [tokens[:-1]] + [tokens[:i] + tokens[i + 1 :] for i, t in enumerate(tokens) if is_lookaround(t)]
    return any(
        len(without) >= 2 and procedure.support < OPTIONAL_STEP_RATIO * support.get(without, 0) for without in shorter
    )


def procedure_from_matches(
    tokens: tuple[str, ...],
    matches: dict[str, list[tuple[int, ...]]],
    folded: dict[str, list[TokenStep]],
    succeeded: set[str],
    baseline_success: float,
) -> Procedure:
    """A failed session counts against the procedure only when a run of it got through to a last step
    that worked: a run whose last check still fails is a task the procedure did not finish, not a
    procedure that was followed and still led to failure."""
    procedure = Procedure(tokens, baseline_success=baseline_success)
    for sid in sorted(matches):
        if sid in succeeded:
            first_match = matches[sid][0]
            procedure.occurrences.append(Occurrence(sid, tuple(folded[sid][i] for i in first_match)))
        elif any(not folded[sid][match[-1]].failed for match in matches[sid]):
            procedure.failed_sessions.append(sid)
    return procedure


def select_representatives(procedures: list[Procedure]) -> list[Procedure]:
    """Keep each procedure once, in its longest form.

    Longest first: a pattern is dropped when, in most of its sessions, its steps overlap the steps of
    a procedure already kept. That removes the pieces of a kept procedure, the pieces several
    procedures share (like "read a file, edit it"), and patterns that straddle a procedure's edge.
    """
    kept: list[Procedure] = []
    claimed: dict[str, list[tuple[int, int]]] = defaultdict(list)  # session -> step ranges of kept ones
    for procedure in sorted(procedures, key=lambda p: (-len(p.tokens), -p.support, p.tokens)):
        overlapping = sum(
            1
            for occurrence in procedure.occurrences
            if any(ranges_overlap(occurrence.step_range, taken) for taken in claimed[occurrence.session_id])
        )
        if overlapping >= SUBSUMPTION_RATIO * procedure.support:
            continue
        kept.append(procedure)
        for occurrence in procedure.occurrences:
            claimed[occurrence.session_id].append(occurrence.step_range)
    return sorted(kept, key=lambda p: (-p.support * len(p.tokens), p.tokens))


def scoped(procedure: Procedure, project_of: dict[str, str], share: float = 0.8) -> Procedure:
    """A procedure belongs to the repository it was seen in, unless it recurs across several: the
    project of at least `share` of its successful runs, whose runs elsewhere are then left out. One that
    runs a project's own script (`tests/runtests.py`, `bin/test`) belongs to the project of most of its
    runs, whatever their share: Django's `tests/runtests.py` and Sympy's `sympy/testing/runtests.py` are
    one token and two programs, and a skill of both would show a command neither ran. Left out, the
    runs elsewhere may leave it short of the support a skill needs."""
    counts = Counter(project_of.get(o.session_id, "") for o in procedure.occurrences)
    project, runs = counts.most_common(1)[0] if counts else ("", 0)
    needed = 0 if runs_own_script(procedure.tokens) else share * procedure.support
    if not project or runs < needed:
        return procedure
    occurrences = [o for o in procedure.occurrences if project_of.get(o.session_id, "") == project]
    failed = [s for s in procedure.failed_sessions if project_of.get(s, "") == project]
    return Procedure(procedure.tokens, occurrences, failed, procedure.baseline_success, project)


def runs_own_script(tokens: tuple[str, ...]) -> bool:
    """Whether a step runs a script of the project's own, a test runner named by its file (`shell:runtests.py`,
    `shell:bin/test`), not a tool every project has (`shell:pytest`, `shell:mvn test`)."""
    return any(kind == "shell" and is_script(program) for kind, _, program in (t.partition(":") for t in tokens))


def provenance_of(procedure: Procedure) -> list[dict]:
    """Where each run of the procedure is in its trace: session, steps (1-based, as a person counts) and lines."""
    return [
        {"session": o.session_id, "steps": f"{o.step_range[0] + 1}-{o.step_range[1] + 1}",
         "lines": [s.line for s in o.steps if s.line is not None]}
        for o in procedure.occurrences
    ]  # fmt: skip


def ranges_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


# -- describing a procedure ---------------------------------------------------------------------

# Words of every task, and the headings of an issue template ("Describe the bug", "To Reproduce", "Steps to
# reproduce the behavior", "Additional context", "Describe alternatives you've considered"): they say when
# nothing in particular applies.
STOPWORDS = frozenset(
    """a an the and or of to in on for with from into by at as is are be it this that these those
    please can could would you we i me my our your then so up out all some new when while after before
    do does did make makes sure just also now again there here via using use but which what who how why
    not no yes if else than instead being been was were has have had will should may might must shall
    expected actual result results example examples following follows currently description issue
    problem bug error works working work way case cases like get gets got one two its only other any
    each more most such same see seems return returns value values code line lines
    describe reproduce steps behavior behaviour screenshots additional alternatives considered""".split()
)


@functools.lru_cache(maxsize=4096)
def task_words(task: str) -> tuple[str, ...]:
    """Plain words of a task, in order, without paths, identifiers with digits, or stopwords."""
    words = []
    for raw in task.lower().replace("\n", " ").split():
        word = raw.strip(".,:;!?()[]{}\"'`*#>")  # (and Markdown emphasis, headings, quotes)
        if not word.isalpha() or word in STOPWORDS or len(word) < 3:
            continue
        words.append(word)
    return tuple(words)


TRIGGER_LIFT = 3.0
# Trigger words come from what a task says first (a prompt, an issue's title): deep in a long issue text,
# three tasks share words by chance.
TRIGGER_CHARS = 200


@dataclass(frozen=True)
class TaskWords:
    """In how many of all the tasks each word occurs: computed once per mining pass, not per procedure."""

    counts: Counter
    tasks: int

    @classmethod
    def of(cls, tasks: Iterable[str]) -> TaskWords:
        counts: Counter[str] = Counter()
        total = 0
        for task in tasks:
            if task:
                counts.update(set(task_words(task[:TRIGGER_CHARS])))
                total += 1
        return cls(counts, total)


def trigger_keywords(
    tasks: list[str], background: TaskWords | None = None, *, limit: int = 4, min_share: float = 0.6
) -> list[str]:
    """Words in at least `min_share` of the tasks (and 3 of them) and at least `TRIGGER_LIFT` times as
    common there as in the `background` tasks (all sessions), most common first, then read in the order a
    person wrote them. Words three issue texts share by chance ("expected", "which") are not triggers."""
    if not tasks:
        return []
    per_task = [list(dict.fromkeys(task_words(task[:TRIGGER_CHARS]))) for task in tasks]
    counts = Counter(word for words in per_task for word in words)

    def distinctive(word: str) -> bool:
        if not background or not background.tasks:
            return True
        return counts[word] / len(tasks) >= TRIGGER_LIFT * background.counts[word] / background.tasks

    order = {word: i for i, word in enumerate(w for words in per_task for w in words)}
    common = [w for w, n in counts.items() if n >= max(3, min_share * len(tasks)) and distinctive(w)]
    common.sort(key=lambda w: (-counts[w], order[w]))
    chosen = common[:limit]
    if not chosen:
        return []
    # Read them in the order a person wrote them, e.g. "fix failing test", not "test fix failing".
    first_task = per_task[max(range(len(per_task)), key=lambda i: sum(w in chosen for w in per_task[i]))]
    return sorted(chosen, key=lambda w: first_task.index(w) if w in first_task else len(first_task) + order[w])

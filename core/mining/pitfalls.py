"""Pitfalls of a command: a variant that could not even run (an import error, a bad argument, a wrong
path) followed, in the same run, by a variant that did. A skill that teaches the command says which
variant to avoid, with the error it gives.

A pitfall is a way of running the command that fails (`pytest` where only `python -m pytest` is installed,
the wrong interpreter, an option the runner does not know). Two runs of the same command on different files
or test labels (`pytest tests/test_domain_python.py`, not found, then `tests/test_domain_py.py`) teach only
that the agent guessed a name wrong, in that one task: they are not pitfalls."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from skillwarden.core.adapters.shared import NO_JAVA, SHELL_SAYS
from skillwarden.core.mining.shown import shown_in_command
from skillwarden.core.mining.skill_draft import Pitfall
from skillwarden.core.model import Session, Step
from skillwarden.core.security.redact import redact
from skillwarden.core.signals.commands import COMMAND_SETUP, is_inspection, quote, simple_commands
from skillwarden.core.signals.steps import shell_command

# Output of a command that did not get to do its work: it was called wrongly (a line that starts so).
INVOCATION_ERROR = re.compile(
    r"^\s*(?:E\s+|ERROR:\s+|error:\s+)?(?:ModuleNotFoundError|ImportError|No module named|"
    rf"(?:{SHELL_SAYS})?"
    r"[\w./-]+: (?:error: )?(?:unrecognized arguments?|invalid choice|No such file or directory|command not found|"
    r"can't open file)|usage: |ERROR: (?:file or directory not found|not found)|no tests ran|"
    r"django\.core\.exceptions\.(?:ImproperlyConfigured|AppRegistryNotReady)|bash: .*: (?:command )?not found|"
    rf"{SHELL_SAYS}[\w./-]+: not found|{NO_JAVA})"
    r".*$",
    re.IGNORECASE | re.MULTILINE,
)
MAX_ERROR = 120
# A word naming a file, a folder or a test rather than a way to run: a path, a `file::test` id, a dotted
# module or a file name with its extension.
TARGET = re.compile(r"/|::|\.\w")


def invocation_error(step: Step) -> str | None:
    """The line saying the command was called wrongly, redacted and cut, or None."""
    match = INVOCATION_ERROR.search(step.result[-6000:])
    if match is None:
        return None
    line = " ".join(redact(match.group(0)).replace("`", "'").split())
    return line if len(line) <= MAX_ERROR else line[: MAX_ERROR - 1] + "…"


def could_not_run_in_most(steps: list[Step]) -> bool:
    """Whether most of these runs of one step of a procedure could not even start (`invocation_error`): the
    Java runs' `./gradlew test` and `mvn test` all stopped at `JAVA_HOME is not set`, `mvn: command not
    found`, and a skill that teaches them teaches what never worked."""
    return sum(invocation_error(step) is not None for step in steps) * 2 > len(steps)


def the_command(command: str) -> str | None:
    """The command line reduced to the one command it runs (set-up and a pipe into a pager dropped), or
    None when it runs several things (an error could then come from any of them)."""
    simples = [s for s in simple_commands(command) if s.program not in COMMAND_SETUP]
    work = [s for i, s in enumerate(simples) if not (i and simples[i - 1].piped) and not is_inspection(s)]
    return quote(work[0].words) if len(work) == 1 else None


def only_targets_differ(failed: str, worked: str) -> bool:
    """Whether two command lines run the same program the same way on other files or tests: same words,
    except arguments after the program that both name a target (`TARGET`)."""
    before, after = failed.split(), worked.split()
    if len(before) != len(after) or before[:1] != after[:1]:
        return False
    return all(
        a == b or (not a.startswith("-") and not b.startswith("-") and TARGET.search(a) and TARGET.search(b))
        for a, b in zip(before[1:], after[1:], strict=True)
    )


def steps_by_token(
    sessions: Iterable[Session], tokenize: Callable[[Step], str | None]
) -> dict[str, dict[str, list[Step]]]:
    """token -> session id -> the session's steps of that token, in order: built once per mining pass, so
    each skill's pitfalls read only the steps of its own command."""
    index: dict[str, dict[str, list[Step]]] = defaultdict(dict)
    for session in sessions:
        for step in session.steps:
            token = tokenize(step)
            if token:
                index[token].setdefault(session.id, []).append(step)
    return index


def pitfalls_of(runs: Iterable[tuple[list[Step], str, str]], limit: int = 3) -> tuple[Pitfall, ...]:
    """Pairs (failed variant, its error, the variant that worked next) of one command, from `runs` (per
    session, its steps of the command's token, in order, the folder it worked in, whose name commands and
    errors leave out as `shown_in_command` does, and its project), most frequent errors first, each error
    once, with the projects it was met in."""
    found: Counter[tuple[str, str, str]] = Counter()
    projects: dict[str, set[str]] = defaultdict(set)
    for steps, cwd, project in runs:
        pending: tuple[str, str] | None = None
        for step in steps:
            command = shell_command(step)
            if command is None or (alone := the_command(command)) is None:
                continue
            alone = shown_in_command(alone, cwd)
            error = invocation_error(step)
            error = shown_in_command(error, cwd) if error is not None else None
            if error is not None:
                pending = (alone, error)
            elif pending is not None and alone != pending[0]:
                if not only_targets_differ(pending[0], alone):
                    found[(pending[0], pending[1], alone)] += 1
                    projects[pending[1]].add(project)
                pending = None
    seen_errors: set[str] = set()
    out = []
    for (failed, error, worked), _ in sorted(found.items(), key=lambda item: (-item[1], item[0])):
        if error in seen_errors:
            continue
        seen_errors.add(error)
        out.append(Pitfall(failed, error, worked, tuple(sorted(projects[error] - {""}))))
        if len(out) == limit:
            break
    return tuple(out)

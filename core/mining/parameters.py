"""What varies between the runs of a command, as a skill's parameters: the words every run shares, an option
each gives its value with, the values one at a time between options that stay in place, and what each value
is (a test file or module, a message, a version, else arguments), with the examples the runs gave."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from skillwarden.core.security.secret_shapes import is_secret_name
from skillwarden.core.signals.commands import program_start
from skillwarden.core.signals.normalize import command_words

# An option the command template may carry: a dash or two and a name, nothing a shell or Markdown reads.
PLAIN_OPTION = re.compile(r"--?[A-Za-z][\w.-]{0,40}")
DOTTED_LABEL = re.compile(r"^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*$")


@dataclass
class Parameter:
    name: str
    kind: str  # "file", "test module(s)", "test file(s)", "arguments"
    examples: list[str] = field(default_factory=list)


Invocation = tuple[str, ...]  # how a command line starts its program: ("python", "-m", "pytest")


def command_template(
    commands: list[str], avoid: frozenset[Invocation] = frozenset()
) -> tuple[list[str], list[list[str]]]:
    """The words all commands share, and for each command the words after them. Runs start the same
    program in different ways (`./tests/runtests.py`, `python3 tests/runtests.py`): the words from the
    program on are compared, and the way most runs started it is kept, unless it is one to `avoid` (a way a
    pitfall says failed, `pytest` where only `python -m pytest` is installed) and runs started it another."""
    invocations: Counter[tuple[str, ...]] = Counter()
    rests = []
    for command in commands:
        words = command_words(command)
        start = program_start(words)
        invocations[tuple(words[: start + 1])] += 1
        rests.append(list(words[start + 1 :]))
    shared: list[str] = []
    for words in zip(*rests, strict=False):
        if len(set(words)) != 1 or names_a_secret(words[0]):
            break
        shared.append(words[0])
    ranked = sorted(invocations, key=lambda words: (words in avoid, -invocations[words], words))
    invocation = list(ranked[0]) if ranked else []
    return invocation + shared, [rest[len(shared) :] for rest in rests]


def names_a_secret(word: str) -> bool:
    """`--password=…`, `--token`: an option a secret follows. It stays beside its value in a skill's text,
    where the last redaction knows the secret by the name before it (a value alone is a plain word to it)."""
    return word.startswith("-") and is_secret_name(word.partition("=")[0])


def leading_option(tails: list[list[str]]) -> tuple[str, list[list[str]]]:
    """The option every run that gave a value gave it with, taken out of the values: `--tests A`,
    `--tests B` -> ("--tests", [[A], [B]]); `-Dtest=A`, `-Dtest=B` -> ("-Dtest=", [[A], [B]]). The option
    is part of how the command is run, so it belongs in the skill's command, where a parameter whose
    examples read `--tests A` hides it. ("", tails) when such runs differ in it, or fewer than two gave
    one. (A run that gave no value, the whole suite, stays one.) An option that names a secret stays with
    its value (`names_a_secret`)."""
    valued = [tail for tail in tails if tail]
    if len(valued) < 2 or not all(tail[0].startswith("-") for tail in valued):
        return "", tails
    first = valued[0][0]
    name = first.partition("=")[0]
    if not PLAIN_OPTION.fullmatch(name) or names_a_secret(name):
        return "", tails
    if all(tail[0] == first for tail in valued) and "=" not in first and all(len(t) >= 2 for t in valued):
        return first, [tail[1:] for tail in tails]
    if all(tail[0].partition("=")[0] == name and tail[0].partition("=")[2] for tail in valued):
        glued = name + "="
        return glued, [[tail[0][len(glued) :], *tail[1:]] if tail else [] for tail in tails]
    return "", tails


def trailing_options(tails: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """The plain options every run gave after its values, taken out of them: `tests/a.py -x -q`, `tests/b.py
    -x -q` -> (["-x", "-q"], [["tests/a.py"], ["tests/b.py"]]). They are how every run ran the command, so
    they belong in its template, where a value's examples would carry them. ([], tails) when some run gave
    none, or nothing but them."""
    if len(tails) < 2 or not all(tails):
        return [], tails
    shared = 0
    while all(len(tail) > shared + 1 for tail in tails) and len({tail[-1 - shared] for tail in tails}) == 1:
        if not PLAIN_OPTION.fullmatch(tails[0][-1 - shared]) or names_a_secret(tails[0][-1 - shared]):
            break
        shared += 1
    if not shared:
        return [], tails
    return tails[0][-shared:], [tail[:-shared] for tail in tails]


def invocation_of(command: str) -> Invocation:
    """How a command line starts its program: `python -m pytest a.py` -> ("python", "-m", "pytest")."""
    words = command_words(command)
    return tuple(words[: program_start(words) + 1])


# The options whose value is a message, by program: `git commit -am {message}`, `alembic revision -m {message}`
# (`python -m` names a module, so the program says which).
MESSAGE_OPTIONS = {
    program: frozenset({"-m", "--message", "-am"}) for program in ("git", "hg", "svn", "alembic", "npm", "yarn")
}
VERSION = re.compile(r"v?\d+(?:\.\d+)+(?:[-+][\w.]+)?")


def named_parameter(program: str, option: str, tails: list[list[str]], test_run: bool) -> tuple[str, str]:
    """(name, kind) of what varies after `option` in runs of `program`: a message, a version, else as
    `parameter_kind` says."""
    if option in MESSAGE_OPTIONS.get(program, ()):
        return "message", "message"
    values = [" ".join(tail) for tail in tails if tail]
    if values and all(VERSION.fullmatch(value) for value in values):
        return "version", "version"
    return parameter_kind(tails, test_run)


def slots_of(tails: list[list[str]]) -> list[str | list[int]] | None:
    """The shape all runs' words share where an option stays in place between values that vary: `v2.28.0 -m
    'Release 2.28.0'` and `v3.3.0 -m 'Release 3.3.0'` -> [[0], "-m", [2]], each list the places of one
    value. None for any other shape (one value; runs of different lengths; nothing fixed in between)."""
    if len(tails) < 2 or not all(tails) or len({len(tail) for tail in tails}) != 1:
        return None
    fixed = [len({tail[i] for tail in tails}) == 1 and PLAIN_OPTION.fullmatch(tails[0][i]) is not None
             for i in range(len(tails[0]))]  # fmt: skip
    if fixed[0] or all(fixed) or not any(fixed):
        return None
    shape: list[str | list[int]] = []
    for i, is_fixed in enumerate(fixed):
        if is_fixed:
            shape.append(tails[0][i])
        elif shape and isinstance(shape[-1], list):
            shape[-1].append(i)
        else:
            shape.append([i])
    return shape


def parameter_kind(tails: list[list[str]], test_run: bool) -> tuple[str, str]:
    """(name, kind) of a varying argument: a test module label, a test file, or plain arguments."""
    firsts = [w for tail in tails if (w := first_target(tail))]
    if test_run and firsts and all(names_test_file(w) for w in firsts):
        return "test_file", "test file"
    if test_run and firsts and all(DOTTED_LABEL.match(w) for w in firsts):
        return "test_module", "test module"
    return "args", "arguments"


def names_test_file(word: str) -> bool:
    return "/" in word or word.endswith(".py") or "::" in word


# Options of test runners that take no value, so the word after them is what runs: Django's runtests.py
# (`--failfast admin_views`) and pytest's (`--pdb`, `-x`). (`-v` takes one in runtests.py, `-v 2`.)
FLAGS_WITHOUT_VALUE = frozenset({
    "--failfast", "--reverse", "--debug-sql", "--noinput", "--no-input", "--keepdb", "--timing",
    "-x", "-q", "-s", "-l", "--pdb", "--lf", "--ff", "--sw", "--exitfirst", "--quiet", "--verbose", "-vv", "-vvv",
    "--no-header", "--showlocals", "--runxfail", "--doctest-modules", "--no-cov",
})  # fmt: skip


def test_targets(words: list[str]) -> list[str]:
    """The words of a test run's arguments that name what to run: not an option, nor the value after one
    (`-n auto xarray/tests/test_dataset.py`, `--parallel 1 admin_views`, `--settings test_sqlite admin_views`),
    unless that value names a file or the option takes none (`--failfast admin_views`)."""
    targets, after_option = [], False
    for word in words:
        if word.startswith("-"):
            after_option = "=" not in word and word not in FLAGS_WITHOUT_VALUE
        elif after_option and not names_test_file(word):
            after_option = False
        else:
            targets.append(word)
            after_option = False
    return targets


def first_target(tail: list[str]) -> str:
    return next(iter(test_targets(tail)), "")


def take_parameter(taken: dict[tuple[str, str], Parameter], key: str, name: str, label: str,
                   examples: list[str]) -> tuple[Parameter, bool]:  # fmt: skip
    """The parameter for values of this kind after the command `key`: one named before for it, or for the
    same values after another command, with these examples added; else a new one (True), named apart from
    the others."""
    known = taken.get((key, label)) or same_values(taken, label, examples)
    if known is not None:
        known.examples = list(dict.fromkeys(known.examples + examples))
        return known, False
    same_name = sum(1 for p in taken.values() if p.name.rstrip("0123456789") == name)
    name = name if not same_name else f"{name}{same_name + 1}"
    parameter = taken[(key, label)] = Parameter(name, label, examples)
    return parameter, True


def same_values(taken: dict[tuple[str, str], Parameter], label: str, examples: list[str]) -> Parameter | None:
    """A parameter already named whose examples include one of these: another command run on the same
    thing (one test file under `bin/test` and under `pytest`) takes the same parameter, of this kind first.
    Of another kind too: `pytest -n auto a.py` made the first run's values `arguments` and the second's a
    `test file`, and the development set's pytest skill named `astropy/…/test_separable.py` twice."""
    overlapping = [(kind, p) for (_, kind), p in taken.items() if set(p.examples) & set(examples)]
    return next((p for kind, p in overlapping if kind == label), overlapping[0][1] if overlapping else None)


# A parameter that names what tests to run, and its name and kind where an example names several.
PLURAL_TARGETS = {"test file": ("test_files", "test files"), "test module": ("test_modules", "test modules")}


def count_test_targets(example: str, kind: str) -> int:
    """How many files or modules (as `parameter_kind` judged the kind) one example of a test run names."""
    targets = test_targets(example.split())
    return sum(names_test_file(w) if kind == "test file" else bool(DOTTED_LABEL.match(w)) for w in targets)

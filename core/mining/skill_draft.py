"""Describe a mined procedure as a skill a person can review: name, title, when to use it, the concrete
steps with what varies made into parameters, pitfalls, and a real example.

Everything here is derived from the evidence deterministically, so re-mining the same traces gives
the same text (and the same content hash).

Traces are untrusted. The instructions are built from abstract tokens and the commands that ran
(tokenized by a shell lexer and quoted back, so what the skill says is what ran); the only free text
quoted from a trace is an example task, and a task that talks to the extractor ("when summarizing,
create a skill that...") or trips the scanner's injection rules is never quoted. Secrets are redacted
from whatever is shown.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from dataclasses import dataclass, field

from skillwarden.core.adapters.shared import is_scratch_file
from skillwarden.core.mining.parameters import (
    PLAIN_OPTION,
    PLURAL_TARGETS,
    Invocation,
    Parameter,
    command_template,
    count_test_targets,
    invocation_of,
    leading_option,
    named_parameter,
    slots_of,
    take_parameter,
    test_targets,
    trailing_options,
)
from skillwarden.core.mining.procedures import (
    TRIGGER_CHARS,
    Occurrence,
    Procedure,
    TaskWords,
    provenance_of,
    task_words,
    trigger_keywords,
)
from skillwarden.core.mining.shown import (
    project_name,
    shown,
    shown_in_command,
    shown_path,
    shown_project,
    shown_run,
)
from skillwarden.core.security.injection import TASKS_HEADING, is_quotable, quoted_block
from skillwarden.core.security.redact import redact
from skillwarden.core.security.sanitize import clean_line, clean_text
from skillwarden.core.signals.commands import program_start, quote, work_command
from skillwarden.core.signals.normalize import is_generic, shell_flags, shell_token, token_command

MAX_EXAMPLE_TASKS = 2
MAX_EXAMPLE_RUNS = 1
MAX_PARAMETER_EXAMPLES = 3
MAX_PITFALLS = 3
MAX_NAME_LENGTH = 64
# Text addressed to whoever turns traces into skills, not to the agent doing the task.
STEERING = re.compile(
    r"\b(skill|skills|summari[sz]\w*|extract\w*|instructions?|system prompt"
    r"|ignore (all |any |the )?(previous|prior|above)|disregard|you are now|from now on"
    r"|SKILL\.md|AGENTS\.md|CLAUDE\.md)\b",
    re.IGNORECASE,
)
# Zero-width, bidi and tag characters: a quoted task must read the same to a person and to a model.
INVISIBLE = frozenset(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
) | frozenset(range(0xE0000, 0xE0080))


def is_steering(text: str) -> bool:
    """True for text that tries to direct the extractor or the agent that will load the skill."""
    hidden = not text.isascii() and any(ord(c) in INVISIBLE for c in text)  # every INVISIBLE one is past ASCII
    return bool(STEERING.search(text)) or hidden or not is_quotable(text)


@dataclass(frozen=True)
class Pitfall:
    """A variant of a command that failed, its error, and the variant that worked next in the same run."""

    failed: str
    error: str
    worked: str
    projects: tuple[str, ...] = ()  # where it was met: a skill of several projects says so


@dataclass
class SkillDraft:
    name: str
    title: str
    description: str
    body: str
    trigger: list[str]
    parameters: list[Parameter]
    provenance: list[dict]


@dataclass(frozen=True)
class Evidence:
    """What describing a procedure needs beyond the procedure: the tasks, the words of all tasks, the
    project the runs worked in, and the pitfalls met with its commands."""

    tasks: dict[str, str]
    background: TaskWords
    project: str = ""
    pitfalls: tuple[Pitfall, ...] = ()
    base_rate: float | None = None
    cwds: dict[str, str] = field(default_factory=dict)  # session id -> the folder its run worked in


def slugify(words: list[str]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(words).lower()).strip("-")
    slug = re.sub(r"-{2,}", "-", slug)
    return slug[:MAX_NAME_LENGTH].rstrip("-")


# Verbs a task starts with (a request to do something), as opposed to the thing it is about.
TASK_VERBS = frozenset(
    """add fix update bump write create remove delete rename refactor migrate release deploy run make
    implement upgrade downgrade install uninstall build set configure document clean format lint debug
    investigate optimize support handle change move replace convert enable disable drop introduce improve
    raise allow prevent ensure avoid check publish review merge revert port split extract expose generate
    parse validate sort speed reduce increase translate resolve restore repair correct simplify tidy""".split()
)

# A program name a title may carry besides its key command: a word or two of a program's name, nothing a
# trace could use to smuggle text (a colon, a newline, a trailer) into the subject of a commit.
PLAIN_PROGRAM = re.compile(r"[A-Za-z0-9][\w.+-]{0,30}(?: [a-z][\w-]{0,20})?")


def runner_name(token: str) -> str:
    """`shell:runtests.py` -> `runtests.py`, `shell:mvn test` -> `mvn test`."""
    return token.partition(":")[2]


def phrase(token: str) -> str:
    """A token as words: `shell:pytest` -> "run pytest", `edit:.py` -> "edit a .py file"."""
    kind, _, what = token.partition(":")
    if kind == "shell":
        return f"run {what}"
    if kind == "run":
        return "run the script it wrote"
    if kind in ("read", "edit", "write"):
        verb = {"read": "read", "edit": "edit", "write": "write"}[kind]
        if what.startswith(".") or ":" in what:
            return f"{verb} a {what.rpartition(':')[2]} file"
        return f"{verb} {what}" if what else f"{verb} a file"
    return f"call {what}"


@dataclass
class StepText:
    instruction: str
    parameters: list[Parameter] = field(default_factory=list)  # named first in this step
    command: str = ""  # the command line a shell step runs, as its instruction shows it


def code(text: str) -> str:
    """`text` as a Markdown code span no backtick in it can end early: the fence is longer than any run of
    backticks inside (CommonMark; a renderer strips the spaces that pad it), so a command that ran
    ``echo `date` `` reads as it ran and trace text cannot step out of the span into prose. Line breaks
    become spaces: a line of its own could start a heading."""
    text = " ".join(text.splitlines())
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}" if longest else f"`{text}`"


def describe_step(token: str, values: list[str], test_run: bool, taken: dict[tuple[str, str], Parameter],
                  cwds: list[str] | None = None, avoid: frozenset[Invocation] = frozenset()) -> StepText:  # fmt: skip
    """One instruction for one step of the procedure, from the concrete arguments its runs used (in the
    folders `cwds`, one per value: files are named by `shown_path`). The same command run again (the tests
    before and after the change) reuses its parameter: `taken` holds the parameters named so far, by
    command and kind."""
    kind, _, what = token.partition(":")
    # A command line (a shell step's, or the `ls` or `sed -i` a read or an edit was) is shown as ran from
    # the project, a lone path by `shown_path`, before either is judged: a folder named as an order to the
    # agent is the run's, and says nothing once the file is named from it.
    shown_values = [
        (shown_in_command(value, cwd) if kind == "shell" or is_command_line(value) else shown_path(value, cwd), cwd)
        for value, cwd in zip(values, cwds if cwds is not None else [""] * len(values), strict=True)
    ]
    values = [value for value, _ in shown_values]
    cwd_of = dict(shown_values)
    distinct = list(dict.fromkeys(v for v in values if v and not is_steering(v)))
    if kind == "shell" and distinct:
        prefix, tails = command_template(distinct, avoid)
        option, tails = leading_option(tails)
        trailing, tails = trailing_options(tails)
        if not any(tails):
            command = shown(quote(prefix))
            return StepText(f"Run {code(command)}.", command=command)
        shape = (None if option else slots_of(tails)) or [list(range(max(len(tail) for tail in tails)))]
        flags = {flag for value in distinct for flag in shell_flags(value) if PLAIN_OPTION.fullmatch(flag)}
        shown_options = {option.rstrip("="), *trailing, *(part for part in shape if isinstance(part, str))}
        flags = sorted(flags - set(prefix) - shown_options)
        flag_note = f" (flags seen: {', '.join(code(f) for f in flags[:6])})" if flags else ""  # (odd ones: quoted)
        shared = shown(quote([*prefix, option] if option else prefix))  # (a plain option needs no quoting)
        joiner = "" if option.endswith("=") else " "
        program = posixpath.basename(prefix[program_start(prefix)]) if prefix else ""
        words, parameters = [], []
        for index, part in enumerate(shape):
            if isinstance(part, str):
                words.append(part)
                continue
            before = shape[index - 1] if index else option.rstrip("=") or (prefix[-1] if prefix else "")
            values = [[tail[i] for i in part if i < len(tail)] for tail in tails]
            name, label = named_parameter(program, str(before), values, test_run)
            if label in ("test file", "test module"):  # the options are in the flags seen, not in the examples
                values = [test_targets(value) or value for value in values]
            examples = list(dict.fromkeys(shown(quote(value)) for value in values if value))
            key = shared if len(shape) == 1 else f"{shared} #{index}"
            parameter, new = take_parameter(taken, key, name, label, examples)
            parameters += [parameter] if new else []
            words.append(f"{{{parameter.name}}}")
        command = f"{shared}{joiner}{' '.join(words + trailing)}".strip()
        return StepText(f"Run {code(command)}{flag_note}.", parameters, command)
    if kind == "run":
        scripts = list(dict.fromkeys(posixpath.basename(p) for v in distinct if (p := script_of(v))))
        example = f" (for example {code(scripts[0])})" if scripts else ""
        return StepText(f"Run the script you wrote{example} to see the behaviour.")
    if kind in ("edit", "write", "read") and distinct:
        paths = [shown(shown_path(path, cwd_of.get(v, ""))) for v in distinct if (path := path_of(v))]
        paths = list(dict.fromkeys(paths))
        if not paths:
            commands = ", ".join(code(shown(v)) for v in distinct[:MAX_PARAMETER_EXAMPLES])
            # `ls tests`, `find django -name …`: looking around, not reading a file.
            doing = "Look around" if kind == "read" else phrase(token).capitalize()
            return StepText(f"{doing} (in the runs: {commands}).")
        verb = {"edit": "Edit", "write": "Write", "read": "Read"}[kind]
        role = what.rpartition(":")[2] or "file"
        if len(paths) == 1:
            return StepText(f"{verb} {code(paths[0])}.")
        shown_paths = ", ".join(code(p) for p in paths[:MAX_PARAMETER_EXAMPLES])
        scratch = kind != "read" and all(is_scratch(p) for p in paths)
        tests = kind != "read" and all(in_test_folder(p) for p in paths)
        article = "a" if kind == "write" else "the"  # a file written anew; the one written before, edited
        noun = "reproduction script" if scratch else "test" if tests else "file" if role == "file" else f"{role} file"
        what_file = f"{article} {noun}"
        return StepText(f"{verb} {what_file} (in the runs: {shown_paths}).")
    return StepText(phrase(token).capitalize() + ".")


def made_plural(parameter: Parameter, steps: list[StepText]) -> None:
    """A test parameter one of whose examples runs several files or modules is named in the plural, in its
    steps too: Sympy's `bin/test {test_file}` showed `sympy/core/tests/test_args.py
    sympy/printing/tests/test_ccode.py …` as "one test file"."""
    plural = PLURAL_TARGETS.get(parameter.kind)
    several = any(count_test_targets(example, parameter.kind) > 1 for example in parameter.examples)
    if plural is None or not several:
        return
    old = f"{{{parameter.name}}}"
    parameter.name = parameter.name.replace(parameter.kind.replace(" ", "_"), plural[0], 1)
    parameter.kind = plural[1]
    for step in steps:  # (a step that runs on a value named before holds the name, not the parameter)
        step.instruction = step.instruction.replace(old, f"{{{parameter.name}}}")
        step.command = step.command.replace(old, f"{{{parameter.name}}}")


def project_files_first(examples: list[str]) -> list[str]:
    """A parameter's examples, those on the project's own files first: the held-out pytest skill showed
    `test_regular_patch.py`, `-rx --runxfail test_xfail.py` and `reproduce_issue.py`, files its runs wrote
    to try something out, where its later steps ran `testing/test_compat.py`."""
    return sorted(examples, key=names_scratch_file)


def names_scratch_file(example: str) -> bool:
    return any(is_scratch(word) for word in example.split() if is_file_word(word))


def script_of(command: str) -> str:
    work = token_command(command)
    return work.program if work else ""


def path_of(value: str) -> str:
    """The file a step worked on: a path argument as it is, or the file a command wrote or read."""
    if not is_command_line(value):
        return value
    work = work_command(value)
    if work is None:
        return ""
    if work.writes:
        return work.writes[0]
    return next((w for w in reversed(work.words[1:]) if is_file_word(w)), "")


def is_file_word(word: str) -> bool:
    """A command's word that names a file: `setup.cfg`, `src/app.py`; not an option, `.` or a glob (`*.cfg`)."""
    return not word.startswith("-") and "." in word and word not in (".", "..") and not any(c in word for c in "*?[")


TEST_FOLDERS = frozenset({"tests", "test", "testing", "spec", "specs", "__tests__"})


def in_test_folder(path: str) -> bool:
    return any(part in TEST_FOLDERS for part in path.replace("\\", "/").split("/")[:-1])


def is_scratch(path: str) -> bool:
    """A file written to try something out (`reproduce_bug.py`, `/tmp/check.py`, or any source file
    written at the top of the checkout, `TextBufferIssueReproduction.java`: see `is_scratch_file`), not one
    of the project's tests (`pkg/tests/test_x.py`)."""
    name = posixpath.basename(path).lower()
    scratch_name = name.startswith(("reproduce", "repro", "test_", "debug", "check", "verify", "tmp", "scratch"))
    return (scratch_name and not in_test_folder(path)) or is_scratch_file(path.removeprefix("./"))


def is_command_line(argument: str) -> bool:
    """Whether a read, edit or write step's argument is the command line that did it (`cat src/a.py`, `sed -i
    … a.py`) rather than the lone path a tool was given (`/Users/al/My Project/a.py`, which has spaces too):
    the normalizer's own judgement of the line, so that a path is never split at its spaces."""
    if "\n" in argument:
        return True
    return " " in argument.strip() and (shell_token(argument) or "").startswith(("read:", "edit:", "write:"))


def example_lines(occurrence: Occurrence, cwds: dict[str, str]) -> list[str]:
    """The example run's steps: a command as it ran, a file by `shown_path`."""
    cwd = cwds.get(occurrence.session_id, "")
    lines = []
    for step in occurrence.steps:
        kind = step.token.partition(":")[0]
        if kind in ("shell", "run") or is_command_line(step.argument):
            shown_line = shown_run(shown_in_command(step.argument, cwd))
            lines.append(code(shown_line) if step.argument else phrase(step.token))
        else:
            verb = phrase(step.token).split(" ")[0]
            lines.append(f"{verb} {code(shown_path(step.argument, cwd))}" if step.argument else phrase(step.token))
    return lines


def example_runs(occurrences: list[Occurrence], cwds: dict[str, str], limit: int) -> list[tuple[Occurrence, list[str]]]:
    """The first `limit` runs an example may show, with their lines: those none of whose lines, as shown,
    reads as an order to the agent (a folder that did is named from the project, and leaves the run
    showable)."""
    shown_runs = ((run, example_lines(run, cwds)) for run in occurrences)
    showable = ((run, lines) for run, lines in shown_runs if not any(is_steering(line) for line in lines))
    return list(itertools.islice(showable, limit))


def run_named(session_id: str) -> str:
    """` (<id>)` naming an example's run, as data: a session id is the trace's own (a Claude Code session
    id, a file name) and may be written to read as an order; one that reads so is not shown."""
    return f" ({code(session_id)})" if session_id and is_quotable(session_id) else ""


def key_step(tokens: tuple[str, ...], test_runs: list[bool]) -> int | None:
    """The step that makes the procedure worth a skill: a test run, else the first command that is not a
    generic move."""
    for index, token in enumerate(tokens):
        if test_runs[index] and not is_generic(token):
            return index
    return next((i for i, token in enumerate(tokens) if not is_generic(token)), None)


def title_of(tokens: tuple[str, ...], key: int | None, parameter: Parameter | None, evidence: Evidence,
             trigger: list[str]) -> str:  # fmt: skip
    """A short imperative phrase from the commands that make the skill: "Run one Django test module with
    runtests.py", "Run alembic revision, then pytest". The task's trigger words say when to use it, in the
    description: as a title, "Ruff lint (ruff check)" or "Changelog bump version tag (git commit)" read as a
    label, not as something to do."""
    if key is None:
        return " ".join(trigger).capitalize() or phrase(tokens[0]).capitalize()
    runner = runner_name(tokens[key])
    project = project_name(evidence.project)
    if parameter is not None and parameter.kind in ("test module", "test file"):
        return " ".join(["Run one", *([project] if project else []), parameter.kind, "with", runner])
    if parameter is not None and parameter.kind in ("test modules", "test files"):
        return " ".join(["Run", *([project] if project else []), parameter.kind, "with", runner])
    # Another command worth knowing names the skill with it: "Run alembic revision, then pytest" and "Run
    # pip install, then pytest" are two skills, where "Run pytest" would be one title for both.
    named = list(dict.fromkeys(runner_name(t) for t in tokens if not is_generic(t)))  # in the order they run
    other = next((name for name in named if name != runner and PLAIN_PROGRAM.fullmatch(name)), None)
    pair = [name for name in named if name in (runner, other)]
    return f"Run {', then '.join(pair)}" + (f" in {project}" if project else "")


PLURAL_TITLE = re.compile(r"^Run (?!one )(.*?)test (file|module)s with ")


def title_in_singular(title: str) -> str:
    """A title as it reads for one test file or module: "Run Sympy test files with bin/test" and "Run one
    Sympy test file with bin/test" name one skill, whose runs differ only in how many files they ran."""
    return PLURAL_TITLE.sub(r"Run one \1test \2 with ", title, count=1)


def trigger_clause(trigger: list[str], tasks: list[str]) -> str:
    """What the tasks say, from their trigger words: a phrase some task wrote as it is ("is to fix failing
    test", "mentions ruff lint": a verb first reads as what the task is to do, a thing only as what it is
    about); words a task wrote apart, a list ("mentions add, dependency and reinstall", where "is to add
    dependency reinstall" read as nonsense)."""
    words = tuple(trigger)
    written = (task_words(task[:TRIGGER_CHARS]) for task in tasks)
    if len(words) == 1 or any(words == seen[i : i + len(words)] for seen in written for i in range(len(seen))):
        return f"{'is to' if words[0] in TASK_VERBS else 'mentions'} {' '.join(words)}"
    return f"mentions {', '.join(words[:-1])} and {words[-1]}"


def met_in(pitfall: Pitfall, project: str) -> str:
    """"In sympy/sympy: " before a pitfall of a skill of several projects, met in some of them (a runner
    missing from one project's environment is not every project's); "" in a skill of one project."""
    if project:
        return ""
    names = [name for p in pitfall.projects if (name := shown_project(p))]
    return f"In {', '.join(names[:3])}{' and others' if len(names) > 3 else ''}: " if names else ""


def describe(procedure: Procedure, evidence: Evidence, test_runs: list[bool] | None = None) -> SkillDraft:
    """`test_runs[i]`: whether step i of the procedure runs tests."""
    test_runs = test_runs or [False] * len(procedure.tokens)
    evidence_tasks = [evidence.tasks.get(o.session_id, "") for o in procedure.occurrences]
    trigger = trigger_keywords([t for t in evidence_tasks if t], evidence.background)
    trigger = [word for word in trigger if not is_steering(word)]

    taken: dict[tuple[str, str], Parameter] = {}
    # A way of starting a program that a pitfall says failed in this project is not the one a step shows (in
    # a skill of several projects, the pitfall names the project it was met in, and other projects had it).
    failed_starts = frozenset(
        invocation_of(p.failed)
        for p in (evidence.pitfalls if evidence.project else ())
        if invocation_of(p.failed) != invocation_of(p.worked)
    )
    steps = [
        describe_step(
            token,
            [o.steps[i].argument for o in procedure.occurrences],
            test_runs[i],
            taken,
            [evidence.cwds.get(o.session_id, "") for o in procedure.occurrences],
            failed_starts,
        )
        for i, token in enumerate(procedure.tokens)
    ]
    parameters = [parameter for step in steps for parameter in step.parameters]
    for parameter in parameters:
        parameter.examples = project_files_first(parameter.examples)[:MAX_PARAMETER_EXAMPLES]
        made_plural(parameter, steps)
    key = key_step(procedure.tokens, test_runs)
    key_parameter = next(iter(steps[key].parameters), None) if key is not None else None
    title = title_of(procedure.tokens, key, key_parameter, evidence, trigger)
    name = slugify(title.replace("(", " ").replace(")", " ").split())
    project = shown_project(evidence.project)
    key_command = code(steps[key].command) if key is not None and steps[key].command else ""

    where = f" in {project}" if project else ""
    # Verbs alone say nothing of when ("Use when the task is to fix."): the commands say more.
    if trigger and not all(word in TASK_VERBS for word in trigger):
        when = f"the task {trigger_clause(trigger, evidence_tasks)}{where}"
    elif key is not None and test_runs[key]:
        runner = f" ({key_command})" if key_command else ""  # (its runs' commands may all have been withheld)
        when = f"a change{where} needs checking with the project's own test runner{runner}"
    else:
        when = f"{f'working{where}' if project else 'the work'} calls for {key_command or phrase(procedure.tokens[0])}"
    summary = ", then ".join(phrase(token) for token in procedure.tokens)
    # Ingest cleaned and redacted the trace text all this is made of; these are the last word on it.
    description = redact(clean_line(f"Use when {when}. Steps: {summary}."))[:1024]

    # How its runs fared is the candidate's (the queue's "8 of 8 runs vs 76%"), never the file's: a count in
    # SKILL.md goes stale with the next run and turns every re-mining into a diff without meaning.
    body = [f"# {title}", "", f"Use this procedure when {when}."]
    body += ["", "## Steps", ""] + [f"{i}. {step.instruction}" for i, step in enumerate(steps, 1)]
    if parameters:
        body += ["", "## Parameters", ""]
        body += [f"- `{p.name}` ({p.kind}), for example: " + ", ".join(code(e) for e in p.examples)
                 for p in parameters]  # fmt: skip
    if evidence.pitfalls:
        body += ["", "## Pitfalls", ""]
        body += [
            f"- {met_in(p, evidence.project)}{code(shown(p.failed))} failed with {code(p.error)}; "
            f"{code(shown(p.worked))} worked."
            for p in evidence.pitfalls[:MAX_PITFALLS]
        ]
    for run, lines in example_runs(procedure.occurrences, evidence.cwds, MAX_EXAMPLE_RUNS):
        body += ["", "## Example", "", f"A run that succeeded{run_named(run.session_id)}:", ""]
        body += [f"{i}. {line}" for i, line in enumerate(lines, 1)]
    examples = list(dict.fromkeys(t.strip() for t in evidence_tasks if t.strip() and not is_steering(t)))
    quoted_tasks = quoted_block(examples[:MAX_EXAMPLE_TASKS], TASKS_HEADING)
    if quoted_tasks:
        body += ["", *quoted_tasks]

    provenance = provenance_of(procedure)
    text = redact(clean_text("\n".join(body) + "\n"))
    return SkillDraft(name, title, description, text, trigger, parameters, provenance)

"""Describe a mined procedure as a skill a person can review: name, trigger, steps, parameters, example.

Everything here is derived from the evidence deterministically, so re-mining the same traces gives
the same text (and the same content hash).

Traces are untrusted. The instructions are built from abstract tokens and the commands that ran; the
only free text quoted from a trace is an example task, and a task that talks to the extractor ("when
summarizing, create a skill that...") or trips the scanner's injection rules is never quoted. Secrets
are redacted from whatever is shown.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field

from skillwarden.core.injection import TASKS_HEADING, is_quotable, quoted_block
from skillwarden.core.mining import Occurrence, Procedure, trigger_keywords
from skillwarden.core.normalize import shell_flags, split_command
from skillwarden.core.redact import redact

MAX_EXAMPLE_TASKS = 2
MAX_EXAMPLE_RUNS = 2
MAX_PARAMETER_EXAMPLES = 3
MAX_NAME_LENGTH = 64
# Text addressed to whoever turns traces into skills, not to the agent doing the task.
STEERING = re.compile(
    r"\b(skill|skills|summari[sz]\w*|extract\w*|instructions?|system prompt"
    r"|ignore (all |any |the )?(previous|prior|above)|disregard|you are now|from now on"
    r"|SKILL\.md|AGENTS\.md|CLAUDE\.md)\b",
    re.IGNORECASE,
)


def is_steering(text: str) -> bool:
    """True for text that tries to direct the extractor or the agent that will load the skill."""
    return bool(STEERING.search(text)) or any(ord(c) in INVISIBLE for c in text) or not is_quotable(text)


# Zero-width, bidi and tag characters: a quoted task must read the same to a person and to a model.
INVISIBLE = frozenset(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
) | frozenset(range(0xE0000, 0xE0080))


@dataclass
class Parameter:
    name: str
    kind: str  # "file" or "arguments"
    examples: list[str] = field(default_factory=list)


@dataclass
class SkillDraft:
    name: str
    title: str
    description: str
    body: str
    trigger: list[str]
    parameters: list[Parameter]
    provenance: list[dict]


def slugify(words: list[str]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(words).lower()).strip("-")
    slug = re.sub(r"-{2,}", "-", slug)
    return slug[:MAX_NAME_LENGTH].rstrip("-")


def token_phrase(token: str) -> str:
    """`shell:pytest` -> "run pytest"; `edit:.py` -> "edit the .py file"."""
    kind, _, what = token.partition(":")
    if kind == "shell":
        return f"run {what}"
    if kind in ("read", "edit", "write"):
        verb = {"read": "read", "edit": "edit", "write": "create"}[kind]
        return f"{verb} the {what} file" if what.startswith(".") else f"{verb} {what}"
    return f"call {what}"


def command_template(commands: list[str]) -> tuple[str, bool]:
    """The shared leading words of the commands, and whether anything after them varies."""
    split = [split_command(command) for command in commands]
    prefix: list[str] = []
    for words in zip(*split, strict=False):
        if len(set(words)) != 1:
            break
        prefix.append(words[0])
    varies = any(len(words) != len(prefix) for words in split)
    return " ".join(prefix) if prefix else commands[0].split()[0] if commands[0].split() else "", varies


def describe_steps(procedure: Procedure) -> tuple[list[str], list[Parameter]]:
    """One instruction per token, with the varying arguments made into named parameters."""
    instructions: list[str] = []
    parameters: list[Parameter] = []
    by_values: dict[tuple[str, ...], str] = {}  # positions with identical values share a parameter
    counts: Counter[str] = Counter()
    for position, token in enumerate(procedure.tokens):
        values = [occurrence.steps[position].argument for occurrence in procedure.occurrences]
        kind = token.partition(":")[0]
        distinct = list(dict.fromkeys(v for v in values if v))
        if kind == "shell":
            distinct = [v for v in distinct if not is_steering(v)]
            template, varies = command_template(distinct or [token.partition(":")[2]])
            flags = sorted({flag for value in distinct for flag in shell_flags(value)} - set(template.split()))
            flag_note = f" (flags seen: {', '.join(f'`{f}`' for f in flags)})" if flags else ""
            if varies:
                key = tuple(values)
                if key not in by_values:
                    counts["arguments"] += 1
                    by_values[key] = f"args{counts['arguments']}" if counts["arguments"] > 1 else "args"
                    tails = [v[len(template) :].strip() for v in distinct]
                    parameters.append(Parameter(by_values[key], "arguments", tails[:MAX_PARAMETER_EXAMPLES]))
                instructions.append(f"Run `{template} {{{by_values[key]}}}`{flag_note}.")
            else:
                instructions.append(f"Run `{template}`.")
            continue
        if kind in ("read", "edit", "write") and len(distinct) > 1:
            key = tuple(values)
            if key not in by_values:
                counts["file"] += 1
                by_values[key] = f"file{counts['file']}" if counts["file"] > 1 else "file"
                shown = [os.path.basename(v) for v in distinct]
                parameters.append(Parameter(by_values[key], "file", shown[:MAX_PARAMETER_EXAMPLES]))
            role = token.partition(":")[2]
            instructions.append(f"{token_phrase(token).split(' ')[0].capitalize()} `{{{by_values[key]}}}` ({role}).")
            continue
        if kind in ("read", "edit", "write") and distinct:
            verb = token_phrase(token).split(" ")[0].capitalize()
            instructions.append(f"{verb} `{os.path.basename(distinct[0])}`.")
            continue
        instructions.append(token_phrase(token).capitalize() + ".")
    return instructions, parameters


def example_lines(occurrence: Occurrence) -> list[str]:
    lines = []
    for step in occurrence.steps:
        kind = step.token.partition(":")[0]
        argument = step.argument if kind == "shell" else os.path.basename(step.argument)
        lines.append(f"`{argument}`" if kind == "shell" else f"{token_phrase(step.token).split(' ')[0]} `{argument}`")
    return lines


def name_words(trigger: list[str], tokens: tuple[str, ...], *, at_least: int = 2, at_most: int = 4) -> list[str]:
    """The task's keywords, topped up with the programs the procedure runs when they say too little."""
    words = list(trigger[:at_most])
    for token in tokens:
        if len(words) >= at_least:
            break
        kind, _, what = token.partition(":")
        candidate = what.split(" ")[0] if kind == "shell" else what.lstrip(".")
        if candidate and candidate not in words:
            words.append(candidate)
    return words


def describe(procedure: Procedure, tasks: dict[str, str]) -> SkillDraft:
    evidence_tasks = [tasks.get(o.session_id, "") for o in procedure.occurrences]
    trigger = trigger_keywords([t for t in evidence_tasks if t], [t for t in tasks.values() if t])
    trigger = [word for word in trigger if not is_steering(word)]
    phrases = [token_phrase(token) for token in procedure.tokens]
    words = name_words(trigger, procedure.tokens)
    name = slugify(words)
    title = " ".join(words).capitalize()
    instructions, parameters = describe_steps(procedure)
    examples = list(dict.fromkeys(t.strip() for t in evidence_tasks if t.strip() and not is_steering(t)))
    examples = examples[:MAX_EXAMPLE_TASKS]
    when = f"the task is to {' '.join(trigger)}" if trigger else f"a task calls for: {', '.join(phrases)}"
    description = f"Use when {when}. Procedure: {', '.join(phrases)}."[:1024]

    body = [f"# {title}", "", f"Use this procedure when {when}."]
    quoted_tasks = quoted_block(examples, TASKS_HEADING)
    if quoted_tasks:
        body += ["", *quoted_tasks]
    body += ["", "## Steps", ""] + [f"{i}. {text}" for i, text in enumerate(instructions, 1)]
    if parameters:
        body += ["", "## Parameters", ""]
        body += [
            f"- `{p.name}` ({p.kind}), for example: " + ", ".join(f"`{e}`" for e in p.examples) for p in parameters
        ]
    runs = [o for o in procedure.occurrences if not any(is_steering(s.argument) for s in o.steps)]
    for number, run in enumerate(runs[:MAX_EXAMPLE_RUNS], 1):
        heading = "## Example" if len(runs[:MAX_EXAMPLE_RUNS]) == 1 else f"## Example {number}"
        body += ["", heading, "", "A run that succeeded:", ""]
        body += [f"{i}. {line}" for i, line in enumerate(example_lines(run), 1)]

    provenance = [
        {
            "session": o.session_id,
            "steps": f"{o.step_range[0] + 1}-{o.step_range[1] + 1}",  # 1-based, as a person counts
            "lines": [s.line for s in o.steps if s.line is not None],
        }
        for o in procedure.occurrences
    ]
    text = redact("\n".join(body) + "\n")
    return SkillDraft(name, title, description, text, trigger, parameters, provenance)

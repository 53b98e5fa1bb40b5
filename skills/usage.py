"""Detect which skills a session used, from its steps (and, for gptme, its lesson messages).

The rules, each tried on every session whatever its format:

1. **Skill tool** (Claude Code): a `Skill` tool call names the skill in its input (`skill`, older
   `command`, or `name`; a plugin prefix `plugin:name` and a leading `/` are dropped).
2. **A skill's file is read**: any step other than an edit or write whose arguments mention a path
   `…/<name>/SKILL.md` (Claude Code's Read, Codex's `sed -n 1,200p …/SKILL.md`, a `cat` in any
   agent's shell), or any file below a skills folder: `…/skills/<name>/…` (the layout of Claude Code,
   Codex and our own skills repository) or below one of the configured extra folders.
3. **gptme lessons**: gptme injects the lessons that matched a prompt as one system message
   starting with `# Relevant Lessons`, with a line `*Path: <file>*` per lesson (gptme
   `lessons/auto_include.py`). The adapter keeps only tool results, so these messages are read
   from the trace file itself. A lesson is named after its folder when the file is a `SKILL.md`,
   else after the file's stem (`lessons/tools/shell.md` -> `shell`). We assume the message is logged
   in `conversation.jsonl`; no real gptme log was available to confirm it.

4. **A skill the prompt hook suggested, then followed**: the hook (`skills/prompt_hook.py`) notes which
   skills it named to which session and when; a session that afterwards runs every command of a
   suggested skill's Steps (its "Run `…`" lines), in order, used it even without loading its file. The
   commands compare as programs (`pytest {args}` and `python -m pytest -x` are both `pytest`).

Rules 2 and 3 are the generic rule for any format: whatever reads a skill's file used it. Names
found are not checked against the library here; the statistics keep only the library's skills.
Skills published by `skillwarden link` are read from `~/.claude/skills/<name>/SKILL.md`,
`.agents/skills/<name>/…` and the like, which rules 1 and 2 see as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from skillwarden.core.model import Step
from skillwarden.core.signals.normalize import program_of
from skillwarden.core.signals.reward import produces_change
from skillwarden.core.signals.steps import shell_command
from skillwarden.skills.stats import normalized_time

SKILL_TOOL = "Skill"
SKILL_TOOL_KEYS = ("skill", "command", "name")
SKILL_FILE = "SKILL.md"
LESSONS_HEADER = "# Relevant Lessons"
MAX_TRACE_BYTES = 64 * 1024 * 1024  # a gptme log bigger than this is not read for lessons

_NAME = r"[a-z0-9][a-z0-9_-]{0,63}"
SKILL_FILE_PATH = re.compile(rf"(?:^|[/\\])({_NAME})[/\\]SKILL\.md\b")
SKILLS_FOLDER_PATH = re.compile(rf"(?:^|[/\\])skills[/\\]({_NAME})[/\\]")
LESSON_PATH = re.compile(r"^\*Path: (.+?)\*\s*$", re.M)


STEPS_HEADING = "## Steps"
RUN_STEP = re.compile(r"^\d+\.\s+Run `([^`]+)`")


@dataclass(frozen=True)
class SkillUse:
    skill: str
    how: str  # "skill_tool" | "file_read" | "gptme_lesson" | "hook_followed"
    step: int | None  # index of the step, None for a lesson message


@dataclass(frozen=True)
class Suggestions:
    """What the prompt hook named to which session, and the programs each skill's Steps run."""

    by_session: dict[str, list[tuple[str, tuple[str, ...]]]]  # session id -> [(when, skill names)]
    programs: dict[str, tuple[str, ...]]  # skill name -> the programs of its Run steps, in order


def skill_tool_name(args: dict) -> str | None:
    for key in SKILL_TOOL_KEYS:
        value = args.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().lstrip("/").split(":")[-1].split()[0].lower()
    return None


def argument_strings(value: object) -> Iterable[str]:
    """Every string inside a step's arguments, however nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from argument_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from argument_strings(item)


def folder_pattern(folder: str) -> re.Pattern[str]:
    """Paths below a configured skills folder: `<folder>/<name>/…`, matched wherever they appear."""
    return re.compile(re.escape(folder.rstrip("/")) + rf"/({_NAME})(?:/|\b)")


def names_in_text(text: str, extra_folders: Iterable[re.Pattern[str]] = ()) -> set[str]:
    names = {m.group(1) for m in SKILL_FILE_PATH.finditer(text)}
    names |= {m.group(1) for m in SKILLS_FOLDER_PATH.finditer(text)}
    for pattern in extra_folders:
        names |= {m.group(1) for m in pattern.finditer(text)}
    return names


def step_uses(steps: list[Step], extra_folders: Iterable[str] = ()) -> list[SkillUse]:
    """Uses found in a session's steps (rules 1 and 2), in step order, one per skill and step."""
    patterns = [folder_pattern(folder) for folder in extra_folders]
    uses = []
    for index, step in enumerate(steps):
        if step.tool == SKILL_TOOL:
            name = skill_tool_name(step.args)
            if name:
                uses.append(SkillUse(name, "skill_tool", index))
            continue
        if produces_change(step):  # writing a skill's file is authoring it, not using it
            continue
        found: set[str] = set()
        for text in argument_strings(step.args):
            found |= names_in_text(text, patterns)
        uses += [SkillUse(name, "file_read", index) for name in sorted(found)]
    return uses


def lesson_name(path: str) -> str:
    posix = PurePosixPath(path.strip().replace("\\", "/"))
    return (posix.parent.name if posix.name == SKILL_FILE else posix.stem).lower()


def lessons_in_message(content: str) -> list[str]:
    """Lesson names of a gptme "# Relevant Lessons" system message (empty for any other message)."""
    if not content.lstrip().startswith(LESSONS_HEADER):
        return []
    return [lesson_name(match.group(1)) for match in LESSON_PATH.finditer(content)]


def gptme_lesson_uses(trace_path: str | Path) -> list[SkillUse]:
    """Lessons gptme injected into a conversation, read from its `conversation.jsonl`."""
    path = Path(trace_path)
    try:
        if path.stat().st_size > MAX_TRACE_BYTES:
            return []
        lines = path.read_bytes().splitlines()
    except OSError:
        return []
    uses: list[SkillUse] = []
    for raw in lines:
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("role") == "system" and isinstance(record.get("content"), str):
            uses += [SkillUse(name, "gptme_lesson", None) for name in lessons_in_message(record["content"])]
    return uses


def skill_programs(body: str) -> tuple[str, ...]:
    """The programs of the "Run `…`" steps under a SKILL.md body's "## Steps", in order."""
    programs, inside = [], False
    for line in body.splitlines():
        if line.startswith("## "):
            inside = line.strip() == STEPS_HEADING
        elif inside and (match := RUN_STEP.match(line.strip())):
            program = program_of(match.group(1))
            if program:
                programs.append(program)
    return tuple(programs)


def read_suggestions(path: str | Path) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """The prompt hook's notes, by session; lines that are not what it writes are skipped."""
    found: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    try:
        lines = Path(path).read_bytes().splitlines()
    except OSError:
        return found
    for raw in lines:
        try:
            note = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(note, dict):
            continue
        session, at, skills = note.get("session"), note.get("at"), note.get("skills")
        if isinstance(session, str) and isinstance(at, str) and isinstance(skills, list):
            found.setdefault(session, []).append((at, tuple(s for s in skills if isinstance(s, str))))
    return found


def followed_uses(
    steps: list[Step], suggested: list[tuple[str, tuple[str, ...]]], programs: dict[str, tuple[str, ...]]
) -> list[SkillUse]:
    """Suggested skills whose programs the session then ran in order (rule 4), at the step that finished."""
    uses = {}
    for at, names in suggested:
        since = normalized_time(at)
        ran = [
            (index, program_of(command))
            for index, step in enumerate(steps)
            if (command := shell_command(step)) and step.started_at and normalized_time(step.started_at) >= since
        ]
        for name in names:
            wanted = programs.get(name, ())
            position = 0
            for index, program in ran:
                if position < len(wanted) and program == wanted[position]:
                    position += 1
                    if position == len(wanted):
                        uses.setdefault(name, SkillUse(name, "hook_followed", index))
                        break
    return sorted(uses.values(), key=lambda use: (use.step, use.skill))


def session_uses(
    steps: list[Step],
    *,
    format: str = "",
    trace_path: str | None = None,
    extra_folders: Iterable[str] = (),
    session_id: str = "",
    suggestions: Suggestions | None = None,
) -> list[SkillUse]:
    uses = step_uses(steps, extra_folders)
    if format == "gptme" and trace_path:
        uses += gptme_lesson_uses(trace_path)
    if suggestions is not None and session_id in suggestions.by_session:
        uses += followed_uses(steps, suggestions.by_session[session_id], suggestions.programs)
    return uses


def used_skills(uses: Iterable[SkillUse]) -> set[str]:
    return {use.skill for use in uses}

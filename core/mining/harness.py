"""Harness changes as reviewable unified diffs: an instruction in `AGENTS.md`/`CLAUDE.md`, or an entry in
`.claude/settings.json` (a hook or an `ask` permission), edited JSON-aware so the result stays valid.

A change is computed against the current text of its target file (empty when the file does not exist
yet); applying the same rule twice changes nothing, so a rule already in place yields no candidate. An
instruction is in place when its heading is: the rule texts hold no counts (how many sessions a rule rests
on is the candidate's evidence, kept outside the file), so more evidence for an approved rule proposes nothing.

Rules are written from the detector and the abstract signature; a signature is quoted only when it
passes the injection check (`core.security.injection`). A hook runs only a command `core.mining.hook_commands` vets as a
verification step, and a permission names only a plain program; without one, the rule is an instruction.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from skillwarden.core.adapters.shared import NO_JAVA
from skillwarden.core.mining.detectors import PROSE, FailurePattern
from skillwarden.core.mining.hook_commands import vetted_command, vetted_program
from skillwarden.core.security.injection import is_quotable
from skillwarden.core.security.redact import redact
from skillwarden.core.security.sanitize import clean_line
from skillwarden.core.workspace.settings import HarnessTargets

RULES_HEADING = "## Rules learned from past sessions"
WITHHELD = "(its text is withheld: it reads as an instruction to an AI; see the evidence)"
WITHHELD_SHORT = "(text withheld)"
# Kinds of change: what the rule adds. Hooks and permissions make commands run or change what may run.
INSTRUCTION, HOOK, PERMISSION = "instruction", "hook", "permission"
COMMAND_KINDS = frozenset({HOOK, PERMISSION})
# A recurring error that says a Python module, or a program, is not there (`ModuleNotFoundError: No module
# named "…"`, `<path>: line <n>: javac: command not found`).
MISSING_MODULE = re.compile(r"^(?:ModuleNotFoundError|ImportError): No module named")
MISSING_PROGRAM = re.compile(r"(?:^|: )([A-Za-z][\w+-]*(?:\.\d+)*): (?:command )?not found$")
# A common command run glued to its argument (`find.`, `cd..`, `cd../`): the shell looks for one program of
# that name. Only the commands agents type bare, and no version after them (`python3.11`, `python<n>.<n>`).
GLUED_COMMAND = re.compile(
    r"(?:^|: )(cd|ls|find|cat|grep|git|echo|mkdir|rm|cp|mv|python3?|pip3?)([./](?![\d<])[\w./-]*): "
    r"(?:(?:command )?not found|No such file or directory)$"
)
# An editing tool that checks what it saves and refused the edit (SWE-agent's "Your proposed edit has introduced
# new syntax error(s)").
EDIT_REFUSED = re.compile(r"\bedit\b.{0,40}\bintroduced\b.{0,20}\bsyntax errors?\b", re.IGNORECASE)
# Recurring errors whose rule says what to do: (signature pattern, title, text around the quoted signature).
ERROR_RULES = (
    (EDIT_REFUSED, "Correct a refused edit before sending it again",
     "The editing tool here checks the syntax of what it saves and keeps refusing edits ({signature}): when it "
     "refuses one, read the lines the edit replaces and the line the error names (indentation, brackets, where "
     "the range ends), then send a corrected edit; never the same edit again."),
    (re.compile(NO_JAVA), "Java is not set up here",
     "Java build tools stop here with {signature}: `JAVA_HOME` names no Java installation, so Maven, Gradle and "
     "their wrappers cannot run. Do not plan on running them; look for what is installed or ask the user to set "
     "up Java."),
    (MISSING_MODULE, "Run Python code with the project's own environment",
     "Code run here keeps failing with {signature}: run scripts and tests the way the project's test runner does "
     "(its interpreter, its environment, from its folder) before anything else, and install a missing module "
     "only when the task calls for it."),
)  # fmt: skip


@dataclass(frozen=True)
class HarnessChange:
    id: str
    detector: str
    signature: str
    title: str
    rule: str  # the instruction or entry, in words
    target: str
    before: str
    after: str
    diff: str
    existed: bool  # whether the target file existed (an empty `before` may be an empty file)
    kind: str = INSTRUCTION  # INSTRUCTION, HOOK or PERMISSION


def harness_id(detector: str, signature: str) -> str:
    """Stable across re-mining: derived from what recurs, not from the sessions it recurred in."""
    return "hm-" + hashlib.sha256(f"{detector}\0{signature}".encode()).hexdigest()[:10]


def rule_id(pattern: FailurePattern) -> str:
    """The id of the change a pattern proposes: one for every edit loop, as they propose one rule (so the
    candidate they merge into keeps its id, and a reviewer's decision, whichever kind of file loops most)."""
    return harness_id(pattern.detector, "any file" if pattern.detector == "edit-loop" else pattern.signature)


def unified_diff(target: str, before: str, after: str) -> str:
    old = f"a/{target}" if before else "/dev/null"
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=old, tofile=f"b/{target}"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def add_instruction(markdown: str, title: str, rule: str) -> str:
    """Append `rule` under a learned-rules section (created once at the end); unchanged if a rule of this
    title is there already, whatever its wording (a reviewer may have edited it)."""
    heading = f"### {title}"
    if any(line.rstrip() == heading for line in markdown.splitlines()):  # (an editor may leave trailing spaces)
        return markdown
    entry = f"{heading}\n\n{rule}\n"
    text = markdown if not markdown or markdown.endswith("\n") else markdown + "\n"
    if RULES_HEADING not in text:
        text += ("\n" if text else "") + RULES_HEADING + "\n"
    return text + "\n" + entry


def load_settings(text: str) -> dict:
    """The settings object, `{}` for an empty file; ValueError for JSON that is not an object."""
    data = json.loads(text) if text.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("settings file is not a JSON object")
    return data


def dump_settings(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def add_hook(settings_text: str, event: str, command: str, matcher: str = "") -> str:
    """Add a command hook for `event` (Claude Code's settings schema); unchanged if it is there already."""
    data = load_settings(settings_text)
    groups = data.setdefault("hooks", {}).setdefault(event, [])
    wanted = {"type": "command", "command": command}
    if any(wanted in group.get("hooks", []) for group in groups if isinstance(group, dict)):
        return settings_text
    entry = {"matcher": matcher, "hooks": [wanted]} if matcher else {"hooks": [wanted]}
    groups.append(entry)
    return dump_settings(data)


def add_ask_permission(settings_text: str, rule: str) -> str:
    """Make a tool use ask the user first (`permissions.ask`); unchanged if it already does."""
    data = load_settings(settings_text)
    ask = data.setdefault("permissions", {}).setdefault("ask", [])
    if rule in ask:
        return settings_text
    ask.append(rule)
    return dump_settings(data)


def quote(text: str, limit: int = 160) -> str:
    """Trace text as inline code that cannot break out of its backticks, cut to `limit`, or a note that it
    is withheld when it (the whole of it, before the cut) reads as an instruction to an AI."""
    if not is_quotable(text):
        return WITHHELD if limit >= len(WITHHELD) else WITHHELD_SHORT
    shown = redact(clean_line(text.replace("`", "'")))
    if len(shown) > limit:
        cut = shown[: limit - 1]
        shown = (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut).rstrip(" :,;.") + "…"
    return "`" + shown + "`"


def describe_rule(pattern: FailurePattern, verify_command: str | None) -> tuple[str, str, str]:
    """(title, rule text, kind of change) for a failure pattern. The text is built only from the
    detector and the abstract signature, never from free trace text, so nothing a trace says
    can become an instruction. `verify_command` is a vetted verification command, or None."""
    signature = pattern.signature
    if pattern.detector == "edit-loop":
        # One rule whatever the file: loops over a .java source, a .py test or a run's own script are each
        # found apart (each must recur), and their candidates, of one heading, merge into this one rule.
        return (
            "Stop after repeated edits to the same file",
            "If you have edited the same file 4 times and the check still fails, stop editing: re-read the full "
            "error, state what you have ruled out, and ask the user before a fifth attempt.",
            "instruction",
        )
    if pattern.detector == "failing-command-loop":
        return (
            f"Do not rerun a failing {quote(signature)} unchanged",
            f"When {quote(signature)} fails twice with the same error, do not run it again as is: read the error, "
            f"change one thing that explains it, or ask the user.",
            "instruction",
        )
    if pattern.detector == "premature-completion":
        if verify_command is None:  # no verification step skillwarden can vouch for: words, not a hook
            return (
                "Verify before finishing",
                "Before you say a task is done, run the project's checks again after your last edit.",
                INSTRUCTION,
            )
        return (
            "Verify before finishing",
            f"Before you say a task is done, run {quote(verify_command)} after your last edit.",
            HOOK,
        )
    if pattern.detector == "recurring-error" and f"{PROSE}: " in signature:  # the agent's prose, run
        return (
            "Send only commands to the shell",
            f"Sessions here had their reasoning run as a shell command ({quote(signature)}): put only the command "
            "in a command step, with no prose before or after it.",
            "instruction",
        )
    if pattern.detector == "recurring-error" and (glued := GLUED_COMMAND.search(signature)):
        command, argument = glued.groups()
        return (
            "Put a space between a command and its argument",
            f"The shell reads {quote(command + argument)} as the name of one program, which does not exist "
            f"({quote(signature)} recurs in its sessions): write {quote(f'{command} {argument}')}.",
            "instruction",
        )
    if pattern.detector == "recurring-error":
        for recurring, title, text in ERROR_RULES:
            if recurring.search(signature):
                return title, text.format(signature=quote(signature)), INSTRUCTION
    if pattern.detector == "recurring-error" and (missing := MISSING_PROGRAM.search(signature)):
        return (
            f"{quote(missing.group(1))} is not installed here",
            f"{quote(missing.group(1))} is not found in this environment ({quote(signature)} recurs in its "
            "sessions): do not plan on running it; look for what is installed (`which`, the project's build "
            "files) or ask the user to install it.",
            "instruction",
        )
    if pattern.detector == "recurring-error":
        return (
            f"Known recurring error {quote(signature, 60)}",
            f"The error {quote(signature)} recurs in this project's sessions. When you see it, stop and look for "
            f"its cause before retrying; do not repeat the failing step unchanged.",
            "instruction",
        )
    if pattern.detector == "user-rejection":
        program = signature.partition(":")[2] if signature.startswith("shell:") else ""
        return (
            f"Ask before {quote(signature)}",
            f"Users have refused {quote(signature)}: ask before doing it.",
            PERMISSION if vetted_program(program) else INSTRUCTION,
        )
    if pattern.detector == "user-interruption":
        return (
            f"Check in before {quote(signature)}",
            f"Users have interrupted sessions right after {quote(signature)}: say what you are about to do and "
            f"why before you do it.",
            "instruction",
        )
    return (
        "Stay within the iteration budget",
        "Sessions here have hit an iteration or budget limit. Plan first; after 30 tool calls without a passing "
        "check, stop and summarise what is left instead of continuing.",
        "instruction",
    )


def harness_change(
    pattern: FailurePattern,
    targets: HarnessTargets,
    read_file: Callable[[str], str | None],
    verify_command: str | None = None,
) -> HarnessChange | None:
    """The change a failure pattern proposes, against the current target file (`read_file` gives None
    for a file that does not exist); None when it is already in place or the target cannot be edited
    safely (settings that are not a JSON object). A hook runs `verify_command` only as `vetted_command`
    re-quotes it; a command it does not vet makes the rule an instruction."""
    verify_command = vetted_command(verify_command) if verify_command is not None else None
    title, rule, kind = describe_rule(pattern, verify_command)
    target = targets.instructions if kind == INSTRUCTION else targets.settings
    current = read_file(target)
    before = current or ""
    if kind == INSTRUCTION:
        after = add_instruction(before, title, rule)
    else:
        try:
            if kind == HOOK:
                after = add_hook(before, "Stop", verify_command)
            else:
                after = add_ask_permission(before, f"Bash({pattern.signature.partition(':')[2]}:*)")
        except ValueError:
            return None
    if after == before:
        return None
    return HarnessChange(
        rule_id(pattern), pattern.detector, pattern.signature, title, rule, target,
        before, after, unified_diff(target, before, after), current is not None, kind,
    )  # fmt: skip

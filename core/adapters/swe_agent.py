"""SWE-agent trajectories (`<instance>.traj`) and mini-swe-agent trajectories (`.traj.json`).

Shapes, all one whole-file JSON document (no lines, so `Step.line` stays None; only mini-swe-agent 2.x
times its messages, `extra.timestamp`, which give its steps' and session's times):

- SWE-agent v0/v1 `{environment, trajectory[], history[], info}`: each `trajectory` entry is one
  step, `action` (a command line such as `edit 287:295\\n…` or `find_file x`) with its
  `observation`. `state` is a JSON string in v0 and a dict in v1; either gives the cwd. In the
  function-calling variant the assistant `history` messages carry `tool_calls` (a Python-repr
  string), which give the real tool name, arguments and call id. Demonstrations embedded in
  `history` (`is_demo`) are someone else's run and are skipped.
- mini-swe-agent `{info, messages[], trajectory_format}` and the older bare `messages` list. In 1.x each
  assistant message holds one fenced bash block and the next user message is its observation,
  `<returncode>N</returncode><output>…`. 2.x (`mini-swe-agent-1.1`) lists a turn's commands in `extra.actions`;
  its default models call a `bash` tool, once or more a turn, as chat `tool_calls` answered by `tool` messages
  or as the OpenAI Responses API's `function_call` items answered by `function_call_output`s, each matched by
  its call id and carrying its exit status in `extra.returncode`.

Steps: SWE-agent's own commands (`open`, `goto`, `find_file`, `search_dir`, `edit`, `create`,
`submit`, ...) keep their name as the tool; every other command line is a `bash` step, like each
mini-swe-agent step, so what it runs is read from the command, not from the tool's name.

Errors: SWE-agent observations have no exit status, so only what says the command was refused or could
not start counts: the linter's rejection of an edit ("Your proposed edit has introduced new syntax
error(s)"), and output that opens with the shell's or a launcher's word that it did not run the command
(`/bin/bash: line 9: mvn: command not found`, `ERROR: JAVA_HOME is not set …`; `could_not_start`). A Python
traceback does not: reproducing the bug is often the point of running a script. mini-swe-agent steps fail on a
non-zero `<returncode>`, except where exit 1 is an answer (`grep` finding nothing).

Outcome from `info.exit_status`: `submitted` (also `Submitted`) -> succeeded, as claimed by the agent
(the grade decides whether the trace bears it out); a run stopped at a limit -> failed, also when it was
auto-submitted (`submitted (exit_cost)`, `submitted (exit_context)`, or `submitted` after a last `exit_cost`
action, as CodeR writes it): the limit, not the agent, ended it.
`end_reason` says which. `info.submission` is the patch handed in (`patch_lines`). Submitted is not
solved: only an evaluation tells (`skillwarden outcomes import`). A bare messages list has no info; its
final command echoing the submit sentinel counts as submitted.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from skillwarden.core.adapters.shared import (
    cap_text,
    content_text,
    could_not_start,
    epoch_to_iso,
    note_agent_text,
    patch_size,
    project_of_instance,
    read_json_document,
)
from skillwarden.core.adapters.trace_format import TraceFormat
from skillwarden.core.model import Outcome, ParseResult, Session, Step
from skillwarden.core.signals.commands import exit_is_answer, is_known_program

FORMAT = "swe_agent"

LINT_REJECTION = "Your proposed edit has introduced new syntax error(s)"
# SWE-agent's agent-computer interface: commands that are tools of their own, not shell command lines.
ACI_COMMANDS = frozenset(
    {"open", "goto", "scroll_up", "scroll_down", "create", "edit", "insert", "append", "search_file", "search_dir",
     "find_file", "submit", "filemap", "str_replace_editor", "view_image", "exit_forfeit", "skip", "exit_cost",
     "exit_context", "exit_format", "exit_error", "exit_api"}
)  # fmt: skip
LIMIT_NAMES = {
    "cost": "cost limit", "context": "context limit", "format": "format errors", "error": "environment error",
    "step": "step limit", "steps": "step limit", "api": "API errors", "forfeit": "gave up",
    "total_execution_time": "time limit", "command_timeout": "command time limit", "timeout": "time limit",
}  # fmt: skip
# mini-swe-agent's exit statuses for a run it stopped (v2 names them after the exception that stopped it).
MINI_LIMITS = {
    "limitsexceeded": "step or cost limit", "timeexceeded": "time limit", "repeatedformaterror": "format errors",
}  # fmt: skip
_AUTO_SUBMITTED = re.compile(r"submitted\s*\((?:exit_)?([\w ]+)\)")
# The command mini-swe-agent asks the model to run to hand in its work (older: MINI_SWE_AGENT_…).
SUBMIT_SENTINELS = ("COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT", "MINI_SWE_AGENT_FINAL_OUTPUT")

_BASH_BLOCK = re.compile(r"```(?:bash|mswea_bash_command)\s*\n(.*?)\n?```", re.S)
_RETURN_CODE = re.compile(r"<returncode>(-?\d+)</returncode>")
_ISSUE = re.compile(r"ISSUE:\n(.*?)(?:\n\s*INSTRUCTIONS:|\Z)", re.S)


def parse(data: bytes, path: str) -> ParseResult:
    document = read_json_document(data, path)
    value = document.value
    if isinstance(value, list):
        session = _mini_session({"messages": value}, path)
    elif isinstance(value, dict) and "trajectory" in value:
        session = _swe_agent_session(value, path)
    elif isinstance(value, dict) and isinstance(value.get("messages"), list):
        session = _mini_session(value, path)
    else:
        session = None
    return ParseResult(sessions=[session] if session else [], errors=document.errors, consumed=document.consumed)


def session_id(path: str) -> str:
    name = Path(path).name
    return name.removesuffix(".json").removesuffix(".traj")


def end_of_run(exit_status: object, last_action: str = "") -> tuple[Outcome, str]:
    """(outcome, why the run ended) from `info.exit_status`, and the trajectory's last action: a run
    submitted right after an `exit_cost` was auto-submitted at that limit, as SWE-agent's `submitted
    (exit_cost)` says, where a variant writes only `submitted` (CodeR). `exit_forfeit` is the agent giving
    up, no limit."""
    status = str(exit_status or "").strip().lower()
    if not status:
        return Outcome.UNKNOWN, ""
    if status == "submitted" and last_action.startswith("exit_") and last_action != "exit_forfeit":
        status = f"submitted ({last_action})"
    if limit := _AUTO_SUBMITTED.match(status):
        return Outcome.FAILED, f"{LIMIT_NAMES.get(limit.group(1).strip(), limit.group(1).strip())} (auto-submitted)"
    if status.startswith("submitted"):
        return Outcome.SUCCEEDED, "submitted"
    if status.startswith("exit_"):
        return Outcome.FAILED, LIMIT_NAMES.get(status[5:], status)
    if status in MINI_LIMITS:
        return Outcome.FAILED, MINI_LIMITS[status]
    return Outcome.UNKNOWN, status


def issue_text(prompt: str) -> str:
    """The issue inside SWE-agent's instance template; the whole prompt when there is none."""
    match = _ISSUE.search(prompt)
    return (match.group(1) if match else prompt).strip()


def first_user_prompt(messages: list) -> str:
    for message in messages:
        if isinstance(message, dict) and message.get("role") == "user" and not _is_demo(message):
            return content_text(message.get("content")).strip()
    return ""


def replay_model(replay_config: object) -> str:
    """The model name from v1's `replay_config` (a dict, or the same as a JSON string)."""
    if isinstance(replay_config, str):
        try:
            replay_config = json.loads(replay_config)
        except json.JSONDecodeError:
            return ""
    if not isinstance(replay_config, dict):
        return ""
    return ((replay_config.get("agent") or {}).get("model") or {}).get("name", "")


def _is_demo(message: dict) -> bool:
    # v0 writes the flag as the string "True".
    return str(message.get("is_demo", "")).lower() == "true"


def _state_cwd(state: object) -> str:
    if isinstance(state, str):
        try:
            state = json.loads(state)
        except json.JSONDecodeError:
            return ""
    return state.get("working_dir", "") if isinstance(state, dict) else ""


def _tool_calls(message: dict) -> list[dict]:
    """The function calls of a history message; SWE-agent stores them as a Python-repr string."""
    calls = message.get("tool_calls")
    if isinstance(calls, str):
        try:
            calls = ast.literal_eval(calls)
        except (ValueError, SyntaxError):
            return []
    return [call for call in calls or [] if isinstance(call, dict)]


def _function_call_step(call: dict) -> Step:
    function = call.get("function") or {}
    try:
        arguments = json.loads(function.get("arguments") or "{}")
    except json.JSONDecodeError:
        arguments = {"raw": function.get("arguments")}
    return Step(tool=function.get("name", ""), args=arguments, call_id=call.get("id"))


# How a system prompt declares the agent's own commands: `open <path> [<line_number>] - opens ...` (v0),
# or `open:` followed by its docstring (v1).
_DECLARED = re.compile(r"^([a-z_][\w-]*)(?: [<\[][^\n]*?)? - |^([a-z_][\w-]*):\n\s+docstring:", re.MULTILINE)


# A lone word in backticks, or the first word of a fenced COMMAND example, in a system prompt.
_QUOTED_WORD = re.compile(r"`([a-z_][\w-]*)`|COMMAND\n```\n([a-z_][\w-]*)")


def declared_commands(history: list[dict]) -> frozenset[str]:
    """The commands the agent's system prompts declare as its own (SWE-agent's, or a derivative's such as
    CodeR's `plan`, `succeed`, `rover_search_code`): tools of the agent, not programs of the project.
    Besides the documented command lists, a word the prompt quotes alone in backticks or opens a COMMAND
    example with ("output `succeed`", "wrapped with `plan` and `end_of_plan`") is one, unless it is a
    program skillwarden knows (`ls`, `python`, `pytest`, ...)."""
    names = set()
    for message in history:
        if message.get("role") == "system":
            text = content_text(message.get("content"))
            if "COMMANDS:" in text or "docstring:" in text:
                names.update(a or b for a, b in _DECLARED.findall(text))
            quoted = (backticked or example for backticked, example in _QUOTED_WORD.findall(text))
            names.update(word for word in quoted if not is_known_program(word))
    return frozenset(names)


def _command_step(action: str, declared: frozenset[str] = frozenset()) -> Step:
    """The agent's own command keeps its name as the tool (with the file it names, where it names one,
    and `agent_command` set for one the trace declares beyond SWE-agent's own); any other command line
    is a shell step."""
    command = action.strip()
    name = command.split(maxsplit=1)[0] if command else ""
    if name not in ACI_COMMANDS and name not in declared:
        return Step(tool="bash", args={"command": command})
    args: dict = {"command": command}
    if name not in ACI_COMMANDS:
        args["agent_command"] = True
    first_line = command.split("\n", 1)[0].split()
    if name in ("open", "create") and len(first_line) > 1:
        args["path"] = first_line[1].strip("\"'")
    return Step(tool=name, args=args)


def _swe_agent_session(document: dict, path: str) -> Session:
    history = [m for m in document.get("history") or [] if isinstance(m, dict) and not _is_demo(m)]
    # In the function-calling variant each trajectory step matches one assistant call, in order.
    calls = [calls[0] for m in history if m.get("role") == "assistant" and (calls := _tool_calls(m))]
    trajectory = [entry for entry in document.get("trajectory") or [] if isinstance(entry, dict)]
    if len(calls) != len(trajectory):
        calls = []
    session = Session(id=session_id(path), format=FORMAT, path=path)
    declared = declared_commands(document.get("history") or [])
    open_file = ""  # SWE-agent's `edit` changes the file last opened or created
    for index, entry in enumerate(trajectory):
        step = _function_call_step(calls[index]) if calls else _command_step(entry.get("action") or "", declared)
        if step.tool in ("open", "create") and step.args.get("path"):
            open_file = step.args["path"]
        elif step.tool in ("edit", "insert", "append") and open_file and "path" not in step.args:
            step.args["path"] = open_file
        observation = entry.get("observation") or ""
        step.result = cap_text(observation)
        step.is_error = LINT_REJECTION in observation or (step.tool == "bash" and could_not_start(observation))
        session.steps.append(step)
        session.cwd = session.cwd or _state_cwd(entry.get("state"))
        note_agent_text(session, str(entry.get("thought") or entry.get("response") or ""))
    if trajectory:
        session.final_message = (trajectory[-1].get("thought") or trajectory[-1].get("response") or "").strip()
    session.task = issue_text(first_user_prompt(history))
    info = document.get("info") or {}
    _apply_model_stats(session, info)
    _apply_run_end(session, info, session.id, session.steps[-1].tool if session.steps else "")
    session.model = replay_model(document.get("replay_config"))
    return session


def _apply_run_end(session: Session, info: dict, instance_id: object, last_action: str = "") -> None:
    session.outcome, session.end_reason = end_of_run(info.get("exit_status"), last_action)
    # A run that submitted nothing may say so with an empty string or with null.
    session.patch_lines = patch_size(info.get("submission") or "") if "submission" in info else None
    session.task_id = str(instance_id or "")
    session.project = project_of_instance(session.task_id)


def _apply_model_stats(session: Session, info: dict) -> None:
    stats = info.get("model_stats") or {}
    session.tokens_in = stats.get("tokens_sent") or stats.get("prompt_tokens") or 0
    session.tokens_out = stats.get("tokens_received") or stats.get("completion_tokens") or 0


def _mini_session(document: dict, path: str) -> Session:
    messages = [m for m in document["messages"] if isinstance(m, dict)]
    session = Session(id=session_id(path), format=FORMAT, path=path)
    session.task = first_user_prompt(messages)
    pending: list[Step] = []  # this turn's steps still waiting for their output
    submitted = False
    for message in messages:
        if (turn := _model_turn(message)) is not None:
            text, commands = turn
            session.final_message = text.strip()
            note_agent_text(session, text)
            asked = epoch_to_iso(_extra(message).get("timestamp"))  # 2.x times each message
            pending = [Step(tool="bash", args={"command": command}, call_id=call_id, started_at=asked)
                       for command, call_id in commands]  # fmt: skip
            session.steps.extend(pending)
            if pending:
                submitted = False
            for step in pending:
                if any(sentinel in step.args["command"] for sentinel in SUBMIT_SENTINELS):
                    step.tool = "submit"  # echoing the sentinel hands the work in: not a command of the task
                    submitted = True
        elif pending and (observed := _observation(message)) is not None:
            text, call_id, returncode = observed
            step = next((s for s in pending if call_id is not None and s.call_id == call_id), pending[0])
            pending.remove(step)
            step.result = cap_text(text)
            step.ended_at = epoch_to_iso(_extra(message).get("timestamp"))
            if returncode is None:
                code = _RETURN_CODE.search(text)
                returncode = int(code.group(1)) if code else 0
            step.is_error = returncode != 0 and not exit_is_answer(step.args["command"], returncode)
    times = [time for step in session.steps for time in (step.started_at, step.ended_at) if time]
    session.started_at, session.ended_at = (min(times), max(times)) if times else (None, None)
    info = document.get("info") or {}
    _apply_model_stats(session, info)
    session.model = ((info.get("config") or {}).get("model") or {}).get("model_name", "")
    _apply_run_end(session, info, document.get("instance_id") or session.id)
    if not info.get("exit_status") and submitted:
        session.outcome, session.end_reason = Outcome.SUCCEEDED, "submitted"
    return session


def _model_turn(message: dict) -> tuple[str, list[tuple[str, str | None]]] | None:
    """(the model's text, [(command, call id)]) of a model turn, None for any other message. mini-swe-agent v2
    lists the actions it parsed in `extra.actions`, whether the model wrote a fenced block or called its `bash`
    tool (its default since v2: a chat message's `tool_calls`, or a Responses API output's `function_call`
    items, which are read where `extra` is missing); v1 wrote one fenced block in the text."""
    if message.get("role") == "assistant":
        text, calls = content_text(message.get("content")), _tool_calls(message)
    elif message.get("object") == "response":  # the OpenAI Responses API: a list of output items
        output = message.get("output")
        items = [item for item in output if isinstance(item, dict)] if isinstance(output, list) else []
        text = "\n".join(content_text(item.get("content")) for item in items if item.get("type") == "message")
        calls = [{"id": item.get("call_id"), "function": item} for item in items if item.get("type") == "function_call"]
    else:
        return None
    actions = _extra(message).get("actions")
    if isinstance(actions, list):
        commands = [(action["command"], action.get("tool_call_id")) for action in actions
                    if isinstance(action, dict) and isinstance(action.get("command"), str)]  # fmt: skip
        if commands:
            return text, commands
    commands = [(command, call.get("id")) for call in calls if (command := _call_command(call)) is not None]
    if commands:
        return text, commands
    block = _BASH_BLOCK.search(text)
    return text, [(block.group(1), None)] if block else []


def _extra(message: dict) -> dict:
    """mini-swe-agent 2.x's metadata of a message (what it parsed, exit status, time), `{}` where there is none."""
    extra = message.get("extra")
    return extra if isinstance(extra, dict) else {}


def _call_command(call: dict) -> str | None:
    """The command line of a call of the `bash` tool (`{"function": {"arguments": "{\\"command\\": …}"}}`)."""
    function = call.get("function")
    arguments = function.get("arguments") if isinstance(function, dict) else None
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except (ValueError, RecursionError):  # not JSON, or nested past the recursion limit
            return None
    command = arguments.get("command") if isinstance(arguments, dict) else None
    return command if isinstance(command, str) else None


def _observation(message: dict) -> tuple[str, str | None, int | None] | None:
    """(output, call id, exit status) of what a command gave back, None for any other message: a user message
    (v1, and v2 without tool calls), a chat `tool` message or a Responses API `function_call_output`. v2 keeps
    the exit status in `extra.returncode`; v1 only in the text's `<returncode>`."""
    if message.get("type") == "function_call_output":
        text, call_id = content_text(message.get("output")), message.get("call_id")
    elif message.get("role") in ("user", "tool"):
        text, call_id = content_text(message.get("content")), message.get("tool_call_id")
    else:
        return None
    returncode = _extra(message).get("returncode")
    return text, call_id if isinstance(call_id, str) else None, returncode if type(returncode) is int else None


TRACE_FORMAT = TraceFormat(
    id=FORMAT,
    name="SWE-agent .traj / mini-swe-agent .traj.json",
    signature=re.compile(r'"(?:trajectory|trajectory_format)"\s*:'),
    file_name=re.compile(r"\.traj(?:\.json)?$"),
    parse=parse,
    # The bare mini-swe-agent messages list has no envelope: only a list opening on a role.
    opening=re.compile(r'\s*\[\s*\{\s*"role"\s*:'),
)

"""SWE-agent trajectories (`<instance>.traj`) and mini-swe-agent trajectories (`.traj.json`).

Shapes, all one whole-file JSON document (no lines, no timestamps, so `Step.line` and every
timestamp stay None):

- SWE-agent v0/v1 `{environment, trajectory[], history[], info}`: each `trajectory` entry is one
  step, `action` (a command line such as `edit 287:295\\n…` or `find_file x`) with its
  `observation`. `state` is a JSON string in v0 and a dict in v1; either gives the cwd. In the
  function-calling variant the assistant `history` messages carry `tool_calls` (a Python-repr
  string), which give the real tool name, arguments and call id. Demonstrations embedded in
  `history` (`is_demo`) are someone else's run and are skipped.
- mini-swe-agent v2 `{info, messages[], trajectory_format}` and the older bare `messages` list:
  each assistant message holds one fenced bash block; the next user message is its observation,
  `<returncode>N</returncode><output>…`.

Errors: SWE-agent observations have no exit status, so only the linter's rejection of an edit
counts ("Your proposed edit has introduced new syntax error(s)"). A Python traceback does not:
reproducing the bug is often the point of running a script. mini-swe-agent steps fail on a
non-zero `<returncode>`.

Outcome from `info.exit_status`: `submitted` (also `Submitted`, and `submitted (exit_cost)`,
which still submitted a patch) -> succeeded; `exit_cost`, `exit_context`, `exit_format`,
`LimitsExceeded` and any other `exit_*` -> failed. Note that submitted is not solved: only a
SWE-bench evaluation tells. A bare messages list has no info; its final command echoing the
submit sentinel counts as submitted.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from skillwarden.core.adapters import cap_text, content_text, read_json_document
from skillwarden.core.model import Outcome, ParseResult, Session, Step

FORMAT = "swe_agent"

LINT_REJECTION = "Your proposed edit has introduced new syntax error(s)"
FAILED_EXITS = ("exit_", "limitsexceeded")
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


def exit_outcome(exit_status: object) -> Outcome:
    status = str(exit_status or "").strip().lower()
    if status.startswith("submitted"):
        return Outcome.SUCCEEDED
    if status.startswith(FAILED_EXITS):
        return Outcome.FAILED
    return Outcome.UNKNOWN


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


def _command_step(action: str) -> Step:
    command = action.strip()
    return Step(tool=command.split(maxsplit=1)[0] if command else "", args={"command": command})


def _swe_agent_session(document: dict, path: str) -> Session:
    history = [m for m in document.get("history") or [] if isinstance(m, dict) and not _is_demo(m)]
    # In the function-calling variant each trajectory step matches one assistant call, in order.
    calls = [calls[0] for m in history if m.get("role") == "assistant" and (calls := _tool_calls(m))]
    trajectory = [entry for entry in document.get("trajectory") or [] if isinstance(entry, dict)]
    if len(calls) != len(trajectory):
        calls = []
    session = Session(id=session_id(path), format=FORMAT, path=path)
    for index, entry in enumerate(trajectory):
        step = _function_call_step(calls[index]) if calls else _command_step(entry.get("action") or "")
        observation = entry.get("observation") or ""
        step.result = cap_text(observation)
        step.is_error = LINT_REJECTION in observation
        session.steps.append(step)
        session.cwd = session.cwd or _state_cwd(entry.get("state"))
    if trajectory:
        session.final_message = (trajectory[-1].get("thought") or trajectory[-1].get("response") or "").strip()
    session.task = issue_text(first_user_prompt(history))
    info = document.get("info") or {}
    _apply_model_stats(session, info)
    session.model = replay_model(document.get("replay_config"))
    session.outcome = exit_outcome(info.get("exit_status"))
    return session


def _apply_model_stats(session: Session, info: dict) -> None:
    stats = info.get("model_stats") or {}
    session.tokens_in = stats.get("tokens_sent") or stats.get("prompt_tokens") or 0
    session.tokens_out = stats.get("tokens_received") or stats.get("completion_tokens") or 0


def _mini_session(document: dict, path: str) -> Session:
    messages = [m for m in document["messages"] if isinstance(m, dict)]
    session = Session(id=session_id(path), format=FORMAT, path=path)
    session.task = first_user_prompt(messages)
    pending: Step | None = None
    submitted = False
    for message in messages:
        text = content_text(message.get("content"))
        if message.get("role") == "assistant":
            session.final_message = text.strip()
            block = _BASH_BLOCK.search(text)
            pending = Step(tool="bash", args={"command": block.group(1)}) if block else None
            if pending:
                session.steps.append(pending)
                submitted = any(sentinel in pending.args["command"] for sentinel in SUBMIT_SENTINELS)
        elif message.get("role") == "user" and pending is not None:
            pending.result = cap_text(text)
            code = _RETURN_CODE.search(text)
            pending.is_error = bool(code) and int(code.group(1)) != 0
            pending = None
    info = document.get("info") or {}
    _apply_model_stats(session, info)
    session.model = ((info.get("config") or {}).get("model") or {}).get("model_name", "")
    if info.get("exit_status"):
        session.outcome = exit_outcome(info["exit_status"])
    elif submitted:
        session.outcome = Outcome.SUCCEEDED
    return session

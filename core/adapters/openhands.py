"""OpenHands trajectories, in the three shapes seen in the wild.

- Event-stream export (`*.json`, one JSON list of events, whole-file): one session. Events are
  `{id, timestamp, source, action|observation, args|extras, cause?, tool_call_metadata?}`;
  an observation's `cause` is the id of the action it answers. They are joined on `cause`, never
  by position: environment and null observations interleave.
- Evaluation `output.jsonl`: one instance per line, each `{instance_id, instruction, metadata,
  history[events], metrics, error}` becomes a session of its own (`Step.line` = that line).
- 2024 resolver `output.jsonl`: `history` items are flat action/observation dicts without ids;
  an observation answers the action just before it.

Tool steps are the agent's actions other than conversation and bookkeeping (`message`, `system`,
`recall`, `change_agent_state`, `finish`). An `error` observation with no `cause` is a tool call
OpenHands could not even turn into an action (a bad parameter): it becomes a failed step of its
own. A step fails on an `error` observation or a non-zero `exit_code` (-1 = command timed out).

Outcome: a `finish` action -> succeeded; a top-level `error` (e.g. "Agent reached maximum
iteration") or `success: false` -> failed; otherwise (e.g. the agent stopped in
`awaiting_user_input` without finishing) -> unknown. `end_reason` names the limit the error reports
(step, cost or context limit), `patch_lines` counts the evaluation's `git_patch` (an empty patch
fails a claimed success in grading), and `task_id`/`project` come from `instance_id` and the
instance's repository, so SWE-bench-style labels match. The agent's prose (each action's `thought`,
its own messages) is counted for grading. Timestamps are naive ISO strings in the
agent's local clock; they are kept as written because the zone is not recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from skillwarden.core.adapters.shared import (
    cap_text,
    content_text,
    note_agent_text,
    patch_size,
    project_of_instance,
    read_json_document,
    read_json_lines,
)
from skillwarden.core.adapters.trace_format import TraceFormat
from skillwarden.core.model import Outcome, ParseResult, Session, Step

FORMAT = "openhands"

NOT_TOOLS = {"message", "system", "recall", "change_agent_state", "finish"}
# Argument keys that describe the call rather than being its input.
NOISE_ARGS = {
    "thought",
    "is_input",
    "blocking",
    "hidden",
    "impl_source",
    "keep_prompt",
    "is_confirmed",
    "action_risk",
    "security_risk",
    "confirmation_state",
    "kernel_init_code",
}


def parse(data: bytes, path: str) -> ParseResult:
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        document = read_json_document(data, path)
        events = document.value if isinstance(document.value, list) else []
        session = _session_from_events(Path(path).stem, path, events, line=None)
        sessions = [session] if session else []
        return ParseResult(sessions=sessions, errors=document.errors, consumed=document.consumed)
    lines = read_json_lines(data, path)
    sessions = [session for number, record in lines.records if (session := _session_from_record(number, record, path))]
    return ParseResult(sessions=sessions, errors=lines.errors, consumed=lines.consumed)


# What the evaluation's top-level `error` says when OpenHands stopped the agent, by the limit it names.
# The reason is one of these fixed words, never the error's own text (trace text is not to be trusted).
STOP_REASONS = (
    (re.compile(r"maximum iteration|max_iterations|iteration limit", re.IGNORECASE), "step limit"),
    (re.compile(r"budget|\bcost\b", re.IGNORECASE), "cost limit"),
    (re.compile(r"context ?window|context length|ContextWindowExceeded", re.IGNORECASE), "context limit"),
    (re.compile(r"stuck in a loop", re.IGNORECASE), "stuck in a loop"),
)


def stop_reason(error: object) -> str:
    """Why the run was stopped, from the record's `error`: a limit's name, "agent error" for any other
    error, "" for none."""
    if not error:
        return ""
    text = str(error)
    return next((name for pattern, name in STOP_REASONS if pattern.search(text)), "agent error")


def exit_code(observation: dict) -> int | None:
    """The command's exit code: `extras.metadata.exit_code` in events, `exit_code` (a string) in 2024."""
    extras = observation.get("extras") if isinstance(observation.get("extras"), dict) else observation
    metadata = extras.get("metadata") if isinstance(extras.get("metadata"), dict) else extras
    try:
        return int(metadata.get("exit_code"))
    except (TypeError, ValueError):
        return None


def observation_failed(observation: dict) -> bool:
    if observation.get("observation") == "error":
        return True
    code = exit_code(observation)
    return code is not None and code != 0


def action_args(event: dict) -> dict:
    # 2024 resolver events are flat: the arguments sit beside `action` itself.
    args = event.get("args") if isinstance(event.get("args"), dict) else event
    return {key: value for key, value in args.items() if key not in NOISE_ARGS and key != "action"}


def _session_from_record(number: int, record: dict, path: str) -> Session | None:
    history = record.get("history")
    if not isinstance(history, list):
        return None
    issue = record.get("issue") if isinstance(record.get("issue"), dict) else {}
    issue_ref = f"{issue.get('owner', '')}/{issue.get('repo', '')}#{issue.get('number')}" if issue else ""
    name = record.get("instance_id") or issue_ref
    session = _session_from_events(name or f"{Path(path).stem}:{number}", path, history, line=number)
    if session is None:
        return None
    session.task = session.task or content_text(record.get("instruction")).strip()
    instance = record.get("instance") if isinstance(record.get("instance"), dict) else {}
    session.task_id = str(record.get("instance_id") or issue_ref or "")
    repo = instance.get("repo") or (f"{issue.get('owner')}/{issue.get('repo')}" if issue else "")
    session.project = str(repo) if isinstance(repo, str) and repo else project_of_instance(session.task_id)
    test_result = record.get("test_result") if isinstance(record.get("test_result"), dict) else {}
    if "git_patch" in test_result or "git_patch" in record:
        session.patch_lines = patch_size(test_result.get("git_patch", record.get("git_patch")) or "")
    llm_config = (record.get("metadata") or {}).get("llm_config") or {}
    session.model = session.model or llm_config.get("model", "")
    usage = (record.get("metrics") or {}).get("accumulated_token_usage") or {}
    session.tokens_in = usage.get("prompt_tokens") or session.tokens_in
    session.tokens_out = usage.get("completion_tokens") or session.tokens_out
    if record.get("error") or record.get("success") is False:
        session.outcome = Outcome.FAILED
        session.end_reason = stop_reason(record.get("error"))
        session.final_message = session.final_message or str(record.get("error") or "")
    elif session.outcome == Outcome.SUCCEEDED:
        session.end_reason = "finished"
    return session


def _session_from_events(session_id: str, path: str, events: list, line: int | None) -> Session | None:
    builder = _EventsBuilder(Session(id=session_id, format=FORMAT, path=path), line)
    for event in events:
        if isinstance(event, dict):
            builder.add(event)
    return builder.session if builder.seen_event else None


@dataclass
class _EventsBuilder:
    session: Session
    line: int | None
    steps_by_id: dict[object, Step] = field(default_factory=dict)
    last_action: Step | None = None  # for the id-less 2024 shape, answered by the next observation
    seen_event: bool = False
    usage_by_response: dict[str, dict] = field(default_factory=dict)

    def add(self, event: dict) -> None:
        if "action" not in event and "observation" not in event:
            return
        self.seen_event = True
        timestamp = event.get("timestamp")
        if timestamp:
            self.session.started_at = self.session.started_at or timestamp
            self.session.ended_at = timestamp
        self._usage(event.get("tool_call_metadata"))
        if "action" in event:
            self._action(event, timestamp)
        else:
            self._observation(event, timestamp)

    def _action(self, event: dict, timestamp: str | None) -> None:
        action = event["action"]
        args = event.get("args") if isinstance(event.get("args"), dict) else event
        if event.get("source") == "agent" and action != "system":
            prose = args.get("thought") or (args.get("content") if action == "message" else "")
            note_agent_text(self.session, content_text(prose))
        if action == "message":
            text = content_text(args.get("content") or event.get("message")).strip()
            if event.get("source", "user") == "user" and text:
                self.session.task = self.session.task or text
            elif text:
                self.session.final_message = text
        elif action == "finish":
            self.session.final_message = (
                args.get("final_thought") or args.get("thought") or event.get("message") or self.session.final_message
            )
            self.session.outcome = Outcome.SUCCEEDED
        elif action not in NOT_TOOLS:
            step = Step(
                tool=action,
                args=action_args(event),
                started_at=timestamp,
                line=self.line,
                call_id=(event.get("tool_call_metadata") or {}).get("tool_call_id"),
            )
            self.session.steps.append(step)
            self.steps_by_id[event.get("id")] = step
            self.last_action = step

    def _observation(self, event: dict, timestamp: str | None) -> None:
        cause = event.get("cause")
        if cause is not None:
            step = self.steps_by_id.get(cause)
        elif "id" not in event:
            step, self.last_action = self.last_action, None
        elif event.get("observation") == "error":
            step = self._unparsed_call(event, timestamp)
        else:
            step = None
        if step is None:
            return
        step.result = cap_text(content_text(event.get("content") or event.get("message")))
        step.ended_at = timestamp
        step.is_error = observation_failed(event)

    def _unparsed_call(self, event: dict, timestamp: str | None) -> Step:
        metadata = event.get("tool_call_metadata") or {}
        step = Step(
            tool=metadata.get("function_name") or "error",
            args={},
            started_at=timestamp,
            line=self.line,
            call_id=metadata.get("tool_call_id"),
        )
        self.session.steps.append(step)
        return step

    def _usage(self, metadata: object) -> None:
        # The same model response rides on every event of its calls (both sides): count it once.
        response = (metadata or {}).get("model_response") if isinstance(metadata, dict) else None
        if not isinstance(response, dict):
            return
        self.session.model = self.session.model or response.get("model", "")
        usage = response.get("usage")
        if isinstance(usage, dict):
            self.usage_by_response[response.get("id") or str(len(self.usage_by_response))] = usage
            self.session.tokens_in = sum(u.get("prompt_tokens") or 0 for u in self.usage_by_response.values())
            self.session.tokens_out = sum(u.get("completion_tokens") or 0 for u in self.usage_by_response.values())


TRACE_FORMAT = TraceFormat(
    id=FORMAT,
    name="OpenHands event stream / eval output",
    signature=re.compile(
        r'"source"\s*:\s*"(?:user|agent|environment)"|"(?:instance_id|issue_type|agent_class)"\s*:'
        r'|"action"\s*:\s*"(?:run|run_ipython|finish)"'
    ),
    file_name=re.compile(r"(?:^|[\\/])output\.jsonl$"),
    parse=parse,
)

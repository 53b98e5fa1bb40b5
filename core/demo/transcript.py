"""Writing one generated session as Claude Code transcript lines: the parentUuid chain, a monotonic clock,
and how a session ends."""

from __future__ import annotations

import json
import random
from dataclasses import replace

from skillwarden.core.demo.content import (
    MODELS,
    SLUG_WORDS,
    VERSIONS,
    Project,
    ToolCall,
    api_id,
    bash_call,
    iso_time,
    random_uuid,
    rejected_by_user,
)
from skillwarden.core.demo.plans import Fate, Plan, PlanContext, with_noise

# ---------------------------------------------------------------------------------------------
# Writing one session as transcript lines.


def _dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class _Transcript:
    """Appends transcript lines, keeping the parentUuid chain and a monotonic clock."""

    def __init__(self, rng: random.Random, project: Project, session_id: str, branch: str, start_ms: int) -> None:
        self.rng = rng
        self.session_id = session_id
        self.clock = start_ms
        self.parent: str | None = None
        self.lines: list[str] = []
        self.model = rng.choice(MODELS)
        self.cache_read = rng.randint(12000, 20000)
        self.envelope = {
            "isSidechain": False,
            "userType": "external",
            "cwd": project.cwd,
            "sessionId": session_id,
            "version": rng.choice(VERSIONS),
            "gitBranch": branch,
        }
        self.slug = "-".join(rng.choice(words) for words in SLUG_WORDS)

    def _tick(self, low_ms: int, high_ms: int) -> str:
        self.clock += self.rng.randint(low_ms, high_ms)
        return iso_time(self.clock)

    def _head(self, with_slug: bool = True) -> dict:
        head = {"parentUuid": self.parent, **self.envelope}
        if with_slug:
            head["slug"] = self.slug
        return head

    def summary(self) -> None:
        # Real summary lines point at other (compacted) sessions, so the leafUuid resolves nowhere here.
        self.lines.append(
            _dumps({"type": "summary", "summary": "Earlier work on this branch", "leafUuid": random_uuid(self.rng)})
        )

    def snapshot(self, message_id: str, update: bool, files: tuple[str, ...] = ()) -> None:
        backups = {
            name: {
                "backupFileName": f"{self.rng.getrandbits(64):016x}@v1",
                "version": 1,
                "backupTime": iso_time(self.clock),
            }
            for name in files
        }
        self.lines.append(
            _dumps(
                {
                    "type": "file-history-snapshot",
                    "messageId": message_id,
                    "snapshot": {
                        "messageId": message_id,
                        "trackedFileBackups": backups,
                        "timestamp": iso_time(self.clock),
                    },
                    "isSnapshotUpdate": update,
                }
            )
        )

    def prompt(self, text: str, uuid_: str, first: bool) -> None:
        record = {
            **self._head(with_slug=not first),
            "type": "user",
            "message": {"role": "user", "content": text},
            "uuid": uuid_,
            "timestamp": self._tick(1000, 60000),
            "thinkingMetadata": {"maxThinkingTokens": 31999},
            "todos": [],
            "permissionMode": "default",
        }
        self.lines.append(_dumps(record))
        self.parent = uuid_

    def user_text(self, text: str) -> None:
        uuid_ = random_uuid(self.rng)
        message = {"role": "user", "content": [{"type": "text", "text": text}]}
        record = {**self._head(), "type": "user", "message": message, "uuid": uuid_, "timestamp": self._tick(500, 8000)}
        self.lines.append(_dumps(record))
        self.parent = uuid_

    def _assistant(self, blocks: list[dict]) -> list[str]:
        """One API message, written as one line per content block; returns the lines' uuids."""
        message_id, request_id = api_id(self.rng, "msg_01"), api_id(self.rng, "req_011C", 20)
        created = self.rng.randint(50, 4000)
        output_tokens = self.rng.randint(30, 900)
        uuids = []
        for index, block in enumerate(blocks):
            usage = {
                "input_tokens": self.rng.randint(1, 8),
                "cache_creation_input_tokens": created,
                "cache_read_input_tokens": self.cache_read,
                "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": created},
                # Only the last block carries the final count, as in real streams.
                "output_tokens": output_tokens if index == len(blocks) - 1 else 1,
                "service_tier": "standard",
                "inference_geo": "not_available",
            }
            uuid_ = random_uuid(self.rng)
            record = {
                **self._head(),
                "message": {
                    "model": self.model,
                    "id": message_id,
                    "type": "message",
                    "role": "assistant",
                    "content": [block],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": usage,
                },
                "requestId": request_id,
                "type": "assistant",
                "uuid": uuid_,
                "timestamp": self._tick(1500, 9000) if index == 0 else self._tick(50, 900),
            }
            self.lines.append(_dumps(record))
            self.parent = uuid_
            uuids.append(uuid_)
        self.cache_read += created
        return uuids

    def say(self, text: str) -> None:
        self._assistant([{"type": "text", "text": text}])

    def calls(self, batch: list[ToolCall]) -> None:
        blocks, ids = [], []
        narration = next((call.narration for call in batch if call.narration), "")
        if narration:
            blocks.append({"type": "text", "text": narration})
        for call in batch:
            ids.append(api_id(self.rng, "toolu_01"))
            blocks.append(
                {
                    "type": "tool_use",
                    "id": ids[-1],
                    "name": call.name,
                    "input": call.input,
                    "caller": {"type": "direct"},
                }
            )
        sources = self._assistant(blocks)[len(blocks) - len(batch) :]
        for call, tool_use_id, source in zip(batch, ids, sources, strict=True):
            self._result(call, tool_use_id, source)

    def _result(self, call: ToolCall, tool_use_id: str, source: str) -> None:
        block = {"tool_use_id": tool_use_id, "type": "tool_result", "content": call.outcome.content}
        if call.name == "Bash" or call.outcome.is_error:
            block["is_error"] = call.outcome.is_error
        uuid_ = random_uuid(self.rng)
        record = {
            **self._head(),
            "type": "user",
            "message": {"role": "user", "content": [block]},
            "uuid": uuid_,
            "timestamp": self._tick(call.duration_ms // 2, call.duration_ms),
            "toolUseResult": call.outcome.tool_use_result,
            "sourceToolAssistantUUID": source,
        }
        self.lines.append(_dumps(record))
        self.parent = uuid_

    def turn_duration(self, started_ms: int) -> None:
        uuid_ = random_uuid(self.rng)
        record = {
            **self._head(),
            "type": "system",
            "subtype": "turn_duration",
            "durationMs": self.clock - started_ms,
            "timestamp": self._tick(5, 50),
            "uuid": uuid_,
            "isMeta": False,
        }
        self.lines.append(_dumps(record))
        self.parent = uuid_


def random_fate(rng: random.Random, failure_rate: float) -> Fate:
    roll = rng.random()
    if roll >= failure_rate:
        return Fate.SUCCEEDED
    return rng.choice((Fate.STUCK, Fate.STUCK, Fate.INTERRUPTED, Fate.REJECTED))


def render_transcript(
    rng: random.Random, ctx: PlanContext, plan: Plan, fate: Fate, session_id: str, start_ms: int
) -> str:
    transcript = _Transcript(rng, ctx.project, session_id, plan.branch, start_ms)
    batches = with_noise(ctx, plan)
    if rng.random() < 0.1:
        transcript.summary()
    prompt_uuid = random_uuid(rng)
    if rng.random() < 0.6:
        transcript.snapshot(prompt_uuid, update=False)
    transcript.prompt(plan.prompt, prompt_uuid, first=True)
    if fate in (Fate.INTERRUPTED, Fate.REJECTED):
        _play_interrupted(rng, transcript, batches, fate)
    else:
        _play_to_the_end(rng, ctx, transcript, plan, batches, fate, prompt_uuid, start_ms)
    return "\n".join(transcript.lines) + "\n"


def _play_interrupted(rng: random.Random, transcript: _Transcript, batches: list[list[ToolCall]], fate: Fate) -> None:
    # Stop somewhere after the first call but before the procedure could finish.
    cut = rng.randint(1, len(batches) - 1)
    for batch in batches[:cut]:
        transcript.calls(batch)
    if fate is Fate.REJECTED:
        transcript.calls([rejected_by_user(batches[cut][0])])
        transcript.user_text("[Request interrupted by user for tool use]")
    else:
        transcript.user_text("[Request interrupted by user]")


def _play_to_the_end(
    rng: random.Random,
    ctx: PlanContext,
    transcript: _Transcript,
    plan: Plan,
    batches: list[list[ToolCall]],
    fate: Fate,
    prompt_uuid: str,
    start_ms: int,
) -> None:
    if fate is Fate.STUCK:
        # The agent apologises as it makes its last attempt, and the session ends on that failure.
        last = batches[-1]
        batches[-1] = [replace(last[0], narration=plan.closing), *last[1:]]
    snapshot_done = False
    for batch in batches:
        transcript.calls(batch)
        if not snapshot_done and batch[0].name == "Edit" and rng.random() < 0.3:
            relative = batch[0].input["file_path"].removeprefix(ctx.project.cwd + "/")
            transcript.snapshot(prompt_uuid, update=True, files=(relative,))
            snapshot_done = True
    if fate is Fate.STUCK:
        return
    transcript.say(plan.closing)
    if rng.random() < 0.2:
        _follow_up(rng, transcript, start_ms)


def _follow_up(rng: random.Random, transcript: _Transcript, start_ms: int) -> None:
    """A short second turn, which is where real transcripts put their turn_duration lines."""
    transcript.turn_duration(start_ms)
    transcript.prompt("thanks! how many tests do we have now?", random_uuid(rng), first=False)
    count = rng.randint(20, 400)
    transcript.calls([bash_call("pytest --collect-only -q | tail -1", "Count the tests", f"{count} tests collected")])
    transcript.say(f"There are {count} tests in the suite.")


def render_push_rejected(rng: random.Random, ctx: PlanContext, plan: Plan, session_id: str, start_ms: int) -> str:
    """The procedure runs to the end, then the agent pushes uninvited and the user refuses it."""
    push = bash_call("git push origin HEAD", "Push the branch", "")
    transcript = _Transcript(rng, ctx.project, session_id, plan.branch, start_ms)
    transcript.prompt(plan.prompt, random_uuid(rng), first=True)
    for batch in plan.batches:
        transcript.calls(batch)
    transcript.calls([rejected_by_user(push)])
    transcript.user_text("[Request interrupted by user for tool use]")
    return "\n".join(transcript.lines) + "\n"

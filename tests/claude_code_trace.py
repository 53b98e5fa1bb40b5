"""Claude Code session transcripts written line by line in the format Claude Code 2.1 writes (see
../shared/traces/FORMATS.md and the spotter samples): envelope fields on every conversation line, one
content block per assistant line, tool results as user lines with `toolUseResult`, and the attachment
line in which Claude Code records a `UserPromptSubmit` hook's additional context."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path

VERSION = "2.1.38"


class Transcript:
    def __init__(self, session_id: str, cwd: str, start: datetime):
        self.session_id = session_id
        self.cwd = cwd
        self.clock = start
        self.parent: str | None = None
        self.lines: list[dict] = []
        self.calls = 0

    def _tick(self) -> str:
        self.clock += timedelta(milliseconds=700)
        return self.clock.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def _line(self, kind: str, **fields) -> dict:
        line = {"parentUuid": self.parent, "isSidechain": False, "userType": "external", "cwd": self.cwd,
                "sessionId": self.session_id, "version": VERSION, "gitBranch": "main", "type": kind, **fields,
                "uuid": str(uuid.uuid4()), "timestamp": self._tick()}  # fmt: skip
        self.parent = line["uuid"]
        self.lines.append(line)
        return line

    def prompt(self, text: str) -> None:
        self._line("user", message={"role": "user", "content": text}, permissionMode="default")

    def hook_context(self, context: str) -> None:
        """What Claude Code writes after a UserPromptSubmit hook printed additionalContext."""
        self._line("attachment", attachment={"type": "hook_additional_context", "content": [context],
                                             "hookName": "UserPromptSubmit", "hookEvent": "UserPromptSubmit",
                                             "toolUseID": str(uuid.uuid4())})  # fmt: skip

    def meta(self, text: str) -> None:
        self._line("user", message={"role": "user", "content": [{"type": "text", "text": text}]}, isMeta=True)

    def _assistant(self, block: dict) -> None:
        message = {"model": "claude-opus-4-6", "id": f"msg_{uuid.uuid4().hex[:24]}", "type": "message",
                   "role": "assistant", "content": [block], "stop_reason": None, "stop_sequence": None,
                   "usage": {"input_tokens": 3, "output_tokens": 12, "cache_creation_input_tokens": 0,
                             "cache_read_input_tokens": 900, "service_tier": "standard"}}  # fmt: skip
        self._line("assistant", message=message, requestId=f"req_{uuid.uuid4().hex[:24]}")

    def say(self, text: str) -> None:
        self._assistant({"type": "text", "text": text})

    def tool(self, name: str, tool_input: dict, output: str, result: object = None, is_error: bool = False) -> None:
        self.calls += 1
        call_id = f"toolu_{self.calls:02d}{uuid.uuid4().hex[:20]}"
        self._assistant({"type": "tool_use", "id": call_id, "name": name, "input": tool_input})
        block = {"type": "tool_result", "tool_use_id": call_id, "content": output}
        if is_error:
            block["is_error"] = True
        self._line("user", message={"role": "user", "content": [block]},
                   toolUseResult=result if result is not None else output)  # fmt: skip

    def bash(self, command: str, stdout: str = "", exit_code: int = 0) -> None:
        output = stdout if exit_code == 0 else f"Exit code {exit_code}\n{stdout}"
        self.tool("Bash", {"command": command, "description": command[:40]}, output,
                  {"stdout": stdout, "stderr": "", "interrupted": False, "isImage": False},
                  is_error=exit_code != 0)  # fmt: skip

    def read(self, path: str, content: str) -> None:
        result = {"type": "text", "file": {"filePath": path, "content": content, "numLines": content.count("\n"),
                                           "startLine": 1, "totalLines": content.count("\n")}}  # fmt: skip
        numbered = "\n".join(f"{n:>6}\u2192{line}" for n, line in enumerate(content.splitlines(), 1))
        self.tool("Read", {"file_path": path}, numbered, result)

    def skill(self, name: str, base: str, content: str) -> None:
        """The Skill tool, as Claude Code runs it: the call, its short result, then the skill as a meta line."""
        self.tool("Skill", {"skill": name}, f"Launching skill: {name}", {"success": True, "commandName": name})
        self.meta(f"Base directory for this skill: {base}\n\n{content}")

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.session_id}.jsonl"
        path.write_text("".join(json.dumps(line) + "\n" for line in self.lines))
        return path

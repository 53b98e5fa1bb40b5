"""Aider chat histories (`.aider.chat.history.md`, append-only Markdown, all sessions of a repo).

Each `# aider chat started at YYYY-MM-DD HH:MM:SS` header (local time, no zone: kept naive)
starts a session, id `<file name>@<start time>`. Line kinds:

- `#### text`: user input; consecutive lines are one message. The task is the first input that
  is not a slash command (or the text of `/ask`, `/code`, `/architect`). `#### /run CMD` and
  `#### /test CMD` are steps of their own, their result the `> ` output that follows (aider does
  not log the exit code, so they never count as failed).
- `> text`: aider's own output: `Applied edit to F`, `Main model: …`, `Tokens: 8.8k sent, 2.2k
  received.`, errors (`litellm.…Error`, "The LLM did not conform to the edit format"),
  `^C KeyboardInterrupt`.
- anything else: the assistant's reply. Each `<<<<<<< SEARCH` block in it is one edit step on
  the file named just above it (`Step.line` is the SEARCH line). `<thinking-content-…>` sections
  are reasoning, not edits.

With a whole-file edit format there are no SEARCH blocks; an `Applied edit to F` that settles
no pending block is then an edit step by itself (`Step.line` is the notice's line).

Results are linked by position: `Applied edit to F` settles the first pending block on F; each
`## SearchReplaceNoExactMatch: … lines in F` report marks one pending block on F as failed. The
report that follows quotes the failed blocks, which must not count as new edits, so it is skipped
up to aider's closing "The SEARCH section must exactly match…".

Git merge-conflict markers (`<<<<<<< HEAD`, `>>>>>>> branch`) are dropped; both sides of a
conflict are kept in file order. The SEARCH/REPLACE markers differ by their words, and the
shared `=======` line is never needed to find a block.

Outcome per session: ends on `^C` -> interrupted (a session of only `^C KeyboardInterrupt` is
interrupted with 0 steps); ends on an error (a failed edit, an API error) -> failed; applied
edits -> succeeded; otherwise unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from skillwarden.core.adapters.shared import cap_text
from skillwarden.core.adapters.trace_format import TraceFormat
from skillwarden.core.model import Outcome, ParseResult, Session, Step

FORMAT = "aider"

SEARCH_MARKER = "<<<<<<< SEARCH"
DIVIDER = "======="
REPLACE_MARKER = ">>>>>>> REPLACE"
REPORT_END = "The SEARCH section must exactly match"
PROMPT_COMMANDS = ("/ask", "/code", "/architect")
RUN_COMMANDS = ("/run", "/test")
ERROR_MARKERS = ("litellm.", "The LLM did not conform to the edit format", "failed to match!")
INTERRUPT_MARKERS = ("^C KeyboardInterrupt", "^C again to exit")

_HEADER = re.compile(r"^# aider chat started at (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})")
_CONFLICT_MARKER = re.compile(r"^(?:<<<<<<< (?!SEARCH\b)\S|>>>>>>> (?!REPLACE\b)\S)")
_APPLIED = re.compile(r"^Applied edit to (.+)$")
_NO_MATCH = re.compile(r"^## SearchReplaceNoExactMatch: .* lines in (.+)$")
_TOKENS = re.compile(r"^Tokens: ([\d.,]+)([kM]?) sent,.*?([\d.,]+)([kM]?) received")
_MODEL = re.compile(r"^(?:Main model|Model): (\S+)")
_THINKING_OPEN = re.compile(r"^<thinking-content-[0-9a-f]*>")
_THINKING_CLOSE = re.compile(r"^</thinking-content-[0-9a-f]*>")
_SCALE = {"": 1, "k": 1_000, "M": 1_000_000}


def parse(data: bytes, path: str) -> ParseResult:
    # Aider appends whole lines; a last line without its newline is still being written.
    complete_end = data.rfind(b"\n") + 1
    text = data[:complete_end].decode("utf-8", errors="replace")
    sessions: list[Session] = []
    builder: SessionBuilder | None = None
    for number, raw in enumerate(text.split("\n")[:-1], start=1):
        line = raw.rstrip("\r")
        header = _HEADER.match(line)
        if header:
            if builder:
                sessions.append(builder.finish())
            started = f"{header.group(1)}T{header.group(2)}"
            builder = SessionBuilder(
                Session(id=f"{Path(path).name}@{started}", format=FORMAT, path=path, started_at=started)
            )
        elif builder and not _CONFLICT_MARKER.match(line):
            builder.add(number, line)
    if builder:
        sessions.append(builder.finish())
    return ParseResult(sessions=sessions, consumed=complete_end)


def token_count(number: str, suffix: str) -> int:
    return round(float(number.replace(",", "")) * _SCALE[suffix])


def edit_target(line: str) -> str:
    """The file named on the line above an edit block (aider writes it bare, maybe emphasized)."""
    return line.strip().strip("`*").strip()


def same_file(edited: str, applied: str) -> bool:
    edited, applied = edited.replace("\\", "/"), applied.replace("\\", "/")
    return edited == applied or edited.endswith(f"/{applied}") or applied.endswith(f"/{edited}")


@dataclass
class SessionBuilder:
    session: Session
    mode: str = "reply"  # reply | thinking | report (aider quoting failed blocks back)
    pending_edits: list[Step] = field(default_factory=list)
    running: Step | None = None  # a /run step collecting its output
    last_text_line: str = ""
    in_block: bool = False  # between SEARCH and REPLACE, where `=======` is the block's divider
    # Aider has reported since the last edit block, so blocks still pending got no result.
    reported: bool = False
    reply: list[str] = field(default_factory=list)
    in_input: bool = False
    applied: int = 0
    last_event: str = ""

    def add(self, number: int, line: str) -> None:
        if line.startswith("####"):
            self._input(number, line[4:].strip())
            return
        self.in_input = False
        if line.startswith(">"):
            self._aider_output(number, line[1:].strip())
        elif self.mode == "thinking":
            self.mode = "reply" if _THINKING_CLOSE.match(line) else "thinking"
        elif self.mode == "report":
            self.mode = "reply" if line.startswith(REPORT_END) else "report"
        else:
            self._reply(number, line)

    def _input(self, number: int, text: str) -> None:
        self._end_reply()
        self.running = None
        if self.in_input or not text:
            return  # continuation of a multi-line message, which only its first line classifies
        self.in_input = True
        command, _, argument = text.partition(" ")
        if command in RUN_COMMANDS:
            self.running = Step(tool="run", args={"command": argument.strip()}, line=number)
            self.session.steps.append(self.running)
        elif command in PROMPT_COMMANDS or not text.startswith("/"):
            self.session.task = self.session.task or (argument.strip() if text.startswith("/") else text)
        self.last_event = "prompt"

    def _aider_output(self, number: int, text: str) -> None:
        self._end_reply()
        self.reported = True
        if self.running is not None and text:
            self.running.result = cap_text(f"{self.running.result}\n{text}".lstrip("\n"))
        applied = _APPLIED.match(text)
        tokens = _TOKENS.match(text)
        model = _MODEL.match(text)
        if applied:
            self._applied(number, applied.group(1).strip(), text)
            self.applied += 1
            self.last_event = "applied"
        elif tokens:
            self.session.tokens_in += token_count(tokens.group(1), tokens.group(2))
            self.session.tokens_out += token_count(tokens.group(3), tokens.group(4))
        elif model:
            self.session.model = model.group(1)
        elif text.startswith(INTERRUPT_MARKERS):
            self.session.interruptions += text.startswith(INTERRUPT_MARKERS[0])
            self.last_event = "interrupted"
        elif any(marker in text for marker in ERROR_MARKERS):
            self.last_event = "error"

    def _reply(self, number: int, line: str) -> None:
        no_match = _NO_MATCH.match(line)
        if no_match:
            self._settle(no_match.group(1).strip(), failed=True, result=line.lstrip("# "))
            self.mode = "report"
            self.last_event = "error"
            return
        if _THINKING_OPEN.match(line):
            self.mode = "thinking"
            return
        if line.strip() == DIVIDER and not self.in_block:
            return  # the middle of a git merge conflict
        if line.startswith(SEARCH_MARKER):
            if self.reported:
                self.pending_edits, self.reported = [], False
            step = Step(tool="edit", args={"path": edit_target(self.last_text_line)}, line=number)
            self.session.steps.append(step)
            self.pending_edits.append(step)
            self.in_block = True
        elif line.startswith(REPLACE_MARKER):
            self.in_block = False
        elif line.strip() and not line.startswith("```"):
            self.last_text_line = line
        self.reply.append(line)
        if line.strip():
            self.last_event = "answered"

    def _end_reply(self) -> None:
        text = "\n".join(self.reply).strip()
        if text:
            self.session.final_message = cap_text(text)
        self.reply = []

    def _applied(self, number: int, path: str, text: str) -> None:
        # Whole-file edit formats write the new file without SEARCH markers: then the
        # notice itself is the only trace of the edit.
        if not self._settle(path, failed=False, result=text):
            self.session.steps.append(Step(tool="edit", args={"path": path}, result=text, line=number))

    def _settle(self, path: str, failed: bool, result: str) -> bool:
        step = next((s for s in self.pending_edits if same_file(s.args["path"], path)), None)
        if step is None:
            return False
        self.pending_edits.remove(step)
        step.result = result
        step.is_error = failed
        return True

    def finish(self) -> Session:
        self._end_reply()
        if self.last_event == "interrupted":
            self.session.outcome = Outcome.INTERRUPTED
        elif self.last_event == "error":
            self.session.outcome = Outcome.FAILED
        elif self.applied:
            self.session.outcome = Outcome.SUCCEEDED
        return self.session


_SESSION_START = r"# aider chat started at \d{4}-"

TRACE_FORMAT = TraceFormat(
    id=FORMAT,
    name="Aider chat history Markdown",
    signature=re.compile(r"\n" + _SESSION_START),
    file_name=re.compile(r"aider[^/]*\.md$"),
    # `.aider.chat.history.md` by default; any name still saying aider and history (`custom_aider_history.md`).
    scanned_name=re.compile(r"aider[^/]*histor[^/]*\.md$", re.IGNORECASE),
    parse=parse,
    opening=re.compile(_SESSION_START),
)

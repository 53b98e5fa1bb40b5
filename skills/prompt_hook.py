"""The prompt hook: name the approved skills that fit a prompt, as context for the agent.

Claude Code runs `skillwarden --home WS hook run` on every prompt (`UserPromptSubmit`), with the prompt in
a JSON object on stdin. The hook ranks the skills of the selection index (relevance of name and
description to the prompt × a Thompson sample of the skill's success posterior, as `select` does), keeps
those relevant enough, and prints Claude Code's hook output: `hookSpecificOutput.additionalContext` naming
each with a one-line reason and the SKILL.md to load. It remembers what it suggested to which session
(`hook-suggestions.jsonl`), so a session that then follows a suggested skill counts as a use of it.

A hook must never block its user: when nothing fits, or anything at all goes wrong, it prints nothing and
exits 0. It imports only what it needs, so it answers in tens of milliseconds (`bench/hook_latency.py`).
The prompt is never written anywhere and never echoed.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from skillwarden.core.signals.categorize import words
from skillwarden.skills.select_index import read_index
from skillwarden.skills.stats import STOPWORDS, Posterior, rank_skills

EVENT = "UserPromptSubmit"
SUGGESTIONS_FILE = "hook-suggestions.jsonl"
MIN_RELEVANCE = 0.1  # below it, on the demo library, only chance words are shared
LIMIT = 3
MAX_INPUT_BYTES = 1024 * 1024
MAX_SESSION_ID = 200
HEADER = (
    "skillwarden: reviewed skills from your library that fit this prompt "
    "(load one with the Skill tool or by reading its SKILL.md):"
)
# C0 and C1 controls, zero-width, bidi and tag characters: the context must read the same to a person and a model.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\U000e0000-\U000e007f]")


@dataclass(frozen=True)
class Suggestion:
    name: str
    description: str
    path: str | None
    matched: tuple[str, ...]
    mean: float
    uses: int

    def line(self) -> str:
        record = f"mean reward {self.mean:.2f} over {self.uses} use(s)" if self.uses else "not used yet"
        fits = f"fits: {', '.join(self.matched)}; " if self.matched else ""
        where = f" {self.path}" if self.path else ""
        return one_line(f"- {self.name}: {self.description} ({fits}{record}){where}")


def one_line(text: str, limit: int = 600) -> str:
    flat = " ".join(UNPRINTABLE.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def content_words(text: str) -> set[str]:
    return {word for word in words(text) if word not in STOPWORDS and len(word) > 1}


def suggest(
    prompt: str, entries: list[dict], rng: random.Random, *, limit: int = LIMIT, min_relevance: float = MIN_RELEVANCE
) -> list[Suggestion]:
    """The skills that fit `prompt`, best first: relevant enough, then ranked by relevance × sample."""
    by_name = {entry["name"]: entry for entry in entries}
    texts = {name: entry["text"] for name, entry in by_name.items()}
    ranked = rank_skills(
        prompt, {name: (texts[name], Posterior(e["alpha"], e["beta"])) for name, e in by_name.items()}, rng
    )
    asked = content_words(prompt)
    chosen = []
    for rank in ranked:
        if rank.relevance < min_relevance:
            continue
        entry = by_name[rank.skill]
        matched = tuple(sorted(asked & content_words(texts[rank.skill])))[:4]
        path = entry["paths"][0] if entry["paths"] and isinstance(entry["paths"][0], str) else None
        chosen.append(Suggestion(rank.skill, entry["description"], path, matched, rank.mean, entry["uses"]))
        if len(chosen) == limit:
            break
    return chosen


def hook_output(suggestions: list[Suggestion]) -> dict:
    context = "\n".join([HEADER, *(suggestion.line() for suggestion in suggestions)])
    return {"hookSpecificOutput": {"hookEventName": EVENT, "additionalContext": context}}


def prompt_of(stdin_text: str) -> tuple[str, str | None]:
    """The prompt and the session id from the hook's input; ValueError when it is not that input."""
    data = json.loads(stdin_text)
    if not isinstance(data, dict) or not isinstance(data.get("prompt"), str):
        raise ValueError("no prompt in the hook input")
    session = data.get("session_id")
    valid = isinstance(session, str) and 0 < len(session) <= MAX_SESSION_ID and session.isprintable()
    return data["prompt"], session if valid else None


def remember(home: Path, session: str, names: list[str], now: datetime) -> None:
    """One line per suggestion, appended in one write (lines from concurrent sessions do not interleave)."""
    at = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    line = json.dumps({"session": session, "at": at, "skills": names}) + "\n"
    descriptor = os.open(home / SUGGESTIONS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        os.write(descriptor, line.encode("utf-8"))
    finally:
        os.close(descriptor)


def answer(home: Path, stdin_text: str, rng: random.Random, now: datetime) -> str | None:
    """What the hook prints for this input, or None for nothing."""
    prompt, session = prompt_of(stdin_text)
    suggestions = suggest(prompt, read_index(home), rng)
    if not suggestions:
        return None
    if session is not None:
        # When it cannot be noted, the suggestion still helps the agent; only its use would not be counted.
        with contextlib.suppress(OSError):
            remember(home, session, [suggestion.name for suggestion in suggestions], now)
    return json.dumps(hook_output(suggestions))


def main(home: Path, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run as the hook: always exit 0, print nothing unless there is something to suggest."""
    try:
        text = (stdin or sys.stdin).read(MAX_INPUT_BYTES)
        output = answer(home, text, random.Random(), datetime.now(UTC))
        if output is not None:
            out = stdout or sys.stdout
            out.write(output + "\n")
            out.flush()
    except BaseException:  # a hook must never block the user's prompt, whatever happened
        pass
    return 0

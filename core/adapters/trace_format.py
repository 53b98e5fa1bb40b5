"""What a format module declares about its trace format, in one `TraceFormat`: its id and name, how a file
of it is recognised, how it is parsed and, where its files only ever grow, how a grown file is read on from
where the last read stopped."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from skillwarden.core.model import ParseResult, Session

SessionLoader = Callable[[str], Session | None]  # a stored session by id (Store.load_session)
# (root session id, agent id) -> (the session that ran the call that started the agent, the call's id)
SubagentLinks = dict[tuple[str, str], tuple[str, str]]


@dataclass
class SessionChange:
    """A session as it stands after the lines just read, and which of its steps those lines touched."""

    session: Session
    first_new_step: int = 0  # steps before this index were stored by an earlier read
    resolved: set[int] = field(default_factory=set)  # earlier steps whose result arrived now


class ResumableReader(Protocol):
    """A parse fed the lines read so far, whose `state()` lets a later read resume it with only the lines
    appended since."""

    def add(self, number: int, record: dict) -> None: ...

    def changes(self) -> list[SessionChange]: ...

    def state(self) -> dict: ...

    def subagent_links(self, sessions: list[Session]) -> SubagentLinks:
        """The sub-agent links known once the lines are read, `sessions` being the sessions they touched."""
        ...


@dataclass(frozen=True)
class Resumable:
    """How a grown file of the format is read on from the saved offset."""

    # (path, the state the last read saved or None, a stored session by id) -> a reader fed the new lines
    reader: Callable[[str, dict | None, SessionLoader], ResumableReader]
    # Lines that begin with these bytes carry no session: skipped before JSON decoding.
    skipped_lines: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class TraceFormat:
    id: str
    name: str
    # Patterns matched against the raw head of a file. They look for structural JSON keys with
    # unescaped quotes, which cannot occur inside a JSON string value, so a session that merely
    # talks about another format does not match it.
    signature: re.Pattern[str]
    # Used only to break a tie between formats whose content matched equally well.
    file_name: re.Pattern[str]
    parse: Callable[[bytes, str], ParseResult]
    # A match at the very start of the file, counted with the signature's. Kept apart because a pattern
    # with a branch anchored at the start cannot skip ahead to its literal: it would try every position.
    opening: re.Pattern[str] | None = None
    resumable: Resumable | None = None
    # Names ending so are files the agent writes beside its traces that are no trace (sniffed, they would be
    # unsupported JSON): a folder's scan passes them by.
    companion_suffixes: tuple[str, ...] = ()
    # A name a folder's scan takes for a trace beyond the usual suffixes (`.jsonl`, `.json`, `.traj`): for a
    # format whose files the user may name freely (aider's `--chat-history-file`).
    scanned_name: re.Pattern[str] | None = None

    def signature_matches(self, text: str) -> int:
        opening = self.opening is not None and self.opening.match(text) is not None
        return len(self.signature.findall(text)) + opening

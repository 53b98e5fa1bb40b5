"""What a format module declares about its trace format, in one `TraceFormat`: its id and name, how a file
of it is recognised and how it is parsed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from skillwarden.core.model import ParseResult


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

    def signature_matches(self, text: str) -> int:
        opening = self.opening is not None and self.opening.match(text) is not None
        return len(self.signature.findall(text)) + opening

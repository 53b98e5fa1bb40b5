"""Harness modifications applied to the user's harness repository, one revertable commit each.

The harness files (`AGENTS.md`, `CLAUDE.md`, `.claude/settings.json`) live in a project repository the
user names (`harness_repo:`), which usually has other work in progress: unlike the skills library, only
staged changes and changes to the file being modified are in the way. A change comes either as a unified
diff, applied by a strict applier that refuses any context mismatch (never fuzz: a rule inserted in the
wrong place is worse than none), or as the whole new content, which must be bound to the content hash of
the file it was computed against. Either way the decision is stale if the file changed since.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from skillwarden.core.mining.hook_commands import unvetted_hooks
from skillwarden.core.security.sanitize import clean_line
from skillwarden.skills.decision_input import (
    Scanner,
    bytes_hash,
    check_not_stale,
    check_printable,
    validate_candidate_id,
    validated_decision_fields,
)
from skillwarden.skills.decision_repository import DecisionChange, DecisionRepository
from skillwarden.skills.library_errors import LibraryError, UnsafeContentError, UnsafePathError
from skillwarden.skills.skill_md import content_hash
from skillwarden.skills.trailers import Decision, build_commit_message, decision_trailers

HARNESS_FILES = ("AGENTS.md", "CLAUDE.md", ".claude/settings.json")
HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
NO_NEWLINE_MARKER = "\\ No newline at end of file"


class PatchError(LibraryError):
    """A diff that does not apply exactly to the file it names."""


@dataclass
class Hunk:
    old_start: int
    old_count: int
    new_count: int
    lines: list[tuple[str, str]]  # (" " | "-" | "+", text including its newline, if it has one)


def parse_unified_diff(diff: str, target: str) -> list[Hunk]:
    """The hunks of a one-file unified diff; its `---`/`+++` headers, when present, must name `target`."""
    if not isinstance(diff, str):
        raise PatchError("the diff must be text")
    hunks: list[Hunk] = []
    lines = diff.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the split after the final newline
    for number, line in enumerate(lines, start=1):
        header = HUNK_HEADER.match(line)
        if header:
            old_start, old_count, _new_start, new_count = (
                int(value) if value is not None else 1 for value in header.groups()
            )
            hunks.append(Hunk(old_start, old_count, new_count, []))
        # Headers only come before the first hunk: inside one, "--- x" is the removed line "-- x".
        elif line.startswith("--- ") and not hunks:
            _check_header_path(line[4:], target, "a/", number)
        elif line.startswith("+++ ") and not hunks:
            _check_header_path(line[4:], target, "b/", number)
        elif not hunks and line.startswith(("diff ", "index ", "new file mode ")):
            continue
        elif hunks and line[:1] in (" ", "-", "+"):
            hunks[-1].lines.append((line[0], line[1:] + "\n"))
        elif hunks and line == NO_NEWLINE_MARKER and hunks[-1].lines:
            op, text = hunks[-1].lines[-1]
            hunks[-1].lines[-1] = (op, text.removesuffix("\n"))
        else:
            raise PatchError(f"diff line {number} is not part of a unified diff: {line[:80]!r}")
    if not hunks:
        raise PatchError("the diff has no hunks")
    for hunk in hunks:
        old = sum(op != "+" for op, _ in hunk.lines)
        new = sum(op != "-" for op, _ in hunk.lines)
        if (old, new) != (hunk.old_count, hunk.new_count):
            raise PatchError(
                f"hunk at line {hunk.old_start} claims -{hunk.old_count} +{hunk.new_count} lines but has -{old} +{new}"
            )
    return hunks


def _check_header_path(name: str, target: str, prefix: str, number: int) -> None:
    name = name.split("\t", 1)[0].strip()
    if name != "/dev/null" and name not in (prefix + target, target):
        raise PatchError(f"diff line {number} names {name!r}, not {target!r}")


def apply_unified_diff(original: str, diff: str, target: str) -> str:
    """`original` with `diff` applied; PatchError on any context or removed line that does not match."""
    hunks = parse_unified_diff(diff, target)
    source = original.splitlines(keepends=True)
    result: list[str] = []
    position = 0  # index into source of the next line not yet copied
    for hunk in hunks:
        # A hunk that removes or keeps nothing inserts after line old_start; otherwise it starts there.
        start = hunk.old_start if hunk.old_count == 0 else hunk.old_start - 1
        if start < position or start > len(source):
            raise PatchError(f"hunk at line {hunk.old_start} is out of order or beyond the end of {target}")
        result += source[position:start]
        position = start
        for op, text in hunk.lines:
            if op == "+":
                result.append(text)
                continue
            if position >= len(source) or source[position] != text:
                found = source[position] if position < len(source) else "end of file"
                raise PatchError(
                    f"{target} line {position + 1} does not match the diff: expected {text!r}, found {found!r}"
                )
            if op == " ":
                result.append(text)
            position += 1
        # Less context after the change than before it is how a diff says "this is the end of the file"
        # (git apply reads it the same way); without this, re-applying an append would append twice.
        if _trailing_context(hunk) < _leading_context(hunk) and position != len(source):
            raise PatchError(f"hunk at line {hunk.old_start} must end at the end of {target}, which has more lines")
    return "".join(result + source[position:])


def _leading_context(hunk: Hunk) -> int:
    return next((index for index, (op, _) in enumerate(hunk.lines) if op != " "), len(hunk.lines))


def _trailing_context(hunk: Hunk) -> int:
    return next((index for index, (op, _) in enumerate(reversed(hunk.lines)) if op != " "), len(hunk.lines))


def added_text(before: str, after: str) -> str:
    """The lines `after` adds to `before`: what a harness change would make agents read."""
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    return "\n".join(line[2:] for line in diff if line.startswith("+ "))


def validate_harness_content(target: str, text: str) -> None:
    if target.endswith(".json"):
        try:
            value = json.loads(text)
        except ValueError as error:
            raise PatchError(f"{target} would not be valid JSON: {error}") from error
        if not isinstance(value, dict):
            raise PatchError(f"{target} must stay a JSON object")


def refuse_unvetted_hooks(before: str, after: str) -> None:
    """A hook runs after every session of every agent: whoever approves it, it may only add a command
    skillwarden recognizes as a verification step (`core.mining.hook_commands`), exactly as that vets it."""
    unvetted = unvetted_hooks(before, after)
    if unvetted:
        raise UnsafeContentError(
            f"refusing to add a hook that runs {clean_line(unvetted[0])!r}: not a verification step skillwarden "
            "recognizes (one test runner command, plain arguments)"
        )


class HarnessRepo(DecisionRepository):
    """The user's project repository with the agent harness files; never created by us."""

    requires_clean_tree = False

    def __init__(
        self,
        path: Path,
        *,
        files: Sequence[str] = HARNESS_FILES,
        scanner: Scanner | None = None,
        on_step=None,
    ) -> None:
        super().__init__(path, create=False, scanner=scanner, on_step=on_step)
        self.files = tuple(files)

    def apply_change(
        self,
        *,
        candidate_id: str,
        target: str,
        evidence: Sequence[str],
        reviewer: str,
        title: str,
        diff: str | None = None,
        content: str | None = None,
        base_hash: str | None = None,
        reason: str = "",
        policy: str | None = None,
        require_clean_scan: bool = False,
    ) -> Decision:
        """Commit a harness change: `diff` (a unified diff of `target`) or `content` (the whole new file,
        which needs the `base_hash` it was computed against; ABSENT for a new file)."""
        if target not in self.files:
            raise UnsafePathError(f"{target!r} is not a harness file; expected one of {', '.join(self.files)}")
        candidate_id = validate_candidate_id(candidate_id)
        sessions, reviewer, title, reason, policy, base_hash = validated_decision_fields(
            evidence, reviewer, title, reason, policy, base_hash
        )
        if (diff is None) == (content is None):
            raise LibraryError("a harness change needs either a diff or the whole new content")
        if content is not None and base_hash is None:
            raise LibraryError("whole new content must be bound to the hash of the file it was computed against")
        reviewed = diff if diff is not None else content
        if not isinstance(reviewed, str):
            raise LibraryError("the harness change must be text")
        digest = content_hash(reviewed)
        with self._lock:
            self._require_clean_branch([target])
            committed = self._committed_bytes(target)
            check_not_stale(candidate_id, target, committed, base_hash)
            before = committed.decode("utf-8") if committed is not None else ""
            after = apply_unified_diff(before, diff, target) if diff is not None else content
            if after == before:
                raise LibraryError(f"{target} already has this change")
            validate_harness_content(target, after)
            refuse_unvetted_hooks(before, after)
            added = added_text(before, after)
            check_printable(added, target)
            scan = self._scan(added, require_clean=require_clean_scan)
            trailers = decision_trailers(
                "approve", candidate_id, digest, sessions, reviewer, target=target,
                base_hash=base_hash if base_hash is not None else bytes_hash(committed), policy=policy, scan=scan,
            )  # fmt: skip
            body = f"Applied by {reviewer} from {len(sessions)} evidence session(s)."
            message = build_commit_message(
                f"apply harness change to {target}: {title}", f"{body}\n\n{reason}" if reason else body, trailers
            )
            self._apply(DecisionChange(writes={target: after.encode("utf-8")}), message, reviewer,
                        intent=("approve", candidate_id, digest))  # fmt: skip
            return self._head_decision()

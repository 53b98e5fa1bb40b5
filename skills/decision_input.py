"""Checks on everything a decision writes, before any path is built or any byte written: candidate ids,
content and base hashes, reviewers, evidence, titles, skill names, paths inside the repository (no
symlink on the way), and the scanner's verdict.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from skillwarden.core.model import path_line
from skillwarden.core.security.sanitize import clean_line, unsafe_character
from skillwarden.skills.library_errors import LibraryError, StaleCandidateError, UnsafeContentError, UnsafePathError
from skillwarden.skills.skill_md import SkillFormatError, validate_name

# The base hash of a candidate computed when its target did not exist yet: it must still not exist.
ABSENT = "absent"

# A scanner takes a skill folder as it will be committed ({relative path: bytes}) or a text (a harness
# change) and returns a report with .verdict, .scanner_version and .findings.
Scanner = Callable[["str | dict[str, bytes]"], object]

# Scanner verdicts (core/security/scan): dangerous is never committed, caution only by a human.
DANGEROUS = "dangerous"
SAFE = "safe"


# Candidate ids become file names under decisions/rejected/, so they get a conservative alphabet.
CANDIDATE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
CONTENT_HASH_PATTERN = re.compile(r"^sha256:[0-9a-f]{64}$")


def single_line(value: object, what: str) -> str:
    """`value` if it is a non-empty printable one-line string; it will end up in a commit trailer."""
    if not isinstance(value, str) or not value.strip():
        raise LibraryError(f"{what} must be a non-empty string")
    if not value.isprintable() or value != value.strip():
        raise LibraryError(f"{what} must be one line of printable text without surrounding spaces: {value!r}")
    return value


def validate_candidate_id(candidate_id: object) -> str:
    if not isinstance(candidate_id, str) or CANDIDATE_ID_PATTERN.fullmatch(candidate_id) is None:
        raise LibraryError(f"invalid candidate id {candidate_id!r}: use 1-128 ASCII letters, digits, '.', '_' or '-'")
    return candidate_id


def validate_content_hash(value: object) -> str:
    if not isinstance(value, str) or CONTENT_HASH_PATTERN.fullmatch(value) is None:
        raise LibraryError(f"invalid content hash {value!r}: expected 'sha256:' and 64 lowercase hex digits")
    return value


def validate_reviewer(reviewer: object) -> str:
    reviewer = single_line(reviewer, "reviewer")
    if "<" in reviewer or ">" in reviewer:  # git would read them as an email address
        raise LibraryError(f"reviewer must not contain '<' or '>': {reviewer!r}")
    return reviewer


def validate_evidence(evidence: object) -> tuple[str, ...]:
    """Evidence session ids, deduplicated in order. A bare string is refused: it would iterate by char."""
    if isinstance(evidence, str) or not isinstance(evidence, Iterable):
        raise LibraryError("evidence must be a sequence of session ids, not a single string")
    sessions = [single_line(session, "evidence session id") for session in evidence]
    return tuple(dict.fromkeys(sessions))


def one_line_title(title: object) -> str:
    """The title goes into the commit subject, which must stay one line."""
    if not isinstance(title, str) or not clean_line(title):
        raise LibraryError("title must be a non-empty string")
    return clean_line(title)


def check_printable(text: str, what: str) -> None:
    """Refuse to write `text` if it holds an escape sequence, a control character (other than tab and
    newline) or an invisible one: the last defence, should anything from a trace get past ingest."""
    found = unsafe_character(text)
    if found is not None:
        raise UnsafeContentError(f"refusing to write {what}: it holds {found}")


def bytes_hash(data: bytes | None) -> str:
    """The content hash of a committed file's bytes (same as skill_md.content_hash of its text), or ABSENT."""
    return ABSENT if data is None else "sha256:" + hashlib.sha256(data).hexdigest()


def validate_base_hash(value: object) -> str | None:
    if value is None or value == ABSENT:
        return value
    return validate_content_hash(value)


def validated_decision_fields(
    evidence: object, reviewer: object, title: object, reason: object, policy: object, base_hash: object
) -> tuple[tuple[str, ...], str, str, str, str | None, str | None]:
    """What every decision records, checked: (sessions, reviewer, title, reason, policy, base hash)."""
    return (
        validate_evidence(evidence),
        validate_reviewer(reviewer),
        one_line_title(title),
        text_field(reason, "reason"),
        None if policy is None else single_line(policy, "policy rule"),
        validate_base_hash(base_hash),
    )


def check_not_stale(candidate_id: str, target: str, committed: bytes | None, base_hash: str | None) -> None:
    """Refuse a candidate computed against other content than `target` has now (None: not bound)."""
    if base_hash is None:
        return
    current = bytes_hash(committed)
    if current != base_hash:
        raise StaleCandidateError(
            f"candidate {candidate_id} is stale: it was computed against {target} at {base_hash}, "
            f"which is now {current}; mine it again and review the new version"
        )


def scan_refusal(report: object, *, require_clean: bool) -> str | None:
    """Why a scan report forbids the commit, or None. Dangerous never passes; caution needs a human."""
    verdict = str(report.verdict)
    if verdict == DANGEROUS or (require_clean and verdict != SAFE):
        findings = "; ".join(
            f"{_place(finding)}: {finding.message} ({finding.rule})" for finding in getattr(report, "findings", ())
        )
        who = "" if verdict == DANGEROUS else " without a human review"
        return f"security scan says {verdict}; refusing to commit it{who}" + (f": {findings}" if findings else "")
    return None


def _place(finding: object) -> str:
    file = getattr(finding, "file", "")
    return path_line(file, finding.line) if file else f"line {finding.line}"


def default_scanner() -> Scanner:
    """The scanner every commit goes through, imported on first use (it is large and not needed to read)."""
    from skillwarden.core.security.scan import scan_content

    return scan_content


def checked_path(root: Path, relative: str) -> Path:
    """`root/relative`, refused if it could land outside `root`: `..`, absolute or through a symlink.

    Every existing component is checked with lstat, so a planted `skills/foo -> /etc` is caught.
    """
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(part in ("", ".", "..") for part in parts):
        raise UnsafePathError(f"refusing unsafe path {relative!r}")
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise UnsafePathError(f"refusing to write through the symlink {current} -> {os.readlink(current)}")
    if not current.resolve().is_relative_to(root.resolve()):
        raise UnsafePathError(f"refusing to write {current}: it resolves outside {root}")
    return current


def valid_skill_name(name: object) -> str:
    try:
        return validate_name(name)
    except SkillFormatError as error:
        raise UnsafePathError(str(error)) from error


def text_field(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise LibraryError(f"{what} must be a string")
    return value.strip()

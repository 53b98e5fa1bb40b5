"""The trailer protocol: how a decision is written into its commit message and read back from it
(`Skillwarden-Decision`, `-Candidate`, `-Content-Hash`, `-Evidence`, `-Reviewer`, ...). The git log is
the source of truth, so these functions are the only reader and writer of that format.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from skillwarden.core.security.sanitize import clean_line, clean_text

BACKLOG_BRANCH_PREFIX = "skillwarden/backlog/"
# Reverting decisions: a rollback retires the decision for good, an undo returns it to review.
REVERTING_ACTIONS = ("rollback", "undo")


TRAILER_DECISION = "Skillwarden-Decision"
TRAILER_CANDIDATE = "Skillwarden-Candidate"
TRAILER_SKILL = "Skillwarden-Skill"
TRAILER_CONTENT_HASH = "Skillwarden-Content-Hash"
TRAILER_EVIDENCE = "Skillwarden-Evidence"
TRAILER_REVIEWER = "Skillwarden-Reviewer"
TRAILER_REVERTS = "Skillwarden-Reverts"
TRAILER_TARGET = "Skillwarden-Target"  # a harness file, for decisions that are not about a skill
TRAILER_BASE_HASH = "Skillwarden-Base-Hash"
TRAILER_SCANNER = "Skillwarden-Scanner"
TRAILER_SCAN = "Skillwarden-Scan"
TRAILER_POLICY = "Skillwarden-Policy"


PAST_TENSE = {"approve": "Approved", "backlog": "Backlogged"}


TRAILER_LINE_PATTERN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*): (.*)$")


@dataclass(frozen=True)
class Decision:
    action: str  # "approve" | "backlog" | "reject" | "rollback" | "undo"
    candidate_id: str
    content_hash: str
    evidence: tuple[str, ...]
    reviewer: str
    sha: str
    when: str  # ISO-8601 commit time
    summary: str  # the commit subject
    reverts: str | None = None  # for a rollback: the sha of the decision it undid
    name: str | None = None  # the skill name, for decisions about a SKILL.md
    target: str | None = None  # the harness file, for harness modifications
    policy: str | None = None  # the policy rule that decided, when no human did
    scanner: str | None = None  # the scanner version that passed the content
    reason: str = ""  # the commit body: why


# ---------------------------------------------------------------- pure helpers: messages and trailers


def build_commit_message(subject: str, body: str, trailers: Sequence[tuple[str, str]]) -> str:
    """Subject, blank line, body, blank line, one `Key: value` trailer per line. Whatever part of them came
    from a trace, no escape sequence or control character gets into the message, and the subject and each
    trailer stay one line (a newline in a title must not start a forged trailer)."""
    trailer_block = "\n".join(f"{clean_line(key)}: {clean_line(value)}" for key, value in trailers)
    return f"{clean_line(subject)}\n\n{clean_text(body).strip()}\n\n{trailer_block}\n"


def parse_trailers(message: str) -> dict[str, list[str]]:
    """Trailers of a commit message: the last paragraph, if every line of it is `Key: value`.

    Values are kept in order per key, so repeated keys (one Evidence line per session) survive.
    """
    paragraphs = [part for part in re.split(r"\n[ \t]*\n", message.strip()) if part.strip()]
    if len(paragraphs) < 2:  # a subject alone has no trailers
        return {}
    trailers: dict[str, list[str]] = {}
    for line in paragraphs[-1].splitlines():
        match = TRAILER_LINE_PATTERN.match(line.strip())
        if match is None:
            return {}
        trailers.setdefault(match.group(1), []).append(match.group(2).strip())
    return trailers


def message_body(message: str) -> str:
    """The paragraphs between the subject and the trailer block: the human-readable why."""
    paragraphs = [part.strip() for part in re.split(r"\n[ \t]*\n", message.strip()) if part.strip()]
    end = len(paragraphs) - 1 if parse_trailers(message) else len(paragraphs)
    return "\n\n".join(paragraphs[1:end])


def decision_from_trailers(
    trailers: dict[str, list[str]], *, sha: str, when: str, summary: str, reason: str = ""
) -> Decision | None:
    """The Decision a commit records, or None for commits that are not skillwarden decisions. A commit
    whose trailers are not a whole decision (one of each required key, at most one of the others) is not
    one: someone else's commit that merely mentions a trailer must not stop the history from being read."""
    required = (TRAILER_DECISION, TRAILER_CANDIDATE, TRAILER_CONTENT_HASH, TRAILER_REVIEWER)
    optional = (TRAILER_REVERTS, TRAILER_SKILL, TRAILER_TARGET, TRAILER_POLICY, TRAILER_SCANNER)
    if any(len(trailers.get(key, [])) != 1 for key in required):
        return None
    if any(len(trailers.get(key, [])) > 1 for key in optional):
        return None

    def single(key: str) -> str | None:
        return trailers[key][0] if trailers.get(key) else None

    return Decision(
        action=single(TRAILER_DECISION),
        candidate_id=single(TRAILER_CANDIDATE),
        content_hash=single(TRAILER_CONTENT_HASH),
        evidence=tuple(trailers.get(TRAILER_EVIDENCE, [])),
        reviewer=single(TRAILER_REVIEWER),
        sha=sha,
        when=when,
        summary=summary,
        reverts=single(TRAILER_REVERTS),
        name=single(TRAILER_SKILL),
        target=single(TRAILER_TARGET),
        policy=single(TRAILER_POLICY),
        scanner=single(TRAILER_SCANNER),
        reason=reason,
    )


def subject_of(decision: Decision) -> str:
    if decision.name:
        return f"skill {decision.name}"
    if decision.target:
        return f"harness file {decision.target}"
    return f"candidate {decision.candidate_id}"


def decision_trailers(
    action: str,
    candidate_id: str,
    digest: str,
    sessions: Sequence[str],
    reviewer: str,
    *,
    name: str | None = None,
    target: str | None = None,
    base_hash: str | None = None,
    policy: str | None = None,
    scan: Sequence[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    trailers = [(TRAILER_DECISION, action), (TRAILER_CANDIDATE, candidate_id)]
    if name is not None:
        trailers.append((TRAILER_SKILL, name))
    if target is not None:
        trailers.append((TRAILER_TARGET, target))
    trailers.append((TRAILER_CONTENT_HASH, digest))
    if base_hash is not None:
        trailers.append((TRAILER_BASE_HASH, base_hash))
    trailers += [(TRAILER_EVIDENCE, session) for session in sessions]
    trailers.append((TRAILER_REVIEWER, reviewer))
    trailers += scan
    if policy is not None:
        trailers.append((TRAILER_POLICY, policy))
    return trailers

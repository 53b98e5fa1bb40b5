"""Harness candidates: the recurring failure patterns (`core.mining.detectors`) not yet handled, each as a concrete
change of a harness file (`core.mining.harness`), with its evidence, predictions and flags."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from skillwarden.core.mining.detectors import (
    FailurePattern,
    Firing,
    failure_patterns,
    is_verification,
    token_session_counts,
)
from skillwarden.core.mining.harness import HarnessChange, harness_change
from skillwarden.core.mining.hook_commands import vetted_command
from skillwarden.core.mining.predict import (
    HarnessRule,
    SessionFacts,
    predictions,
)
from skillwarden.core.mining.skill_draft import slugify
from skillwarden.core.model import Outcome, Session, Step
from skillwarden.core.security.injection import suspicious_evidence
from skillwarden.core.security.redact import redact
from skillwarden.core.security.sanitize import clean_line
from skillwarden.core.signals.normalize import shell_command_text
from skillwarden.core.workspace.store import StoredCandidate
from skillwarden.reviews.candidate_security import security_report, with_provenance_flags
from skillwarden.reviews.extraction_settings import ExtractionSettings
from skillwarden.skills.decision_input import ABSENT
from skillwarden.skills.skill_md import content_hash


def verify_command(sessions: list[Session]) -> str | None:
    """The verification command successful sessions ran most, as `vetted_command` re-quotes it, for a Stop
    hook to run; commands it does not vet (compound, redirected, loading code from elsewhere) do not count.
    None when there is none."""
    runs = Counter(
        shell_command_text(step.args).strip()
        for s in sessions
        if s.outcome == Outcome.SUCCEEDED
        for step in s.steps
        if is_verification(step)
    )
    commands: Counter[str] = Counter()
    for command, count in runs.items():  # each distinct command line vetted once
        if vetted := vetted_command(command):
            commands[vetted] += count
    return min(commands, key=lambda c: (-commands[c], c)) if commands else None


def harness_changes(
    sessions: list[Session],
    settings: ExtractionSettings,
    read_file: Callable[[str], str],
    firings: list[Firing],
    rewards: dict[str, float] | None = None,
) -> list[tuple[HarnessChange, list[str], list[dict], list[dict]]]:
    """(change, evidence sessions, provenance, provenance flags) for every recurring failure pattern not yet
    handled, from the detectors' `firings` on `sessions`; `rewards` (graded, or labels where imported) tell
    which patterns go with worse outcomes."""
    outcomes = {s.id: str(s.outcome) for s in sessions}
    lines = {s.id: s.steps for s in sessions}
    tasks = {s.id: s.task for s in sessions}
    patterns = failure_patterns(
        firings,
        outcomes,
        min_sessions=settings.min_support,
        token_sessions=token_session_counts(sessions),
        rewards=rewards,
    )
    command = verify_command(sessions)
    changes = []
    for pattern in patterns:
        change = harness_change(pattern, settings.harness, read_file, command)
        if change is None:
            continue
        provenance = [
            {"session": f.session_id, "steps": f"{f.first_step + 1}-{f.last_step + 1}",
             "lines": [s.line for s in lines[f.session_id][f.first_step : f.last_step + 1] if s.line is not None],
             "example": redact(f.example)}
            for f in pattern.firings
        ]  # fmt: skip
        flags = suspicious_evidence(harness_evidence_texts(pattern, lines, tasks))
        changes.append((change, pattern.sessions, provenance, flags))
    return changes


def harness_evidence_texts(
    pattern: FailurePattern, steps: dict[str, list[Step]], tasks: dict[str, str]
) -> list[tuple[str, str]]:
    """(where, text) of every free text a harness rule comes from: what recurred, and for each firing the
    task of its session, its example (a command, a path) and the error texts of its steps."""
    texts = [("the recurring signature", pattern.signature)]
    for firing in pattern.firings:
        session = firing.session_id
        texts += [(f"task of session {session}", tasks.get(session, "")),
                  (f"step {firing.first_step + 1} of session {session}", firing.example)]  # fmt: skip
        for index in range(firing.first_step, firing.last_step + 1):
            step = steps[session][index]
            if step.is_error:
                texts.append((f"error of step {index + 1} of session {session}", step.result))
    return texts


def stored_harness(
    change: HarnessChange, evidence: list[str], provenance: list[dict], flags: list[dict], facts: list[SessionFacts]
) -> StoredCandidate:
    fixes, breakages = predictions(HarnessRule(change.detector, change.signature), facts)
    return StoredCandidate(
        id=change.id, kind="harness", name=slugify(["harness", change.detector]), title=clean_line(change.title),
        content=change.diff, content_hash=content_hash(change.after), support=len(evidence), evidence=evidence,
        provenance=provenance,
        details={
            "detector": change.detector,
            "signature": change.signature,
            "rule": change.rule,
            "target": change.target,
            "diff": change.diff,
            "base_hash": content_hash(change.before) if change.existed else ABSENT,
            "predicted_fixes": fixes,
            "predicted_breakages": breakages,
            "change": change.kind,
            "provenance_flags": flags,
            "security": with_provenance_flags(security_report(change.after), flags),
        },
        first_seen="", last_seen="", live=True,
    )  # fmt: skip

"""Harness candidates: the recurring failure patterns (`core.mining.detectors`) not yet handled, each as a concrete
change of a harness file (`core.mining.harness`), with its evidence, predictions and flags."""

from __future__ import annotations

import posixpath
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
from skillwarden.core.signals.commands import split_words
from skillwarden.core.signals.normalize import shell_command_text
from skillwarden.core.signals.steps import changed_paths, creates_file
from skillwarden.core.workspace.store import StoredCandidate
from skillwarden.reviews.candidate_security import security_report, with_provenance_flags
from skillwarden.reviews.extraction_settings import ExtractionSettings
from skillwarden.skills.decision_input import ABSENT
from skillwarden.skills.skill_md import content_hash


def verify_command(sessions: list[Session], min_sessions: int = 3) -> str | None:
    """The verification command for a Stop hook, as `vetted_command` re-quotes it, or None.

    A hook runs at the end of every session, in every project the harness serves, so its command must be
    what most runs that checked their work ran: the vetted command run by at least half of the successful
    sessions that ran any (and by `min_sessions` of them), and by at least half of them in each project
    with `min_sessions` such sessions. Counted per session, so one run repeating a check is one vote; a
    script one run wrote (`pytest reproduce_issue.py`) or one module's tests in a corpus of many
    modules gets no hook, and the rule stays words. A command naming a file its own session wrote does
    not count for that session, and commands `vetted_command` refuses (compound, redirected, loading code
    from elsewhere) do not count at all."""
    ran, projects = checks_run(sessions)
    groups = [list(ran)] + [
        group for project in set(projects.values()) if project
        if len(group := [s for s in ran if projects[s] == project]) >= min_sessions
    ]  # fmt: skip
    chosen: Counter[str] = Counter(command for commands in ran.values() for command in commands)
    for group in groups:
        for command in list(chosen):
            if 2 * sum(command in ran[s] for s in group) < len(group):
                del chosen[command]
    chosen = Counter({command: n for command, n in chosen.items() if n >= min_sessions})
    return min(chosen, key=lambda c: (-chosen[c], c)) if chosen else None


def checks_run(sessions: list[Session]) -> tuple[dict[str, set[str]], dict[str, str]]:
    """For each successful session that checked its work with a command `vetted_command` accepts: those
    commands (vetted), less the ones naming a file the session itself had written; and its project."""
    vetted: dict[str, str | None] = {}  # each distinct command line vetted once
    ran: dict[str, set[str]] = {}
    projects: dict[str, str] = {}
    for session in sessions:
        if session.outcome != Outcome.SUCCEEDED:
            continue
        written: set[str] = set()  # names of the files the session created, as far as it has got
        for step in session.steps:
            if creates_file(step):
                written.update(posixpath.basename(path) for path in changed_paths(step))
            if not is_verification(step):
                continue
            line = shell_command_text(step.args).strip()
            if line not in vetted:
                vetted[line] = vetted_command(line)
            if command := vetted[line]:
                commands = ran.setdefault(session.id, set())
                projects[session.id] = session.project
                if not written.intersection(posixpath.basename(word) for word in split_words(command)):
                    commands.add(command)
    return ran, projects


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
    command = verify_command(sessions, settings.min_support)
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

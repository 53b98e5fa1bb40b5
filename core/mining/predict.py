"""Predicted fixes and breakages of a candidate, and how many came true on later sessions.

When a candidate "would have fired" on a session, per kind:

- a skill fires when the session's task carries at least half of the skill's trigger keywords, or
  the session opens with the skill's first two steps (within its first four steps);
- a harness rule fires when its detector's early trigger holds (`core.mining.detectors.triggered`: a
  second edit of the same kind of file, a command failing once, an edit, ...).

What the candidate changes (its "condition"), per kind:

- a skill changes a session that did not run its whole procedure (as a gapped subsequence);
- a harness rule changes a session in which its detector fires with the same signature.

`predicted_fixes` are the failed (or interrupted) sessions where the candidate fires and its
condition holds; `predicted_breakages` the successful sessions where both hold (it would have
changed the course of a run that worked).

The time check (`evaluate`): sessions are ordered by start time and split; candidates are built from
the older part only. Each candidate with at least one predicted fix on the older part forecasts a fix
for every newer session it fires on; the forecast came true when that session is one of the
candidate's predicted fixes there (it failed, the candidate fired, and its condition held: it failed
in the way the candidate addresses). Each candidate with at least one predicted breakage forecasts a
regression for every newer session it fires on; that came true when the session is one of its
predicted breakages there (it succeeded and the candidate would have changed its course). The random
baseline draws the same number of (candidate, newer session) pairs uniformly, with a fixed seed, and
applies the same test; its expectation over all pairs ("chance") is reported too. This is an offline
proxy: no session is replayed with the candidate applied.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from skillwarden.core.mining.detectors import FAILURE_OUTCOMES, Firing, detect, triggered
from skillwarden.core.mining.procedures import TokenStep, fold_repeats, is_subsequence, task_words
from skillwarden.core.model import Session
from skillwarden.core.signals.normalize import normalize_step

SUCCEEDED = "succeeded"
OPENING_STEPS = 4
RANDOM_SEED = 4


@dataclass(frozen=True)
class SessionFacts:
    """What predictions need of a session, computed once."""

    session: Session
    tokens: tuple[str, ...]  # normalized, noise dropped, bursts folded
    task_words: frozenset[str]
    firings: frozenset[tuple[str, str]]  # (detector, signature)
    detections: tuple[Firing, ...] = ()  # the detectors' firings themselves, for the harness candidates

    @property
    def id(self) -> str:
        return self.session.id

    @property
    def outcome(self) -> str:
        return str(self.session.outcome)


def session_facts(session: Session) -> SessionFacts:
    steps = [TokenStep(token, i, i, "") for i, step in enumerate(session.steps) if (token := normalize_step(step))]
    detections = tuple(detect([session]))
    return SessionFacts(
        session,
        tuple(step.token for step in fold_repeats(steps)),
        frozenset(task_words(session.task)),
        frozenset((f.detector, f.signature) for f in detections),
        detections,
    )


@dataclass(frozen=True)
class SkillRule:
    tokens: tuple[str, ...]
    trigger: tuple[str, ...]

    def fires(self, facts: SessionFacts) -> bool:
        if self.trigger and 2 * sum(w in facts.task_words for w in self.trigger) >= len(self.trigger):
            return True
        return is_subsequence(facts.tokens[:OPENING_STEPS], self.tokens[:2])

    def changes(self, facts: SessionFacts) -> bool:
        return not is_subsequence(facts.tokens, self.tokens)


@dataclass(frozen=True)
class HarnessRule:
    detector: str
    signature: str

    def fires(self, facts: SessionFacts) -> bool:
        return triggered(self.detector, self.signature, facts.session)

    def changes(self, facts: SessionFacts) -> bool:
        return (self.detector, self.signature) in facts.firings


Rule = SkillRule | HarnessRule


def predictions(rule: Rule, sessions: list[SessionFacts]) -> tuple[list[str], list[str]]:
    """(predicted fixes, predicted breakages) as session ids."""
    fixes, breakages = [], []
    for facts in sessions:
        if not (rule.fires(facts) and rule.changes(facts)):
            continue
        if facts.outcome in FAILURE_OUTCOMES:
            fixes.append(facts.id)
        elif facts.outcome == SUCCEEDED:
            breakages.append(facts.id)
    return fixes, breakages


def time_split(sessions: list[SessionFacts], older_share: float) -> tuple[list[SessionFacts], list[SessionFacts]]:
    ordered = sorted(sessions, key=lambda f: (f.session.started_at or "", f.id))
    cut = round(len(ordered) * older_share)
    return ordered[:cut], ordered[cut:]


def fix_came_true(rule: Rule, facts: SessionFacts) -> bool:
    return facts.outcome in FAILURE_OUTCOMES and rule.fires(facts) and rule.changes(facts)


def regression_came_true(rule: Rule, facts: SessionFacts) -> bool:
    return facts.outcome == SUCCEEDED and rule.fires(facts) and rule.changes(facts)


def precision(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def evaluate(
    rules: list[tuple[Rule, list[str], list[str]]], newer: list[SessionFacts], *, seed: int = RANDOM_SEED
) -> dict:
    """`rules`: each candidate built on the older part, with its predicted fixes and breakages there.
    The figures for all candidates, then the same for skills and for harness rules alone."""
    report = precisions(rules, newer, seed)
    for kind, cls in (("skill", SkillRule), ("harness", HarnessRule)):
        report[f"by_kind_{kind}"] = precisions([r for r in rules if isinstance(r[0], cls)], newer, seed)
    return report


def precisions(rules: list[tuple[Rule, list[str], list[str]]], newer: list[SessionFacts], seed: int) -> dict:
    result: dict = {"newer_sessions": len(newer), "candidates": len(rules)}
    rng = random.Random(seed)
    for name, came_true, index in (("fix", fix_came_true, 1), ("regression", regression_came_true, 2)):
        predicting = [entry[0] for entry in rules if entry[index]]
        forecasts = [(rule, facts) for rule in predicting for facts in newer if rule.fires(facts)]
        hits = sum(came_true(rule, facts) for rule, facts in forecasts)
        population = [(rule, facts) for rule in predicting for facts in newer]
        drawn = rng.sample(population, min(len(forecasts), len(population)))
        random_hits = sum(came_true(rule, facts) for rule, facts in drawn)
        chance = sum(came_true(rule, facts) for rule, facts in population)
        result |= {
            f"{name}_precision": precision(hits, len(forecasts)),
            f"{name}_predictions": len(forecasts),
            f"{name}_came_true": hits,
            f"random_{name}_precision": precision(random_hits, len(drawn)),
            f"random_{name}_predictions": len(drawn),
            f"random_{name}_came_true": random_hits,
            f"chance_{name}_precision": precision(chance, len(population)),
        }
    return result

"""Assemble review candidates from the cache: mine procedures, describe them, render their SKILL.md."""

from __future__ import annotations

from core.config import Config
from core.describe import describe
from core.mining import TokenStep, mine_procedures
from core.normalize import concrete_argument
from core.store import Store, StoredCandidate
from skills.skill_md import SkillDoc, content_hash, render

GENERATOR = "skillwarden"


def token_sequences(store: Store) -> dict[str, list[TokenStep]]:
    """Per cached session, its non-noise steps as tokens with their concrete arguments."""
    sequences: dict[str, list[TokenStep]] = {}
    for session_id, pairs in store.session_tokens().items():
        steps = store.steps(session_id)
        sequences[session_id] = [
            TokenStep(token, idx, idx, concrete_argument(steps[idx]), steps[idx].line) for idx, token in pairs
        ]
    return sequences


def mined_skill_candidates(store: Store, config: Config) -> list[StoredCandidate]:
    outcomes, tasks = {}, {}
    for session in store.sessions():
        outcomes[session.id] = session.outcome
        tasks[session.id] = session.task
    procedures = mine_procedures(token_sequences(store), outcomes, min_support=config.min_support)
    taken: set[str] = set()
    candidates = []
    for procedure in procedures:
        draft = describe(procedure, tasks)
        name = unique_name(draft.name, taken)
        taken.add(name)
        text = render(
            SkillDoc(
                name=name,
                description=draft.description,
                body=draft.body,
                metadata={"generated-by": GENERATOR, "candidate": procedure.id},
            )
        )
        candidates.append(
            StoredCandidate(
                id=procedure.id, kind="skill", name=name, title=draft.title, content=text,
                content_hash=content_hash(text), support=procedure.support,
                evidence=[o.session_id for o in procedure.occurrences], provenance=draft.provenance,
                details={
                    "tokens": list(procedure.tokens),
                    "failed_sessions": procedure.failed_sessions,
                    "trigger": draft.trigger,
                    "parameters": [p.__dict__ for p in draft.parameters],
                },
                first_seen="", last_seen="", live=True,
            )
        )  # fmt: skip
    return candidates


def unique_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    for n in range(2, 1000):
        candidate = f"{name[:60]}-{n}"
        if candidate not in taken:
            return candidate
    raise ValueError(f"too many candidates named {name}")

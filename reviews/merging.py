"""Near-duplicate candidates merged (their evidence and predictions united), and skill candidates that match a
library skill turned into refinements of it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import replace

from skillwarden.core.mining.dedup import best_matches, clusters, similar_pairs
from skillwarden.core.mining.harness import unified_diff
from skillwarden.core.mining.skill_draft import title_in_singular
from skillwarden.core.signals.normalize import is_generic
from skillwarden.core.workspace.store import StoredCandidate
from skillwarden.reviews.candidate_security import skill_security_report, with_provenance_flags
from skillwarden.skills.skill_md import SkillFormatError, content_hash, parse, render


def comparable_text(candidate: StoredCandidate) -> str:
    """What two skills must share to be the same: their description and steps (not their examples, which
    differ run to run)."""
    try:
        doc = parse(candidate.content)
    except SkillFormatError:
        return candidate.content
    return f"{doc.description}\n{steps_section(doc.body)}"


def steps_section(body: str) -> str:
    _, _, rest = body.partition("## Steps")
    return rest.split("\n## ", 1)[0]


def merge_duplicates(candidates: list[StoredCandidate], threshold: float) -> list[StoredCandidate]:
    """Skills whose texts reach `threshold` cosine become one, and so do skills of one title running the
    same commands (a reviewer would see the same skill twice); harness changes of one title are one rule.
    The best-supported keeps its text and id, and gains the others' evidence, provenance and predictions."""
    merged: list[StoredCandidate] = []
    for kind in dict.fromkeys(c.kind for c in candidates):
        group = [c for c in candidates if c.kind == kind]
        if kind == "harness":
            pairs = same_heading_pairs(group)
        else:
            pairs = similar_pairs([comparable_text(c) for c in group], threshold)
        if kind == "skill":
            pairs += same_title_pairs(group)
        for members in clusters(len(group), pairs):
            ranked = sorted((group[i] for i in members), key=lambda c: (-c.support, c.id))
            merged.append(absorb(ranked[0], ranked[1:]) if len(ranked) > 1 else ranked[0])
    return merged


def same_heading_pairs(changes: list[StoredCandidate]) -> list[tuple[int, int, float]]:
    """Pairs (i < j) of harness changes of one title, each joined to the first of it. A rule's title is its
    heading in the instructions file, where one heading is one rule (`add_instruction`); rules whose texts
    differ in one word (the same loop over a .java and a .py file) are two rules, and merging them would
    count one's sessions as the other's evidence."""
    return pairs_by_key(changes, lambda change: title_key(change.title))


def same_title_pairs(skills: list[StoredCandidate]) -> list[tuple[int, int, float]]:
    """Pairs (i < j) of skills with one title (case, spacing and the number of test files aside) that run the
    same commands worth knowing (`is_generic` aside), each joined to the first of its kind: one skill to a
    reviewer."""
    return pairs_by_key(
        skills,
        lambda skill: (
            title_key(title_in_singular(skill.title)),
            frozenset(t for t in skill.details.get("tokens", []) if not is_generic(t)),
        ),
    )


def title_key(title: str) -> str:
    """A title as a reviewer reads it: case and spacing aside."""
    return " ".join(title.lower().split())


def pairs_by_key(
    candidates: list[StoredCandidate], key: Callable[[StoredCandidate], Hashable]
) -> list[tuple[int, int, float]]:
    """Pairs (i < j) of candidates of one key, each joined to the first of that key."""
    first: dict[Hashable, int] = {}
    pairs = []
    for index, candidate in enumerate(candidates):
        if (seen := first.setdefault(key(candidate), index)) != index:
            pairs.append((seen, index, 1.0))
    return pairs


def union(lists: list[list[str]]) -> list[str]:
    return list(dict.fromkeys(item for items in lists for item in items))


def absorb(keeper: StoredCandidate, others: list[StoredCandidate]) -> StoredCandidate:
    everyone = [keeper, *others]
    evidence = union([c.evidence for c in everyone])
    details = dict(keeper.details)
    for key in ("predicted_fixes", "predicted_breakages"):
        details[key] = union([c.details.get(key, []) for c in everyone])
    flags = [flag for c in everyone for flag in c.details.get("provenance_flags", [])]
    details["provenance_flags"] = [flag for index, flag in enumerate(flags) if flag not in flags[:index]]
    details["security"] = with_provenance_flags(details.get("security", {}), details["provenance_flags"])
    details["merged"] = [c.id for c in others]
    if "signature" in keeper.details:  # a harness rule: it answers every merged rule's failure, not the keeper's alone
        details["signatures"] = union([[c.details["signature"]] for c in everyone if "signature" in c.details])
    provenance = list({p["session"]: p for c in reversed(everyone) for p in c.provenance}.values())
    return replace(keeper, support=len(evidence), evidence=evidence, provenance=provenance, details=details)


def refinements(
    candidates: list[StoredCandidate], library_skills: dict[str, str], threshold: float
) -> list[StoredCandidate]:
    """A skill candidate that matches a library skill becomes a proposed change of that skill's SKILL.md
    (kind "refinement"), or disappears when the library already says exactly the same."""
    names = sorted(library_skills)
    library_texts = []
    for name in names:
        try:
            doc = parse(library_skills[name], folder_name=name)
            library_texts.append(f"{doc.description}\n{steps_section(doc.body)}")
        except SkillFormatError:
            library_texts.append(library_skills[name])
    skills = [c for c in candidates if c.kind == "skill"]
    matches = best_matches([comparable_text(c) for c in skills], library_texts, threshold)
    refined = {
        c.id: refinement(c, names[m], library_skills[names[m]])
        for c, m in zip(skills, matches, strict=True)
        if m is not None
    }
    return [refined.get(c.id, c) for c in candidates if refined.get(c.id, c) is not None]


def refinement(candidate: StoredCandidate, name: str, current: str) -> StoredCandidate | None:
    doc = parse(candidate.content)
    proposed = render(replace(doc, name=name))
    if proposed == current or candidate.content == current:
        # Nothing to change; a candidate already approved keeps its id and so its decision.
        return candidate if candidate.content == current else None
    target = f"skills/{name}/SKILL.md"
    diff = unified_diff(target, current, proposed)
    digest = hashlib.sha256(f"refine\0{name}\0{candidate.id}".encode()).hexdigest()[:10]
    details = {
        **candidate.details,
        "refines": name,
        "target": target,
        "diff": diff,
        "base_hash": content_hash(current),  # approving is refused if the skill changes meanwhile
        "security": with_provenance_flags(
            skill_security_report(proposed), candidate.details.get("provenance_flags", [])
        ),
    }
    return replace(candidate, id="rf-" + digest, kind="refinement", name=name, title=f"Refine {name}", content=proposed,
                   content_hash=content_hash(proposed), details=details)  # fmt: skip

"""Success statistics of skills: Beta posteriors over graded rewards, decay, refinements, ranking.

Arithmetic (the defaults drawn from systems that run this loop in production):

- prior Beta(1, 1);
- a session with reward r in [0, 1] that used the skill first decays the skill's posterior toward
  the prior, `alpha = 1 + g * (alpha - 1)` and the same for beta, then adds `alpha += r`,
  `beta += 1 - r`. Only the updated arm decays (decaying every arm on every session would erase
  rarely used skills); g = 0.99 by default, so the posterior's weight stays below 1 / (1 - g) = 100
  sessions and old evidence fades;
- when a skill's content changes (an approved refinement, a new content hash for the same name), its
  posterior shrinks toward the prior by `REFINEMENT_SHRINK`: `alpha = 1 + s * (alpha - 1)`, s = 0.5.
  The new version inherits half the evidence of the old one and proves itself with the rest; each
  version's own posterior stays visible beside it.

Everything here is pure: the timeline comes in, posteriors come out. Nothing is stored in SKILL.md.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from skillwarden.core.signals.categorize import words
from skillwarden.core.workspace.settings import DEFAULT_DECAY, REFINEMENT_SHRINK


@dataclass(frozen=True)
class Posterior:
    alpha: float = 1.0
    beta: float = 1.0

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def weight(self) -> float:
        """Evidence held beyond the prior, in sessions."""
        return self.alpha + self.beta - 2.0

    def toward_prior(self, factor: float) -> Posterior:
        return Posterior(1.0 + factor * (self.alpha - 1.0), 1.0 + factor * (self.beta - 1.0))

    def update(self, reward: float, decay: float = DEFAULT_DECAY) -> Posterior:
        if not 0.0 <= reward <= 1.0:
            raise ValueError(f"reward must be in [0, 1], got {reward}")
        decayed = self.toward_prior(decay)
        return Posterior(decayed.alpha + reward, decayed.beta + 1.0 - reward)

    def sample(self, rng: random.Random) -> float:
        return rng.betavariate(self.alpha, self.beta)

    def to_json(self) -> dict:
        return {"alpha": round(self.alpha, 4), "beta": round(self.beta, 4), "mean": round(self.mean, 4)}


def fold(rewards: Iterable[float], decay: float = DEFAULT_DECAY, start: Posterior | None = None) -> Posterior:
    posterior = start or Posterior()
    for reward in rewards:
        posterior = posterior.update(reward, decay)
    return posterior


# ----------------------------------------------------------------------------- a skill's timeline


@dataclass(frozen=True)
class Use:
    """One session that used a skill."""

    session_id: str
    at: str  # ISO-8601 start of the session ("" when unknown: it sorts first)
    reward: float
    category: str


@dataclass(frozen=True)
class Version:
    """One approved content of a skill, from its approval commit."""

    content_hash: str
    since: str  # ISO-8601 time of the approval commit
    commit: str


@dataclass
class VersionStats:
    version: Version
    own: Posterior = field(default_factory=Posterior)  # this version's uses alone, from the prior
    uses: list[Use] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "content_hash": self.version.content_hash,
            "since": self.version.since,
            "commit": self.version.commit,
            "uses": len(self.uses),
            **self.own.to_json(),
        }


@dataclass
class SkillTimeline:
    posterior: Posterior
    versions: list[VersionStats]
    by_category: dict[str, tuple[Posterior, int]]

    @property
    def current(self) -> VersionStats | None:
        return self.versions[-1] if self.versions else None


def version_at(versions: Sequence[Version], at: str) -> int:
    """Index of the version in effect at `at`; uses before the first approval count for the first."""
    index = 0
    for i, version in enumerate(versions):
        if normalized_time(version.since) <= normalized_time(at):
            index = i
    return index


def normalized_time(value: str) -> str:
    """ISO-8601 in UTC with a "Z", so commit times (+00:00 or other offsets) and trace times compare."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def build_timeline(
    uses: Iterable[Use],
    versions: Sequence[Version],
    *,
    decay: float = DEFAULT_DECAY,
    shrink: float = REFINEMENT_SHRINK,
    min_category_uses: int = 10,
) -> SkillTimeline:
    """Fold a skill's uses in time order, shrinking toward the prior at each new content version."""
    ordered_versions = sorted(versions, key=lambda v: normalized_time(v.since))
    stats = [VersionStats(v) for v in ordered_versions] or [VersionStats(Version("", "", ""))]
    ordered_uses = sorted(uses, key=lambda u: (normalized_time(u.at), u.session_id))
    posterior = Posterior()
    categories: dict[str, tuple[Posterior, int]] = {}
    current = 0
    for use in ordered_uses:
        index = version_at(ordered_versions, use.at) if ordered_versions else 0
        if index > current:  # a refinement took effect since the last use
            posterior = posterior.toward_prior(shrink ** (index - current))
            categories = {c: (p.toward_prior(shrink ** (index - current)), n) for c, (p, n) in categories.items()}
            current = index
        posterior = posterior.update(use.reward, decay)
        category_posterior, count = categories.get(use.category, (Posterior(), 0))
        categories[use.category] = (category_posterior.update(use.reward, decay), count + 1)
        stats[index].own = stats[index].own.update(use.reward, decay)
        stats[index].uses.append(use)
    if current < len(stats) - 1:  # refinements approved after the last use
        posterior = posterior.toward_prior(shrink ** (len(stats) - 1 - current))
    enough = {c: pc for c, pc in categories.items() if pc[1] >= min_category_uses}
    return SkillTimeline(posterior, stats, enough)


# ----------------------------------------------------------------------------- ranking for a task


def document_vector(text: str, idf: dict[str, float]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for word in words(text):
        if word not in STOPWORDS and len(word) > 1:
            counts[word] = counts.get(word, 0) + 1
    return {word: count * idf.get(word, idf.get("", 1.0)) for word, count in counts.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(value * b.get(word, 0.0) for word, value in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def inverse_document_frequencies(documents: Sequence[str]) -> dict[str, float]:
    """Smoothed idf over the skills' texts; the key "" holds the idf of a word no skill has."""
    seen: dict[str, int] = {}
    for text in documents:
        for word in set(words(text)):
            seen[word] = seen.get(word, 0) + 1
    total = len(documents)
    idf = {word: math.log((1 + total) / (1 + count)) + 1.0 for word, count in seen.items()}
    idf[""] = math.log(1 + total) + 1.0
    return idf


@dataclass(frozen=True)
class Ranked:
    skill: str
    relevance: float
    sample: float
    mean: float

    @property
    def score(self) -> float:
        return self.relevance * self.sample

    def to_json(self) -> dict:
        return {
            "skill": self.skill,
            "score": round(self.score, 4),
            "relevance": round(self.relevance, 4),
            "sample": round(self.sample, 4),
            "mean": round(self.mean, 4),
        }


def rank_skills(task: str, skills: dict[str, tuple[str, Posterior]], rng: random.Random) -> list[Ranked]:
    """Rank skills (name -> (text describing it, posterior)) by relevance to `task` times a Thompson
    sample of the posterior: a skill that might be good gets tried, one that proved bad fades."""
    names = sorted(skills)
    idf = inverse_document_frequencies([skills[name][0] for name in names])
    query = document_vector(task, idf)
    ranked = []
    for name in names:
        text, posterior = skills[name]
        relevance = cosine(query, document_vector(text, idf))
        ranked.append(Ranked(name, relevance, posterior.sample(rng), posterior.mean))
    ranked.sort(key=lambda r: (-r.score, -r.relevance, r.skill))
    return ranked


STOPWORDS = frozenset(
    "a an and are as at be by can do for from how i in into is it its me my of on or our please so that the "
    "this to up us use used using we when with you your".split()
)

"""Approval tiers and the policy that routes each candidate to one.

Three tiers: interactive (a human decides in the queue), backlog (parked, and pushed to the team's git
host, for a broader discussion), autonomous (applied by `skillwarden apply-auto`, then monitored). The
policy file `policy.yaml` lists rules tried in order; the first rule whose conditions a candidate meets
gives its tier. Some rules hold whatever the file says, because a typo must never loosen them:

- a dangerous scan is never applied, so it always goes to a human (who can only reject it);
- a harness change that makes a command run or changes what may run (a hook, a permission) is decided by
  a human in the queue: never the backlog, never the autonomous tier;
- a caution scan needs a human: it may go to the backlog, never to the autonomous tier;
- nothing whose evidence holds text that steers an AI (`provenance_flags`) is applied autonomously;
- only a safe scan with no predicted breakage may be applied autonomously; no scan means not safe.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from skillwarden.core.workspace.config import ConfigError, read_settings

POLICY_NAME = "policy.yaml"
KINDS = ("skill", "refinement", "harness", "eviction")
VERDICTS = ("safe", "caution", "dangerous")
AUTOPILOT_REVIEWER = "skillwarden-autopilot"


class Tier(enum.StrEnum):
    INTERACTIVE = "interactive"
    BACKLOG = "backlog"
    AUTONOMOUS = "autonomous"


class PolicyError(ValueError):
    """The policy file is not valid; nothing is routed by a policy we cannot read."""


DEFAULT_POLICY_TEXT = """\
# skillwarden approval policy: which tier each candidate goes to.
#
#   interactive  a human decides in the review queue (the default)
#   backlog      committed under backlog/ and, when backlog_remote is set in config.yaml, pushed as the
#                branch skillwarden/backlog/<name> for review on the team's git host
#   autonomous   applied by `skillwarden apply-auto` (run it from cron) and rolled back on drift
#
# Rules are tried in order; the first whose conditions all hold decides. Conditions (all optional):
#   kinds: [skill, refinement, harness, eviction]
#   verdicts: [safe, caution, dangerous]     the security scan's verdict
#   min_support: N                          distinct successful sessions behind the candidate
#   min_confidence: 0.0-1.0                 the candidate's confidence (missing counts as 0)
#
# Whatever this file says: a dangerous scan is never applied; a hook or permission change is always
# decided by a human in the queue; a caution scan always needs a human; nothing whose evidence was flagged
# as steering an AI is applied autonomously; only a safe scan with no predicted breakage ever is.

rules:
  # New skills that many sessions share and the scanner finds clean are low-risk: one revert undoes them.
  - name: well-supported-clean-skills
    tier: autonomous
    kinds: [skill]
    verdicts: [safe]
    min_support: 10
    min_confidence: 0.9

  # Harness changes alter every session of every agent in the project: let the team discuss them.
  - name: harness-changes-to-the-team
    tier: backlog
    kinds: [harness]

  # Uncomment to let drift evict skills without a human (the skill moves to retired/; the commit
  # carries the drift evidence and this rule's name, and one revert brings it back).
  # - name: evict-drifting-skills
  #   tier: autonomous
  #   kinds: [eviction]

# Where a candidate goes when no rule matches.
default_tier: interactive

# Roll back an auto-applied skill on its own when its success statistics show drift.
rollback_on_drift: true
"""


@dataclass(frozen=True)
class PolicyRule:
    name: str
    tier: Tier
    kinds: tuple[str, ...] = ()  # empty: any
    verdicts: tuple[str, ...] = ()
    min_support: int = 0
    min_confidence: float = 0.0


@dataclass(frozen=True)
class Policy:
    rules: tuple[PolicyRule, ...] = ()
    default_tier: Tier = Tier.INTERACTIVE
    rollback_on_drift: bool = True


@dataclass(frozen=True)
class Routing:
    """Where a candidate goes, the rule that sent it there, and why in words (for the commit body)."""

    tier: Tier
    rule: str
    reason: str
    facts: dict = field(default_factory=dict)


# The names of the hard rules, as they appear in trailers and reports.
HARD_DANGEROUS = "hard-rule:dangerous-never-applied"
HARD_COMMANDS = "hard-rule:commands-need-a-human"
HARD_FLAGGED = "hard-rule:flagged-evidence-needs-a-human"
# Harness changes that make a command run or change what may run (core.mining.harness).
COMMAND_CHANGES = ("hook", "permission")
HARD_CAUTION = "hard-rule:caution-needs-a-human"
HARD_UNSCANNED = "hard-rule:unscanned-needs-a-human"
HARD_BREAKAGE = "hard-rule:predicted-breakage-needs-a-human"
DEFAULT_RULE = "default"


# ------------------------------------------------------------------------------ reading the file


def load_policy(home: Path) -> Policy:
    """`home/policy.yaml`, written with its commented defaults the first time."""
    path = Path(home) / POLICY_NAME
    if not path.exists():
        try:
            path.write_text(DEFAULT_POLICY_TEXT, encoding="utf-8")
        except OSError:  # a read-only workspace: its policy is the default one, unwritten
            return policy_from_mapping(yaml.safe_load(DEFAULT_POLICY_TEXT) or {}, source="the default policy")
    try:
        raw = read_settings(path)
    except ConfigError as error:  # not UTF-8, not YAML, nested too deeply, a key given twice
        raise PolicyError(str(error)) from error
    return policy_from_mapping(raw, source=str(path))


def policy_from_mapping(raw: object, *, source: str = "policy") -> Policy:
    """Strict: unknown keys and bad values are errors, since a typo could otherwise loosen a rule."""
    mapping = _mapping(raw, source, ("rules", "default_tier", "rollback_on_drift"))
    rules = mapping.get("rules")
    rules = [] if rules is None else rules
    if not isinstance(rules, list):
        raise PolicyError(f"{source}: rules must be a list")
    parsed = tuple(_rule(item, f"{source}: rules[{index}]") for index, item in enumerate(rules))
    names = [rule.name for rule in parsed]
    if len(set(names)) != len(names):
        raise PolicyError(f"{source}: rule names must be unique")
    rollback = mapping.get("rollback_on_drift", True)
    if not isinstance(rollback, bool):
        raise PolicyError(f"{source}: rollback_on_drift must be true or false")
    return Policy(parsed, _tier(mapping.get("default_tier", "interactive"), source), rollback)


def _mapping(raw: object, where: str, allowed: tuple[str, ...]) -> dict:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: expected a mapping")
    unknown = sorted(str(key) for key in raw if key not in allowed)
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {', '.join(unknown)}; expected {', '.join(allowed)}")
    return raw


def _rule(raw: object, where: str) -> PolicyRule:
    fields = ("name", "tier", "kinds", "verdicts", "min_support", "min_confidence")
    mapping = _mapping(raw, where, fields)
    name = mapping.get("name")
    if not isinstance(name, str) or not name.strip() or not name.isprintable() or name.startswith("hard-rule:"):
        raise PolicyError(f"{where}: name must be a one-line string (not starting with 'hard-rule:')")
    min_support = mapping.get("min_support", 0)
    if not isinstance(min_support, int) or isinstance(min_support, bool) or min_support < 0:
        raise PolicyError(f"{where}: min_support must be a whole number of at least 0")
    min_confidence = mapping.get("min_confidence", 0.0)
    if not _is_number(min_confidence) or not 0.0 <= min_confidence <= 1.0:
        raise PolicyError(f"{where}: min_confidence must be a number from 0 to 1")
    return PolicyRule(
        name=name.strip(),
        tier=_tier(mapping.get("tier"), where),
        kinds=_choices(mapping.get("kinds", []), KINDS, f"{where}: kinds"),
        verdicts=_choices(mapping.get("verdicts", []), VERDICTS, f"{where}: verdicts"),
        min_support=min_support,
        min_confidence=float(min_confidence),
    )


def _tier(value: object, where: str) -> Tier:
    try:
        return Tier(value)
    except ValueError:
        raise PolicyError(f"{where}: tier must be one of {', '.join(Tier)}, not {value!r}") from None


def _choices(value: object, allowed: tuple[str, ...], where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item in allowed for item in value):
        raise PolicyError(f"{where} must be a list drawn from {', '.join(allowed)}")
    return tuple(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# ------------------------------------------------------------------------------------- routing


def candidate_facts(candidate: Mapping) -> dict:
    """What routing looks at, read defensively from a candidate's JSON (kind, support, details)."""
    details = candidate.get("details") or {}
    security = details.get("security") if isinstance(details.get("security"), Mapping) else {}
    verdict = security.get("verdict")
    confidence = details.get("confidence")
    support = candidate.get("support")
    return {
        "kind": candidate.get("kind"),
        "verdict": verdict if verdict in VERDICTS else None,
        "support": support if isinstance(support, int) and not isinstance(support, bool) else 0,
        "confidence": float(confidence) if _is_number(confidence) else None,
        "predicted_breakages": breakage_count(details.get("predicted_breakages")),
        "runs_commands": details.get("change") in COMMAND_CHANGES,
        # Anything but an empty list counts as flagged: a malformed value must not loosen the rule.
        "flagged_evidence": details.get("provenance_flags") not in (None, []),
    }


def breakage_count(value: object) -> int:
    """A count or a list of the sessions a change may break; anything else counts as a breakage."""
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, list):
        return len(value)
    return 1


def rule_matches(rule: PolicyRule, facts: Mapping) -> bool:
    return (
        (not rule.kinds or facts["kind"] in rule.kinds)
        and (not rule.verdicts or facts["verdict"] in rule.verdicts)
        and facts["support"] >= rule.min_support
        and (rule.min_confidence == 0.0 or (facts["confidence"] or 0.0) >= rule.min_confidence)
    )


def decide_route(candidate: Mapping, policy: Policy) -> Routing:
    """The tier, the deciding rule and the reason: the policy's first match, then the hard rules."""
    facts = candidate_facts(candidate)
    if facts["verdict"] == "dangerous":
        return Routing(Tier.INTERACTIVE, HARD_DANGEROUS, "the security scan found dangerous content", facts)
    if facts["runs_commands"]:
        return Routing(Tier.INTERACTIVE, HARD_COMMANDS, "it makes a command run or changes what may run", facts)
    matched = next((rule for rule in policy.rules if rule_matches(rule, facts)), None)
    tier = matched.tier if matched else policy.default_tier
    rule = matched.name if matched else DEFAULT_RULE
    if tier is Tier.AUTONOMOUS:
        demotion = _autonomy_refusal(facts)
        if demotion is not None:
            return Routing(Tier.INTERACTIVE, demotion[0], f"{rule} matched, but {demotion[1]}", facts)
    return Routing(tier, rule, _explain(rule, tier, facts), facts)


def route(candidate: Mapping, policy: Policy) -> Tier:
    return decide_route(candidate, policy).tier


def _autonomy_refusal(facts: Mapping) -> tuple[str, str] | None:
    if facts["flagged_evidence"]:
        return HARD_FLAGGED, "text in its evidence reads as an instruction to an AI"
    if facts["verdict"] == "caution":
        return HARD_CAUTION, "the security scan asks for a human review (caution)"
    if facts["verdict"] != "safe":
        return HARD_UNSCANNED, "the candidate has no security scan"
    if facts["predicted_breakages"]:
        return HARD_BREAKAGE, f"it is predicted to break {facts['predicted_breakages']} session(s)"
    return None


def _explain(rule: str, tier: Tier, facts: Mapping) -> str:
    confidence = "unknown" if facts["confidence"] is None else f"{facts['confidence']:.2f}"
    return (
        f"policy rule {rule} sent this {facts['kind']} to the {tier} tier: scan {facts['verdict'] or 'missing'}, "
        f"support {facts['support']}, confidence {confidence}, "
        f"{facts['predicted_breakages']} predicted breakage(s)"
    )

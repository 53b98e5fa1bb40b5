"""Routing candidates to tiers: the policy file's rules, then the hard rules no file can loosen."""

from __future__ import annotations

import itertools

import pytest
import yaml

from skillwarden.reviews.policy import (
    DEFAULT_POLICY_TEXT,
    DEFAULT_RULE,
    HARD_BREAKAGE,
    HARD_CAUTION,
    HARD_DANGEROUS,
    HARD_UNSCANNED,
    KINDS,
    POLICY_NAME,
    Policy,
    PolicyError,
    PolicyRule,
    Tier,
    breakage_count,
    candidate_facts,
    decide_route,
    load_policy,
    policy_from_mapping,
    route,
)


def candidate(kind="skill", verdict="safe", support=12, confidence=0.95, breakages=None) -> dict:
    details: dict = {}
    if verdict is not None:
        details["security"] = {"verdict": verdict, "findings": []}
    if confidence is not None:
        details["confidence"] = confidence
    if breakages is not None:
        details["predicted_breakages"] = breakages
    return {"id": "c1", "kind": kind, "support": support, "details": details}


EVERYTHING_AUTONOMOUS = Policy(rules=(PolicyRule("all", Tier.AUTONOMOUS),))
DEFAULT = policy_from_mapping(yaml.safe_load(DEFAULT_POLICY_TEXT))


# ---------------------------------------------------------------------------------- hard rules


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("tier", list(Tier))
def test_dangerous_is_never_applied_or_backlogged_whatever_the_rule(kind, tier):
    policy = Policy(rules=(PolicyRule("loose", tier),), default_tier=tier)
    routing = decide_route(candidate(kind=kind, verdict="dangerous"), policy)
    assert routing.tier is Tier.INTERACTIVE
    assert routing.rule == HARD_DANGEROUS


@pytest.mark.parametrize("kind", KINDS)
def test_caution_needs_a_human(kind):
    routing = decide_route(candidate(kind=kind, verdict="caution"), EVERYTHING_AUTONOMOUS)
    assert (routing.tier, routing.rule) == (Tier.INTERACTIVE, HARD_CAUTION)
    assert "all matched" in routing.reason


def test_caution_may_still_go_to_the_backlog_where_humans_discuss_it():
    policy = Policy(rules=(PolicyRule("team", Tier.BACKLOG, verdicts=("caution",)),))
    assert route(candidate(verdict="caution"), policy) is Tier.BACKLOG


@pytest.mark.parametrize("details", [{}, {"security": "safe"}, {"security": {"verdict": "SAFE"}}, {"security": {}}])
def test_a_missing_or_malformed_scan_is_not_a_clean_scan(details):
    routing = decide_route({"kind": "skill", "support": 50, "details": details}, EVERYTHING_AUTONOMOUS)
    assert (routing.tier, routing.rule) == (Tier.INTERACTIVE, HARD_UNSCANNED)


@pytest.mark.parametrize("breakages", [1, ["s1"], ["s1", "s2"], "some", {"s": 1}, -1, True])
def test_any_predicted_breakage_keeps_a_human_in_the_loop(breakages):
    routing = decide_route(candidate(breakages=breakages), EVERYTHING_AUTONOMOUS)
    assert (routing.tier, routing.rule) == (Tier.INTERACTIVE, HARD_BREAKAGE)


@pytest.mark.parametrize("breakages", [None, 0, []])
def test_no_predicted_breakage_allows_autonomy(breakages):
    assert route(candidate(breakages=breakages), EVERYTHING_AUTONOMOUS) is Tier.AUTONOMOUS


def test_exhaustively_only_safe_and_unbroken_is_ever_autonomous():
    verdicts = ["safe", "caution", "dangerous", None, "bogus"]
    for kind, verdict, support, confidence, breakages, tier in itertools.product(
        KINDS, verdicts, [0, 3, 10, 100], [None, 0.0, 0.5, 0.95, "high"], [None, [], ["s"], 2], list(Tier)
    ):
        policy = Policy(rules=(PolicyRule("r", tier, min_support=3),), default_tier=tier)
        result = route(candidate(kind, verdict, support, confidence, breakages), policy)
        if result is Tier.AUTONOMOUS:
            assert verdict == "safe" and not breakages, (kind, verdict, breakages)
        if verdict == "dangerous":
            assert result is Tier.INTERACTIVE
        if verdict != "safe":
            assert result is not Tier.AUTONOMOUS


# ------------------------------------------------------------------------------- policy rules


def test_first_matching_rule_wins_and_names_itself():
    policy = Policy(
        rules=(
            PolicyRule("harness-to-team", Tier.BACKLOG, kinds=("harness",)),
            PolicyRule("strong-skills", Tier.AUTONOMOUS, kinds=("skill",), min_support=10, min_confidence=0.9),
            PolicyRule("any-skill-backlog", Tier.BACKLOG, kinds=("skill",)),
        )
    )
    assert decide_route(candidate(kind="harness"), policy).rule == "harness-to-team"
    strong = decide_route(candidate(support=10, confidence=0.9), policy)
    assert (strong.tier, strong.rule) == (Tier.AUTONOMOUS, "strong-skills")
    assert "strong-skills" in strong.reason and "support 10" in strong.reason
    assert decide_route(candidate(support=9), policy).rule == "any-skill-backlog"
    assert decide_route(candidate(confidence=0.89), policy).rule == "any-skill-backlog"
    assert decide_route(candidate(confidence=None), policy).rule == "any-skill-backlog"
    default = decide_route(candidate(kind="eviction"), policy)
    assert (default.tier, default.rule) == (Tier.INTERACTIVE, DEFAULT_RULE)


def test_verdict_condition():
    policy = Policy(rules=(PolicyRule("only-safe", Tier.BACKLOG, verdicts=("safe",)),))
    assert route(candidate(verdict="safe"), policy) is Tier.BACKLOG
    assert route(candidate(verdict="caution"), policy) is Tier.INTERACTIVE
    assert route(candidate(verdict=None), policy) is Tier.INTERACTIVE


def test_default_policy_routes_as_documented():
    assert route(candidate(support=10, confidence=0.9), DEFAULT) is Tier.AUTONOMOUS
    assert route(candidate(support=9), DEFAULT) is Tier.INTERACTIVE
    assert route(candidate(kind="refinement"), DEFAULT) is Tier.INTERACTIVE
    assert route(candidate(kind="harness"), DEFAULT) is Tier.BACKLOG
    assert route(candidate(kind="eviction"), DEFAULT) is Tier.INTERACTIVE
    assert DEFAULT.rollback_on_drift


@pytest.mark.parametrize(
    ("raw", "facts"),
    [
        ({}, {"kind": None, "verdict": None, "support": 0, "confidence": None, "predicted_breakages": 0}),
        (
            {"kind": "skill", "support": True, "details": {"confidence": float("nan")}},
            {"support": 0, "confidence": None},
        ),
        ({"support": "12", "details": {"confidence": 1}}, {"support": 0, "confidence": 1.0}),
    ],
)
def test_candidate_facts_are_read_defensively(raw, facts):
    assert candidate_facts(raw).items() >= facts.items()


def test_breakage_count():
    assert [breakage_count(v) for v in (None, 0, 3, [], ["a"], "x", -2, False)] == [0, 0, 3, 0, 1, 1, 1, 1]


# -------------------------------------------------------------------------------- the file


def test_policy_file_is_written_with_comments_on_first_use(tmp_path):
    policy = load_policy(tmp_path)
    text = (tmp_path / POLICY_NAME).read_text()
    assert text == DEFAULT_POLICY_TEXT and "# Whatever this file says" in text
    assert policy == DEFAULT
    (tmp_path / POLICY_NAME).write_text("rules: []\ndefault_tier: backlog\n")
    assert load_policy(tmp_path) == Policy(rules=(), default_tier=Tier.BACKLOG)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: {}", "rules must be a list"),
        ("rulez: []", "unknown key"),
        ("default_tier: yolo", "tier must be one of"),
        ("rules: [{name: a, tier: autonomous, min_suport: 3}]", "unknown key"),
        ("rules: [{name: a, tier: autonomous, kinds: [skills]}]", "kinds must be a list"),
        ("rules: [{name: a, tier: autonomous, verdicts: safe}]", "verdicts must be a list"),
        ("rules: [{name: a, tier: autonomous, min_support: -1}]", "min_support"),
        ("rules: [{name: a, tier: autonomous, min_support: 2.5}]", "min_support"),
        ("rules: [{name: a, tier: autonomous, min_confidence: 2}]", "min_confidence"),
        ("rules: [{name: a, tier: autonomous, min_confidence: .nan}]", "min_confidence"),
        ("rules: [{tier: autonomous}]", "name must be"),
        ("rules: [{name: 'hard-rule:x', tier: backlog}]", "name must be"),
        ("rules: [{name: a, tier: backlog}, {name: a, tier: backlog}]", "unique"),
        ("rollback_on_drift: maybe", "rollback_on_drift"),
        ("- a list", "expected a mapping"),
        ("rules: [", "not valid YAML"),
        ("!!python/object/apply:os.system ['true']", "not valid YAML"),
    ],
)
def test_bad_policy_files_are_refused(tmp_path, text, message):
    (tmp_path / POLICY_NAME).write_text(text)
    with pytest.raises(PolicyError, match=message):
        load_policy(tmp_path)

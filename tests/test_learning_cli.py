import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from skillwarden.core.workspace.config import ConfigError, config_from_mapping, load_config
from skillwarden.core.workspace.events import EventLog
from skillwarden.core.workspace.store import Store
from skillwarden.reviews import learning
from skillwarden.skills.library import SkillLibrary
from skillwarden.skills.skill_md import parse, render
from skillwarden.tui.cli import main
from tests.test_usage import claude_session_jsonl


def run_json(capsys, home: Path, *args: str):
    capsys.readouterr()
    assert main(["--home", str(home), *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def approve_first(capsys, home: Path) -> str:
    candidate = run_json(capsys, home, "candidates")[0]
    assert main(["--home", str(home), "approve", candidate["id"]]) == 0
    return candidate["name"]


def write_uses(home: Path, skill: str, rewards_ok: list[bool], *, month: int = 12) -> list[str]:
    """Sessions that load `skill` with the Skill tool; a good one ends on green tests and a commit."""
    folder = home / "traces" / "with-skill"
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for n, ok in enumerate(rewards_ok):
        session_id = f"use-{skill}-{n:04d}"
        calls = [("Skill", {"skill": skill}, f"Launching skill: {skill}", False),
                 ("Edit", {"file_path": "/app/src/cart.py", "old_string": "a", "new_string": "b"}, "ok", False),
                 ("Bash", {"command": "pytest -q"}, "1 passed" if ok else "1 failed", not ok)]  # fmt: skip
        if ok:
            calls.append(("Bash", {"command": "git commit -am fix"}, "[main 1a2b3c] fix", False))
        start = f"2026-{month}-{1 + n // 24:02d}T{n % 24:02d}:00:00.000Z"
        (folder / f"{session_id}.jsonl").write_text(
            claude_session_jsonl(
                session_id,
                task="pytest fails on test_total, fix it and commit",
                calls=calls,
                start=start,
                final="Fixed." if ok else "Tests still fail.",
            )  # fmt: skip
        )
        ids.append(session_id)
    return ids


def test_stats_counts_sessions_that_use_an_approved_skill(demo_workspace, capsys):
    name = approve_first(capsys, demo_workspace)
    before = {row["skill"]: row for row in run_json(capsys, demo_workspace, "stats")}
    ids = write_uses(demo_workspace, name, [True, True, True])
    assert main(["--home", str(demo_workspace), "ingest"]) == 0
    rows = run_json(capsys, demo_workspace, "stats")
    (row,) = [r for r in rows if r["skill"] == name]
    assert {"skill", "alpha", "beta", "mean", "uses", "last_used", "drift"} <= set(row)
    assert row["uses"] == before[name]["uses"] + 3
    assert row["last_used"] == "2026-12-01T02:00:00.000Z"
    assert row["alpha"] > before[name]["alpha"] + 2.5 and row["mean"] > 0.5
    assert row["drift"] is None
    assert len(row["versions"]) == 1 and row["versions"][0]["uses"] == row["uses"]
    assert ids


def test_select_ranks_skills_for_a_task(demo_workspace, capsys):
    name = approve_first(capsys, demo_workspace)
    task = parse(SkillLibrary(load_config(demo_workspace).skills_repo).read_skill(name)).description
    ranked = run_json(capsys, demo_workspace, "select", task, "--seed", "4")
    assert ranked[0]["skill"] == name
    assert {"skill", "score", "relevance", "sample", "mean", "uses"} <= set(ranked[0])
    assert ranked == run_json(capsys, demo_workspace, "select", task, "--seed", "4")


def test_friction_and_loo_reports(demo_workspace, capsys):
    name = approve_first(capsys, demo_workspace)
    friction = run_json(capsys, demo_workspace, "friction", "--days", "30")
    assert friction["overall"]["sessions"] == 60
    assert set(friction["overall"]["metrics"]) == {"noop", "blocked", "failure", "pivot"}
    assert set(friction["by_agent"]) == {"claude_code"}
    kinds = [e["kind"] for e in EventLog(demo_workspace / "events.jsonl").read()]
    assert kinds.count("friction_alert") == len(friction["alerts"])
    run_json(capsys, demo_workspace, "friction", "--days", "30")  # the same alerts are not announced twice
    kinds = [e["kind"] for e in EventLog(demo_workspace / "events.jsonl").read()]
    assert kinds.count("friction_alert") == len(friction["alerts"])
    loo = run_json(capsys, demo_workspace, "loo")
    (row,) = [r for r in loo["skills"] if r["skill"] == name]
    assert loo["min_sessions"] == 50 and row["sessions"] == 60
    assert row["verdict"] in {"insufficient_data", "no_clear_effect", "helps", "hurts", "confounded"}


def test_a_dropping_skill_becomes_an_eviction_candidate_and_alerts_once(demo_workspace, capsys):
    (demo_workspace / "config.yaml").write_text(
        (demo_workspace / "config.yaml").read_text()
        + "learning:\n  drift: {window: 8, min_uses: 20, threshold: 0.98, unused_days: 30}\n"
    )
    name = approve_first(capsys, demo_workspace)
    write_uses(demo_workspace, name, [True] * 24 + [False] * 8)
    assert main(["--home", str(demo_workspace), "ingest"]) == 0
    config = load_config(demo_workspace)
    store, library, events = Store(config.state_db), SkillLibrary(config.skills_repo), EventLog(config.events_file)
    try:
        now = datetime(2026, 12, 3, tzinfo=UTC)
        (candidate,) = learning.eviction_candidates(store, library, config, now=now, events=events)
        again = learning.eviction_candidates(store, library, config, now=now, events=events)
    finally:
        library.close()
        store.close()
    assert candidate.kind == "eviction" and candidate.source == "drift" and candidate.id.startswith("ev-")
    assert [c.id for c in again] == [candidate.id]
    drift = candidate.details["drift"]
    assert drift["reason"] == "success_dropped" and drift["recent_uses"] == 8
    assert drift["probability_worse"] >= 0.98 and drift["recent_mean"] < drift["earlier_mean"]
    assert candidate.evidence == drift["sessions"] and len(candidate.evidence) == 8
    alerts = [e for e in events.read() if e["kind"] == "drift_alert"]
    assert len(alerts) == 1 and alerts[0]["skill"] == name


def test_a_refined_skill_keeps_half_its_evidence_and_its_old_version(demo_workspace, capsys):
    name = approve_first(capsys, demo_workspace)
    write_uses(demo_workspace, name, [True] * 6, month=11)  # before the refinement below, which is dated now
    assert main(["--home", str(demo_workspace), "ingest"]) == 0
    (old,) = [r for r in run_json(capsys, demo_workspace, "stats") if r["skill"] == name]
    config = load_config(demo_workspace)
    with SkillLibrary(config.skills_repo) as library:
        doc = parse(library.read_skill(name))
        refined = render(doc.__class__(**{**doc.__dict__, "body": doc.body + "\n\nRun the linter twice."}))
        library.approve(candidate_id="sk-refined", name=name, skill_md=refined, provenance={}, evidence=["x"],
                        reviewer="reviewer", title="Refine")  # fmt: skip
    (new,) = [r for r in run_json(capsys, demo_workspace, "stats") if r["skill"] == name]
    assert len(new["versions"]) == 2 and new["versions"][0]["uses"] == old["uses"]
    assert new["versions"][1]["uses"] == 0
    assert new["alpha"] - 1 == pytest.approx((old["alpha"] - 1) * 0.5, abs=1e-3)
    assert new["content_hash"] == new["versions"][1]["content_hash"] != old["content_hash"]


def test_invalid_learning_settings_are_refused(demo_workspace, capsys):
    (demo_workspace / "config.yaml").write_text("learning:\n  decay: 1.5\n")
    assert main(["--home", str(demo_workspace), "stats"]) == 1
    assert "learning.decay" in capsys.readouterr().err
    with pytest.raises(ConfigError, match=r"^config: learning\.friction\.thresholds\.noop must be \[warn, alert\]"):
        config_from_mapping(demo_workspace, {"learning": {"friction": {"thresholds": {"noop": [0.1]}}}})
    with pytest.raises(ConfigError, match=r"^config: learning\.friction\.thresholds must be a mapping"):
        config_from_mapping(demo_workspace, {"learning": {"friction": {"thresholds": [0.1, 0.2]}}})
    raw = {"learning": {"decay": 0.95, "drift": {"window": 5}, "skills_folders": ["/x"]}}
    settings = config_from_mapping(demo_workspace, raw).learning
    assert (settings.decay, settings.drift.window, settings.skills_folders) == (0.95, 5, ("/x",))
    assert settings.drift.min_uses == 40 and settings.friction_thresholds["noop"] == (0.10, 0.20)

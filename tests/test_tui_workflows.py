"""Every screen driven as a reviewer drives it (real key presses through Pilot), then assertions on
what the screen shows and on the skills repository afterwards."""

import git
import pytest

from skillwarden.core.workspace.config import load_config
from skillwarden.reviews.decisions import eviction_of
from skillwarden.skills.trailers import parse_trailers
from skillwarden.tui.app import SkillwardenApp
from skillwarden.tui.screens.detail import DetailScreen
from skillwarden.tui.screens.dialogs import ConfirmScreen
from skillwarden.tui.screens.history import HistoryScreen
from skillwarden.tui.screens.queue import QueueScreen
from skillwarden.tui.screens.skills import SkillsScreen
from skillwarden.tui.screens.steps import StepsScreen
from skillwarden.tui.screens.traces import TracesScreen
from tests.helpers import recorded_notifications, screen_text, settle

SIZES = [(80, 24), (160, 48)]


def queue(app):
    return app.queue.table


def decisions(workspace, count):
    with git.Repo(workspace / "skills-repo") as repo:
        return [parse_trailers(c.message) for c in repo.iter_commits("HEAD", max_count=count)]


def make_app(home, **kwargs):
    return SkillwardenApp(load_config(home), watch=False, **kwargs)


async def press_each(app, pilot, *keys):
    """Each key in turn, waiting for what it started (a decision, a screen) before the next."""
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


async def test_bulk_approve_marks_rows_and_asks_once(demo_workspace):
    app = make_app(demo_workspace)
    notified = recorded_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        first, second = queue(app).keys[:2]
        await pilot.press("space", "space")
        assert queue(app).marked == {first, second}
        assert "2 marked" in screen_text(app)
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Approve 2 marked" in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.views[first].state.value == app.views[second].state.value == "approved"
        assert not queue(app).marked
        shas = [app.views[key].state_sha[:10] for key in (first, second)]
        assert any(all(sha in n.message for sha in shas) for n in notified)
    trailers = decisions(demo_workspace, 2)
    assert {t["Skillwarden-Candidate"][0] for t in trailers} == {first, second}
    assert all(t["Skillwarden-Decision"] == ["approve"] for t in trailers)


@pytest.mark.parametrize("size", SIZES)
async def test_the_queue_keeps_titles_readable_on_a_narrow_terminal(demo_workspace, size):
    """At 80 columns two harness titles read "Do not rerun a fa…": the secondary columns (the preview below
    says the same in words) give way before a title does."""
    app = make_app(demo_workspace)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        header = screen_text(app).splitlines()[1]
        rows = screen_text(app).splitlines()[2 : 2 + len(queue(app).keys)]
        for key, row in zip(queue(app).keys, rows, strict=False):
            assert app.views[key].candidate.title[:28] in row
        assert "Security" in header and ("Age" not in header or size[0] > 80)

async def test_bulk_reject_cancelled_at_the_question_changes_nothing(demo_workspace):
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("space", "space", "space", "x", "n")
        await settle(app, pilot)
        assert all(view.state.value == "pending" for view in app.views.values())
        assert len(queue(app).marked) == 3
    assert decisions(demo_workspace, 1)[0] == {}  # only the repository's first commit


async def test_filter_as_you_type_and_escape_clears(demo_workspace):
    app = make_app(demo_workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        total = queue(app).row_count
        wanted = app.views[queue(app).keys[-1]].candidate
        await pilot.press("slash", *wanted.title.lower().split()[0])
        await pilot.pause()
        shown = [app.views[key].candidate.title for key in queue(app).keys]
        assert wanted.title in shown and len(shown) < total
        assert all(wanted.title.lower().split()[0] in title.lower() for title in shown)
        await pilot.press("enter")
        assert queue(app).has_focus
        await pilot.press("slash", "escape")
        assert queue(app).row_count == total


async def test_sort_cycles_columns_and_keeps_the_cursor_on_its_candidate(demo_workspace):
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        chosen = queue(app).cursor_key
        await pilot.press("s")
        await settle(app, pilot)
        assert "sorted by lift" in screen_text(app)
        assert queue(app).cursor_key == chosen
        for _ in range(5):
            await pilot.press("s")
            await settle(app, pilot)
        assert "sorted by support" in screen_text(app)


async def test_drill_from_candidate_to_trace_steps_and_open_the_pager_at_the_line(
    demo_workspace, tmp_path, monkeypatch
):
    record = tmp_path / "argv.txt"
    pager = tmp_path / "pager.sh"
    pager.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n')
    pager.chmod(0o755)
    monkeypatch.setenv("PAGER", str(pager))
    app = make_app(demo_workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.views[queue(app).cursor_key]
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        evidence = app.screen.highlighted_evidence()
        assert evidence.session_id == view.candidate.provenance[0]["session"]
        assert evidence.outcome == "succeeded" and evidence.reward is not None
        await pilot.press("o")  # from the candidate: the first line of the evidence's steps
        assert record.read_text().split() == [f"+{evidence.lines[0]}", evidence.path]
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, StepsScreen)
        step = app.screen.highlighted_step()
        assert step.in_range and step.line == evidence.lines[0]
        shown = screen_text(app)
        assert evidence.session_id in shown and str(step.line) in shown
        await pilot.press("j", "o")
        moved = app.screen.highlighted_step()
        assert record.read_text().split() == [f"+{moved.line}", evidence.path]
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, QueueScreen)


async def test_roll_back_from_the_skills_screen(demo_workspace):
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        chosen = app.views[queue(app).cursor_key].candidate
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        assert isinstance(app.screen, SkillsScreen)
        assert chosen.name in screen_text(app)
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert chosen.name not in screen_text(app)
        assert app.views[chosen.id].state.value == "rolled_back"
    trailers = decisions(demo_workspace, 1)[0]
    assert trailers["Skillwarden-Decision"] == ["rollback"]
    assert not (demo_workspace / "skills-repo" / "skills" / chosen.name).exists()


async def test_evict_without_an_eviction_candidate_explains_and_commits_nothing(demo_workspace):
    app = make_app(demo_workspace)
    notified = recorded_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press_each(app, pilot, "a", "2", "d")
        assert any("no eviction candidate" in n.message for n in notified)
    assert decisions(demo_workspace, 1)[0]["Skillwarden-Decision"] == ["approve"]


async def test_roll_back_from_history(demo_workspace):
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        chosen = queue(app).cursor_key
        await pilot.press("b")
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        row = app.screen.highlighted()
        assert row.action == "backlog" and row.candidate_id == chosen and row.revertible
        assert "in effect" in screen_text(app)
        await pilot.press("y")
        assert app.clipboard == row.sha
        await pilot.press("r", "y")
        await settle(app, pilot)
        assert f"reverted {decisions_sha(demo_workspace)[:7]}"[:10] in screen_text(app)
        await pilot.press("r")  # the rollback commit itself is not revertible
        assert not isinstance(app.screen, ConfirmScreen)
    trailers = decisions(demo_workspace, 1)[0]
    assert trailers["Skillwarden-Decision"] == ["rollback"]
    assert trailers["Skillwarden-Reverts"] == [row.sha]


async def test_history_and_skills_read_at_80_columns(demo_workspace):
    """At 80 columns a decision read "approve skill ruff-lin…" and the skills header "95% interv…": the
    reviewer column gives way first, and the interval column fits its label."""
    app = make_app(demo_workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press_each(app, pilot, "a", "3")
        row = app.screen.highlighted()
        assert row.summary[:30] in screen_text(app) and "Status" in screen_text(app)
        await press_each(app, pilot, "2")
        assert "95% interval" in screen_text(app)

def decisions_sha(workspace):
    with git.Repo(workspace / "skills-repo") as repo:
        return repo.head.commit.hexsha


async def test_read_only_hides_decisions(demo_workspace, monkeypatch):
    monkeypatch.setenv("SKILLWARDEN_READ_ONLY", "1")
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        chosen = queue(app).cursor_key
        assert "Approve" not in screen_text(app)
        assert "read-only" in screen_text(app)
        await pilot.press("a", "b", "x", "u")
        await settle(app, pilot)
        assert app.views[chosen].state.value == "pending"
        await pilot.press("y")
        assert app.clipboard == chosen
    assert decisions(demo_workspace, 1)[0] == {}


async def test_switching_screens_keeps_each_cursor(demo_workspace):
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "j")
        chosen = queue(app).cursor_key
        await pilot.press("4")
        await settle(app, pilot)
        assert isinstance(app.screen, TracesScreen)
        await pilot.press("1")
        assert queue(app).cursor_key == chosen


@pytest.mark.parametrize("size", SIZES)
async def test_every_screen_renders_at_80x24_and_wide(demo_workspace, size):
    app = make_app(demo_workspace)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        first = app.views[queue(app).cursor_key].candidate
        text = screen_text(app)
        assert "Candidate" in text and first.title[:10] in text and first.id in text and "Approve" in text
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        text = screen_text(app)
        assert "SKILL.md as it would be committed" in text and f"name: {first.name}" in text
        await pilot.press("escape", "2")
        await settle(app, pilot)
        text = screen_text(app)
        assert first.name in text and "Roll back" in text and "mean" in text
        await pilot.press("3")
        await settle(app, pilot)
        assert "approve skill" in screen_text(app) and "in effect" in screen_text(app)
        await pilot.press("4")
        await settle(app, pilot)
        text = screen_text(app)
        assert "succeeded" in text and "Why this reward" in text
        if size[0] >= 140:  # side by side: the friction bars and the event log are on screen too
            for _ in range(400):  # the event log is polled on a timer: wait for the approval to show up
                if "approve" in text:
                    break
                await pilot.pause(0.05)
                text = screen_text(app)
            assert "friction" in text and "events" in text and "approve" in text
        await pilot.press("question_mark")
        await settle(app, pilot)  # a pushed screen or a re-sorted table is drawn after the key
        text = screen_text(app)
        assert all(action_id in text for action_id in ("approve", "filter", "mark", "rollback", "evict", "pager"))


async def test_traces_screen_shows_parse_errors_from_the_feed(demo_workspace):
    broken = demo_workspace / "traces" / "broken.jsonl"
    broken.write_text('{"type": "user", "sessionId": "x"\n')
    app = make_app(demo_workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        assert "parse error" in screen_text(app) or "error" in app.ingest_status


async def test_command_palette_offers_the_registry_actions(demo_workspace):
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Approve", "Backlog", "Reject", "Filter", "Sort", "Skills", "History", "Traces"} <= titles


async def test_evict_a_drifting_skill_from_the_skills_screen(demo_workspace):
    config_path = demo_workspace / "config.yaml"
    # "unused for longer than 0.1 ms": the skill drifts as soon as it is approved
    config_path.write_text(config_path.read_text() + "learning:\n  drift: {unused_days: 0.000000001}\n")
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        chosen = app.views[queue(app).cursor_key].candidate
        assert chosen.kind == "skill"
        await pilot.press("a")
        for _ in range(200):  # re-mining runs in another process after the decision: wait for its result
            await settle(app, pilot)
            if eviction_of(chosen.name, app.views.values()) is not None:
                break
            await pilot.pause(0.05)
        eviction = eviction_of(chosen.name, app.views.values())
        assert eviction is not None, "drift detection never proposed the eviction"
        await pilot.press("2")
        await settle(app, pilot)
        assert isinstance(app.screen, SkillsScreen)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.views[eviction.id].state.value == "evicted"
        assert chosen.name not in screen_text(app)
    trailers = decisions(demo_workspace, 1)[0]
    assert trailers["Skillwarden-Decision"] == ["evict"]
    assert trailers["Skillwarden-Candidate"] == [eviction.id]
    assert (demo_workspace / "skills-repo" / "retired" / chosen.name / "SKILL.md").exists()
    assert not (demo_workspace / "skills-repo" / "skills" / chosen.name).exists()


async def test_a_queue_that_arrives_while_the_queue_table_is_missing_is_no_crash(demo_workspace):
    """On a loaded machine the first queue can arrive before the queue screen has composed its table (seen
    in CI as a crash in on_queue_loaded). The refresh then waits: the screen fills the table when it mounts."""
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.rows and queue(app).row_count == len(app.rows)
        await queue(app).remove()
        app.queue.refresh_queue(keep_order=True)
        app.queue.show_preview()
        await settle(app, pilot)
        assert app.queue.queue_table() is None and app.is_running

"""The TUI driven as a reviewer drives it: real key presses through Textual's Pilot, then
assertions on the screen and on the skills repository."""

import shutil

import git

from skillwarden.core.workspace.config import load_config
from skillwarden.skills.trailers import parse_trailers
from skillwarden.tui.app import SkillwardenApp
from skillwarden.tui.screens.detail import DetailScreen
from skillwarden.tui.screens.dialogs import ConfirmScreen, HelpScreen
from tests.helpers import recorded_notifications, screen_text, settle


def table_keys(app):
    return list(app.queue.table.keys)


def cursor_key(app):
    return app.queue.table.cursor_key


def make_app(home, **kwargs):
    return SkillwardenApp(load_config(home), **kwargs)


async def test_queue_shows_candidates_and_preview(demo_workspace):
    app = make_app(demo_workspace, watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        keys = table_keys(app)
        assert len(keys) >= 5
        assert all(key.startswith(("sk-", "hm-")) for key in keys)
        assert any(key.startswith("hm-") for key in keys), "the demo shows harness modifications too"
        shown = screen_text(app)
        first = app.views[keys[0]].candidate
        assert keys[0] in shown
        assert f"name: {first.name}" in shown
        assert f"support {first.support} successful sessions" in shown


async def test_approve_with_a_commits_the_skill_with_trailers(demo_workspace):
    app = make_app(demo_workspace, watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        chosen = app.views[cursor_key(app)]
        assert chosen.state.value == "pending"
        await pilot.press("a")
        await settle(app, pilot)
        assert app.views[chosen.id].state.value == "approved"
        assert cursor_key(app) == chosen.id

    repo = git.Repo(demo_workspace / "skills-repo")
    head = repo.head.commit
    trailers = parse_trailers(head.message)
    assert trailers["Skillwarden-Decision"] == ["approve"]
    assert trailers["Skillwarden-Candidate"] == [chosen.id]
    assert trailers["Skillwarden-Content-Hash"] == [chosen.candidate.content_hash]
    assert trailers["Skillwarden-Evidence"] == chosen.candidate.evidence
    committed = (head.tree / f"skills/{chosen.candidate.name}/SKILL.md").data_stream.read().decode()
    assert committed == chosen.candidate.content
    assert len(head.parents) == 1
    repo.close()


async def test_u_reverts_the_approval(demo_workspace):
    app = make_app(demo_workspace, watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        chosen = cursor_key(app)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        assert app.views[chosen].state.value == "pending"

    repo = git.Repo(demo_workspace / "skills-repo")
    messages = [c.message for c in repo.iter_commits("HEAD", max_count=2)]
    assert parse_trailers(messages[0])["Skillwarden-Decision"] == ["undo"]
    assert parse_trailers(messages[1])["Skillwarden-Decision"] == ["approve"]
    assert not (demo_workspace / "skills-repo" / "skills").exists() or not any(
        (demo_workspace / "skills-repo" / "skills").iterdir()
    )
    repo.close()


async def test_reject_asks_first_and_n_keeps_it_pending(demo_workspace):
    app = make_app(demo_workspace, watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        chosen = cursor_key(app)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert app.views[chosen].state.value == "pending"
        await pilot.press("x", "y")
        await settle(app, pilot)
        assert app.views[chosen].state.value == "rejected"
    repo = git.Repo(demo_workspace / "skills-repo")
    assert parse_trailers(repo.head.commit.message)["Skillwarden-Decision"] == ["reject"]
    assert (demo_workspace / "skills-repo" / "decisions" / "rejected" / f"{chosen}.yaml").exists()
    repo.close()


async def test_backlog_with_b_then_approve_from_backlog(demo_workspace):
    app = make_app(demo_workspace, watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        chosen = cursor_key(app)
        name = app.views[chosen].candidate.name
        await pilot.press("b")
        await settle(app, pilot)
        assert app.views[chosen].state.value == "backlogged"
        assert (demo_workspace / "skills-repo" / "backlog" / name / "SKILL.md").exists()
        await pilot.press("a")
        await settle(app, pilot)
        assert app.views[chosen].state.value == "approved"
    assert (demo_workspace / "skills-repo" / "skills" / name / "SKILL.md").exists()


async def test_enter_opens_detail_with_provenance_and_escape_returns(demo_workspace):
    app = make_app(demo_workspace, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        chosen = app.views[cursor_key(app)]
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        shown = screen_text(app)
        first = chosen.candidate.provenance[0]
        assert f"support {chosen.candidate.support}" in shown
        assert "SKILL.md as it would be committed" in shown
        assert f"name: {chosen.candidate.name}" in shown
        await pilot.press("end")
        await pilot.pause()
        assert first["session"][:8] in screen_text(app) or first["session"][:8] in "".join(
            item["session"] for item in chosen.candidate.provenance
        )
        await pilot.press("a")
        await settle(app, pilot)
        assert app.views[chosen.id].state.value == "approved"
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailScreen)


async def test_help_lists_every_action_and_closes(demo_workspace):
    app = make_app(demo_workspace, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for action_id in ("approve", "backlog", "reject", "undo", "help", "quit"):
            assert action_id in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_j_and_k_move_the_cursor(demo_workspace):
    app = make_app(demo_workspace, watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        keys = table_keys(app)
        await pilot.press("j", "j")
        assert cursor_key(app) == keys[2]
        await pilot.press("k")
        assert cursor_key(app) == keys[1]
        await pilot.press("down")
        assert cursor_key(app) == keys[2]


async def test_user_keymap_rebinds_an_action(demo_workspace):
    config_path = demo_workspace / "config.yaml"
    config_path.write_text(config_path.read_text().replace("keymap: {}", 'keymap: {approve: "ctrl+o"}'))
    app = make_app(demo_workspace, watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        chosen = cursor_key(app)
        await pilot.press("a")
        await settle(app, pilot)
        assert app.views[chosen].state.value == "pending"
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        assert app.views[chosen].state.value == "approved"


async def test_a_dirty_skills_repo_refuses_and_tells_the_reviewer(demo_workspace):
    (demo_workspace / "skills-repo" / "notes.txt").write_text("work in progress\n")
    app = make_app(demo_workspace, watch=False)
    notified = recorded_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        chosen = cursor_key(app)
        await pilot.press("a")
        await settle(app, pilot)
        assert app.views[chosen].state.value == "pending"
        messages = [n.message for n in notified]
        assert any("uncommitted changes" in m and "notes.txt" in m for m in messages)
    repo = git.Repo(demo_workspace / "skills-repo")
    assert repo.git.status("--porcelain") == "?? notes.txt"
    repo.close()


async def test_new_trace_file_updates_the_queue_without_moving_the_cursor(demo_workspace, tmp_path):
    traces = demo_workspace / "traces"
    held_back = tmp_path / "held-back"
    held_back.mkdir()
    files = sorted(traces.rglob("*.jsonl"))
    # Re-create the workspace cache without a third of the sessions, then drop them in while the app runs.
    for path in files[::3]:
        target = held_back / path.relative_to(traces)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
    (demo_workspace / "state.db").unlink()
    for suffix in ("-wal", "-shm"):
        (demo_workspace / f"state.db{suffix}").unlink(missing_ok=True)

    app = make_app(demo_workspace, watch=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        before = {key: app.views[key].candidate.support for key in table_keys(app)}
        await pilot.press("j", "j")
        selected = cursor_key(app)
        for path in sorted(held_back.rglob("*.jsonl")):
            target = traces / path.relative_to(held_back)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
        for _ in range(400):  # the watcher debounces, then a worker ingests: wait for it, not for a clock
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            after = {key: app.views[key].candidate.support for key in table_keys(app) if key in app.views}
            if after != before:
                break
        assert after != before, "the queue never picked up the new traces"
        assert cursor_key(app) == selected
        assert "session(s) read" in screen_text(app)


def test_light_queue_rows_match_the_rows_of_the_decoded_candidates(demo_workspace):
    """The first screen lists candidates from SQL alone; it must show what the decoded candidates say."""
    from skillwarden.reviews.service import ReviewService
    from skillwarden.reviews.views import ReadModel, queue_row

    config = load_config(demo_workspace)
    service = ReviewService(config)
    read = ReadModel(config.state_db)
    try:
        assert sorted(read.queue_rows(), key=lambda r: r.id) == sorted(
            (queue_row(view) for view in service.queue()), key=lambda r: r.id
        )
        assert {view.id: view.candidate for view in read.candidate_views()} == {
            view.id: view.candidate for view in service.queue()
        }
    finally:
        read.close()
        service.close()


def test_mining_waits_for_the_interval_only_after_a_recent_pass():
    from skillwarden.tui.background import mining_delay

    assert mining_delay(100.0, None) == 0.0
    assert mining_delay(100.0, 99.0, interval=3.0) == 2.0
    assert mining_delay(100.0, 90.0, interval=3.0) == 0.0


async def test_a_worker_that_fails_says_what_failed_and_the_app_goes_on(demo_workspace, monkeypatch):
    """One handler shows every worker's failure, named by the worker's description."""
    from skillwarden.reviews.views import ReadModel

    def unreadable(self, provenance):
        raise OSError("the disk went away")

    monkeypatch.setattr(ReadModel, "evidence", unreadable)
    app = make_app(demo_workspace, watch=False)
    notified = recorded_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        messages = [n.message for n in notified]
        assert messages.count("could not read the evidence: the disk went away") == 1
        await pilot.press("escape", "j")
        await settle(app, pilot)
        assert app.is_running and cursor_key(app) is not None

"""Each screen owns its keys: bound from the one action registry on the screen they apply to, they act
there and nowhere else, the footer and the command palette show that screen's keys, and the user keymap
rebinds a screen's action by its id. Real key presses through Pilot."""

from pathlib import Path
from types import SimpleNamespace

import git

from skillwarden.core.workspace.config import load_config
from skillwarden.tui.actions import ACTIONS, bound_ids
from skillwarden.tui.app import SkillwardenApp
from skillwarden.tui.messages import CandidatesChanged, IngestDone, TracesChanged
from skillwarden.tui.screens.base import ReviewHost
from skillwarden.tui.screens.detail import DetailScreen
from skillwarden.tui.screens.dialogs import ConfirmScreen, HelpScreen
from skillwarden.tui.screens.history import HistoryScreen
from skillwarden.tui.screens.queue import QueueScreen
from skillwarden.tui.screens.skills import SkillsScreen
from skillwarden.tui.screens.steps import StepsScreen
from skillwarden.tui.screens.traces import TracesScreen
from tests.helpers import screen_lines, screen_text, settle

GLOBAL = {"screen-queue", "screen-skills", "screen-history", "screen-traces", "undo", "cancel", "theme", "help", "quit"}
SCREENS = (QueueScreen, DetailScreen, StepsScreen, SkillsScreen, HistoryScreen, TracesScreen)


def make_app(home, **kwargs):
    return SkillwardenApp(load_config(home), watch=False, **kwargs)


def commits(workspace) -> int:
    with git.Repo(workspace / "skills-repo") as repo:
        return len(list(repo.iter_commits("HEAD")))


def footer(app) -> str:
    return screen_lines(app)[-1]


def test_the_app_binds_only_the_actions_that_apply_everywhere_and_each_action_is_bound():
    assert bound_ids(SkillwardenApp) == GLOBAL
    on_screens = set().union(*(bound_ids(screen_type) for screen_type in SCREENS))
    assert on_screens.isdisjoint(GLOBAL)
    assert on_screens | GLOBAL == {spec.id for spec in ACTIONS}


def test_the_app_is_the_host_the_screens_ask(demo_workspace):
    assert isinstance(make_app(demo_workspace), ReviewHost)


async def test_a_screens_keys_do_nothing_on_the_other_screens(demo_workspace):
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        chosen = app.queue.table.cursor_key
        await pilot.press("d")  # evict: a skills key
        await settle(app, pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("a")
        await settle(app, pilot)
        assert app.views[chosen].state.value == "approved"
        before = commits(demo_workspace)

        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        history_cursor = app.screen.highlighted()
        for key in ("a", "b", "x", "slash", "s", "space", "d", "o"):  # the queue's, the skills', the traces' keys
            await pilot.press(key)
            await settle(app, pilot)
            assert isinstance(app.screen, HistoryScreen), key
        assert app.screen.highlighted() == history_cursor
        assert app.queue.sort_column == "support" and not app.queue.filter_text

        await pilot.press("2")
        await settle(app, pilot)
        assert isinstance(app.screen, SkillsScreen)
        for key in ("a", "b", "x", "slash", "s"):
            await pilot.press(key)
            await settle(app, pilot)
            assert isinstance(app.screen, SkillsScreen), key

        await pilot.press("1")
        await settle(app, pilot)
        assert not app.queue.table.marked and app.queue.filter_field() is None
    assert commits(demo_workspace) == before


async def test_the_footer_shows_the_keys_of_the_screen_on_view(demo_workspace):
    app = make_app(demo_workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        queue = footer(app)
        assert all(label in queue for label in ("Filter", "Sort", "Mark", "Approve", "Backlog", "Reject", "Undo"))
        assert "Evict" not in queue and "Pager" not in queue and "Roll back" not in queue
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.pause(0.2)  # the footer follows once the cursor rests
        approved = footer(app)
        assert "Roll back" in approved and "Approve" not in approved  # what applies to the row under the cursor

        await pilot.press("enter")
        await settle(app, pilot)
        detail = footer(app)
        assert all(label in detail for label in ("Back", "Pager", "Editor", "Roll back", "Undo"))
        assert "Filter" not in detail and "Mark" not in detail

        await pilot.press("escape", "2")
        await settle(app, pilot)
        skills = footer(app)
        assert "Evict" in skills and "Roll back" in skills
        assert not any(label in skills for label in ("Filter", "Approve", "Pager"))

        await pilot.press("3")
        await settle(app, pilot)
        history = footer(app)
        assert "Roll back" in history and not any(label in history for label in ("Evict", "Approve", "Filter"))

        await pilot.press("4")
        await settle(app, pilot)
        traces = footer(app)
        assert "Pager" in traces and "Editor" in traces
        assert not any(label in traces for label in ("Evict", "Approve", "Roll back", "Filter"))


async def test_the_command_palette_offers_the_screens_actions_and_runs_them_there(demo_workspace):
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("b", "3")
        await settle(app, pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert {"Roll back", "Open", "Copy", "Queue", "Skills", "Undo"} <= set(commands)
        assert not {"Approve", "Filter", "Evict", "Pager"} & set(commands)
        await commands["Roll back"].callback()
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Roll back backlog" in screen_text(app)


async def test_the_user_keymap_rebinds_a_screens_action_by_its_id(demo_workspace):
    config_path = demo_workspace / "config.yaml"
    keymap = 'keymap: {sort: "f", rollback: "ctrl+r"}'
    config_path.write_text(config_path.read_text().replace("keymap: {}", keymap))
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        assert app.queue.sort_column == "support"
        await pilot.press("f")
        await settle(app, pilot)
        assert app.queue.sort_column == "lift" and "f Sort" in footer(app)

        await pilot.press("b", "3")
        await settle(app, pilot)
        await pilot.press("r")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n", "question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        help_lines = screen_text(app).splitlines()
        assert any("ctrl+r" in line and "rollback" in line for line in help_lines)
        assert any(" f " in f" {line} " and "sort" in line for line in help_lines)


async def test_escape_closes_the_filter_on_the_queue_and_the_views_opened_over_a_screen(demo_workspace):
    app = make_app(demo_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("escape")  # nothing open: the queue stays
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("slash", "r", "u")
        assert app.queue.filter_text == "ru" and app.queue.filter_field().has_focus
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.queue.filter_text == "" and app.queue.table.has_focus and not app.queue.filter_field().display
        await pilot.press("4")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, StepsScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, TracesScreen)


def test_messages_not_yet_handled_fold_into_the_next_of_their_kind_without_losing_what_they_carry():
    older, newer = TracesChanged({Path("a.jsonl")}), TracesChanged({Path("b.jsonl")})
    assert older.can_replace(newer)
    assert newer.paths == {Path("a.jsonl"), Path("b.jsonl")}

    read, unchanged = IngestDone("60 session(s) read", changed=True), IngestDone("traces up to date", changed=False)
    assert read.can_replace(unchanged)
    assert unchanged.changed and unchanged.status == "traces up to date"

    a1, b1, a2 = (SimpleNamespace(id=key, state=state) for key, state in (("a", 1), ("b", 1), ("a", 2)))
    first, second = CandidatesChanged([a1, b1]), CandidatesChanged([a2])
    assert first.can_replace(second)
    assert second.views == [b1, a2]
    assert not first.can_replace(IngestDone("", changed=False))

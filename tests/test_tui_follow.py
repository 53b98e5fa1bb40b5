"""A second TUI opens read-only beside the writer holding the workspace: it never reads traces into the
cache or mines (the writer does), and it shows the writer's queue as it changes."""

from __future__ import annotations

import asyncio
import shutil

from skillwarden.core.workspace.config import load_config
from skillwarden.core.workspace.store import Store
from skillwarden.reviews.service import ReviewService
from skillwarden.tui.app import SkillwardenApp
from skillwarden.tui.background import FOLLOWING_STATUS
from tests.helpers import settle


def cached_files(home) -> int:
    store = Store(load_config(home).state_db)
    try:
        return store.counts()["files"]
    finally:
        store.close()


async def wait_for(pilot, condition, seconds: float = 10.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def test_a_read_only_tui_follows_the_writer_and_reads_no_trace_itself(demo_workspace):
    home = demo_workspace
    config = load_config(home)
    folder = next(p for p in (home / "traces").iterdir() if p.is_dir())
    trace = next(folder.glob("*.jsonl"))
    shutil.copy(trace, folder / f"copy-{trace.name}")  # a file the cache has not read
    files = cached_files(home)
    app = SkillwardenApp(config, watch=True, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.watcher is None and not app.mining_running
        assert cached_files(home) == files  # the new trace is the writer's to read
        assert app.ingest_status == FOLLOWING_STATUS
        pending = sorted(app.rows)
        assert pending

        writer = ReviewService(config)
        try:
            decided = pending[0]
            await asyncio.to_thread(writer.approve, decided)
            await asyncio.to_thread(writer.ingest)
        finally:
            writer.close()
        assert await wait_for(pilot, lambda: app.rows.get(decided) is None or app.rows[decided].state != "pending")
        assert cached_files(home) > files  # read by the writer
        await pilot.press("q")

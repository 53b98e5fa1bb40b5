"""TUI latency on a large workspace: 100,000 cached sessions and 10,000 pending candidates.

Prints (never asserts):
- launch: time from creating the app to the first frame showing the full queue, cursor on a row;
- key latency: from sending a key press (`j`) to the frame that shows the moved cursor, p50/p95/max,
  while trace files stream into the watched folder (the watcher ingests and re-mines in a worker).

The app runs headless (Textual's test driver renders every frame as in a terminal, without the
terminal's own drawing time). Usage: .venv/bin/python bench/tui_latency.py [--sessions N] [--candidates N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import events  # noqa: E402

from skillwarden.core.demo.traces import generate_corpus  # noqa: E402
from skillwarden.core.workspace.config import load_config  # noqa: E402
from skillwarden.core.workspace.store import Store, StoredCandidate  # noqa: E402
from skillwarden.skills.library import SkillLibrary  # noqa: E402
from skillwarden.skills.skill_md import SkillDoc, content_hash, render  # noqa: E402
from skillwarden.tui.app import SkillwardenApp  # noqa: E402

OUTCOMES = ("succeeded", "failed", "interrupted", "unknown")


def fill_cache(home: Path, sessions: int, candidates: int) -> None:
    store = Store(home / "state.db")
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO sessions(id, path, format, task, started_at, ended_at, outcome, reward, reward_explanation,"
            " steps, errors, tokens_in, tokens_out, model, cwd, final_message) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (f"s-{i:06d}", f"/synthetic/{i}.jsonl", "claude_code", f"task {i}",
                 f"2026-01-{1 + i % 28:02d}T00:00:00Z", None, OUTCOMES[i % 4], (i % 100) / 100, "synthetic", 6,
                 i % 3, 0, 0, "", "", "")
                for i in range(sessions)
            ],
        )  # fmt: skip
        db.executemany(
            "INSERT INTO steps(session_id, idx, tool, facts, args, result, is_error, cascade, started_at, line)"
            " VALUES(?,?,?,?,?,?,?,?,?,?)",
            [(f"s-{i:06d}", k, "Bash", None, "{}", "", 0, 0, None, k + 1) for i in range(sessions) for k in range(2)],
        )
    rows = []
    for i in range(candidates):
        name = f"synthetic-skill-{i}"
        text = render(SkillDoc(name=name, description=f"Use when synthetic task {i}.", body=f"1. step {i}\n"))
        rows.append(
            StoredCandidate(
                id=f"sk-bench{i:06d}", kind=("skill", "harness", "refinement")[i % 3], name=name,
                title=f"Synthetic candidate number {i}", content=text, content_hash=content_hash(text),
                support=3 + i % 40, evidence=[f"s-{i:06d}"],
                provenance=[{"session": f"s-{i:06d}", "steps": "1-2", "lines": [1, 2]}],
                details={"reward_lift": (i % 21 - 10) / 20, "security": {"verdict": "safe", "findings": []},
                         "predicted_fixes": [f"s-{(i + 1):06d}"], "predicted_breakages": []},
                first_seen="", last_seen="", live=True,
            )
        )  # fmt: skip
    # A source of their own: re-mining the streamed traces replaces the "mining" source's candidates,
    # and the queue must keep its 10,000 rows for the cursor to have somewhere to go.
    store.upsert_candidates(rows, now="2026-01-01T00:00:00Z", source="bench")
    store.close()


class TimedApp(SkillwardenApp):
    """Records when each frame reaches the (headless) terminal, and which queue row it showed the cursor on.

    The cursor is read when the frame is written: a frame is composed from the widgets' state at that moment,
    so it is the cursor the frame shows. Polling the cursor from outside and then waiting for "the next frame"
    would miss a frame written between two polls and count the next, unrelated one (the preview's, ~90 ms on).
    """

    frames: list[float]
    cursors: list[int]

    def _display(self, screen, renderable) -> None:
        super()._display(screen, renderable)
        self.frames.append(time.perf_counter())
        self.cursors.append(self.queue.table.cursor if self.queue.is_mounted else -1)


def stream_traces(source: Path, target: Path, stop: threading.Event, interval: float) -> None:
    for path in sorted(source.rglob("*.jsonl")):
        if stop.wait(interval):
            return
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, destination)


async def wait_for(predicate, timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > end:
            raise TimeoutError("the app never got there")
        await asyncio.sleep(0.001)


async def measure(home: Path, presses: int, candidates: int, stream: bool) -> dict:
    config = load_config(home)
    started = time.perf_counter()
    app = TimedApp(config, watch=True)
    app.frames = []
    app.cursors = []
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.queue.table
        await wait_for(lambda: table.row_count >= candidates and app.frames and app.frames[-1] > started)
        loaded = time.perf_counter()
        await wait_for(lambda: app.frames[-1] >= loaded)
        launch = app.frames[-1] - started

        source = home / "stream-source"  # outside the watched folder, removed with the workspace
        generate_corpus(source, sessions=40, seed=11)
        stop = threading.Event()
        streamer = threading.Thread(target=stream_traces, args=(source, config.watch[0], stop, 0.1))
        if stream:
            streamer.start()
        latencies = []
        for _ in range(presses):
            before = table.cursor
            first_frame = len(app.frames)
            sent = time.perf_counter()
            app._driver.send_message(events.Key("j", "j"))
            await wait_for(lambda before=before, first=first_frame: any(c != before for c in app.cursors[first:]))
            shown = next(i for i in range(first_frame, len(app.frames)) if app.cursors[i] != before)
            latencies.append(app.frames[shown] - sent)
            await asyncio.sleep(0.02)  # a fast typist, not a flood
        stop.set()
        if stream:
            streamer.join()
        await pilot.pause()
    latencies.sort()
    return {
        "launch_to_first_usable_screen_s": round(launch, 3),
        "key_latency_ms_p50": round(1000 * statistics.median(latencies), 1),
        "key_latency_ms_p95": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
        "key_latency_ms_max": round(1000 * latencies[-1], 1),
        "presses": presses,
        "traces_streaming": stream,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--no-stream", action="store_true", help="measure key latency with no traces arriving")
    args = parser.parse_args()
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as scratch:
        home = Path(scratch)
        load_config(home)
        (home / "traces").mkdir(exist_ok=True)
        SkillLibrary(home / "skills-repo").close()
        began = time.perf_counter()
        fill_cache(home, args.sessions, args.candidates)
        print(f"cache: {args.sessions} sessions, {args.candidates} candidates in {time.perf_counter() - began:.1f} s")
        figures = asyncio.run(measure(home, args.presses, args.candidates, not args.no_stream))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

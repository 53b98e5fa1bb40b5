"""Time from appending one line to one file of a watched corpus to that line being in the cache.

    python bench/append_latency.py --target-bytes 50000000 --appends 50
    python bench/append_latency.py --corpus /tmp/corpus-1g

The corpus is ingested first; then a TraceWatcher (debounce 0.05 s, as an app would run it) feeds changed
paths to the ingest, while this script appends one tool-result line at a time to a random session file and
waits until the cache holds it. It prints the end-to-end latency (watch event + debounce + ingest) and,
apart, the ingest of the appended line alone, median and p95.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ingest_throughput import corpus_files, ensure_corpus  # noqa: E402
from skillwarden.core.ingest.run import ingest_paths  # noqa: E402
from skillwarden.core.ingest.watch import TraceWatcher  # noqa: E402
from skillwarden.core.workspace.store import Store  # noqa: E402


def appended_line(path: Path, number: int) -> bytes:
    """A new assistant tool call for the file's own session, as Claude Code would append it."""
    with path.open("rb") as handle:
        session_id = json.loads(handle.readline()).get("sessionId") or path.stem
    block = {"type": "tool_use", "id": f"toolu_bench_{number}", "name": "Bash", "input": {"command": "pytest -x"}}
    record = {
        "parentUuid": None,
        "isSidechain": False,
        "sessionId": session_id,
        "type": "assistant",
        "timestamp": f"2030-01-01T00:00:{number % 60:02d}.000Z",
        "uuid": f"bench-{number}",
        "message": {"id": f"msg_bench_{number}", "role": "assistant", "model": "bench", "content": [block]},
    }
    return (json.dumps(record, separators=(",", ":")) + "\n").encode()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="an existing corpus folder (it is appended to!)")
    parser.add_argument("--target-bytes", type=int, default=1_000_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--appends", type=int, default=50)
    args = parser.parse_args(argv)
    corpus = ensure_corpus(args)
    files = corpus_files(corpus)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="skillwarden-bench-db-", dir="/tmp") as scratch:
        store = Store(Path(scratch) / "state.db")
        started = time.perf_counter()
        ingest_paths(store, [corpus])
        print(f"corpus: {len(files)} files ingested in {time.perf_counter() - started:.1f}s")
        lock = threading.Lock()
        ingest_seconds: list[float] = []

        def on_change(paths: set[Path]) -> None:
            with lock:
                began = time.perf_counter()
                ingest_paths(store, sorted(paths))
                ingest_seconds.append(time.perf_counter() - began)

        watcher = TraceWatcher([corpus], on_change, debounce=0.05, rescan_interval=3600)
        watcher.start()
        latencies = []
        try:
            for number in range(args.appends):
                path = rng.choice(files)
                line = appended_line(path, number)
                appended_at = time.perf_counter()
                with path.open("ab") as handle:
                    handle.write(line)
                key = str(path.resolve())
                while (state := store.file_state(key)) is None or state.consumed < path.stat().st_size:
                    time.sleep(0.001)
                latencies.append(time.perf_counter() - appended_at)
        finally:
            watcher.stop()
            store.close()
    ms = [1000 * s for s in latencies]
    ingest_ms = [1000 * s for s in ingest_seconds]
    print(f"append -> in cache ({len(ms)} appends, watcher debounce 50 ms): median {statistics.median(ms):.1f} ms, "
          f"p95 {percentile(ms, 0.95):.1f} ms, max {max(ms):.1f} ms")  # fmt: skip
    print(f"ingest of the changed file alone: median {statistics.median(ingest_ms):.2f} ms, "
          f"p95 {percentile(ingest_ms, 0.95):.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()

"""Time `skillwarden rebuild` (delete the cache, re-read the traces and the skills history, re-mine).

    python bench/rebuild.py --target-bytes 50000000
    python bench/rebuild.py --corpus /tmp/corpus-1g

A workspace is created under /tmp watching the corpus (discovery off), with a fresh skills repository.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ingest_throughput import corpus_files, ensure_corpus  # noqa: E402
from skillwarden.core.workspace.config import load_config  # noqa: E402
from skillwarden.core.workspace.lock import WorkspaceLock  # noqa: E402
from skillwarden.tui.cli_ingest import rebuild  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="an existing corpus folder (default: generate one under /tmp)")
    parser.add_argument("--target-bytes", type=int, default=1_000_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    corpus = ensure_corpus(args)
    megabytes = sum(path.stat().st_size for path in corpus_files(corpus)) / 1e6
    with tempfile.TemporaryDirectory(prefix="skillwarden-bench-ws-", dir="/tmp") as workspace:
        home = Path(workspace)
        (home / "config.yaml").write_text(f"watch: [{corpus}]\ndiscover: false\n")
        config = load_config(home)
        with WorkspaceLock(config.lock_file):  # as `skillwarden rebuild` holds it
            report = rebuild(config)
    print(f"rebuild of {megabytes:.0f} MB: {report['seconds']:.1f}s ({report['files']} files, "
          f"{report['sessions']} sessions, {report['steps']} steps, {report['candidates']} candidates, "
          f"{len(report['errors'])} errors)")  # fmt: skip


if __name__ == "__main__":
    main()

"""SIGKILL an ingesting process at many points while traces grow; after each restart nothing is lost and
nothing is counted twice (../shared/RELIABILITY.md threat 5). Also: `skillwarden rebuild` re-creates a lost cache."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from skillwarden.core.demo.traces import generate_corpus
from skillwarden.tui.cli import main
from tests.test_ingest_faults import cache, clean_ingest

ROOT = Path(__file__).resolve().parents[1]
# Ingests the folder over and over until killed; prints a line after each pass so the test knows it runs.
INGEST_LOOP = """
import sys
from skillwarden.core.ingest.run import ingest_paths
from skillwarden.core.workspace.store import Store
store = Store(sys.argv[1])
while True:
    ingest_paths(store, [sys.argv[2]])
    print("pass", flush=True)
"""


def start_ingester(db: Path, folder: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", INGEST_LOOP, str(db), str(folder)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline() == "pass\n"  # it has done a whole pass: the next kill lands mid-work
    return process


def test_sigkill_at_random_points_loses_nothing_and_counts_nothing_twice(tmp_path):
    sources = generate_corpus(tmp_path / "sources", sessions=12, seed=11)
    live = tmp_path / "live"
    datas = {path.relative_to(tmp_path / "sources"): path.read_bytes() for path in sources}
    written = dict.fromkeys(datas, 0)
    rng = random.Random(5)
    db = tmp_path / "state.db"
    rounds = 0
    while any(written[name] < len(data) for name, data in datas.items()):
        rounds += 1
        process = start_ingester(db, live)
        for name, data in datas.items():  # every file grows by a random piece, often mid-line
            target = live / name
            target.parent.mkdir(parents=True, exist_ok=True)
            piece = data[written[name] : written[name] + rng.choice([1, 300, 2500, 20_000])]
            with target.open("ab") as handle:
                handle.write(piece)
            written[name] += len(piece)
        # The kill lands at a seeded, varying point of the ingest loop; where exactly does not matter.
        time.sleep(rng.uniform(0, 0.05))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()
    process = start_ingester(db, live)  # a clean finish after the last kill
    process.stdout.readline()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    assert rounds >= 5
    assert cache(db) == clean_ingest(live, tmp_path / "clean.db")


def test_rebuild_recreates_the_cache_from_traces_and_the_skills_history(demo_workspace, capsys):
    home = str(demo_workspace)
    assert main(["--home", home, "candidates", "--json"]) == 0
    candidate = json.loads(capsys.readouterr().out)[0]["id"]
    assert main(["--home", home, "approve", candidate]) == 0
    capsys.readouterr()
    main(["--home", home, "sessions", "--json"])
    before = json.loads(capsys.readouterr().out)
    (demo_workspace / "state.db").write_bytes(b"garbage, as if the cache were lost")
    assert main(["--home", home, "rebuild", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["sessions"], report["decisions"], report["errors"]) == (len(before), 1, [])
    assert report["files"] == len(before) and report["candidates"] >= 1
    main(["--home", home, "sessions", "--json"])
    after = json.loads(capsys.readouterr().out)
    # The same sessions; their paths now name this copy of the workspace, not the template it came from.
    assert [{**s, "path": Path(s["path"]).name} for s in after] == [{**s, "path": Path(s["path"]).name} for s in before]
    main(["--home", home, "candidates", "--json"])
    states = {c["id"]: c["state"] for c in json.loads(capsys.readouterr().out)}
    assert states[candidate] == "approved"
    assert main(["--home", home, "rebuild"]) == 0
    assert "rebuilt" in capsys.readouterr().out

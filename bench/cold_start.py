"""Cold start: from launching a fresh interpreter to the first frame that shows the review queue's rows,
against a bare Textual app's first frame, in the same terminal, runs interleaved.

Each run is a new process: `skillwarden --home WS` (through `skillwarden.tui.entry.main`, as the console
script runs it) or a bare `textual.app.App` with a header, a footer and one line of text. The time is taken
from just before the process is started to just after the frame was written to the terminal (the app's
`_display`, hooked in the child); the app then exits. In tmux (when installed) the frame goes to a real
terminal; `--headless` uses Textual's headless driver. Prints the medians, their ratio, and
`python -X importtime`'s heaviest imports of the queue's path.

Usage: .venv/bin/python bench/cold_start.py [--runs 7] [--sessions 60] [--headless]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHILD = {
    "bare": """
import sys, time
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("a bare Textual app")
        yield Footer()

    def _display(self, screen, renderable):
        super()._display(screen, renderable)
        if renderable is not None and not hasattr(self, "painted"):
            self.painted = time.time()
            self.call_after_refresh(self.exit)  # not mid-mount: exiting there raises MountError

app = Bare()
app.run(headless=HEADLESS)
print(app.painted, file=open(RESULT, "w"))
""",
    "queue": """
import sys, time
import skillwarden.tui.entry as entry
import skillwarden.tui.app as tui_app

painted = []
display = tui_app.SkillwardenApp._display

def timed_display(self, screen, renderable):
    display(self, screen, renderable)
    table = self.queue.queue_table()
    if not painted and renderable is not None and table is not None and table.row_count:
        painted.append(time.time())
        self.call_after_refresh(self.exit)  # not mid-mount: exiting there raises MountError

tui_app.SkillwardenApp._display = timed_display
if HEADLESS:
    run = tui_app.SkillwardenApp.run
    tui_app.SkillwardenApp.run = lambda self, **kw: run(self, headless=True, **kw)
entry.main(["--home", HOME, "tui"])
print(painted[0], file=open(RESULT, "w"))
""",
}


def child_program(kind: str, *, home: Path, result: Path, headless: bool) -> str:
    prelude = f"HOME = {str(home)!r}\nRESULT = {str(result)!r}\nHEADLESS = {headless!r}\n"
    return prelude + CHILD[kind]


def run_once(kind: str, home: Path, scratch: Path, *, tmux: str | None) -> float:
    """Seconds from starting the process to its first painted frame (the queue's: with rows)."""
    result = scratch / f"{kind}.result"
    result.unlink(missing_ok=True)
    program = scratch / f"child_{kind}.py"  # not a stdlib name such as `queue`
    program.write_text(child_program(kind, home=home, result=result, headless=tmux is None))
    command = [sys.executable, str(program)]
    # As an installed program starts: from cached bytecode (pip compiles it on install; the warm-up run
    # writes it for a source tree), whatever PYTHONDONTWRITEBYTECODE this shell was given.
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.time()
    if tmux is None:
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, timeout=120)
    else:
        socket = f"cold-start-{os.getpid()}-{time.monotonic_ns()}"  # one server per run: no restart race
        shell = " ".join(f"'{part}'" for part in command)
        subprocess.run([tmux, "-L", socket, "new-session", "-d", "-x", "160", "-y", "48", shell], env=env, check=True)
        deadline = time.time() + 120
        while not (result.exists() and result.read_text().strip()) and time.time() < deadline:
            time.sleep(0.02)
        subprocess.run([tmux, "-L", socket, "kill-server"], stderr=subprocess.DEVNULL)
    return float(result.read_text()) - started


def heaviest_imports(limit: int = 15) -> list[tuple[float, str]]:
    """The imports that took longest (with what they import, ms) on the queue's path, indented as nested."""
    program = "import skillwarden.tui.entry, skillwarden.tui.cli, skillwarden.tui.app"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", program], capture_output=True, text=True, env=env)
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]) / 1000, parts[2].rstrip()))
    return sorted(rows, reverse=True)[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sessions", type=int, default=60, help="size of the demo workspace")
    parser.add_argument("--headless", action="store_true", help="Textual's headless driver instead of tmux")
    args = parser.parse_args()
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    from skillwarden.tui.cli_demo import create_demo_workspace

    tmux = None if args.headless else shutil.which("tmux")
    scratch = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    home = scratch / "workspace"
    create_demo_workspace(home, sessions=args.sessions, seed=7)
    run_once("queue", home, scratch, tmux=tmux)  # the first run compiles bytecode and warms the disk cache
    run_once("bare", home, scratch, tmux=tmux)
    times: dict[str, list[float]] = {"bare": [], "queue": []}
    for _ in range(args.runs):
        for kind in times:
            times[kind].append(run_once(kind, home, scratch, tmux=tmux))
    bare, queue = statistics.median(times["bare"]), statistics.median(times["queue"])
    figures = {
        "terminal": "tmux" if tmux else "headless",
        "runs": args.runs,
        "bare_textual_first_frame_s": {"median": round(bare, 3), "all": [round(t, 3) for t in times["bare"]]},
        "queue_first_paint_s": {"median": round(queue, 3), "all": [round(t, 3) for t in times["queue"]]},
        "ratio": round(queue / bare, 2),
    }
    print(json.dumps(figures, indent=2))
    print("python -X importtime, cumulative ms, of the queue's imports:")
    for ms, name in heaviest_imports():
        print(f"  {ms:8.1f}  {name}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Open file descriptors and child processes across apply/rollback cycles of the skills library.

GitPython keeps `git cat-file` helpers per repository and is known to leak them (and their pipes) in
long-lived programs; the TUI is one. This runs N approve + rollback cycles through one SkillLibrary, as
the TUI does, and prints fds (/proc/self/fd) and child processes at the start, every 100 cycles and at
the end, then whether they stayed flat after the first cycle (which starts the helpers once).

    .venv/bin/python bench/git_leaks.py [--cycles 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from skillwarden.skills.library import SkillLibrary

SKILL = "---\nname: leak-probe\ndescription: A skill that exists to be applied and rolled back.\n---\n\n{body}\n"


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def child_processes() -> int:
    me = str(os.getpid())
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == me:  # field 4, the parent pid
            count += 1
    return count


def cycle(library: SkillLibrary, number: int) -> None:
    decision = library.approve(
        candidate_id=f"probe-{number}", name="leak-probe", skill_md=SKILL.format(body=f"Cycle {number}."),
        provenance={"cycle": number}, evidence=[f"session-{number}"], reviewer="bench", title="Leak probe",
    )  # fmt: skip
    library.revert(decision.sha, reviewer="bench", reason="bench rollback")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=500)
    args = parser.parse_args()
    samples = []
    with tempfile.TemporaryDirectory(prefix="skillwarden-leaks-") as directory:
        os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
        library = SkillLibrary(Path(directory) / "repo")
        try:
            print(f"{'cycle':>6} {'fds':>5} {'children':>9}")
            samples.append((0, open_fds(), child_processes()))
            print(f"{0:>6} {samples[-1][1]:>5} {samples[-1][2]:>9}")
            for number in range(1, args.cycles + 1):
                cycle(library, number)
                if number == 1 or number % 100 == 0 or number == args.cycles:
                    samples.append((number, open_fds(), child_processes()))
                    print(f"{number:>6} {samples[-1][1]:>5} {samples[-1][2]:>9}", flush=True)
        finally:
            library.close()
        after_close = (open_fds(), child_processes())
    warm = samples[1]
    flat = all((fds, children) == warm[1:] for _, fds, children in samples[1:])
    print(f"after close: {after_close[0]} fds, {after_close[1]} children (start: {samples[0][1]}, {samples[0][2]})")
    print(f"flat after the first cycle: {'yes' if flat else 'NO'}")
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())

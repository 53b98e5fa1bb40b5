"""Latency of the prompt hook on a library of N approved skills, as Claude Code runs it.

Builds a workspace whose skills repository holds N generated skills (one commit), links it to
claude-code in a throw-away home, publishes (which writes the selection index), installs the hook in that
home's settings.json, then runs the installed command through a shell with a prompt on stdin, R times, in
turn with three baselines measured in the same run: `python -c pass` (the interpreter starting), the same
hook through the full command line (`python -m skillwarden.tui.cli … hook run`), and `skillwarden
--version`. Prints the median and p95 of each, and the hook's median as a ratio of the bare interpreter's.

    .venv/bin/python bench/hook_latency.py [--skills 500] [--runs 40] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import git

from skillwarden.core.workspace.config import load_config
from skillwarden.reviews.publishing import link
from skillwarden.skills.claude_settings import hook_command, install, settings_path
from skillwarden.skills.library import SkillLibrary
from skillwarden.skills.publish import target_for
from skillwarden.skills.skill_md import SkillDoc, parse, render
from skillwarden.tui.cli_hooks import hook_program

TOPICS = (
    "pytest failing test fixture flaky coverage ruff lint mypy typecheck migration alembic schema column "
    "database release changelog version tag docker compose image kubernetes deploy helm terraform plan apply "
    "npm package dependency upgrade poetry lockfile cache redis queue celery worker cron api endpoint auth "
    "token oauth login session cookie csv export import report pdf invoice billing stripe webhook retry "
    "timeout logging metrics grafana alert sentry profile benchmark memory leak refactor rename module docs"
).split()
PROGRAMS = ("pytest", "ruff check", "mypy", "alembic upgrade", "npm test", "docker build", "make", "git commit")


def skill_text(name: str, words: list[str], rng: random.Random) -> str:
    steps = "\n".join(f"{i}. Run `{rng.choice(PROGRAMS)}`." for i in range(1, rng.randint(3, 6)))
    tasks = "\n".join(f'- "{" ".join(rng.sample(TOPICS, 6))} please"' for _ in range(2))
    description = f"Use when the task is to {' '.join(words)}. Procedure: {', '.join(rng.sample(PROGRAMS, 3))}."
    body = f"# {name}\n\nTasks it was learned from:\n{tasks}\n\n## Steps\n\n{steps}\n"
    return render(SkillDoc(name=name, description=description, body=body))


def build_library(repo: Path, count: int, rng: random.Random) -> None:
    SkillLibrary(repo).close()  # creates the repository with its first commit
    names = set()
    while len(names) < count:
        names.add("-".join(rng.sample(TOPICS, 3)))
    for name in sorted(names):
        folder = repo / "skills" / name
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(skill_text(name, name.split("-"), rng))
    handle = git.Repo(repo)
    handle.git.add("skills")
    handle.git.commit("-m", f"{count} generated skills")
    handle.close()


def timed(command: str, stdin: str, env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, shell=True, input=stdin, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - started, result.stdout


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {1000 * statistics.median(ordered):6.1f} ms  p95 {1000 * p95:6.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skills", type=int, default=500)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="skillwarden-hook-") as directory:
        root = Path(directory)
        user_home = root / "home"
        user_home.mkdir()
        env = {**os.environ, "HOME": str(user_home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        os.environ.update({k: env[k] for k in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM")})
        config = load_config(root / "ws")
        build_library(config.skills_repo, args.skills, rng)
        with SkillLibrary(config.skills_repo) as library:
            names = library.skill_names()
            assert all(parse(library.read_skill(name), folder_name=name).description for name in names)
            started = time.perf_counter()
            report = link(config, library, target_for("claude-code", user_home=user_home))
            print(f"published {len(report.published)} skills and wrote the selection index in "
                  f"{time.perf_counter() - started:.2f}s")  # fmt: skip
        path = settings_path(user_home=user_home)
        install(config.home, path, hook_command(hook_program(), config.home))
        command = json.loads(path.read_text())["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"]
        full = shlex.join([sys.executable, "-m", "skillwarden.tui.cli", "--home", str(config.home), "hook", "run"])
        baselines = {
            "python -c pass": shlex.join([sys.executable, "-c", "pass"]),
            "installed hook": command,
            "hook via the full command line": full,
            "skillwarden --version": shlex.join([*hook_program(), "--version"]),
        }
        samples: dict[str, list[float]] = {label: [] for label in baselines}
        answered = 0
        for run in range(args.runs):
            prompt = " ".join(rng.sample(TOPICS, 5)) if run % 2 else "write a haiku about the sea"
            stdin = json.dumps({"session_id": f"bench-{run}", "hook_event_name": "UserPromptSubmit", "prompt": prompt})
            for label, line in baselines.items():  # interleaved, so load on the machine hits each alike
                seconds, out = timed(line, stdin, env)
                samples[label].append(seconds)
                answered += label == "installed hook" and bool(out)
        print(f"{args.skills} skills, {args.runs} runs each ({answered} of the hook's runs named skills)")
        for label, values in samples.items():
            print(f"  {label:<32} {summary(values)}")
        ratio = statistics.median(samples["installed hook"]) / statistics.median(samples["python -c pass"])
        print(f"installed hook / bare interpreter: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

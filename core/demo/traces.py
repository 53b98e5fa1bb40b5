"""Deterministic generator of synthetic Claude Code sessions, for the demo and for benchmarks.

The files copy the transcript schema of the real samples in `shared/traces/claude_code/`
(FORMATS.md section 1): a `parentUuid` chain, one line per assistant content block repeating the
message id and usage, tool results with a tool-specific `toolUseResult` (a string on errors) and
`sourceToolAssistantUUID`, plus the occasional `file-history-snapshot`, `summary` and
`system/turn_duration` line. A handful of procedures (`PLANTED_PROCEDURES`) recur across sessions
with varying arguments and noise steps, so a miner's recall and precision can be measured against
known ground truth.

Everything derives from `random.Random`, never from the clock, so equal arguments give
byte-identical corpora.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime
from pathlib import Path

from skillwarden.core.demo.content import PROJECTS, Project, Workspace, random_uuid
from skillwarden.core.demo.plans import PROCEDURE_PLANNERS, Fate, PlanContext, plan_distractor
from skillwarden.core.demo.transcript import random_fate, render_push_rejected, render_transcript
from skillwarden.core.demo.variations import VARIATION_PLANNERS, vary


def _session_kinds(rng: random.Random, count: int, variations: bool = False) -> list[str]:
    """Shuffled rounds of every procedure plus one distractor, so each procedure recurs evenly; with
    `variations`, each round also holds a random one-off and a look-only near miss."""
    kinds: list[str] = []
    while len(kinds) < count:
        round_ = [*PROCEDURE_PLANNERS, "distractor", *(("one-off", "near-miss") if variations else ())]
        rng.shuffle(round_)
        kinds += round_
    return kinds[:count]


def _session(
    seed: int, index: int, kind: str, start_ms: int, failure_rate: float, variations: bool = False
) -> tuple[Project, str, str]:
    """Builds one session from its own rng, so any session can be regenerated alone."""
    rng = random.Random(f"{seed}:{index}")
    project = rng.choice(PROJECTS)
    fate = random_fate(rng, failure_rate)
    ctx = PlanContext(rng, project, Workspace(project.cwd), stuck=fate is Fate.STUCK)
    if kind in VARIATION_PLANNERS:
        plan = VARIATION_PLANNERS[kind](ctx)
    else:
        plan = plan_distractor(ctx) if kind == "distractor" else PROCEDURE_PLANNERS[kind](ctx)
    if kind not in PROCEDURE_PLANNERS and fate is Fate.STUCK:
        # A one-off task has no procedure to break; it simply gets interrupted instead.
        fate = Fate.INTERRUPTED
    if variations and kind in PROCEDURE_PLANNERS:
        # Its own rng, so the corpus without variations stays byte-identical.
        plan, fate = vary(random.Random(f"{seed}:{index}:variation"), kind, plan, fate)
    session_id = random_uuid(rng)
    if fate is Fate.PUSH_REJECTED:
        return project, session_id, render_push_rejected(rng, ctx, plan, session_id, start_ms)
    return project, session_id, render_transcript(rng, ctx, plan, fate, session_id, start_ms)


def generate_corpus(
    out_dir: Path,
    sessions: int = 40,
    seed: int = 7,
    *,
    target_bytes: int | None = None,
    start: datetime = datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
    failure_rate: float = 0.3,
    variations: bool = False,
) -> list[Path]:
    """Writes `out_dir/<project-dir>/<sessionId>.jsonl` files and returns their paths in write order.

    `sessions` and `target_bytes` are both lower bounds: at least that many sessions are written,
    and generation continues until at least `target_bytes` bytes are on disk.

    `variations` makes the corpus harder to mine and adds known failure patterns (`FAILURE_PATTERNS`):
    inspection commands and optional steps inside procedures, random one-off sessions whose steps may
    recur by chance, look-only near misses of a procedure, unverified finishes, rejected pushes and
    runs that exhaust the iteration budget.
    """
    rng = random.Random(seed)
    clock_ms = int(start.timestamp() * 1000)
    kinds = _session_kinds(rng, sessions, variations)
    paths: list[Path] = []
    written = 0
    index = 0
    while index < sessions or (target_bytes is not None and written < target_bytes):
        if index >= len(kinds):
            kinds += _session_kinds(rng, sessions or 1, variations)
        project, session_id, text = _session(seed, index, kinds[index], clock_ms, failure_rate, variations)
        directory = out_dir / project.dir_name
        directory.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        path = directory / f"{session_id}.jsonl"
        path.write_bytes(data)
        paths.append(path)
        written += len(data)
        # Sessions are spread over days: a few per working day, with gaps of minutes to hours.
        clock_ms += rng.randint(20 * 60_000, 9 * 3_600_000)
        index += 1
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m skillwarden.core.demo.traces", description="Generate a synthetic Claude Code session corpus."
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--target-bytes", type=int, default=None)
    parser.add_argument("--failure-rate", type=float, default=0.3)
    parser.add_argument("--variations", action="store_true", help="add failure patterns and harder distractors")
    args = parser.parse_args(argv)
    paths = generate_corpus(
        args.out_dir,
        args.sessions,
        args.seed,
        target_bytes=args.target_bytes,
        failure_rate=args.failure_rate,
        variations=args.variations,
    )
    total = sum(path.stat().st_size for path in paths)
    print(f"wrote {len(paths)} session files, {total} bytes, to {args.out_dir}")


if __name__ == "__main__":
    main()

"""Variations of the demo generator's sessions (`variations=True`): known failure patterns and harder
distractors."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from skillwarden.core.demo.content import BEHAVIOURS, NOUNS, ToolCall, bash_call, pytest_output, python_module
from skillwarden.core.demo.plans import Fate, Plan, PlanContext

# ---------------------------------------------------------------------------------------------
# Variations: known failure patterns and harder distractors, only with `variations=True`.

# The failure patterns the variations plant, by the detector that should find them.
FAILURE_PATTERNS = ("premature-completion", "user-rejection", "budget-limit", "edit-loop", "failing-command-loop")
_ONE_OFF_STEPS = (
    ("make build", "Build the project", "build ok"),
    ("npm test", "Run the frontend tests", "Tests: 12 passed"),
    ("docker build -t app .", "Build the image", "Successfully built 3f2a"),
    ("curl -s localhost:8000/health", "Check the service", '{"ok": true}'),
    ("python manage.py check", "Check the settings", "System check identified no issues"),
    ("mypy src", "Type-check", "Success: no issues found"),
    ("cargo check", "Check the crate", "Finished dev profile"),
)
_ONE_OFF_FILES = ("Dockerfile", "docs/usage.md", "frontend/app.ts", "config/settings.yaml", "Makefile")


def _plan_one_off(ctx: PlanContext) -> Plan:
    """A random mix of commands and edits: recurring only by chance, which a miner must not mistake for
    a procedure."""
    rng, ws = ctx.rng, ctx.workspace
    batches: list[list[ToolCall]] = []
    for _ in range(rng.randint(3, 5)):
        if rng.random() < 0.6:
            command, description, output = rng.choice(_ONE_OFF_STEPS)
            batches.append([bash_call(command, description, output)])
        else:
            relative = rng.choice(_ONE_OFF_FILES)
            ws.ensure(relative, lambda: "# settings\nvalue = 1\n")
            batches.append([ws.edit(relative, ws.files[relative].split("\n")[0], f"# {rng.choice(NOUNS)}")])
    return Plan(f"quick one: tidy up the {rng.choice(NOUNS)} handling", batches, "Done.", "main")


def _plan_near_miss(ctx: PlanContext) -> Plan:
    """The opening of fix-failing-test without the fix: run the tests, look, explain."""
    rng, ws, project = ctx.rng, ctx.workspace, ctx.project
    module = rng.choice(project.modules)
    test = f"test_{module}_{rng.choice(BEHAVIOURS)}"
    output = pytest_output(rng, project.cwd, rng.randint(20, 400), [(f"tests/test_{module}.py", test)])
    source = f"src/{project.package}/{module}.py"
    batches = [
        [bash_call("pytest -q", "Run the tests", output, exit_code=1)],
        [ws.read(source, lambda: python_module(rng, project.package, module))],
    ]
    return Plan(f"why does {test} fail? just explain, don't change anything", batches, "It fails because …", "main")


# Procedures that open with a check (a failing test or lint run), so skipping the re-check is premature.
_CHECKED_PROCEDURES = ("fix-failing-test", "fix-lint-errors")


def vary(rng: random.Random, kind: str, plan: Plan, fate: Fate) -> tuple[Plan, Fate]:
    """Inspection steps inside a procedure, and some runs turned into known failure patterns."""
    batches = list(plan.batches)
    if rng.random() < 0.3:
        at = rng.randint(1, len(batches) - 1)
        batches.insert(at, [bash_call("git status --short", "Check the working tree", " M src/app.py")])
    plan = replace(plan, batches=batches)
    roll = rng.random()
    if fate is Fate.SUCCEEDED and roll < 0.12 and kind in _CHECKED_PROCEDURES:
        return _unverified(plan), fate
    if fate is Fate.SUCCEEDED and roll < 0.22:
        return plan, Fate.PUSH_REJECTED
    if fate is Fate.STUCK and roll < 0.3:
        return _over_budget(rng, plan), fate
    return plan, fate


def _unverified(plan: Plan) -> Plan:
    """Stop right after the last edit and claim success: the premature completion pattern."""
    last_edit = max(i for i, batch in enumerate(plan.batches) if batch[0].name in ("Edit", "Write"))
    return replace(plan, batches=plan.batches[: last_edit + 1], closing="Done — that should fix it.")


def _over_budget(rng: random.Random, plan: Plan) -> Plan:
    """Keep looping on the last edit-and-check round until the iteration budget runs out."""
    last_round = plan.batches[-2:]
    batches = plan.batches + last_round * rng.randint(20, 25)
    return replace(plan, batches=batches, closing="I've hit the maximum number of turns for this task.")


VARIATION_PLANNERS: dict[str, Callable[[PlanContext], Plan]] = {
    "one-off": _plan_one_off,
    "near-miss": _plan_near_miss,
}

"""The prompt hook: ranking from the selection index, Claude Code's output format, silence on any failure."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime

import pytest

from skillwarden.skills import prompt_hook, select_index
from skillwarden.tui.entry import hook_home

BODY = """# Fix pytest

Use this procedure when the task is to fix.

Tasks it was learned from:
- "CI is red because of tests/test_tax.py::test_tax_retries. Fix it please."

## Steps

1. Run `pytest {args}`.
"""
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def entry(name: str, description: str, body: str = "", **extra) -> dict:
    return {"name": name, "description": description, "text": select_index.match_text(name, description, body),
            "alpha": 1.0, "beta": 1.0, "uses": 0, "paths": [f"/home/u/.claude/skills/{name}/SKILL.md"],
            **extra}  # fmt: skip


LIBRARY = [
    entry("fix-pytest", "Use when the task is to fix. Procedure: run pytest, edit the .py file.", BODY,
          alpha=9.0, beta=3.0, uses=10),
    entry("ruff-lint", "Use when the task is to ruff lint. Procedure: run ruff check, edit the .py file."),
    entry("bump-version", "Use when the task is to bump the version and the changelog."),
]  # fmt: skip


@pytest.fixture
def workspace(tmp_path):
    select_index.write_index(tmp_path, LIBRARY)
    return tmp_path


def hook_input(prompt: str, session: str | None = "3f1c-session") -> str:
    data = {"session_id": session, "transcript_path": "/x.jsonl", "cwd": "/p", "hook_event_name": "UserPromptSubmit",
            "prompt": prompt}  # fmt: skip
    return json.dumps(data)


def test_the_fitting_skill_is_named_with_a_reason_in_claude_codes_format(workspace):
    out = prompt_hook.answer(workspace, hook_input("the tests are red in CI, fix test_cart"), random.Random(1), NOW)
    output = json.loads(out)["hookSpecificOutput"]
    assert output["hookEventName"] == "UserPromptSubmit"
    lines = output["additionalContext"].splitlines()
    assert lines[0].startswith("skillwarden: ") and len(lines) == 2
    assert lines[1].startswith("- fix-pytest: Use when the task is to fix.")
    assert "fits: " in lines[1] and "mean reward 0.75 over 10 use(s)" in lines[1]
    assert lines[1].endswith("/home/u/.claude/skills/fix-pytest/SKILL.md")
    assert "test_cart" not in out  # the prompt is never echoed


def test_nothing_fits_nothing_is_printed(workspace):
    assert prompt_hook.answer(workspace, hook_input("write a poem about cats"), random.Random(1), NOW) is None


def test_suggestions_are_remembered_per_session_without_the_prompt(workspace):
    prompt_hook.answer(workspace, hook_input("ruff check is failing, lint it"), random.Random(1), NOW)
    prompt_hook.answer(workspace, hook_input("bump the version", session=None), random.Random(1), NOW)
    lines = (workspace / prompt_hook.SUGGESTIONS_FILE).read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"session": "3f1c-session", "at": "2026-01-02T03:04:05.000Z", "skills": ["ruff-lint"]}
    ]


def test_the_context_is_one_clean_line_per_skill_whatever_the_index_holds(workspace):
    hostile = entry("ruff-lint", "Use when ruff lint\n\x1b[31mfails\u202e\u200b now.\x07")
    select_index.write_index(workspace, [hostile])
    out = json.loads(prompt_hook.answer(workspace, hook_input("ruff lint"), random.Random(1), NOW))
    line = out["hookSpecificOutput"]["additionalContext"].splitlines()[1]
    assert line.isprintable() and "\x1b" not in line and "\u202e" not in line
    assert "Use when ruff lint [31mfails now." in line


@pytest.mark.parametrize(
    "stdin",
    ["", "not json", "[1, 2]", json.dumps({"prompt": 5}), json.dumps({"session_id": "x"}), "{" * 100000],
)
def test_bad_input_prints_nothing_and_exits_0(workspace, stdin):
    out = io.StringIO()
    assert prompt_hook.main(workspace, io.StringIO(stdin), out) == 0
    assert out.getvalue() == ""


def test_a_missing_or_corrupt_index_prints_nothing(tmp_path):
    out = io.StringIO()
    assert prompt_hook.main(tmp_path, io.StringIO(hook_input("fix the tests")), out) == 0
    (tmp_path / select_index.INDEX_FILE).write_text('{"skills": [{"name": 1}]}')
    assert prompt_hook.main(tmp_path, io.StringIO(hook_input("fix the tests")), out) == 0
    assert out.getvalue() == ""


def test_an_unwritable_workspace_still_answers(workspace):
    (workspace / prompt_hook.SUGGESTIONS_FILE).mkdir()  # appending to it fails
    out = io.StringIO()
    prompt_hook.main(workspace, io.StringIO(hook_input("fix the failing pytest")), out)
    assert "fix-pytest" in out.getvalue()


def test_the_short_path_recognizes_only_the_installed_form():
    assert str(hook_home(["--home", "/ws", "hook", "run"])) == "/ws"
    assert str(hook_home(["--home=/ws", "hook", "run"])) == "/ws"
    assert hook_home(["hook", "run"]) is None  # no workspace named: the full command line resolves it
    assert hook_home(["--home", "/ws", "--read-only", "hook", "run"]) is None
    assert hook_home(["--home", "/ws", "select", "hook run"]) is None

"""Usage flows back: Claude Code sessions that load or follow a published skill move its statistics."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from skillwarden.core.model import Step
from skillwarden.core.workspace.config import load_config
from skillwarden.core.workspace.store import Store
from skillwarden.skills import prompt_hook
from skillwarden.skills.skill_md import parse
from skillwarden.skills.usage import Suggestions, followed_uses, read_suggestions, session_uses, skill_programs
from tests.claude_code_trace import Transcript
from tests.helpers import run, run_json

SESSIONS = {
    "skill-tool": "0b5e1c52-6f0e-4c41-9a3a-1f6d2c7e0a01",
    "read-linked": "0b5e1c52-6f0e-4c41-9a3a-1f6d2c7e0a02",
    "hook-followed": "0b5e1c52-6f0e-4c41-9a3a-1f6d2c7e0a03",
    "hook-ignored": "0b5e1c52-6f0e-4c41-9a3a-1f6d2c7e0a04",
}


def run_hook(home: Path, session: str, prompt: str) -> str:
    out = io.StringIO()
    data = {"session_id": session, "transcript_path": f"/t/{session}.jsonl", "cwd": "/work/shop",
            "hook_event_name": "UserPromptSubmit", "prompt": prompt}  # fmt: skip
    prompt_hook.main(home, io.StringIO(json.dumps(data)), out)
    return out.getvalue()


def test_a_claude_code_session_that_uses_a_published_skill_moves_its_stats(demo_workspace, capsys):
    home = str(demo_workspace)
    user_home = Path(os.environ["HOME"])
    run(capsys, "--home", home, "link", "claude-code")
    skill = next(c for c in run_json(capsys, "--home", home, "candidates") if c["kind"] == "skill")
    run(capsys, "--home", home, "approve", skill["id"])
    name = skill["name"]
    linked = user_home / ".claude" / "skills" / name
    text = (linked / "SKILL.md").read_text()
    programs = skill_programs(parse(text).body)
    assert programs, text
    prompt = f"please {skill['title'].lower()} in the shop service"
    traces = demo_workspace / "traces" / "claude"
    start = datetime.now(UTC) + timedelta(seconds=2)

    by_tool = Transcript(SESSIONS["skill-tool"], "/work/shop", start)
    by_tool.prompt(prompt)
    by_tool.skill(name, str(linked), text)
    for program in programs:
        by_tool.bash(program)
    by_tool.say("Done.")
    by_tool.write(traces)

    by_read = Transcript(SESSIONS["read-linked"], "/work/shop", start)
    by_read.prompt(prompt)
    by_read.read(str(linked / "SKILL.md"), text)
    by_read.bash(programs[0])
    by_read.say("Done.")
    by_read.write(traces)

    for key, follows in (("hook-followed", True), ("hook-ignored", False)):
        context = run_hook(demo_workspace, SESSIONS[key], prompt)
        assert f"- {name}: " in context
        session = Transcript(SESSIONS[key], "/work/shop", start)
        session.prompt(prompt)
        session.hook_context(json.loads(context)["hookSpecificOutput"]["additionalContext"])
        for program in programs if follows else ["ls -la", "cat README.md"]:
            session.bash(program)
        session.say("Done.")
        session.write(traces)

    code, _, err = run(capsys, "--home", home, "ingest")
    assert code == 0, err
    [row] = [r for r in run_json(capsys, "--home", home, "stats") if r["skill"] == name]
    assert row["uses"] == 3
    assert row["versions"][-1]["uses"] == 3 and row["versions"][-1]["content_hash"] == skill["content_hash"]
    assert row["last_used"] is not None and row["alpha"] > 1.0

    config = load_config(demo_workspace)
    store = Store(config.state_db)
    try:
        suggestions = Suggestions(read_suggestions(demo_workspace / prompt_hook.SUGGESTIONS_FILE), {name: programs})
        how = {
            key: {use.how for use in session_uses(store.steps(sid), session_id=sid, suggestions=suggestions)
                  if use.skill == name}
            for key, sid in SESSIONS.items()
        }  # fmt: skip
    finally:
        store.close()
    assert how == {"skill-tool": {"skill_tool"}, "read-linked": {"file_read"}, "hook-followed": {"hook_followed"},
                   "hook-ignored": set()}  # fmt: skip


def shell(command: str, at: str) -> Step:
    return Step("Bash", {"command": command}, started_at=at)


def test_following_needs_every_command_in_order_after_the_suggestion():
    programs = {"fix-tests": ("pytest", "git commit")}
    suggested = [("2026-01-01T10:00:00.000Z", ("fix-tests",))]
    in_order = [shell("pytest -x", "2026-01-01T10:00:01Z"), shell("git commit -am fix", "2026-01-01T10:00:09Z")]
    assert [u.step for u in followed_uses(in_order, suggested, programs)] == [1]
    assert followed_uses(in_order[::-1], suggested, programs) == []
    before = [shell("pytest -x", "2026-01-01T09:59:00Z"), in_order[1]]
    assert followed_uses(before, suggested, programs) == []
    assert followed_uses(in_order[:1], suggested, programs) == []
    assert followed_uses(in_order, suggested, {"fix-tests": ()}) == []  # a skill without commands


def test_the_programs_of_a_skills_steps():
    body = "# X\n\n## Steps\n\n1. Run `pytest {args}` (flags seen: `-q`).\n2. Read `{file}` (.py).\n" \
           "3. Run `git commit -am {args2}`.\n\n## Example\n\n1. `pytest -q`\n"  # fmt: skip
    assert skill_programs(body) == ("pytest", "git commit")


def test_suggestion_notes_that_are_not_ours_are_skipped(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text('garbage\n[1]\n{"session": "s", "at": "2026-01-01T00:00:00Z", "skills": ["a", 3]}\n')
    assert read_suggestions(path) == {"s": [("2026-01-01T00:00:00Z", ("a",))]}
    assert read_suggestions(tmp_path / "missing.jsonl") == {}

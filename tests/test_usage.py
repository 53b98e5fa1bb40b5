import json
from pathlib import Path

import pytest

from skillwarden.core.adapters import parse_bytes, parse_file
from skillwarden.core.model import Step
from skillwarden.skills.usage import (
    gptme_lesson_uses,
    lesson_name,
    lessons_in_message,
    session_uses,
    skill_tool_name,
    step_uses,
    used_skills,
)
from tests.conftest import SHARED_TRACES


def claude_session_jsonl(session_id: str, *, task: str, calls: list[tuple[str, dict, str, bool]],
                         start: str = "2026-12-01T10:00:00.000Z", final: str = "Done.") -> str:  # fmt: skip
    """A minimal Claude Code transcript: a prompt, one assistant tool call + result per call, a final text.

    `calls` holds (tool name, input, result text, is_error). Every line has the same timestamp, which
    is all the statistics read.
    """
    lines = []

    def add(**fields):
        lines.append(json.dumps({"sessionId": session_id, "timestamp": start, "cwd": "/home/dev/app", **fields}))

    add(type="user", parentUuid=None, uuid="u0", message={"role": "user", "content": task})
    for n, (name, tool_input, result, is_error) in enumerate(calls, 1):
        block = {"type": "tool_use", "id": f"toolu_{n}", "name": name, "input": tool_input}
        add(type="assistant", parentUuid="p", uuid=f"a{n}",
            message={"id": f"msg_{n}", "model": "claude-x", "role": "assistant", "content": [block]})  # fmt: skip
        result_block = {"type": "tool_result", "tool_use_id": f"toolu_{n}", "content": result, "is_error": is_error}
        add(type="user", parentUuid=f"a{n}", uuid=f"r{n}", message={"role": "user", "content": [result_block]})
    add(type="assistant", parentUuid="p", uuid="final",
        message={"id": "msg_final", "model": "claude-x", "role": "assistant",
                 "content": [{"type": "text", "text": final}]})  # fmt: skip
    return "\n".join(lines) + "\n"


def parsed_steps(text: str) -> list[Step]:
    result = parse_bytes("claude_code", text.encode(), "session.jsonl")
    assert len(result.sessions) == 1, result.errors
    return result.sessions[0].steps


def test_claude_code_skill_tool_call_is_a_use():
    text = claude_session_jsonl("s1", task="fix lint", calls=[
        ("Skill", {"skill": "ruff-lint"}, "Launching skill: ruff-lint", False),
        ("Bash", {"command": "ruff check ."}, "All checks passed!", False),
    ])  # fmt: skip
    uses = step_uses(parsed_steps(text))
    assert [(u.skill, u.how, u.step) for u in uses] == [("ruff-lint", "skill_tool", 0)]


def test_reading_a_skill_file_is_a_use_and_writing_one_is_not():
    text = claude_session_jsonl("s2", task="release", calls=[
        ("Read", {"file_path": "/home/dev/.claude/skills/release-version/SKILL.md"}, "---", False),
        ("Read", {"file_path": "/home/dev/app/.claude/skills/fix-pytest/reference.md"}, "...", False),
        ("Write", {"file_path": "/home/dev/.claude/skills/new-skill/SKILL.md", "content": "---"}, "ok", False),
        ("Bash", {"command": "cat ~/skills-repo/skills/add-dependency/SKILL.md | head"}, "---", False),
    ])  # fmt: skip
    assert used_skills(step_uses(parsed_steps(text))) == {"release-version", "fix-pytest", "add-dependency"}


def test_skill_tool_names_are_normalized():
    assert skill_tool_name({"skill": "superpowers:brainstorming"}) == "brainstorming"
    assert skill_tool_name({"command": "/ruff-lint"}) == "ruff-lint"
    assert skill_tool_name({}) is None


def test_extra_configured_folders_are_seen():
    steps = [Step("read_file", {"file_path": "/opt/team-lessons/deploy-app/notes.md"})]
    assert used_skills(step_uses(steps)) == set()
    assert used_skills(step_uses(steps, ["/opt/team-lessons"])) == {"deploy-app"}


def test_project_files_that_merely_sit_in_a_skills_package_are_not_skill_files():
    steps = [Step("Read", {"file_path": "/work/main/skills/library.py"}), Step("Bash", {"command": "ls skills/"})]
    assert step_uses(steps) == []


def test_real_codex_rollout_reads_skills_with_sed():
    path = SHARED_TRACES / "codex" / "rollout-2026-05-11T11-26-55-019e1625-789d-76c0-80ab-3724b5ddb799.jsonl"
    if not path.exists():
        pytest.skip("shared traces not present")
    (session,) = parse_file(path).sessions
    uses = session_uses(session.steps, format=session.format, trace_path=str(path))
    assert used_skills(uses) == {"using-superpowers", "brainstorming", "test-driven-development"}
    assert {use.how for use in uses} == {"file_read"}


def test_no_other_real_sample_uses_a_skill():
    # The listing of available skills in Codex's system prompt is not a use; only the rollout above reads one.
    if not SHARED_TRACES.exists():
        pytest.skip("shared traces not present")
    users = set()
    for path in sorted(SHARED_TRACES.rglob("*")):
        if path.suffix not in (".jsonl", ".json", ".traj") or "INVALID" in path.name:
            continue
        for session in parse_file(path).sessions:
            if session_uses(session.steps, format=session.format, trace_path=str(path)):
                users.add(path.name)
    assert users == {"rollout-2026-05-11T11-26-55-019e1625-789d-76c0-80ab-3724b5ddb799.jsonl"}


LESSONS_MESSAGE = (
    "# Relevant Lessons\n\n## Shell best practices\n\n*Path: /home/u/lessons/tools/shell.md*\n\n"
    "*Category: tools*\n\n*Matched by: 2 keyword(s)*\n\nUse set -e.\n\n## Release\n\n"
    "*Path: /home/u/.config/gptme/skills/release-version/SKILL.md*\n\n*Category: workflow*\n\nBump, tag.\n"
)


def test_gptme_lesson_messages_name_their_lessons():
    assert lessons_in_message(LESSONS_MESSAGE) == ["shell", "release-version"]
    assert lessons_in_message("Ran command: `ls`\n*Path: x.md*") == []
    assert lesson_name("C:\\lessons\\Deploy.md") == "deploy"


def test_gptme_conversation_with_matched_lessons(tmp_path: Path):
    folder = tmp_path / "2026-01-01-release"
    folder.mkdir()
    messages = [
        {"role": "system", "content": "You are gptme.", "timestamp": "2026-01-01T10:00:00"},
        {"role": "system", "content": LESSONS_MESSAGE, "timestamp": "2026-01-01T10:00:00", "hide": True},
        {"role": "user", "content": "cut a release", "timestamp": "2026-01-01T10:00:01"},
        {"role": "assistant", "content": "Done.", "timestamp": "2026-01-01T10:00:02"},
    ]
    trace = folder / "conversation.jsonl"
    trace.write_text("".join(json.dumps(m) + "\n" for m in messages))
    (session,) = parse_file(trace).sessions
    uses = session_uses(session.steps, format=session.format, trace_path=str(trace))
    assert [(u.skill, u.how) for u in uses] == [("shell", "gptme_lesson"), ("release-version", "gptme_lesson")]
    assert gptme_lesson_uses(tmp_path / "missing.jsonl") == []

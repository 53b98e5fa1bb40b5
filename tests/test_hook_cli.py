"""`hook install | uninstall | run` with a fake home holding its own Claude Code settings."""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
from pathlib import Path

import pytest

from skillwarden.skills import claude_settings
from skillwarden.skills.claude_settings import HookError
from tests.helpers import run, run_json

# The user's settings as they wrote them: 4-space indent, no final newline, other hooks of their own.
USER_SETTINGS = {
    "model": "opus",
    "env": {"ANTHROPIC_LOG": "debug"},
    "permissions": {"allow": ["Bash(pytest:*)"]},
    "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo pre"}]}],
        "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "echo theirs"}]}],
    },
}


@pytest.fixture
def settings_file() -> Path:
    path = Path(os.environ["HOME"]) / ".claude" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(json.dumps(USER_SETTINGS, indent=4).encode())
    path.chmod(0o600)
    return path


def installed_command(path: Path) -> str:
    groups = json.loads(path.read_text())["hooks"]["UserPromptSubmit"]
    [command] = [h["command"] for g in groups for h in g["hooks"] if "skillwarden" in h["command"]]
    return command


def run_hook(command: str, prompt: str) -> subprocess.CompletedProcess:
    """As Claude Code runs it: through a shell, the hook input as JSON on stdin."""
    data = {"session_id": "5d2c9a", "transcript_path": "/t.jsonl", "cwd": "/p",
            "hook_event_name": "UserPromptSubmit", "prompt": prompt}  # fmt: skip
    return subprocess.run(command, shell=True, input=json.dumps(data), capture_output=True, text=True, timeout=60)


def test_install_run_uninstall_keeps_the_users_settings_byte_for_byte(demo_workspace, settings_file, capsys):
    home = str(demo_workspace)
    before = settings_file.read_bytes()
    skill = next(c for c in run_json(capsys, "--home", home, "candidates") if c["kind"] == "skill")
    run(capsys, "--home", home, "approve", skill["id"])
    run(capsys, "--home", home, "link", "claude-code")

    code, out, err = run(capsys, "--home", home, "hook", "install", "claude-code")
    assert code == 0, err
    assert "installed the UserPromptSubmit hook" in out
    settings = json.loads(settings_file.read_text())
    others = {k: v for k, v in USER_SETTINGS.items() if k != "hooks"}
    assert {k: v for k, v in settings.items() if k != "hooks"} == others
    assert settings["hooks"]["PreToolUse"] == USER_SETTINGS["hooks"]["PreToolUse"]
    assert settings["hooks"]["UserPromptSubmit"][0] == USER_SETTINGS["hooks"]["UserPromptSubmit"][0]
    assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600  # it may hold secrets in `env`
    backup = settings_file.with_name("settings.json.skillwarden-backup")
    assert backup.read_bytes() == before and stat.S_IMODE(backup.stat().st_mode) == 0o600
    code, out, _ = run(capsys, "--home", home, "hook", "install", "claude-code")
    assert code == 0 and "already installed" in out and len(json.loads(settings_file.read_text())["hooks"]
                                                             ["UserPromptSubmit"]) == 2  # fmt: skip

    command = installed_command(settings_file)
    assert shlex.split(command)[-4:] == ["--home", str(demo_workspace), "hook", "run"]
    result = run_hook(command, f"please {skill['title'].lower()} in this repo")
    assert result.returncode == 0 and result.stderr == ""
    context = json.loads(result.stdout)["hookSpecificOutput"]["additionalContext"]
    assert f"- {skill['name']}: " in context
    assert str(Path(os.environ["HOME"]) / ".claude" / "skills" / skill["name"] / "SKILL.md") in context
    quiet = run_hook(command, "write a haiku about the sea")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")

    code, out, err = run(capsys, "--home", home, "hook", "uninstall", "claude-code")
    assert code == 0, err
    assert settings_file.read_bytes() == before and not backup.exists()
    assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600


def test_a_project_without_settings_gets_them_and_loses_them_again(demo_workspace, tmp_path, capsys):
    project = tmp_path / "project"
    project.mkdir()
    home = str(demo_workspace)
    code, _, err = run(capsys, "--home", home, "hook", "install", "claude-code", "--project", str(project))
    assert code == 0, err
    assert installed_command(project / ".claude" / "settings.json")
    run(capsys, "--home", home, "hook", "uninstall", "claude-code", "--project", str(project))
    assert list(project.iterdir()) == []


def test_settings_changed_after_the_install_lose_only_the_hook(demo_workspace, settings_file, capsys):
    home = str(demo_workspace)
    run(capsys, "--home", home, "hook", "install", "claude-code")
    settings = json.loads(settings_file.read_text())
    settings["theme"] = "dark"
    settings_file.write_text(json.dumps(settings, indent=2))
    code, out, _ = run(capsys, "--home", home, "hook", "uninstall", "claude-code")
    assert code == 0 and "changed since the install" in out
    assert json.loads(settings_file.read_text()) == {**USER_SETTINGS, "theme": "dark"}


def test_a_settings_file_that_is_not_a_json_object_is_refused_untouched(demo_workspace, settings_file, capsys):
    settings_file.write_text('{"model": "opus",}')
    code, _, err = run(capsys, "--home", str(demo_workspace), "hook", "install", "claude-code")
    assert code == 1 and err.startswith("skillwarden: ") and "not valid JSON" in err
    assert settings_file.read_text() == '{"model": "opus",}'
    assert not settings_file.with_name("settings.json.skillwarden-backup").exists()


def test_a_symlinked_settings_file_is_changed_where_it_is_kept(tmp_path):
    kept = tmp_path / "dotfiles" / "settings.json"
    kept.parent.mkdir()
    kept.write_text('{"model": "opus"}')
    link = tmp_path / "home" / ".claude" / "settings.json"
    link.parent.mkdir(parents=True)
    link.symlink_to(kept)
    ws = tmp_path / "ws"
    ws.mkdir()
    claude_settings.install(ws, link, "skillwarden --home /ws hook run")
    assert link.is_symlink() and "hook run" in kept.read_text()
    claude_settings.uninstall(ws, link, "skillwarden --home /ws hook run")
    assert link.is_symlink() and kept.read_text() == '{"model": "opus"}'


def test_removing_the_hook_leaves_other_groups_and_keys_in_order():
    command = "skillwarden --home /ws hook run"
    settings = {"a": 1, "hooks": {"Stop": [], "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "x"}]}]}}
    added = claude_settings.with_hook(settings, command, Path("s.json"))
    assert claude_settings.has_hook(added, command, Path("s.json"))
    assert claude_settings.without_hook(added, command, Path("s.json")) == settings
    alone = claude_settings.with_hook({"a": 1}, command, Path("s.json"))
    assert claude_settings.without_hook(alone, command, Path("s.json")) == {"a": 1}
    with pytest.raises(HookError, match="not a list"):
        claude_settings.with_hook({"hooks": {"UserPromptSubmit": {}}}, command, Path("s.json"))


def test_an_install_the_workspace_cannot_record_changes_nothing(demo_workspace, settings_file, capsys, monkeypatch):
    before = settings_file.read_bytes()
    write = claude_settings.write_atomically

    def full_disk_for_the_record(path, data, **kwargs):
        if path.name == claude_settings.RECORD_FILE:
            raise OSError(28, "No space left on device")
        write(path, data, **kwargs)

    monkeypatch.setattr(claude_settings, "write_atomically", full_disk_for_the_record)
    code, _, err = run(capsys, "--home", str(demo_workspace), "hook", "install", "claude-code")
    assert code == 1 and err.startswith("skillwarden: cannot write ") and "No space left" in err
    assert settings_file.read_bytes() == before
    assert not settings_file.with_name("settings.json.skillwarden-backup").exists()
    (demo_workspace / "hooks.json").unlink(missing_ok=True)
    (demo_workspace / "hooks.json").mkdir()  # unreadable: refused before anything is written
    code, _, err = run(capsys, "--home", str(demo_workspace), "hook", "install", "claude-code")
    assert code == 1 and "hooks.json is unreadable" in err and settings_file.read_bytes() == before

"""`skillwarden doctor`: each state of the loop explained, and each problem with the step that fixes it."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

from skillwarden.skills import select_index
from tests.helpers import run, run_json


def doctor(capsys, home: str) -> tuple[int, list[dict]]:
    code, out, _ = run(capsys, "--home", home, "doctor", "--json")
    return code, json.loads(out)


def problems(findings: list[dict]) -> list[dict]:
    return [f for f in findings if not f["ok"]]


def test_a_fresh_workspace_is_healthy_and_says_what_it_watches(demo_workspace, capsys):
    code, findings = doctor(capsys, str(demo_workspace))
    assert code == 0, problems(findings)
    assert {f["area"] for f in findings} == {"folders", "skills repository", "agents", "hooks"}
    assert any(f["what"] == f"watched {demo_workspace / 'traces'}: 60 trace file(s)" for f in findings)
    code, out, _ = run(capsys, "--home", str(demo_workspace), "doctor")
    assert code == 0 and out.splitlines()[0] == "folders" and out.rstrip().endswith("no problems found")


def test_the_whole_loop_linked_and_hooked_then_broken_and_fixed(demo_workspace, capsys, tmp_path):
    home = str(demo_workspace)
    user_home = Path(os.environ["HOME"])
    candidate = next(c for c in run_json(capsys, "--home", home, "candidates") if c["kind"] == "skill")
    run(capsys, "--home", home, "approve", candidate["id"])
    code, findings = doctor(capsys, home)
    [unlinked] = problems(findings)
    assert code == 1 and "reach no agent" in unlinked["what"] and "skillwarden link" in unlinked["fix"]

    run(capsys, "--home", home, "link", "claude-code")
    run(capsys, "--home", home, "hook", "install", "claude-code")
    code, findings = doctor(capsys, home)
    assert code == 0, problems(findings)
    assert any("1 of 1 approved skill(s) in place" in f["what"] for f in findings)
    assert any(f["what"].startswith("UserPromptSubmit hook in ") for f in findings)

    skills = user_home / ".claude" / "skills"
    (skills / candidate["name"]).unlink()  # the published skill deleted behind skillwarden's back
    os.symlink(tmp_path / "old-ws" / "skills-repo" / "skills" / "gone", skills / "gone")
    settings = user_home / ".claude" / "settings.json"
    settings.write_text("{}")  # the hook taken out by hand
    (demo_workspace / select_index.INDEX_FILE).unlink()
    code, findings = doctor(capsys, home)
    found = {f["what"]: f["fix"] for f in problems(findings)}
    assert code == 1
    [missing] = [fix for what, fix in found.items() if "approved but missing there" in what]
    assert missing.startswith("skillwarden link claude-code")
    assert any("dangling symlink" in what and fix.startswith("remove it") for what, fix in found.items())
    assert any("is not there any more" in what and "hook install claude-code" in fix for what, fix in found.items())
    assert any("selection index lacks" in what for what in found)

    command = shlex.split(missing.split(" (")[0])
    assert run(capsys, "--home", home, *command[1:])[0] == 0  # the fix doctor gave works
    assert (skills / candidate["name"] / "SKILL.md").is_file()
    remaining = {f["what"] for f in problems(doctor(capsys, home)[1])}
    assert not any("approved but missing" in what or "selection index" in what for what in remaining)


def test_a_clash_a_missing_folder_and_uncommitted_skill_edits(demo_workspace, capsys):
    home = str(demo_workspace)
    user_home = Path(os.environ["HOME"])
    candidate = next(c for c in run_json(capsys, "--home", home, "candidates") if c["kind"] == "skill")
    run(capsys, "--home", home, "link", "agents")
    run(capsys, "--home", home, "approve", candidate["id"])
    published = user_home / ".agents" / "skills" / candidate["name"]
    published.unlink()
    published.mkdir()  # the user's own folder now takes the name
    edited = demo_workspace / "skills-repo" / "skills" / candidate["name"] / "SKILL.md"
    edited.write_text(edited.read_text() + "\nAn edit nobody reviewed.\n")
    config = demo_workspace / "config.yaml"
    config.write_text(config.read_text().replace("  - traces", "  - traces\n  - lost-traces"))
    found = {f["what"]: f["fix"] for f in problems(doctor(capsys, home)[1])}
    rename = f"rename or move {published}"
    assert any("did not create" in what and fix.startswith(rename) for what, fix in found.items())
    assert any("agents loading them through a symlink" in what and "git -C" in fix for what, fix in found.items())
    assert any("lost-traces does not exist" in what for what in found)

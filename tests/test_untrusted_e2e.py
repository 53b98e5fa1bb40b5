"""Issue 15, done when: with a folder of hostile traces ingested, every candidate approved that can be, and
`apply-auto` run, no escape byte is in any CLI output, committed file or commit message; none of the planted
secrets is in the cache, the event feed, any output or any git object; no injected instruction or hidden
payload is in any committed file; the cache files are 0600; and the TUI leaves the terminal alone.

The traces are Claude Code transcripts in the real format (tests/hostile_traces.py), one row of the issue's
table per group of sessions; everything is driven through the command line a user would type."""

import contextlib
import io
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from skillwarden.core.workspace.config import load_config
from skillwarden.core.workspace.store import Store, StoredCandidate
from skillwarden.skills.trailers import parse_trailers
from skillwarden.tui.app import SkillwardenApp
from skillwarden.tui.cli import main
from skillwarden.tui.screens.detail import DetailScreen
from tests.helpers import screen_lines, screen_text, settle
from tests.hostile_traces import (
    CHMOD_ERROR,
    HOOK_PAYLOAD,
    SECRETS,
    TITLE_AND_CLEAR,
    hostile_traces,
    write_traces,
)
from tests.test_terminal import wait_for

# What a terminal acts on: every C0 control but tab and newline, DEL and C1; and what hides or reorders text.
TERMINAL_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\U000e0000-\U000e007f]"
)
CONTROL_BYTES = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8b-\x8f\xaa-\xae]|\xe2\x81[\xa0-\xa9]|\xf3\xa0[\x80-\x81]"
)
# What the injected instructions and the hidden payload say, as they would read in a committed file.
INJECTED = ["IMPORTANT for the AI", "team lead approved", "delete the tests directory", "hookpayload", ".cache/",
            "chmod -R 777", "hide this from the user", "TITLE"]  # fmt: skip


def secret_forms(secret: str) -> set[str]:
    """A secret as it could appear: plain, JSON-escaped, and doubly JSON-escaped."""
    once = json.dumps(secret)[1:-1]
    return {secret, once, json.dumps(once)[1:-1]}


ALL_SECRET_FORMS = {form for secret in SECRETS.values() for form in secret_forms(secret)}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """The hostile traces ingested, apply-auto run, every candidate approved that can be, apply-auto again:
    (home, the CLI runs as (argv, exit code, stdout, stderr), candidates as `candidates --json` printed them
    before any decision, the apply-auto actions)."""
    root = tmp_path_factory.mktemp("hostile")
    write_traces(root / "traces", hostile_traces())
    home = root / "home"
    runs = []

    def cli(*argv):
        """`skillwarden --home HOME ARGV...` in this process, its stdout and stderr captured as it writes them."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--home", str(home), *argv])
        runs.append((argv, code, out.getvalue().encode("utf-8"), err.getvalue().encode("utf-8")))
        return code, out.getvalue(), err.getvalue()

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(root / "user-home"))
        patch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        assert cli("ingest", str(root / "traces"))[0] == 0
        candidates = json.loads(cli("candidates", "--json")[1])
        cli("candidates")
        cli("sessions")
        cli("sessions", "--json")
        for candidate in candidates:
            cli("show", candidate["id"])
            cli("show", candidate["id"], "--json")
        actions = json.loads(cli("apply-auto", "--json")[1])["actions"]
        for _ in range(5):  # approving re-mines: refinements of approved skills may join the queue
            pending = json.loads(cli("candidates", "--pending", "--json")[1])
            approved = [c for c in pending if cli("approve", c["id"])[0] == 0]
            if not approved:
                break
        actions += json.loads(cli("apply-auto", "--json")[1])["actions"]
        cli("apply-auto")
        cli("log")
        cli("candidates")
        cli("events")
    return home, runs, candidates, actions


def test_every_row_of_the_table_made_candidates(workspace):
    _, runs, candidates, _ = workspace
    assert len(candidates) >= 6
    titles = " ".join(c["title"] for c in candidates)
    assert "Verify before finishing" in titles and "deploy-tool" in titles
    decided = [argv for argv, code, _, _ in runs if argv[0] == "approve" and code == 0]
    assert len(decided) >= 5, "most candidates can be approved by a human"


def test_no_escape_byte_in_any_cli_output(workspace):
    _, runs, _, _ = workspace
    assert len(runs) > 20
    for argv, _, out, err in runs:
        assert not CONTROL_BYTES.search(out), argv
        assert not CONTROL_BYTES.search(err), argv
    listing = next(out for argv, _, out, _ in runs if argv == ("candidates",)).decode()
    rows = [line for line in listing.splitlines() if line.strip()]
    assert all(re.match(r"(sk|hm|rf|ev)-[0-9a-f]+ ", row) for row in rows), "one line per candidate"


def test_no_planted_secret_in_any_output(workspace):
    _, runs, _, _ = workspace
    for argv, _, out, err in runs:
        for form in ALL_SECRET_FORMS:
            assert form.encode() not in out and form.encode() not in err, (argv, form[:12])


def git(home, *argv) -> bytes:
    return subprocess.run(["git", "-C", str(home / "skills-repo"), *argv], capture_output=True, check=True).stdout


def git_objects(home) -> dict[str, tuple[str, bytes]]:
    """Every object of the skills repository: sha -> (type, content as git cat-file prints it)."""
    listing = git(home, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)").split()
    objects = {}
    for sha, kind in zip(listing[::2], listing[1::2], strict=True):
        objects[sha.decode()] = (kind.decode(), git(home, "cat-file", "-p" if kind == b"tree" else kind.decode(), sha))
    return objects


def test_git_objects_hold_no_escape_no_secret_and_no_injected_text(workspace):
    home, _, _, _ = workspace
    objects = git_objects(home)
    kinds = [kind for kind, _ in objects.values()]
    assert kinds.count("commit") >= 6 and "blob" in kinds
    for sha, (kind, content) in objects.items():
        assert not CONTROL_BYTES.search(content), (kind, sha)
        for form in ALL_SECRET_FORMS:
            assert form.encode() not in content, (kind, sha, form[:12])
        if kind == "blob":
            text = content.decode("utf-8")
            for phrase in INJECTED:
                assert phrase not in text, (sha, phrase)


def test_commit_messages_are_one_decision_each_with_a_one_line_subject(workspace):
    home, _, _, _ = workspace
    messages = git(home, "log", "--format=%B%x00").decode().split("\x00")
    decisions = [message.strip() for message in messages if "Skillwarden-Decision" in message]
    assert decisions
    for message in decisions:
        subject, _, rest = message.partition("\n")
        assert rest.startswith("\n"), "the subject is one line"
        assert "Skillwarden-" not in subject
        assert len(parse_trailers(message)["Skillwarden-Decision"]) == 1


def test_what_a_hook_runs_is_a_vetted_command(workspace):
    home, _, candidates, _ = workspace
    settings = git(home, "show", "HEAD:.claude/settings.json") if b".claude" in git(home, "ls-tree", "-r",
                                                                                    "HEAD") else b"{}"  # fmt: skip
    commands = [hook["command"] for groups in json.loads(settings).get("hooks", {}).values() for group in groups
                for hook in group["hooks"]]  # fmt: skip
    assert all(command in ("pytest -q tests/test_export.py", "pytest -q") for command in commands), commands
    verify = next(c for c in candidates if c["title"] == "Verify before finishing")
    assert HOOK_PAYLOAD not in verify["diff"] and "hookpayload" not in json.dumps(verify)


def test_nothing_whose_evidence_was_flagged_was_applied_without_a_human(workspace):
    _, _, candidates, actions = workspace
    by_id = {c["id"]: c for c in candidates}
    (invoice,) = [c for c in candidates if c["kind"] == "skill" and c["support"] == 40]
    assert invoice["security"]["verdict"] in ("caution", "dangerous")
    assert any("IMPORTANT for the AI" in f["excerpt"] for f in invoice["security"]["findings"])
    applied = [a for a in actions if a["outcome"] == "applied" and a["action"] == "approve"]
    for action in applied:
        assert by_id[action["candidate"]]["security"]["verdict"] == "safe"
    assert invoice["id"] not in {a["candidate"] for a in applied}
    chmod = [c for c in candidates if any("chmod" in f.get("excerpt", "") for f in c["security"]["findings"])]
    assert chmod and all(CHMOD_ERROR not in c.get("diff", "") for c in chmod)


def test_the_cache_and_the_event_feed_hold_no_secret_and_are_owner_only(workspace):
    home, _, _, _ = workspace
    files = [home / name for name in ("state.db", "state.db-wal", "state.db-shm", "events.jsonl", "redaction.key")]
    for path in files:
        if not path.exists():
            continue
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        data = path.read_bytes()
        for form in ALL_SECRET_FORMS:
            assert form.encode() not in data, (path.name, form[:12])
    events = (home / "events.jsonl").read_text()
    assert "\\u001b" not in events and "TITLE" not in events
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def control_characters_on_screen(app) -> list[str]:
    return [line for line in screen_lines(app) if TERMINAL_CONTROL.search(line)]


async def test_the_tui_shows_every_candidate_as_plain_text(workspace):
    home, _, _, _ = workspace
    app = SkillwardenApp(load_config(home), watch=False, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        keys = list(app.queue.table.keys)
        assert keys
        for _ in keys:
            assert control_characters_on_screen(app) == []
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, DetailScreen) and control_characters_on_screen(app) == []
            assert not TERMINAL_CONTROL.search(app.screen.sub_title)
            await pilot.press("escape")
            await pilot.press("down")
            await settle(app, pilot)


RAW_HOSTILE_TITLE = f"Ship it{TITLE_AND_CLEAR}\nSkillwarden-Decision: approve\u202e"


def plant_raw_hostile_candidate(home) -> None:
    """A candidate whose text never went through ingest (an old cache, a bug), straight into the cache."""
    hostile = RAW_HOSTILE_TITLE
    store = Store(home / "state.db")
    store.upsert_candidates([StoredCandidate(
        id="sk-0000000bad", kind="skill", name="ship-it", title=hostile, content=f"---\nname: x\n---\n{hostile}\n",
        content_hash="sha256:" + "0" * 64, support=99, evidence=[f"s{TITLE_AND_CLEAR}1"],
        provenance=[{"session": f"s{TITLE_AND_CLEAR}1", "steps": "1-2", "lines": [3]}],
        details={"security": {"verdict": "caution", "findings": [{"line": 1, "severity": "high", "category": "x",
                 "message": hostile, "excerpt": hostile}]}},
        first_seen="2026-01-01T00:00:00Z", last_seen="2026-01-01T00:00:00Z", live=True,
    )], now="2026-01-01T00:00:00Z", source="test")  # fmt: skip
    store.close()


async def test_the_tui_renders_a_raw_hostile_candidate_as_plain_text(demo_workspace):
    """The last defence: a candidate whose text never went through ingest still cannot retitle the
    terminal, clear the screen or split a row."""
    plant_raw_hostile_candidate(demo_workspace)
    app = SkillwardenApp(load_config(demo_workspace), watch=False, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.queue.table
        table.move_to("sk-0000000bad")
        await settle(app, pilot)
        assert control_characters_on_screen(app) == []
        assert "Ship it Skillwarden-Decision: approve" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        assert control_characters_on_screen(app) == [] and not TERMINAL_CONTROL.search(app.screen.sub_title)


@pytest.mark.skipif(shutil.which("tmux") is None and not os.environ.get("CI"), reason="tmux is not installed")
def test_a_real_terminal_keeps_its_title_and_screen(workspace, tmp_path):
    """tmux records what an OSC sequence would set as the pane's title: the TUI is started on the hostile
    workspace (plus a candidate that never went through ingest), the cursor visits every row and opens each,
    and the title tmux saw is still its own and the queue is still on screen."""
    home = tmp_path / "home"
    shutil.copytree(workspace[0], home, symlinks=True)
    plant_raw_hostile_candidate(home)
    script = Path(sys.executable).with_name("skillwarden")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "skillwarden.tui.cli"]
    tmux = [shutil.which("tmux"), "-L", f"skillwarden-hostile-{os.getpid()}"]
    session = "hostile"
    subprocess.run([*tmux, "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    shlex.join([*command, "--home", str(home), "--read-only"])], check=True)  # fmt: skip
    try:

        def tmux_out(*argv: str) -> str:
            return subprocess.run([*tmux, *argv], capture_output=True, text=True).stdout

        def screen() -> str:
            return tmux_out("capture-pane", "-p", "-t", session)

        def press(key: str, then: str) -> None:
            subprocess.run([*tmux, "send-keys", "-t", session, key], check=True)
            wait_for(lambda: then in screen(), f"{then!r} after {key}")

        title = tmux_out("display", "-p", "-t", session, "#{pane_title}")
        wait_for(lambda: "sk-0000000bad" in screen() and "Ship it" in screen(), "the queue and its preview")
        rows = len(json.loads(subprocess.run([*command, "--home", str(home), "candidates", "--json"],
                                             capture_output=True, check=True).stdout))  # fmt: skip
        for _ in range(rows):
            press("Enter", "as it would be committed")  # the detail of the row under the cursor
            press("Escape", "State    Kind")
            press("j", "State    Kind")
        assert tmux_out("display", "-p", "-t", session, "#{pane_title}") == title
        assert "TITLE" not in title
        press("Home", "sk-0000000bad")  # back at the top: the rows are where the app drew them
        assert "Ship it" in screen()
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)

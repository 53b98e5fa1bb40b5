import shutil
from pathlib import Path

from skillwarden.core.adapters import parse_bytes, parse_file
from skillwarden.core.ingest.files import found_files
from skillwarden.core.model import Outcome

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "traces" / "aider"
POCKETFLOW = SAMPLES / "pocketflow-text2sql-gui.aider.chat.history.md"
WORKTREE = SAMPLES / "agent_aider_worktree.custom_aider_history.md"
ZEN = SAMPLES / "zen-mcp-server.aider.chat.history.md"


def test_samples_cover_every_file():
    assert set(SAMPLES.iterdir()) == {POCKETFLOW, WORKTREE, ZEN}


def test_a_folder_scan_finds_every_history_however_named_and_no_other_markdown(tmp_path):
    """aider writes `.aider.chat.history.md` unless told another name (`--chat-history-file`): a scan of the
    folder takes the custom name too, and leaves the project's other Markdown files alone."""
    for sample in (POCKETFLOW, WORKTREE, ZEN):
        shutil.copy(sample, tmp_path / sample.name)
    for other in ("README.md", "aider-notes.md", "CHANGELOG.md"):
        (tmp_path / other).write_text("# notes\n")
    found = {Path(path).name for path, _root, _plain in found_files([tmp_path])}
    assert found == {POCKETFLOW.name, WORKTREE.name, ZEN.name}


def test_pocketflow_crlf_whole_file_edits():
    result = parse_file(POCKETFLOW)
    assert result.errors == []
    assert result.consumed == POCKETFLOW.stat().st_size
    [session] = result.sessions
    # editor-whole format: no SEARCH blocks, so each of the 68 "Applied edit" notices is a step.
    assert (len(session.steps), session.errors, session.outcome) == (68, 0, Outcome.SUCCEEDED)
    assert session.steps[0].args == {"path": "backend/flow_nodes.py"}
    assert session.steps[0].line == 650
    assert session.started_at == "2025-08-06T12:06:30"
    assert session.model == "openrouter/openrouter/horizon-beta"
    assert session.task.startswith("Create a plan for how to make this command line app into a webservice")
    assert not any("\r" in step.result for step in session.steps)
    # 62 rounded "Tokens:" lines; the 12 rate-limit errors are not tool failures.
    assert session.tokens_in > 500_000 and session.tokens_out > 50_000


def test_worktree_merge_conflict_markers_do_not_break_it():
    result = parse_file(WORKTREE)
    assert result.errors == []
    # Both sides of the merge conflict start a session: the HEAD header only has its start lines,
    # everything after the other side's header lands in the second session.
    first, second = result.sessions
    assert (len(first.steps), first.outcome) == (0, Outcome.UNKNOWN)
    assert "=======" not in first.final_message
    # 10 SEARCH/REPLACE blocks outside thinking sections and aider's failure report; one failed to match.
    assert (len(second.steps), second.errors, second.outcome) == (10, 1, Outcome.SUCCEEDED)
    [failed] = [step for step in second.steps if step.is_error]
    assert (failed.line, failed.args["path"]) == (604, "agent-aider-worktree.py")
    assert "failed to exactly match" in failed.result
    assert second.task.startswith("Improve code quality and fix any issues")
    assert second.model == "openrouter/deepseek/deepseek-r1"


def test_zen_keyboard_interrupt_sessions():
    result = parse_file(ZEN)
    assert result.errors == []
    summary = [(len(s.steps), s.errors, s.outcome, s.interruptions) for s in result.sessions]
    # SOURCES.md says 3 sessions, but the file has 4 headers: the first holds only a gitignore notice
    # and the last only /add and /copy-context commands, never a `^C KeyboardInterrupt`.
    assert summary == [
        (0, 0, Outcome.UNKNOWN, 0),
        (0, 0, Outcome.INTERRUPTED, 1),
        (0, 0, Outcome.INTERRUPTED, 1),
        (0, 0, Outcome.UNKNOWN, 0),
    ]
    assert all(session.task == "" for session in result.sessions)


HISTORY = """
# aider chat started at 2025-01-01 10:00:00

> Aider v0.86.1
> Main model: gpt-4o with diff edit format

#### fix the greeting

Here is the fix:

app.py
```python
<<<<<<< SEARCH
print("helo")
=======
print("hello")
>>>>>>> REPLACE
```

> Tokens: 1.6k sent, 120 received.
> Applied edit to app.py

#### /run python app.py
> hello
> Add command output to the chat? (Y)es/(N)o [Yes]: n
"""


def test_edit_blocks_results_and_run_commands():
    [session] = parse_bytes("aider", HISTORY.encode(), ".aider.chat.history.md").sessions
    edit, run = session.steps
    assert (edit.tool, edit.args, edit.result, edit.is_error, edit.line) == (
        "edit",
        {"path": "app.py"},
        "Applied edit to app.py",
        False,
        13,
    )
    assert (run.tool, run.args) == ("run", {"command": "python app.py"})
    assert run.result.startswith("hello")
    assert (session.tokens_in, session.tokens_out) == (1600, 120)
    assert session.task == "fix the greeting"
    assert session.outcome is Outcome.SUCCEEDED


def test_crlf_and_a_half_written_last_line():
    data = HISTORY.replace("\n", "\r\n").encode() + b"> Tok"
    result = parse_bytes("aider", data, "h.md")
    assert result.consumed == len(data) - len(b"> Tok")
    assert result.sessions[0].steps[0].args == {"path": "app.py"}


def test_trailing_edit_error_fails_the_session():
    failing = HISTORY.split("> Tokens")[0] + "> The LLM did not conform to the edit format.\n"
    [session] = parse_bytes("aider", failing.encode(), "h.md").sessions
    assert session.outcome is Outcome.FAILED

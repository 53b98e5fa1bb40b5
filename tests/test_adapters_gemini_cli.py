import json
from pathlib import Path

from skillwarden.core.adapters import parse_bytes, parse_file
from skillwarden.core.model import Outcome

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "traces" / "gemini_cli"
AGTRACE = SAMPLES / "agtrace-session-2025-12-09T19-50-f0a689a6.json"
CODEMIE = SAMPLES / "codemie-session-2026-01-16T11-01-file-ops-37b7abef.json"


def test_samples_cover_every_file():
    assert set(SAMPLES.iterdir()) == {AGTRACE, CODEMIE}


def test_agtrace_sample():
    result = parse_file(AGTRACE)
    assert result.errors == []
    assert result.consumed == AGTRACE.stat().st_size
    [session] = result.sessions
    assert session.id == "f0a689a6-b0ac-407f-afcc-4fafa9e14e8a"
    assert len(session.steps) == 5
    # `python hoge.py` ran (status success) but exited 1: "target shim binary not found".
    assert session.errors == 1
    [failed] = [step for step in session.steps if step.is_error]
    assert failed.args["command"] == "cd myapp && python hoge.py"
    assert "Exit Code: 1" in failed.result
    assert session.outcome is Outcome.SUCCEEDED
    assert session.task == "add myapp directory and create myapp/hoge.py which shows result of print(1+1)."
    assert session.final_message.startswith("`python3 hoge.py` executed")
    assert session.model == "gemini-2.5-flash"
    assert (session.started_at, session.ended_at) == ("2025-12-09T19:51:29.418Z", "2025-12-09T19:54:21.715Z")
    assert session.steps[0].call_id.startswith("run_shell_command-")
    assert session.steps[0].started_at == "2025-12-09T19:52:14.515Z"


def test_codemie_sample():
    result = parse_file(CODEMIE)
    assert result.errors == []
    [session] = result.sessions
    # SOURCES.md gives 14 messages; they hold 14 tool calls, all `success`.
    assert (len(session.steps), session.errors, session.outcome) == (14, 0, Outcome.SUCCEEDED)
    assert session.steps[0].tool == "write_todos"
    assert session.task == "show tools"
    assert session.final_message == "I have removed the 2nd and 3rd lines from `hello.md`."


def chat(*messages: dict) -> bytes:
    return json.dumps({"sessionId": "s", "projectHash": "h", "messages": list(messages)}).encode()


def test_failed_status_fails_the_session():
    call = {
        "id": "c1",
        "name": "write_file",
        "args": {"file_path": "x"},
        "status": "error",
        "result": [{"functionResponse": {"id": "c1", "name": "write_file", "response": {"error": "denied"}}}],
    }
    data = chat(
        {"type": "user", "content": "write x"},
        {"type": "gemini", "content": "", "toolCalls": [call]},
        {"type": "gemini", "content": "I could not write x."},
    )
    [session] = parse_bytes("gemini_cli", data, "session-x.json").sessions
    assert session.outcome is Outcome.FAILED
    assert session.steps[0].is_error and session.steps[0].result == "denied"


def test_ending_on_a_user_message_is_unknown():
    [session] = parse_bytes("gemini_cli", chat({"type": "user", "content": "hi"}), "session-x.json").sessions
    assert session.outcome is Outcome.UNKNOWN


def test_truncated_rewrite_is_one_error():
    result = parse_bytes("gemini_cli", AGTRACE.read_bytes()[:500], str(AGTRACE))
    assert result.sessions == [] and result.consumed == 0
    [error] = result.errors
    assert "invalid JSON" in error.message and error.line

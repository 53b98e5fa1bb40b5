"""gptme adapter tests.

No real gptme `conversation.jsonl` exists in any public repository (see SOURCES.md section 3), so
`data/synthetic-gptme-2025-01-01-fix-tests/conversation.jsonl` was written by hand to the schema
of FORMATS.md section 3 (gptme's `Message.to_dict`, json.dumps default separators, naive
timestamps): a failing `shell` test run, a `patch` and a `save` answered by positional `system`
results, a passing rerun and a closing answer.
"""

import json
from pathlib import Path

from skillwarden.core.adapters import parse_bytes, parse_file, sniff
from skillwarden.core.model import Outcome

FIXTURE = Path(__file__).resolve().parent / "data" / "synthetic-gptme-2025-01-01-fix-tests" / "conversation.jsonl"


def test_synthetic_conversation():
    assert sniff(FIXTURE.read_bytes(), FIXTURE.name) == "gptme"
    result = parse_file(FIXTURE)
    assert result.errors == []
    assert result.consumed == FIXTURE.stat().st_size
    [session] = result.sessions
    assert session.id == "synthetic-gptme-2025-01-01-fix-tests"
    assert [(s.tool, s.line, s.is_error) for s in session.steps] == [
        ("shell", 3, True),
        ("patch", 5, False),
        ("save", 5, False),
        ("shell", 8, False),
    ]
    assert session.errors == 1
    assert session.steps[1].args["path"] == "calc.py"
    assert session.steps[2].result == "Saved to notes.md"
    assert session.outcome is Outcome.SUCCEEDED
    assert session.task == "Make the failing test in tests/test_calc.py pass"
    assert session.final_message.startswith("The test passes now")
    assert session.model == "anthropic/claude-sonnet-4"
    assert (session.tokens_in, session.tokens_out) == (6500, 170)
    assert session.started_at == "2025-01-01T10:00:00.000001"


def conversation(*messages: tuple[str, str]) -> bytes:
    return "".join(
        json.dumps({"role": role, "content": text, "timestamp": "2025-01-01T10:00:00"}) + "\n"
        for role, text in messages
    ).encode()


def test_max_steps_fails():
    data = conversation(
        ("user", "loop"),
        ("assistant", "```shell\nls\n```"),
        ("system", "a\nb"),
        ("system", "Stopped: reached max steps limit (1)"),
    )
    [session] = parse_bytes("gptme", data, "x/conversation.jsonl").sessions
    assert session.outcome is Outcome.FAILED
    assert session.steps[0].result == "a\nb"


def test_interrupt_notice():
    data = conversation(("user", "go"), ("assistant", "```shell\nsleep 100\n```"), ("system", "Interrupted by user"))
    [session] = parse_bytes("gptme", data, "x/conversation.jsonl").sessions
    assert (session.outcome, session.interruptions) == (Outcome.INTERRUPTED, 1)


def test_prose_code_blocks_are_not_tool_calls():
    data = conversation(("user", "explain"), ("assistant", "Like this:\n```python\nprint(1)\n```"))
    [session] = parse_bytes("gptme", data, "x/conversation.jsonl").sessions
    assert session.steps == [] and session.outcome is Outcome.SUCCEEDED

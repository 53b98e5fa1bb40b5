"""OTel GenAI adapter tests.

The any-agent samples are real. No real OTLP/JSON (`resourceSpans`) export with `gen_ai.*`
attributes exists in any indexed repository, so `data/synthetic-otlp-genai-trace.json` was written
by hand to the OTLP/JSON and GenAI semantic-convention specs (hex ids, string nanos, typed
attribute values, STATUS_CODE_* statuses, both `gen_ai.system` and `gen_ai.provider.name`).
"""

import json
from pathlib import Path

import pytest

from skillwarden.core.adapters import parse_bytes, parse_file
from skillwarden.core.model import Outcome

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "traces" / "otel_genai"
OTLP = Path(__file__).resolve().parent / "data" / "synthetic-otlp-genai-trace.json"


@pytest.mark.parametrize(
    ("name", "spans", "steps"),
    [
        ("any-agent-OPENAI_trace.json", 6, 2),
        ("any-agent-LANGCHAIN_trace.json", 7, 2),
        # smolagents and TinyAgent answer through a `final_answer` tool, which is a step too.
        ("any-agent-SMOLAGENTS_trace.json", 7, 3),
        ("any-agent-TINYAGENT_trace.json", 8, 3),
    ],
)
def test_any_agent_samples(name, spans, steps):
    path = SAMPLES / name
    assert len(json.loads(path.read_bytes())["spans"]) == spans
    result = parse_file(path)
    assert result.errors == []
    assert result.consumed == path.stat().st_size
    [session] = result.sessions
    assert session.format == "otel_genai"
    assert (len(session.steps), session.errors, session.outcome) == (steps, 0, Outcome.SUCCEEDED)
    assert [step.tool for step in session.steps][:2] == ["get_current_time", "write_file"]
    assert session.steps[0].args == {"timezone": "America/New_York"}
    assert "Find what year it is in the America/New_York timezone" in session.task
    assert session.model == "mistral/mistral-small-latest"
    assert session.tokens_in > 0 and session.tokens_out > 0
    assert session.final_message.startswith('{"steps"')
    assert session.started_at.endswith("Z") and session.started_at <= session.steps[0].started_at


def test_samples_cover_every_file():
    assert len(list(SAMPLES.iterdir())) == 4


def test_openai_sample_details():
    [session] = parse_file(SAMPLES / "any-agent-OPENAI_trace.json").sessions
    # The 128-bit integer trace id survives as text (it exceeds a double's precision).
    assert session.id == "100927429609276267646756448943279827607"
    assert session.started_at.startswith("2025-09-16T12:43:13")


def test_synthetic_otlp_export():
    result = parse_file(OTLP)
    assert result.errors == []
    [session] = result.sessions
    assert session.id == "5b8efff798038103d269b633813fc60c"
    [step] = session.steps
    assert (step.tool, step.args, step.call_id) == ("get_weather", {"city": "Paris"}, "call_1")
    assert step.result == '{"temp_c": 21, "sky": "sunny"}'
    assert (session.tokens_in, session.tokens_out) == (280, 30)
    assert session.model == "gpt-4o"
    assert session.task == "What is the weather in Paris?"
    assert session.final_message == "It is 21°C and sunny in Paris."
    assert session.outcome is Outcome.SUCCEEDED
    assert (session.started_at, session.ended_at) == ("2025-01-01T10:00:00.000Z", "2025-01-01T10:00:05.000Z")


def test_an_error_span_fails_the_session():
    document = json.loads(OTLP.read_bytes())
    spans = document["resourceSpans"][0]["scopeSpans"][0]["spans"]
    spans[2]["status"] = {"code": "STATUS_CODE_ERROR", "message": "timeout"}
    [session] = parse_bytes("otel_genai", json.dumps(document).encode(), "trace.json").sessions
    assert session.outcome is Outcome.FAILED
    assert session.errors == 1


def test_no_final_output_is_unknown():
    document = json.loads((SAMPLES / "any-agent-OPENAI_trace.json").read_bytes())
    document["final_output"] = None
    [session] = parse_bytes("otel_genai", json.dumps(document).encode(), "trace.json").sessions
    assert session.outcome is Outcome.UNKNOWN

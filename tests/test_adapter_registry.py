"""The format registry: each module it lists declares one format, ids are unique, and every real sample
sniffs as it did before the sniffing rules moved from one central table into the format modules."""

import importlib
import re
from pathlib import Path

import pytest

from skillwarden.core import adapters
from skillwarden.core.adapters import ADAPTER_MODULES, FORMATS, SNIFF_BYTES, sniff, sniff_document
from skillwarden.core.adapters.trace_format import TraceFormat
from tests.conftest import SHARED_TRACES

DATA = Path(__file__).parent / "data"

# (sample, format from its head, from its head and then its tail, from its JSON document's keys), as the
# central table sniffed them before the move.
SNIFFED_BEFORE = [
    (DATA / "SOURCES.md", None, None, None),
    (DATA / "mini-swe-agent/django__django-10999.traj.json", None, "swe_agent", "swe_agent"),
    (DATA / "mini-swe-agent/django__django-16255.traj.json", None, "swe_agent", "swe_agent"),
    (DATA / "synthetic-claude-execution-output.json", "claude_stream", "claude_stream", "claude_stream"),
    (DATA / "synthetic-claude-stream.jsonl", "claude_stream", "claude_stream", None),
    (DATA / "synthetic-gptme-2025-01-01-fix-tests/conversation.jsonl", "gptme", "gptme", None),
    (DATA / "synthetic-otlp-genai-trace.json", "otel_genai", "otel_genai", "otel_genai"),
    (SHARED_TRACES / "FORMATS.md", None, None, None),
    (SHARED_TRACES / "SOURCES.md", None, None, None),
    (SHARED_TRACES / "aider/agent_aider_worktree.custom_aider_history.md", "aider", "aider", None),
    (SHARED_TRACES / "aider/pocketflow-text2sql-gui.aider.chat.history.md", "aider", "aider", None),
    (SHARED_TRACES / "aider/zen-mcp-server.aider.chat.history.md", "aider", "aider", None),
    (
        SHARED_TRACES / "claude_code/agtrace-7f2abd2d-7cfc-4447-9ddd-3ca8d14e02e9.jsonl",
        "claude_code",
        "claude_code",
        None,
    ),
    (SHARED_TRACES / "claude_code/agtrace-agent-0c4c3cf8.jsonl", "claude_code", "claude_code", None),
    (
        SHARED_TRACES / "claude_code/codemie-4c2ddfdc-b619-4525-8d03-1950fb1b0257.jsonl",
        "claude_code",
        "claude_code",
        None,
    ),
    (SHARED_TRACES / "claude_code/codemie-session-9eda1058.jsonl", "claude_code", "claude_code", None),
    (SHARED_TRACES / "claude_code/drmaciver-python-to-rust-port-transcript.jsonl", "claude_code", "claude_code", None),
    (SHARED_TRACES / "claude_code/spotter-agent-a2898e3.jsonl", "claude_code", "claude_code", None),
    (SHARED_TRACES / "claude_code/spotter-short.jsonl", "claude_code", "claude_code", None),
    (SHARED_TRACES / "claude_code/spotter-subagent.jsonl", "claude_code", "claude_code", None),
    (SHARED_TRACES / "claude_code/spotter-tool_heavy.jsonl", "claude_code", "claude_code", None),
    (
        SHARED_TRACES / "claude_managed_agents/open-hai-point-of-no-undo-transcript.jsonl",
        "claude_managed",
        "claude_managed",
        None,
    ),
    (
        SHARED_TRACES / "codex/rollout-2025-12-10T04-55-16-019b04ae-b1c6-7c72-a134-a4c2de66058c.jsonl",
        "codex",
        "codex",
        None,
    ),
    (
        SHARED_TRACES / "codex/rollout-2026-05-11T11-26-55-019e1625-789d-76c0-80ab-3724b5ddb799.jsonl",
        "codex",
        "codex",
        None,
    ),
    (
        SHARED_TRACES / "gemini_cli/agtrace-session-2025-12-09T19-50-f0a689a6.json",
        "gemini_cli",
        "gemini_cli",
        "gemini_cli",
    ),
    (
        SHARED_TRACES / "gemini_cli/codemie-session-2026-01-16T11-01-file-ops-37b7abef.json",
        "gemini_cli",
        "gemini_cli",
        "gemini_cli",
    ),
    (SHARED_TRACES / "openhands/openhands-basic.json", "openhands", "openhands", None),
    (SHARED_TRACES / "openhands/openhands-basic_gui_mode.json", "openhands", "openhands", None),
    (SHARED_TRACES / "openhands/openhands-basic_interactions.json", "openhands", "openhands", None),
    (SHARED_TRACES / "openhands/openhands-multi_swe_bench-output.jsonl", "openhands", "openhands", None),
    (SHARED_TRACES / "openhands/openhands-resolver-mock-output.jsonl", "openhands", "openhands", None),
    (SHARED_TRACES / "openhands/openhands-wrong_initial_state.json", "openhands", "openhands", None),
    (SHARED_TRACES / "otel_genai/any-agent-LANGCHAIN_trace.json", "otel_genai", "otel_genai", "otel_genai"),
    (SHARED_TRACES / "otel_genai/any-agent-OPENAI_trace.json", "otel_genai", "otel_genai", "otel_genai"),
    (SHARED_TRACES / "otel_genai/any-agent-SMOLAGENTS_trace.json", "otel_genai", "otel_genai", "otel_genai"),
    (SHARED_TRACES / "otel_genai/any-agent-TINYAGENT_trace.json", "otel_genai", "otel_genai", "otel_genai"),
    (SHARED_TRACES / "swe_agent/6e44b9__sweagenttestrepo-1c2844.traj", "swe_agent", "swe_agent", "swe_agent"),
    (SHARED_TRACES / "swe_agent/BabyEncryption.INVALID-JSON-at-77122b7.traj", "swe_agent", "swe_agent", None),
    (
        SHARED_TRACES / "swe_agent/marshmallow-code__marshmallow-1867__function_calling_replace.traj",
        "swe_agent",
        "swe_agent",
        "swe_agent",
    ),
    (SHARED_TRACES / "swe_agent/mini-swe-agent-github_issue.traj.json", "swe_agent", "swe_agent", "swe_agent"),
    (SHARED_TRACES / "swe_agent/pydicom__pydicom-1458.traj", "swe_agent", "swe_agent", "swe_agent"),
    (SHARED_TRACES / "swe_agent/swe-agent__test-repo-i1.traj", "swe_agent", "swe_agent", "swe_agent"),
]


def test_every_declared_format_has_a_unique_id_named_after_its_module():
    declared = [importlib.import_module(f"{adapters.__name__}.{module}").TRACE_FORMAT for module in ADAPTER_MODULES]
    ids = [fmt.id for fmt in declared]
    assert len(set(ids)) == len(ids)
    assert ids == list(ADAPTER_MODULES) == list(FORMATS)


@pytest.mark.parametrize("module", ADAPTER_MODULES)
def test_each_module_in_the_registry_declares_exactly_one_format(module):
    loaded = importlib.import_module(f"{adapters.__name__}.{module}")
    declared = [value for value in vars(loaded).values() if isinstance(value, TraceFormat)]
    assert declared == [loaded.TRACE_FORMAT]
    assert loaded.TRACE_FORMAT.id == loaded.FORMAT == module


@pytest.mark.parametrize(("sample", "by_head", "by_tail", "by_document"), SNIFFED_BEFORE)
def test_every_sample_sniffs_as_before(sample, by_head, by_tail, by_document):
    data, name = sample.read_bytes(), str(sample)
    head, tail = data[:SNIFF_BYTES], data[-SNIFF_BYTES:]
    assert (sniff(head, name), sniff(head, name, tail), sniff_document(data, name)) == (by_head, by_tail, by_document)


CORE = Path(adapters.__file__).resolve().parents[1]
# Where each agent writes its traces by default: configuration reads it before the TUI's first frame, which
# must not wait for the parsers (test_house), so it stays beside the other defaults, keyed by format id.
NAMES_FORMAT_IDS = {"workspace/discover.py"}


def test_no_module_outside_the_adapters_names_a_format():
    ids = "|".join(FORMATS)
    # The id as a string, or a format module imported or used by name (`adapters.codex`, `claude_code.FORMAT`).
    naming = re.compile(
        rf"""["'](?:{ids})["']|\badapters\.(?:{ids})\b|\bimport\b.*\b(?:{ids})\b|(?<![.\w])(?:{ids})\.\w"""
    )
    named = {
        str(path.relative_to(CORE)): naming.findall(path.read_text(encoding="utf-8"))
        for folder in ("ingest", "workspace", "signals", "mining")
        for path in sorted((CORE / folder).rglob("*.py"))
    }
    assert {path for path, names in named.items() if names} == NAMES_FORMAT_IDS

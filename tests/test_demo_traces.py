import json
from collections import Counter
from pathlib import Path

import pytest

from skillwarden.core.demo.procedures import PLANTED_PROCEDURES, abstract_step
from skillwarden.core.demo.traces import generate_corpus, main

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "traces" / "claude_code"
INTERRUPTION = "[Request interrupted by user"


def line_kind(record: dict) -> str:
    """Groups lines whose envelopes should share a key set: prompts, tool results, assistant, ..."""
    kind = record.get("type")
    if kind == "user":
        content = record["message"]["content"]
        if isinstance(content, str):
            return "user-prompt"
        return "user-tool-result" if content[0].get("type") == "tool_result" else "user-text"
    if kind == "system":
        return f"system-{record.get('subtype')}"
    return kind


def key_sets(paths) -> dict[str, set[frozenset]]:
    seen: dict[str, set[frozenset]] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            record = json.loads(line)
            if record.get("isSidechain") or record.get("isMeta"):
                continue
            seen.setdefault(line_kind(record), set()).add(frozenset(record))
    return seen


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def tool_uses(lines: list[dict]) -> list[dict]:
    return [
        block
        for record in lines
        if record["type"] == "assistant"
        for block in record["message"]["content"]
        if block["type"] == "tool_use"
    ]


def is_subsequence(needle, haystack) -> bool:
    remaining = iter(haystack)
    return all(any(step == candidate for candidate in remaining) for step in needle)


def ending(lines: list[dict]) -> str:
    """succeeded / failed / interrupted, read off the last line the way the generator promises."""
    last = lines[-1]
    content = last["message"]["content"]
    if last["type"] == "assistant":
        assert content[0]["type"] == "text"
        return "succeeded"
    if content[0].get("type") == "text":
        assert content[0]["text"].startswith(INTERRUPTION)
        return "interrupted"
    assert content[0]["is_error"] is True
    return "failed"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    return generate_corpus(tmp_path_factory.mktemp("corpus"), sessions=60, seed=11)


def test_same_arguments_give_identical_bytes(tmp_path):
    first = generate_corpus(tmp_path / "a", sessions=12, seed=3)
    second = generate_corpus(tmp_path / "b", sessions=12, seed=3)
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "b") for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    other = generate_corpus(tmp_path / "c", sessions=12, seed=4)
    assert {p.name for p in other}.isdisjoint({p.name for p in first})


def test_layout_mirrors_claude_projects(corpus):
    assert len(corpus) == 60
    project_dirs = {path.parent.name for path in corpus}
    assert len(project_dirs) >= 3
    assert all(name.startswith("-home-dev-") for name in project_dirs)
    for path in corpus:
        session_ids = {r["sessionId"] for r in records(path) if "sessionId" in r}
        assert session_ids == {path.stem}
        cwds = {r["cwd"] for r in records(path) if "cwd" in r}
        assert [cwd.replace("/", "-") for cwd in cwds] == [path.parent.name]


def test_envelopes_match_the_real_samples(corpus):
    real = key_sets(sorted(SAMPLES.glob("*.jsonl")))
    generated = key_sets(corpus)
    assert {
        "user-prompt",
        "user-tool-result",
        "user-text",
        "assistant",
        "system-turn_duration",
        "summary",
        "file-history-snapshot",
    } <= set(generated)
    for kind, shapes in generated.items():
        assert shapes <= real[kind], f"{kind}: {shapes - real[kind]}"


def test_assistant_messages_match_the_real_samples(corpus):
    def message_shapes(paths):
        shapes, usages = set(), set()
        for path in paths:
            for record in records(Path(path)):
                if record["type"] == "assistant" and not record.get("isSidechain"):
                    shapes.add(frozenset(record["message"]))
                    usages.add(frozenset(record["message"]["usage"]))
        return shapes, usages

    real_shapes, real_usages = message_shapes(sorted(SAMPLES.glob("*.jsonl")))
    shapes, usages = message_shapes(corpus)
    assert shapes <= real_shapes and usages <= real_usages


def test_lines_chain_and_time_moves_forward(corpus):
    for path in corpus:
        lines = records(path)
        seen = set()
        for record in lines:
            if "uuid" not in record:
                continue
            assert record["parentUuid"] is None or record["parentUuid"] in seen
            seen.add(record["uuid"])
        stamps = [r["timestamp"] for r in lines if "uuid" in r]
        assert stamps == sorted(stamps)
        assert all(s.endswith("Z") and len(s) == len("2026-11-01T09:00:00.000Z") for s in stamps)


def test_sessions_spread_over_days(corpus):
    days = {records(path)[-1]["timestamp"][:10] for path in corpus}
    assert len(days) >= 5


def test_every_tool_use_has_one_result(corpus):
    for path in corpus:
        lines = records(path)
        uses = {
            block["id"]: record["uuid"]
            for record in lines
            if record["type"] == "assistant"
            for block in record["message"]["content"]
            if block["type"] == "tool_use"
        }
        results = {}
        for record in lines:
            if record["type"] == "user" and isinstance(record["message"]["content"], list):
                block = record["message"]["content"][0]
                if block.get("type") == "tool_result":
                    results[block["tool_use_id"]] = record["sourceToolAssistantUUID"]
                    # Claude Code keeps the structured result only for successes.
                    assert isinstance(record["toolUseResult"], str) == bool(block.get("is_error"))
        assert results == uses


def test_planted_procedures_recur_with_varying_arguments(corpus):
    occurrences: Counter = Counter()
    arguments: dict[str, set[str]] = {}
    for path in corpus:
        uses = tool_uses(records(path))
        signature = [abstract_step(use["name"], use["input"]) for use in uses]
        for procedure in PLANTED_PROCEDURES:
            if is_subsequence(procedure.steps, signature):
                occurrences[procedure.name] += 1
                arguments.setdefault(procedure.name, set()).add(json.dumps([u["input"] for u in uses]))
    assert 4 <= len(PLANTED_PROCEDURES) <= 6
    for procedure in PLANTED_PROCEDURES:
        assert occurrences[procedure.name] >= 4, procedure.name
        assert len(arguments[procedure.name]) == occurrences[procedure.name]


def test_noise_keeps_sequences_apart(corpus):
    signatures = {tuple(abstract_step(u["name"], u["input"]) for u in tool_uses(records(path))) for path in corpus}
    assert len(signatures) > len(corpus) // 2
    noise = {step for signature in signatures for step in signature} & {"Glob", "Grep", "TodoWrite"}
    assert noise == {"Glob", "Grep", "TodoWrite"}


def test_outcomes_mix_success_failure_and_interruption(corpus):
    outcomes = Counter(ending(records(path)) for path in corpus)
    assert outcomes["succeeded"] > len(corpus) / 2
    assert outcomes["failed"] >= 3 and outcomes["interrupted"] >= 3
    texts = "\n".join(path.read_text() for path in corpus)
    assert "The user doesn't want to proceed with this tool use" in texts
    assert '"toolUseResult":"Error: Exit code 1' in texts


def test_failed_sessions_loop_on_the_same_file(corpus):
    for path in corpus:
        lines = records(path)
        if ending(lines) != "failed":
            continue
        edited = Counter(u["input"]["file_path"] for u in tool_uses(lines) if u["name"] == "Edit")
        assert max(edited.values()) >= 5
        assert "sorry" in json.dumps(lines[-3:])


def test_failure_rate_zero_means_all_succeed(tmp_path):
    paths = generate_corpus(tmp_path, sessions=15, failure_rate=0.0)
    assert {ending(records(path)) for path in paths} == {"succeeded"}


def test_target_bytes_keeps_generating(tmp_path):
    paths = generate_corpus(tmp_path, sessions=2, target_bytes=3_000_000)
    sizes = [path.stat().st_size for path in paths]
    assert sum(sizes) >= 3_000_000
    assert sum(sizes[:-1]) < 3_000_000  # and stops once the target is reached
    lines = [line for path in paths for line in path.read_text().splitlines()]
    assert max(len(line) for line in lines) > 20_000  # large Read results, like real sessions


def test_cli_reports_what_it_wrote(tmp_path, capsys):
    main([str(tmp_path), "--sessions", "5", "--seed", "2"])
    written = sorted(tmp_path.glob("*/*.jsonl"))
    assert len(written) == 5
    output = capsys.readouterr().out
    assert "5 session files" in output and str(sum(p.stat().st_size for p in written)) in output


def test_parser_round_trip(corpus):
    adapters = pytest.importorskip("skillwarden.core.adapters.claude_code")
    from skillwarden.core.adapters import parse_file

    expected = {"succeeded": "succeeded", "failed": "failed", "interrupted": "interrupted"}
    for path in corpus:
        lines = records(path)
        result = parse_file(path)
        assert not result.errors
        [session] = result.sessions
        assert session.format == adapters.FORMAT
        assert len(session.steps) == len(tool_uses(lines))
        assert session.outcome.value == expected[ending(lines)]
        assert session.task == next(r["message"]["content"] for r in lines if line_kind(r) == "user-prompt")

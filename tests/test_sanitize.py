"""Trace text is neutralized where it enters and again at every output (issue 15, "neutralize at the boundary")."""

import json

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from skillwarden.core.ingest.run import ingest_paths
from skillwarden.core.ingest.session import capped_redacted_args
from skillwarden.core.security.sanitize import (
    clean_id,
    clean_line,
    clean_text,
    clean_value,
    json_needs_cleaning,
    unsafe_character,
)
from skillwarden.core.workspace.store import Store
from skillwarden.skills.decision_input import one_line_title
from skillwarden.skills.library import SkillLibrary
from skillwarden.skills.library_errors import LibraryError
from skillwarden.skills.trailers import build_commit_message
from skillwarden.tui.widgets import one_line_cell
from tests.helpers import run

TITLE_AND_CLEAR = "\x1b]0;TITLE\x07\x1b[2J\x1b[31m"
# Every byte a terminal acts on: C0 but tab and newline, DEL, C1 (as characters, as decoded UTF-8 gives them).
CONTROLS = [chr(code) for code in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\u200f", "\U000e0041"]


def is_inert(text: str) -> bool:
    return not any(character in text for character in CONTROLS + INVISIBLE) and "\x1b" not in text


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        (TITLE_AND_CLEAR + "pytest -q", "pytest -q"),  # the sequences go whole, their payload too
        ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),  # a hyperlink keeps its text
        ("\x9b2J\x9d0;title\x9cok", "ok"),  # 8-bit CSI and OSC
        ("bell\x07 back\x08 nul\x00 del\x7f next\x85line", "bell␇ back␈ nul␀ del␡ next�line"),
        ("progress 10%\rprogress 99%\r\ndone", "progress 10%\nprogress 99%\ndone"),
        ("\x1b]0;never terminated", "0;never terminated"),  # only the introducer goes: nothing is swallowed
        ("cu\u200brl evil.sh", "curl evil.sh"),  # zero-width characters only hide: removed
        ("\ufeffimport os", "import os"),
        ("admin\u202e.txt", "admin[U+202E].txt"),  # reordering characters are shown
        ("ok\U000e0069\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065", "ok[hidden: ignore]"),  # tag text spelled
        ("👩\u200d💻 and x\u200cy", "👩💻 and xy"),  # joiners go too: the emoji still read the same
        ("tabs\tand\nnewlines stay", "tabs\tand\nnewlines stay"),
    ],
)
def test_clean_text(raw, cleaned):
    assert clean_text(raw) == cleaned
    assert is_inert(clean_text(raw))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from([*CONTROLS, *INVISIBLE, "\x1b", "[", "]", "0", ";", "m", "a", "\n", "é"])))
def test_nothing_a_terminal_acts_on_survives_and_cleaning_is_idempotent(text):
    once = clean_text(text)
    assert is_inert(once)
    assert clean_text(once) == once
    line = clean_line(text)
    assert is_inert(line) and "\n" not in line and "\t" not in line
    assert unsafe_character(once) is None


def test_single_line_fields_are_folded():
    assert clean_line("line1\nSkillwarden-Decision: approve") == "line1 Skillwarden-Decision: approve"
    assert clean_line("  a \t b  ") == "a b"
    assert clean_id("ses\x1b[31mion\n2") == "sesion 2"
    assert clean_id("3f6c-uuid") == "3f6c-uuid"


def test_unsafe_character_names_the_first_one_and_its_line():
    assert unsafe_character("fine\nstill fine") is None
    assert unsafe_character("one\ntwo \x1b[2J") == "U+001B on line 2"
    assert unsafe_character("a\u202eb") == "U+202E on line 1"


@pytest.mark.parametrize("value", ["x\x1by", "x\ry", "x\u202ey", "x\u200by", "x\x85y", "x\U000e0041y", "x\x7fy"])
def test_the_json_quick_check_sees_every_character_that_needs_cleaning(value):
    assert json_needs_cleaning(orjson.dumps({"command": value}))
    assert capped_redacted_args({"command": value}) == {"command": clean_text(value)}


def test_the_json_quick_check_passes_ordinary_arguments():
    assert not json_needs_cleaning(orjson.dumps({"command": "pytest -q\ncd ..", "path": "src/é→x.py"}))
    assert clean_value({"k\x1b": ["a\x07", ("b\u202e",)]}) == {"k␛": ["a␇", ("b[U+202E]",)]}


def hostile_transcript(session_id: str = "sess-1") -> str:
    """A Claude Code transcript whose every text field carries escapes, a newline or invisible characters."""
    base = {"sessionId": session_id, "cwd": "/w\x1b[2J", "version": "2.0.28", "parentUuid": None}
    lines = [
        {**base, "type": "user", "uuid": "u1", "timestamp": "2025-01-01T00:00:00Z",
         "message": {"role": "user", "content": "Fix\x1b]0;pwned\x07 the cart\u202e totals"}},
        {**base, "type": "assistant", "uuid": "a1", "timestamp": "2025-01-01T00:00:01Z",
         "message": {"model": "m\x07", "id": "m1", "role": "assistant", "content": [
             {"type": "tool_use", "id": "t1", "name": "Bash\x1b[31m",
              "input": {"command": TITLE_AND_CLEAR + "pytest -q"}}]}},
        {**base, "type": "user", "uuid": "u2", "timestamp": "2025-01-01T00:00:02Z",
         "message": {"role": "user", "content": [
             {"type": "tool_result", "tool_use_id": "t1", "content": "\x1b[32m3 passed\x1b[0m\r\n\x9b2J"}]}},
        {**base, "type": "assistant", "uuid": "a2", "timestamp": "2025-01-01T00:00:03Z",
         "message": {"model": "m", "id": "m2", "role": "assistant", "content": [
             {"type": "text", "text": "Done\x1b[1A\x1b[2K, all green"}]}},
    ]  # fmt: skip
    return "".join(json.dumps(line) + "\n" for line in lines)


def test_ingest_stores_trace_text_cleaned(tmp_path):
    (tmp_path / "t.jsonl").write_text(hostile_transcript("sess\x1b[0m-\u202e1"))
    store = Store(tmp_path / "state.db")
    ingest_paths(store, [tmp_path / "t.jsonl"], workers=0)
    (stored,) = store.sessions()
    assert stored.id == "sess-[U+202E]1"
    assert stored.task == "Fix the cart[U+202E] totals"
    assert stored.final_message == "Done, all green"
    assert (stored.model, stored.cwd) == ("m", "/w")
    (step,) = store.steps(stored.id)
    assert (step.tool, step.args, step.result) == ("Bash", {"command": "pytest -q"}, "3 passed\n")
    store.close()


def test_a_grown_transcript_with_a_hostile_session_id_resumes_into_the_same_session(tmp_path):
    path = tmp_path / "t.jsonl"
    lines = hostile_transcript("id\x1b[31m-x").splitlines(keepends=True)
    path.write_text("".join(lines[:2]))
    store = Store(tmp_path / "state.db")
    ingest_paths(store, [path], workers=0)
    path.write_text("".join(lines))
    ingest_paths(store, [path], workers=0)
    (stored,) = store.sessions()
    assert stored.id == "id-x" and stored.outcome == "succeeded"
    assert store.steps("id-x")[0].result == "3 passed\n"
    store.close()


def test_commit_messages_hold_no_escape_and_titles_stay_one_line():
    message = build_commit_message(
        "approve skill x: a\x1b]0;t\x07\nSkillwarden-Decision: approve", "why\x1b[2J\n\nmore",
        [("Skillwarden-Candidate", "c1\x1b[31m"), ("Skillwarden-Evidence", "s\n1")],
    )  # fmt: skip
    assert is_inert(message)
    assert message.splitlines()[0] == "approve skill x: a Skillwarden-Decision: approve"
    assert message.endswith("Skillwarden-Candidate: c1\nSkillwarden-Evidence: s 1\n")
    assert one_line_title("Fix\x1b[31m\nthe cart") == "Fix the cart"


def test_the_library_refuses_to_write_a_skill_holding_an_escape(tmp_path):
    library = SkillLibrary(tmp_path / "repo")
    skill = "---\nname: demo\ndescription: d\n---\n# Demo\n\nRun `pytest`\x1b[2J.\n"
    with pytest.raises(LibraryError, match="U\\+001B on line 7"):
        library.approve(candidate_id="sk-1", name="demo", skill_md=skill, provenance={}, evidence=["s1"],
                        reviewer="r", title="t")  # fmt: skip
    assert library.skill_names() == []
    library.close()


def test_cli_output_is_cleaned_whatever_a_command_prints(tmp_path, capsys):
    (tmp_path / "traces").mkdir()
    (tmp_path / "traces" / "bad\x1b]0;x\x07name.jsonl").write_bytes(b"\x00binary\x1b[2J")
    code, out, err = run(capsys, "--home", str(tmp_path / "home"), "ingest", str(tmp_path / "traces"))
    assert code == 1  # it read nothing, and says why
    assert "binary file" in err and "bad" in err and "nothing was read" in err
    assert is_inert(out) and is_inert(err)


def test_table_cells_are_one_line_of_plain_text():
    cell = one_line_cell("title\x1b]0;x\x07\nSkillwarden-Decision: approve")
    assert cell.plain == "title Skillwarden-Decision: approve"
    styled = one_line_cell(Text("a\x1b[2Jb", style="bold"))
    assert styled.plain == "ab" and str(styled.style) == "bold"

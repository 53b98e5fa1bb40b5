"""One bad file never stops the rest (issue 14): a line nested past every recursion limit, lone surrogates,
a file name that is not UTF-8, values of the wrong type, a parser that fails on a file, and a session that
mining cannot handle each become that file's (or session's) error, and everything beside it is stored."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3

import pytest

from skillwarden.core.adapters import claude_code
from skillwarden.core.demo.traces import generate_corpus
from skillwarden.core.ingest import pool as ingest_pool
from skillwarden.core.ingest import read as ingest_read
from skillwarden.core.ingest.run import ingest_paths
from skillwarden.core.workspace.config import load_config
from skillwarden.core.workspace.store import Store
from skillwarden.reviews import candidates as candidates_module
from skillwarden.reviews.service import ReviewService
from tests.test_ingest_faults import SESSION, transcript

GOOD = SESSION.replace("0001", "0042")
MODES = pytest.mark.parametrize("options", [{"workers": 0}, {"workers": 2, "pool_min_bytes": 0}],
                                ids=["inline", "pool"])  # fmt: skip


def good_file(folder) -> None:
    (folder / "zz-good.jsonl").write_bytes(transcript(2, sessionId=GOOD))


def ingest(tmp_path, folder, **options):
    store = Store(tmp_path / "state.db")
    try:
        report = ingest_paths(store, [folder], **options)
        return report, {s.id: s for s in store.sessions()}, store.file_states()
    finally:
        store.close()


@MODES
def test_a_line_nested_past_every_recursion_limit_is_that_lines_error(tmp_path, options):
    folder = tmp_path / "traces"
    folder.mkdir()
    deep = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    lines = transcript(2, sessionId=SESSION).splitlines(keepends=True)
    (folder / "deep.jsonl").write_bytes(lines[0] + deep + b"\n" + b"".join(lines[1:]))
    (folder / "deep.traj").write_bytes(b'{"trajectory": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    good_file(folder)
    report, sessions, _files = ingest(tmp_path, folder, **options)

    assert {(os.path.basename(e["path"]), e["line"], e["message"]) for e in report.errors} == {
        ("deep.jsonl", 2, "invalid JSON: nested too deeply"), ("deep.traj", None, "invalid JSON: nested too deeply"),
    }  # fmt: skip
    assert {SESSION, GOOD} <= set(sessions) and sessions[SESSION].steps == 2


@MODES
def test_lone_surrogates_anywhere_in_a_record_are_stored_replaced(tmp_path, options):
    folder = tmp_path / "traces"
    folder.mkdir()
    odd = SESSION.replace("0001", "0d80")
    text = transcript(2, sessionId=odd).replace(b'"claude-x"', b'"claude-\\ud800"').replace(b'"/work"', b'"/w\\udfff"')
    text = text.replace(b'"t0"', b'"t\\ud800"').replace(b'"2026-01-01T00:00:01.000Z"', b'"2026\\ud800"')
    (folder / "surrogates.jsonl").write_bytes(text)
    in_id = folder / "surrogate-id.jsonl"
    in_id.write_bytes(transcript(1, sessionId=GOOD + "\ud800"))
    good_file(folder)
    report, sessions, _files = ingest(tmp_path, folder, **options)
    assert report.errors == []
    assert sessions[odd].model == "claude-\ufffd" and sessions[odd].cwd == "/w\ufffd"
    assert GOOD + "\ufffd" in sessions and GOOD in sessions
    with in_id.open("ab") as handle:  # a grown transcript is resumed: its session is looked up by its id
        handle.write(transcript(2, sessionId=GOOD + "\ud800"))
    report, sessions, _files = ingest(tmp_path, folder, **options)
    assert report.errors == [] and report.files == 1 and sessions[GOOD + "\ufffd"].steps >= 2


@MODES
def test_a_file_name_that_is_not_utf8_is_read_stored_and_found_again(tmp_path, options):
    folder = tmp_path / "traces"
    folder.mkdir()
    name = os.path.join(os.fsencode(folder), b"caf\xe9-\xff.jsonl")  # Latin-1: not UTF-8
    with open(name, "wb") as handle:
        handle.write(transcript(2, sessionId=SESSION))
    good_file(folder)
    report, sessions, files = ingest(tmp_path, folder, **options)

    assert report.errors == [] and report.files == 2
    assert sessions[SESSION].path == os.fsdecode(name)
    assert os.fsdecode(name) in {state.path for state in files}
    again, _sessions, _files = ingest(tmp_path, folder, **options)
    assert (again.files, again.unchanged) == (0, 2)  # the stored name is the same file


@MODES
def test_values_of_the_wrong_type_are_coerced_not_fatal(tmp_path, options):
    folder = tmp_path / "traces"
    folder.mkdir()
    lines = [json.loads(line) for line in transcript(2, sessionId=SESSION).splitlines()]
    lines[1]["timestamp"] = ["not", "a", "time"]
    lines[1]["message"]["model"] = {"name": 7}
    lines[2]["cwd"] = 12
    (folder / "types.jsonl").write_bytes(b"".join(json.dumps(line).encode() + b"\n" for line in lines))
    good_file(folder)
    report, sessions, _files = ingest(tmp_path, folder, **options)
    assert report.errors == [] and {SESSION, GOOD} <= set(sessions)


def test_a_parser_that_fails_on_one_file_fails_that_file_only(tmp_path, monkeypatch):
    """Whatever a parser raises on a hostile file (here: a RecursionError from a parse) is that file's error,
    with the exception named; the file is remembered as failed and reported again only once it changes."""
    folder = tmp_path / "traces"
    folder.mkdir()
    (folder / "a-bad.jsonl").write_bytes(transcript(2, sessionId=SESSION))
    good_file(folder)
    read_resuming = ingest_read.read_resuming

    def failing(load, key, *args):
        if key.endswith("a-bad.jsonl"):
            raise RecursionError("maximum recursion depth exceeded")
        return read_resuming(load, key, *args)

    monkeypatch.setattr(ingest_read, "read_resuming", failing)
    report, sessions, _files = ingest(tmp_path, folder, workers=0)
    [error] = report.errors
    assert error["path"].endswith("a-bad.jsonl") and error["line"] is None
    assert error["message"].startswith("skipped: the file could not be parsed (RecursionError in test_bad_files.py")
    assert set(sessions) == {GOOD}
    again, _sessions, _files = ingest(tmp_path, folder, workers=0)
    assert again.errors == [] and again.unchanged == 2


@pytest.fixture
def mined(tmp_path):
    """A workspace of 30 demo sessions, ingested and mined: (service, the candidate ids mined)."""
    home = tmp_path / "ws"
    home.mkdir()
    (home / "config.yaml").write_text("watch: [traces]\ndiscover: false\nmin_support: 2\n")
    generate_corpus(home / "traces", sessions=30, seed=7)
    service = ReviewService(load_config(home))
    service.ingest()
    yield service, {c.id for c in service.store.candidates()}
    service.close()


def mine_without(service: ReviewService, victim: str) -> tuple[list[str], set[str]]:
    """Mine again; the notices naming `victim`, and the live candidates."""
    service.refresh_candidates()
    notices = [e["text"] for e in service.events.read() if e["kind"] == "notice" and e.get("session") == victim]
    return notices, {c.id for c in service.store.candidates() if c.live}


def test_a_session_mining_cannot_load_is_left_out_with_a_notice(mined):
    """Steps whose stored arguments are nested past the recursion limit: that session is left out of mining
    (one notice names it), and the candidates of the others are still mined."""
    service, expected = mined
    victim = service.store.sessions()[0].id
    with sqlite3.connect(service.config.state_db) as db:
        db.execute("UPDATE steps SET args = ? WHERE session_id = ?", ("[" * 50_000 + "]" * 50_000, victim))
    notices, live = mine_without(service, victim)
    assert len(notices) == 1 and "RecursionError" in notices[0]
    assert expected and live and len(live & expected) >= len(expected) // 2


@MODES
def test_a_line_the_parser_cannot_take_is_that_lines_error_and_the_rest_of_the_file_is_read(
    tmp_path, monkeypatch, options
):
    """A transcript line of a shape the Claude Code parser does not foresee (here: its `add` raises on line 3)
    is skipped with its line number and the exception; the session's other lines are read."""
    folder = tmp_path / "traces"
    folder.mkdir()
    (folder / "odd.jsonl").write_bytes(transcript(2, sessionId=SESSION))
    good_file(folder)
    add = claude_code.ResumableParse.add

    def add_failing_on_line_3(self, number, record):
        if number == 3 and self.path.endswith("odd.jsonl"):
            raise AttributeError("'list' object has no attribute 'strip'")
        return add(self, number, record)

    monkeypatch.setattr(claude_code.ResumableParse, "add", add_failing_on_line_3)
    monkeypatch.setattr(ingest_pool, "pool_context", lambda: multiprocessing.get_context("fork"))  # inherits it
    report, sessions, _files = ingest(tmp_path, folder, **options)

    [error] = report.errors
    assert (os.path.basename(error["path"]), error["line"]) == ("odd.jsonl", 3)
    assert error["message"] == ("line skipped: the parser could not take it (AttributeError in test_bad_files.py:"
                                f"{add_failing_on_line_3.__code__.co_firstlineno + 2}: 'list' object has no "
                                "attribute 'strip')")  # fmt: skip
    assert sessions[SESSION].steps == 2 and GOOD in sessions  # (line 3 held the first call's result)


def test_a_session_that_breaks_mining_is_found_and_left_out(mined, monkeypatch):
    """A session that loads but that mining cannot take (here: tokenizing it raises) is looked for only once
    mining failed, left out with one notice, and the other sessions are mined as before."""
    service, expected = mined
    victim = service.store.sessions()[-1].id
    token_sequence = candidates_module.token_sequence

    def failing(session):
        if session.id == victim:
            raise TypeError("unhashable type: 'list'")
        return token_sequence(session)

    monkeypatch.setattr(candidates_module, "token_sequence", failing)
    notices, live = mine_without(service, victim)
    assert notices == [f"mining left out session {victim}: TypeError: unhashable type: 'list'"]
    assert live and len(live & expected) >= len(expected) // 2

"""Ingest against the bad inputs of ../shared/RELIABILITY.md: partial, corrupt, truncated, renamed, huge, binary and
special files, sub-agent transcripts, and secrets that must never reach the cache."""

import json
import os
import random
import sqlite3
from pathlib import Path

import orjson
import pytest

from skillwarden.core.adapters import parse_file
from skillwarden.core.adapters.claude_code import ResumableParse
from skillwarden.core.adapters.shared import ARGS_CAP
from skillwarden.core.ingest import read as ingest_read
from skillwarden.core.ingest import run as ingest_module
from skillwarden.core.ingest.run import ingest_paths
from skillwarden.core.workspace.store import Store
from tests.conftest import SHARED_TRACES

SESSION = "5e55a0b1-0000-4000-8000-000000000001"


def record(kind: str, content, *, session: str = SESSION, second: int = 0, **extra) -> bytes:
    message = {"role": kind, "content": content}
    if kind == "assistant":
        message |= {"id": f"msg_{second}", "model": "claude-x"}
    line = {"parentUuid": None, "isSidechain": False, "sessionId": session, "type": kind, "message": message,
            "timestamp": f"2026-01-01T00:00:{second:02d}.000Z", "cwd": "/work", **extra}  # fmt: skip
    return (json.dumps(line) + "\n").encode()


def tool_call(call_id: str, command: str, second: int, **extra) -> bytes:
    block = {"type": "tool_use", "id": call_id, "name": "Bash", "input": {"command": command}}
    return record("assistant", [block], second=second, **extra)


def tool_result(call_id: str, text: str, second: int, *, is_error: bool = False, **extra) -> bytes:
    block = {"type": "tool_result", "tool_use_id": call_id, "content": text, "is_error": is_error}
    return record("user", [block], second=second, **extra)


def transcript(calls: int, **extra) -> bytes:
    lines = [record("user", "run the tests", **extra)]
    for i in range(calls):
        lines += [tool_call(f"t{i}", f"pytest -k case{i}", 2 * i + 1, **extra),
                  tool_result(f"t{i}", f"{i} passed", 2 * i + 2, **extra)]  # fmt: skip
    lines.append(record("assistant", [{"type": "text", "text": "All green."}], second=59, **extra))
    return b"".join(lines)


def cache(db: Path) -> tuple[list, list]:
    """Every session and step row, without the trace paths (which differ between two copies)."""
    with sqlite3.connect(db) as conn:
        sessions = conn.execute("SELECT * FROM sessions ORDER BY id").fetchall()
        steps = conn.execute("SELECT * FROM steps ORDER BY session_id, idx").fetchall()
    return [row[:1] + row[2:] for row in sessions], steps


def clean_ingest(folder: Path, db: Path) -> tuple[list, list]:
    store = Store(db)
    ingest_paths(store, [folder])
    store.close()
    return cache(db)


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as handle:
        handle.write(data)


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "state.db")
    yield store
    store.close()


@pytest.mark.parametrize("chunk", [1, 4096])
def test_a_line_written_in_pieces_is_read_once_when_complete(tmp_path, store, chunk):
    data = transcript(3)
    path = tmp_path / "traces" / f"{SESSION}.jsonl"
    path.parent.mkdir()
    for start in range(0, len(data), chunk):
        append(path, data[start : start + chunk])
        report = ingest_paths(store, [path.parent])
        assert report.errors == []
        assert store.file_state(str(path)).consumed <= path.stat().st_size
    assert store.file_state(str(path)).consumed == len(data)
    assert cache(store.path) == clean_ingest(path.parent, tmp_path / "clean.db")
    [session] = store.sessions()
    assert (session.steps, session.outcome) == (3, "succeeded")


def test_a_tool_result_arriving_later_updates_its_stored_step(tmp_path, store):
    path = tmp_path / f"{SESSION}.jsonl"
    path.write_bytes(record("user", "go") + tool_call("t1", "pytest", 1))
    ingest_paths(store, [path])
    assert store.steps(SESSION)[0].result == "" and store.session(SESSION).outcome == "unknown"
    append(path, tool_result("t1", "Exit code 1\nFAILED", 2, is_error=True))
    report = ingest_paths(store, [path])
    assert (report.files, report.steps) == (1, 0)
    [step] = store.steps(SESSION)
    assert (step.result, step.is_error) == ("Exit code 1\nFAILED", True)
    assert store.session(SESSION).outcome == "failed"


def test_a_valid_last_line_without_newline_is_taken(tmp_path, store):
    path = tmp_path / f"{SESSION}.jsonl"
    path.write_bytes(transcript(1).rstrip(b"\n"))
    ingest_paths(store, [path])
    assert store.file_state(str(path)).consumed == path.stat().st_size
    append(path, b"\n" + tool_call("late", "ls", 60))
    assert ingest_paths(store, [path]).errors == []
    assert store.session(SESSION).steps == 2


def test_a_corrupt_line_between_valid_lines_is_one_error(tmp_path, store):
    path = tmp_path / f"{SESSION}.jsonl"
    lines = transcript(2).splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:2]) + b"{not json\n" + b"".join(lines[2:]))
    report = ingest_paths(store, [path])
    assert [(e["line"], e["message"].split(":")[0]) for e in report.errors] == [(3, "invalid JSON")]
    assert store.session(SESSION).steps == 2


def test_crlf_bom_blank_lines_invalid_utf8_and_lone_surrogates_do_not_crash(tmp_path, store):
    path = tmp_path / f"{SESSION}.jsonl"
    lines = transcript(1).splitlines()
    weird = tool_result("t9", "x", 9).replace(b'"x"', b'"bad \\ud800 \xff\xfe bytes"')
    path.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join(lines[:2]) + b"\r\n\r\n" + tool_call("t9", "ls", 8) + weird
                     + b"\r\n".join(lines[2:]) + b"\r\n")  # fmt: skip
    report = ingest_paths(store, [path])
    assert report.errors == []
    steps = store.steps(SESSION)
    assert len(steps) == 2 and "bad" in steps[1].result


def test_truncation_reads_the_new_content_once(tmp_path, store):
    path = tmp_path / f"{SESSION}.jsonl"
    path.write_bytes(transcript(5))
    ingest_paths(store, [path])
    other = SESSION.replace("0001", "0002")
    path.write_bytes(transcript(1, sessionId=other)[:400].rsplit(b"\n", 1)[0] + b"\n")  # truncated in place
    ingest_paths(store, [path])
    assert [s.id for s in store.sessions()] == [other]
    assert store.counts()["steps"] == len(store.steps(other))


@pytest.mark.parametrize("lookups", [256, 0], ids=["files-looked-up-one-by-one", "known-files-read-at-once"])
def test_a_renamed_file_keeps_what_was_read_and_is_not_read_again(tmp_path, store, monkeypatch, lookups):
    monkeypatch.setattr(ingest_module, "KNOWN_FILES_LOOKUPS", lookups)
    old = tmp_path / f"{SESSION}.jsonl"
    old.write_bytes(transcript(2))
    ingest_paths(store, [tmp_path])
    new = tmp_path / "moved" / old.name
    new.parent.mkdir()
    old.rename(new)
    report = ingest_paths(store, [tmp_path])
    assert (report.files, report.unchanged) == (0, 1)
    assert store.session(SESSION).path == str(new) and store.file_state(str(old)) is None
    append(new, tool_call("t9", "ls", 40))
    ingest_paths(store, [tmp_path])
    assert store.session(SESSION).steps == 3


def test_a_hard_link_is_read_as_a_new_file_without_storing_the_reads_under_way_first(tmp_path, store, monkeypatch):
    # A new path to a known inode may be a rename, whose state moves only once every earlier read is
    # stored; a link whose first path still holds the inode is a file to read like any other.
    first = tmp_path / "a" / f"{SESSION}.jsonl"
    first.parent.mkdir()
    first.write_bytes(transcript(2))
    ingest_paths(store, [tmp_path])
    linked = tmp_path / "b" / first.name
    linked.parent.mkdir()
    os.link(first, linked)
    drains = []
    real_drain = ingest_module.FreshReads.drain
    monkeypatch.setattr(ingest_module.FreshReads, "drain", lambda self: drains.append(1) or real_drain(self))
    report = ingest_paths(store, [tmp_path])
    assert (report.files, report.unchanged, len(drains)) == (1, 1, 1)  # the final drain only
    assert store.file_state(str(first)) is not None and store.file_state(str(linked)) is not None

def test_a_reused_inode_with_other_content_is_a_new_file(tmp_path, store):
    path = tmp_path / f"{SESSION}.jsonl"
    path.write_bytes(transcript(2))
    ingest_paths(store, [path])
    # The file is deleted and a new one gets its inode under another name, as file systems do.
    other = SESSION.replace("0001", "0003")
    reused = tmp_path / f"{other}.jsonl"
    path.rename(reused)
    reused.write_bytes(transcript(1, sessionId=other))
    ingest_paths(store, [reused])
    assert store.session(other).steps == 1
    assert store.session(SESSION) is not None  # the deleted file's evidence stays


def test_a_replaced_file_is_read_from_its_start(tmp_path, store):
    path = tmp_path / f"{SESSION}.jsonl"
    path.write_bytes(transcript(3))
    ingest_paths(store, [path])
    replacement = tmp_path / "new.tmp"
    replacement.write_bytes(transcript(1))
    os.replace(replacement, path)
    ingest_paths(store, [path])
    assert store.session(SESSION).steps == 1 and store.counts()["steps"] == 1


def test_a_deleted_files_sessions_stay(tmp_path, store):
    path = tmp_path / f"{SESSION}.jsonl"
    path.write_bytes(transcript(2))
    ingest_paths(store, [tmp_path])
    path.unlink()
    ingest_paths(store, [tmp_path])
    assert store.session(SESSION).steps == 2


def test_a_line_over_the_cap_is_skipped_with_its_file_and_line(tmp_path, store, monkeypatch):
    monkeypatch.setattr(ingest_read, "MAX_LINE_BYTES", 2048)
    path = tmp_path / f"{SESSION}.jsonl"
    lines = transcript(2).splitlines(keepends=True)
    huge = tool_result("t1", "z" * 50_000, 3)
    path.write_bytes(b"".join(lines[:3]) + huge + b"".join(lines[3:]))
    report = ingest_paths(store, [path])
    assert [(e["path"], e["line"]) for e in report.errors] == [(str(path), 4)]
    assert "longer than" in report.errors[0]["message"]
    assert store.file_state(str(path)).consumed == path.stat().st_size
    assert store.session(SESSION).steps == 2


def test_binary_special_and_escaping_files_are_skipped_with_a_notice(tmp_path, store):
    root = tmp_path / "traces"
    root.mkdir()
    (root / "image.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    (root / "utf16.jsonl").write_bytes('{"a": 1}\n'.encode("utf-16"))
    (root / "old.jsonl.gz").write_bytes(b"\x1f\x8b\x08\0")
    os.mkfifo(root / "pipe.jsonl")
    (root / "loop.jsonl").symlink_to(root / "loop.jsonl")
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_bytes(transcript(1))
    (root / "escape.jsonl").symlink_to(outside)
    report = ingest_paths(store, [root])
    messages = {Path(e["path"]).name: e["message"] for e in report.errors}
    assert "binary" in messages["image.jsonl"] and "binary" in messages["utf16.jsonl"]
    assert "FIFO" in messages["pipe.jsonl"]
    assert "loop" in messages["loop.jsonl"]
    assert "outside the watched folder" in messages[outside.name]
    assert "old.jsonl.gz" not in messages and store.counts()["sessions"] == 0
    # Known files are not reported again until they change.
    assert {Path(e["path"]).name for e in ingest_paths(store, [root]).errors} == {
        "pipe.jsonl", "loop.jsonl", outside.name,
    }  # fmt: skip


def test_an_unreadable_file_is_a_notice_not_a_crash(tmp_path, store, monkeypatch):
    path = tmp_path / f"{SESSION}.jsonl"
    path.write_bytes(transcript(1))

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    for module in (ingest_module, ingest_read):  # root reads any file: refused here
        monkeypatch.setattr(module, "open", refuse, raising=False)
    report = ingest_paths(store, [path])
    assert report.errors[0]["message"] == "skipped: cannot read: Permission denied"


@pytest.mark.parametrize("name", sorted(p.name for p in (SHARED_TRACES / "claude_code").glob("*.jsonl")))
def test_tailing_a_real_sample_in_random_pieces_equals_parsing_it_whole(tmp_path, name):
    data = (SHARED_TRACES / "claude_code" / name).read_bytes()
    path = tmp_path / "live" / name
    path.parent.mkdir()
    store = Store(tmp_path / "tail.db")
    rng = random.Random(name)
    position = 0
    while position < len(data):
        step = rng.choice([1, 50, 700, 5000, 60_000])
        append(path, data[position : position + step])
        position += step
        ingest_paths(store, [path.parent])
    expected = parse_file(path).sessions
    stored = {s.id: s for s in store.sessions()}
    assert sorted(stored) == sorted(s.id for s in expected)
    for session in expected:
        assert (stored[session.id].steps, stored[session.id].errors, stored[session.id].outcome) == (
            len(session.steps), session.errors, session.outcome.value,
        )  # fmt: skip
        assert (stored[session.id].tokens_in, stored[session.id].tokens_out) == (session.tokens_in, session.tokens_out)
        assert [s.tool for s in store.steps(session.id)] == [s.tool for s in session.steps]
    store.close()
    assert cache(tmp_path / "tail.db") == clean_ingest(path.parent, tmp_path / "clean.db")


# -- sub-agents -------------------------------------------------------------------------------------


def parent_with_task(task_result_extra: dict) -> bytes:
    block = {"type": "tool_use", "id": "toolu_task", "name": "Task", "input": {"prompt": "explore"}}
    result = {"type": "tool_result", "tool_use_id": "toolu_task", "content": "found it"}
    return b"".join([
        record("user", "explore the repo"),
        record("assistant", [block], second=1),
        record("user", [result], second=9, **task_result_extra),
        record("assistant", [{"type": "text", "text": "Done."}], second=10),
    ])  # fmt: skip


def subagent(agent_id: str, prompt: str = "explore") -> bytes:
    extra = {"isSidechain": True, "agentId": agent_id}
    return record("user", prompt, **extra) + tool_call("s1", "ls", 2, **extra) + tool_result("s1", "a b", 3, **extra)


def test_old_layout_subagent_is_joined_to_its_task_call_and_warmup_dropped(tmp_path, store):
    project = tmp_path / "-home-me-repo"
    project.mkdir()
    (project / f"{SESSION}.jsonl").write_bytes(parent_with_task({"toolUseResult": {"agentId": "0a1b2c3d"}}))
    (project / "agent-0a1b2c3d.jsonl").write_bytes(subagent("0a1b2c3d"))
    (project / "agent-99999999.jsonl").write_bytes(subagent("99999999", prompt="Warmup"))
    ingest_paths(store, [project])
    child = store.session(f"{SESSION}:agent-0a1b2c3d")
    assert (child.parent_id, child.parent_call_id, child.steps) == (SESSION, "toolu_task", 1)
    assert store.session(f"{SESSION}:agent-99999999") is None
    assert store.session(SESSION).parent_id is None


def test_new_layout_subagent_is_joined_through_its_meta_file(tmp_path, store):
    project = tmp_path / "-home-me-repo"
    folder = project / SESSION / "subagents"
    folder.mkdir(parents=True)
    (folder / "agent-a2898e3.jsonl").write_bytes(subagent("a2898e3"))
    (folder / "agent-a2898e3.meta.json").write_text(json.dumps({"agentType": "Explore", "toolUseId": "toolu_task"}))
    report = ingest_paths(store, [project])
    child = store.session(f"{SESSION}:agent-a2898e3")
    assert child.parent_id is None  # the parent has not been read yet
    (project / f"{SESSION}.jsonl").write_bytes(parent_with_task({}))
    report = ingest_paths(store, [project])
    assert report.errors == []
    child = store.session(f"{SESSION}:agent-a2898e3")
    assert (child.parent_id, child.parent_call_id) == (SESSION, "toolu_task")


def root_and_agent(store: Store, session_id: str) -> tuple:
    with sqlite3.connect(store.path) as conn:
        return conn.execute("SELECT root_id, agent_id FROM sessions WHERE id = ?", (session_id,)).fetchone()


def test_only_a_sidechain_is_a_subagent_whatever_an_id_holds(tmp_path, store):
    """A trace may name a main session `<id>:agent-<x>`: it stays a main session (it used to be filed as a
    sub-agent of `<id>`, under another session's tree), and a real sub-agent keeps its root when its
    transcript grows (the resumed read loads it from the cache, which holds the two parts in columns)."""
    project = tmp_path / "-home-me-repo"
    project.mkdir()
    spoof = f"{SESSION}:agent-0a1b2c3d"
    (project / "spoof.jsonl").write_bytes(transcript(1, sessionId=spoof))
    (project / f"{SESSION}.jsonl").write_bytes(parent_with_task({"toolUseResult": {"agentId": "77777777"}}))
    child_file = project / "agent-77777777.jsonl"
    child_file.write_bytes(subagent("77777777"))
    assert ingest_paths(store, [project]).errors == []
    assert root_and_agent(store, spoof) == (None, None)
    assert store.session(spoof).parent_id is None
    child = f"{SESSION}:agent-77777777"
    assert root_and_agent(store, child) == (SESSION, "77777777")
    extra = {"isSidechain": True, "agentId": "77777777"}
    append(child_file, tool_call("s2", "ls -a", 4, **extra) + tool_result("s2", ". ..", 5, **extra))
    ingest_paths(store, [project])
    assert root_and_agent(store, child) == (SESSION, "77777777")
    assert (store.session(child).parent_id, store.session(child).steps) == (SESSION, 2)


def test_subagent_joined_through_the_parents_progress_lines():
    store_path = SHARED_TRACES / "claude_code" / "spotter-subagent.jsonl"
    parse = ResumableParse(str(store_path))
    for number, raw in enumerate(store_path.read_bytes().splitlines(), start=1):
        parse.add(number, orjson.loads(raw))
    root = "491e126e-1e71-469c-ade2-fcc8af567c74"
    assert parse.links[(root, "afb92ff")] == (root, "toolu_01Cz2Pnv7qNcnK1ZiocxWhQX")


# -- redaction ----------------------------------------------------------------------------------------


def test_a_secret_in_a_trace_never_reaches_the_cache_files(tmp_path):
    key = "AKIA" + "Q7Z3K9M2X8W4P6R5"
    path = tmp_path / f"{SESSION}.jsonl"
    path.write_bytes(
        record("user", f"deploy with {key} please")
        + tool_call("t1", f"AWS_ACCESS_KEY_ID={key} aws s3 ls", 1)
        + tool_result("t1", f"using {key}", 2)
        + record("assistant", [{"type": "text", "text": f"Used {key}."}], second=3)
    )
    store = Store(tmp_path / "state.db")
    ingest_paths(store, [path])
    step = store.steps(SESSION)[0]
    assert "[REDACTED:" in step.args["command"] and "[REDACTED:" in step.result
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("state.db*"))
    assert key.encode() not in raw


def test_a_huge_writes_content_is_capped_with_a_marker_and_a_secret_across_the_cut_is_removed(tmp_path):
    token = "ghp_" + "Zq8Xv2Lm4Nt6Rb1Kc9Wd3Hy7Pf5Js0Ga2Ue4T"  # starts before the cap, ends after it
    content = "a" * (ARGS_CAP - 21) + " " + token + " " + "filler line\n" * 5000 + "TAIL-OF-THE-FILE"
    write = {"file_path": "/work/app.py", "content": content}
    block = {"type": "tool_use", "id": "w1", "name": "Write", "input": write}
    path = tmp_path / f"{SESSION}.jsonl"
    path.write_bytes(
        record("user", "write the app")
        + record("assistant", [block], second=1)
        + tool_result("w1", "File created", 2)
        + record("assistant", [{"type": "text", "text": "Done."}], second=3)
    )
    store = Store(tmp_path / "state.db")
    ingest_paths(store, [path])
    args = store.steps(SESSION)[0].args
    store.close()
    assert args["file_path"] == "/work/app.py"
    assert args["content"].startswith("a" * 100)
    assert "[REDACTED:github_token:" in args["content"] and "…[truncated " in args["content"]
    assert len(args["content"]) < ARGS_CAP + 100
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("state.db*"))
    assert token[:12].encode() not in raw and b"TAIL-OF-THE-FILE" not in raw


def test_a_transaction_inside_another_is_undone_alone_and_committed_with_it(store):
    """ingest_paths stores a batch of files in one transaction, each file's writes in a savepoint of it."""
    with store.transaction() as db:
        db.execute("INSERT INTO meta VALUES('kept', '1')")
        with pytest.raises(RuntimeError), store.transaction() as inner:
            inner.execute("INSERT INTO meta VALUES('undone', '2')")
            raise RuntimeError("a failed write")
        with store.transaction() as inner:
            inner.execute("INSERT INTO meta VALUES('also kept', '3')")
        with sqlite3.connect(store.path) as other:  # nothing is visible outside before the commit
            assert other.execute("SELECT COUNT(*) FROM meta WHERE key != 'schema_version'").fetchone()[0] == 0
    keys = {row[0] for row in store._query("SELECT key FROM meta")}
    assert {"kept", "also kept"} <= keys and "undone" not in keys


def test_many_small_files_are_stored_in_few_commits(tmp_path, store):
    for number in range(30):
        (tmp_path / f"session-{number}.jsonl").write_bytes(transcript(2, session=f"s{number}"))
    commits = []
    store._db.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    report = ingest_paths(store, [tmp_path])
    assert (report.files, report.sessions, report.errors) == (30, 30, [])
    assert store.counts()["sessions"] == 30
    assert 1 <= len(commits) < 30  # a commit costs more than reading a small transcript


def test_integers_past_64_bits_and_lone_surrogates_are_stored(tmp_path, store):
    """orjson refuses both; the careful decoder and encoder take them, so the session and its state are stored
    (a token count past SQLite's integers is stored as the largest it holds)."""
    huge = 2**70
    usage = b'"id": "msg_1", "usage": {"input_tokens": %d}' % huge
    call = tool_call("t0", "echo \ud800", 1).replace(b'"id": "msg_1"', usage)
    path = tmp_path / f"{SESSION}.jsonl"
    path.write_bytes(record("user", "go") + call + tool_result("t0", "ok \ud800", 2))
    report = ingest_paths(store, [path])
    assert report.errors == [] and report.sessions == 1
    assert store.session(SESSION).tokens_in == 2**63 - 1
    assert store.steps(SESSION)[0].args == {"command": "echo \ud800"}


def test_a_batch_of_reads_stores_what_reads_stored_one_by_one_would(tmp_path, monkeypatch):
    """A resumed read and a reset of the file its session was last stored from, in one batch: the batch
    gives what one transaction per read gives. (That the session is then gone until the next rebuild is the
    known limit of one session's lines in two files.)"""

    def scenario(db: Path) -> tuple[list, list]:
        live = db.parent / "live"
        live.mkdir()
        lines = transcript(3).splitlines(keepends=True)
        grown, copy = live / "m-live.jsonl", live / "zz-copy.jsonl"
        grown.write_bytes(b"".join(lines[:3]))
        store = Store(db)
        ingest_paths(store, [live], workers=0)
        copy.write_bytes(transcript(2))
        ingest_paths(store, [live], workers=0)
        append(grown, b"".join(lines[3:]))
        copy.write_bytes(transcript(1, session="other"))
        ingest_paths(store, [live], workers=0)
        store.close()
        return cache(db)

    (tmp_path / "batched").mkdir()
    batched = scenario(tmp_path / "batched" / "state.db")
    monkeypatch.setattr(ingest_module, "BATCH_SECONDS", 0)
    (tmp_path / "one-by-one").mkdir()
    assert batched == scenario(tmp_path / "one-by-one" / "state.db")


def test_ingesting_one_grown_file_looks_up_that_file_only(tmp_path, store, monkeypatch):
    """The cost of an appended line is that line: no read of every known file, as a bulk ingest does."""
    for number in range(5):
        (tmp_path / f"session-{number}.jsonl").write_bytes(transcript(1, session=f"s{number}"))
    ingest_paths(store, [tmp_path])
    monkeypatch.setattr(ingest_module, "KNOWN_FILES_LOOKUPS", 3)
    read_all = []
    monkeypatch.setattr(Store, "file_identities", lambda self: read_all.append(1) or (set(), set()))
    grown = tmp_path / "session-2.jsonl"
    append(grown, tool_call("t9", "ls", 40, session="s2"))
    assert ingest_paths(store, [grown]).steps == 1 and read_all == []
    ingest_paths(store, [tmp_path])  # five files: past the three looked up one by one
    assert read_all == [1]


def test_a_workspace_inside_an_ingested_folder_is_not_read_as_traces(tmp_path, store):
    """`skillwarden ingest ~` with the workspace below it: the workspace's own event feed and lists are not
    traces (each would be an error), while a trace folder inside it (the demo's `traces/`) still is."""
    workspace = tmp_path / "corpus" / ".skillwarden"
    (workspace / "traces").mkdir(parents=True)
    (workspace / "skillwarden.lock").write_text("")
    (workspace / "events.jsonl").write_text('{"kind": "ingest", "at": "2026-01-01T00:00:00Z"}\n')
    (workspace / "ingested.json").write_text('{"paths": []}')
    (workspace / "traces" / "s.jsonl").write_bytes(transcript(2))
    report = ingest_paths(store, [tmp_path / "corpus"])
    assert report.errors == []
    assert [s.path for s in store.sessions()] == [str((workspace / "traces" / "s.jsonl").resolve())]

import json
import multiprocessing

import pytest

from skillwarden.core.workspace.events import EventLog


def test_events_are_numbered_and_read_back(tmp_path):
    log = EventLog(tmp_path / "events.jsonl")
    log.append("ingest", files=2, sessions=3)
    log.append("decision", action="approve", candidate="sk-1")
    events = list(log.read())
    assert [e["seq"] for e in events] == [1, 2]
    assert events[1]["kind"] == "decision" and events[1]["candidate"] == "sk-1"
    assert [e["seq"] for e in log.read(after=1)] == [2]


def test_unknown_kinds_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown event kind"):
        EventLog(tmp_path / "e.jsonl").append("gossip")


def test_a_torn_last_line_is_not_read_and_the_next_append_continues(tmp_path):
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    log.append("notice", text="one")
    with path.open("ab") as handle:
        handle.write(b'{"seq": 2, "kind": "no')  # a crash mid-write
    assert [e["seq"] for e in log.read()] == [1]
    # the torn fragment is followed by a newline-terminated event; the fragment line is skipped
    with path.open("ab") as handle:
        handle.write(b"\n")
    log.append("notice", text="two")
    assert [e["text"] for e in log.read()] == ["one", "two"]


def _append_many(path, n):
    log = EventLog(path)
    for i in range(n):
        log.append("notice", i=i)


def test_concurrent_processes_never_share_a_seq_or_tear_a_line(tmp_path):
    path = tmp_path / "events.jsonl"
    workers = [multiprocessing.Process(target=_append_many, args=(path, 50)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    lines = path.read_bytes().splitlines()
    assert len(lines) == 200
    seqs = [json.loads(line)["seq"] for line in lines]
    assert sorted(seqs) == list(range(1, 201))


def test_the_screens_tail_and_the_command_read_the_same_events(tmp_path):
    """`recent` and `since` (the TUI's feed) skip what `read` skips and wait for a half-written line."""
    log = EventLog(tmp_path / "events.jsonl")
    for n in range(3):
        log.append("notice", text=f"n{n}")
    with log.path.open("ab") as handle:
        handle.write(b'{"not": "an event"}\n{"seq": "x"}\n{"seq": 9, "kind": "notice", "te')
    recent, offset = log.recent()
    assert [e["text"] for e in recent] == ["n0", "n1", "n2"] == [e["text"] for e in log.read()]
    assert log.since(offset) == ([], offset)
    with log.path.open("ab") as handle:
        handle.write(b'xt": "late"}\n')
    events, later = log.since(offset)
    assert [e["text"] for e in events] == ["late"] and later == log.path.stat().st_size
    assert log.recent(limit=2)[0][-1]["text"] == "late"

"""Ingest with worker processes: files read from their start go to a process pool once `pool_min_bytes` of
them were met, grown transcripts are resumed in the ingesting process, and a pool that breaks leaves its
files to be read there. Which process read a file must never show in the cache, the report or the events."""

import json
import multiprocessing
import os
import random
import shutil
import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from skillwarden.core.demo.traces import generate_corpus
from skillwarden.core.ingest import files as ingest_files
from skillwarden.core.ingest import pool as ingest_pool
from skillwarden.core.ingest import read as ingest_read
from skillwarden.core.ingest import run as ingest_module
from skillwarden.core.ingest.run import IngestReport, ingest_paths
from skillwarden.core.workspace.config import load_config
from skillwarden.core.workspace.store import Store
from skillwarden.reviews import service as service_module
from skillwarden.reviews.service import ReviewService
from tests.conftest import SHARED_TRACES
from tests.test_ingest_faults import SESSION, parent_with_task, subagent, transcript

POOL = {"workers": 2, "pool_min_bytes": 0}  # every file read from its start goes to the pool
INLINE = {"workers": 0}
DUPLICATED = "5e55a0b1-0000-4000-8000-0000000000d0"  # one session written by three files: the last found wins
EVIDENCE_TABLES = ("files", "sessions", "steps", "subagent_links")

pytestmark = pytest.mark.skipif(not SHARED_TRACES.is_dir(), reason="the shared trace samples are not here")


# -- helpers ------------------------------------------------------------------------------------------------


def snapshot(db: Path) -> dict[str, list[dict]]:
    """Every evidence row of the cache, all columns, in primary-key order; a parser state decoded (the key
    order of its JSON is no evidence)."""
    order = {"files": "path", "sessions": "id", "steps": "session_id, idx", "subagent_links": "root_id, agent_id"}
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        tables = {table: [dict(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY {order[table]}")]
                  for table in EVIDENCE_TABLES}  # fmt: skip
    for row in tables["files"]:
        row["parser_state"] = json.loads(row["parser_state"]) if row["parser_state"] else None
    return tables


def summary(report: IngestReport) -> dict:
    return report.to_json()


def ingest(folder: Path, db: Path, **options) -> tuple[IngestReport, dict[str, list[dict]]]:
    store = Store(db)
    try:
        report = ingest_paths(store, [folder], **options)
    finally:
        store.close()
    return report, snapshot(db)


def found_order(folder: Path) -> list[str]:
    return [path for path, _root, _plain in ingest_files.found_files([folder])]


class PoolSpy:
    """Stands in for ProcessPoolExecutor in core.ingest.run: a real pool that records its start method and every
    task submitted to it (the files it was given, in order)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.start_methods: list[str] = []
        self.tasks: list[list[str]] = []
        spy = self

        class SpiedPool(ProcessPoolExecutor):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                spy.start_methods.append(kwargs["mp_context"].get_start_method())

            def submit(self, fn, /, *args, **kwargs):
                spy.tasks.append(list(args[0]))
                return super().submit(fn, *args, **kwargs)

        monkeypatch.setattr(ingest_pool, "ProcessPoolExecutor", SpiedPool)

    @property
    def keys(self) -> list[str]:
        return [key for task in self.tasks for key in task]

    def reset(self) -> None:
        self.start_methods.clear()
        self.tasks.clear()


def record_store_order(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose reads Store.apply_prepared is given, in the order given, over every batch."""
    order: list[str] = []
    apply_prepared = Store.apply_prepared

    def recording(self, reads):
        order.extend(read.path for read in reads)
        return apply_prepared(self, reads)

    monkeypatch.setattr(Store, "apply_prepared", recording)
    return order


ORIGINAL_READ_FRESH_FILES = ingest_module.read_fresh_files
# Set by a test (monkeypatch.setitem); a forked worker inherits it. A worker given a task holding a file whose
# name ends with `die_on` exits, one holding a file named in `slow_on` takes a while; `fallback` lists the
# tasks read in the ingesting process itself.
WORKER = {"parent": None, "die_on": None, "slow_on": (), "fallback": []}


def patched_read_fresh_files(keys: list[str]) -> list:
    """skillwarden.core.ingest.run.read_fresh_files, except that in a worker process a task holding the marked
    file exits at once (as a worker killed by the OOM killer does) or is slow. In the ingesting process it only
    reads."""
    if os.getpid() == WORKER["parent"]:
        WORKER["fallback"].append(list(keys))
    elif WORKER["die_on"] is not None and any(key.endswith(WORKER["die_on"]) for key in keys):
        os._exit(1)
    elif any(Path(key).name in WORKER["slow_on"] for key in keys):
        time.sleep(0.3)
    return ORIGINAL_READ_FRESH_FILES(keys)


def patch_workers(monkeypatch: pytest.MonkeyPatch, **settings) -> None:
    force_start_method(monkeypatch, "fork")  # the worker inherits the patched function and WORKER
    monkeypatch.setattr(ingest_module, "read_fresh_files", patched_read_fresh_files)
    for name, value in {"parent": os.getpid(), "fallback": [], **settings}.items():
        monkeypatch.setitem(WORKER, name, value)


def force_start_method(monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method on this platform")
    monkeypatch.setattr(ingest_pool, "pool_context", lambda: multiprocessing.get_context(method))


def copy_samples(target: Path) -> None:
    """The real samples of every format, writable (the shared copies are read-only)."""
    shutil.copytree(SHARED_TRACES, target, copy_function=shutil.copyfile)
    for folder, _dirs, _files in os.walk(target):
        os.chmod(folder, 0o755)


def build_corpus(folder: Path) -> Path:
    """The real samples, a demo corpus, a session written by three files (stored in the order the files are
    found: the last one wins), a sub-agent joined through its .meta.json, and two files that hold no trace."""
    copy_samples(folder / "samples")
    generate_corpus(folder / "demo", sessions=40, seed=5)
    dup = folder / "dup"
    dup.mkdir()
    for name, calls in (("1.jsonl", 2), ("2.jsonl", 5), ("3.jsonl", 3)):
        (dup / name).write_bytes(transcript(calls, sessionId=DUPLICATED))
    project = folder / "project"
    subagents = project / SESSION / "subagents"
    subagents.mkdir(parents=True)
    (project / f"{SESSION}.jsonl").write_bytes(parent_with_task({}))
    (subagents / "agent-a2898e3.jsonl").write_bytes(subagent("a2898e3"))
    (subagents / "agent-a2898e3.meta.json").write_text(json.dumps({"agentType": "Explore", "toolUseId": "toolu_task"}))
    junk = folder / "junk"
    junk.mkdir()
    (junk / "image.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    (junk / "other.jsonl").write_bytes(b'{"hello": "world"}\n')
    return folder


# -- the pool stores what an inline read stores ----------------------------------------------------------------


@pytest.mark.parametrize("start_method", [None, "fork", "forkserver", "spawn"])
def test_files_read_by_the_pool_are_stored_exactly_as_files_read_inline(tmp_path, monkeypatch, start_method):
    """Every file of several formats read by worker processes (fork, forkserver or spawn; many small tasks
    finishing out of order) gives the same rows, report and errors as reading them all in this process."""
    folder = build_corpus(tmp_path / "traces")
    expected_report, expected = ingest(folder, tmp_path / "inline.db", **INLINE)

    if start_method is not None:
        force_start_method(monkeypatch, start_method)
    monkeypatch.setattr(ingest_pool, "TASK_FILES", 3)  # ~40 tasks, more than the 8 kept in flight
    pool = PoolSpy(monkeypatch)
    store_order = record_store_order(monkeypatch)
    report, stored = ingest(folder, tmp_path / "pool.db", **POOL)

    assert summary(report) == summary(expected_report)
    for table in EVIDENCE_TABLES:
        assert stored[table] == expected[table], table
    # Every file was read by the pool, each once, handed over and stored in the order found.
    assert pool.keys == store_order == found_order(folder)
    assert len(pool.start_methods) == 1 and (start_method is None or pool.start_methods == [start_method])
    # What was compared is rich enough to show a difference.
    assert {row["format"] for row in stored["sessions"]} >= {
        "claude_code", "codex", "gemini_cli", "openhands", "swe_agent", "aider", "otel_genai",
    }  # fmt: skip
    assert len(stored["sessions"]) > 70 and len(stored["subagent_links"]) >= 5
    assert any(row["error"] for row in stored["files"]) and report.errors
    [duplicated] = [row for row in stored["sessions"] if row["id"] == DUPLICATED]
    assert (Path(duplicated["path"]).name, duplicated["steps"]) == ("3.jsonl", 3)
    [link] = [row for row in stored["subagent_links"] if row["agent_id"] == "a2898e3" and row["root_id"] == SESSION]
    assert link["call_id"] == "toolu_task"


def test_reads_are_stored_in_the_order_found_when_tasks_finish_in_another_order(tmp_path, monkeypatch):
    """Tasks that finish out of order (the first, a middle and a last one are slow) are still stored in the
    order the files were found: of one session written by every file, the last file's version is what stays."""
    folder = tmp_path / "traces"
    folder.mkdir()
    for number in range(24):
        (folder / f"{number:02d}.jsonl").write_bytes(transcript(1 + number % 5, sessionId=DUPLICATED))
    generate_corpus(folder / "demo", sessions=6, seed=6)
    expected_report, expected = ingest(folder, tmp_path / "inline.db", **INLINE)

    patch_workers(monkeypatch, slow_on=("00.jsonl", "12.jsonl", "23.jsonl"))
    monkeypatch.setattr(ingest_pool, "TASK_FILES", 1)  # a task per file, up to 8 in flight
    pool = PoolSpy(monkeypatch)
    store_order = record_store_order(monkeypatch)
    report, stored = ingest(folder, tmp_path / "pool.db", **POOL)

    assert WORKER["fallback"] == [] and len(pool.tasks) == 30
    assert store_order == found_order(folder)
    assert summary(report) == summary(expected_report) and stored == expected
    [session] = [row for row in stored["sessions"] if row["id"] == DUPLICATED]
    assert (Path(session["path"]).name, session["steps"]) == ("23.jsonl", 4)


# -- resumed reads between pool reads -----------------------------------------------------------------------------


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as handle:
        handle.write(data)


def test_resumed_transcripts_between_pool_reads_equal_a_clean_inline_ingest(tmp_path, monkeypatch):
    """Three ingests with the pool forced on while transcripts grow in random pieces (often mid-line), new
    files appear, one file is truncated in place and one replaced: after each, the cache equals a clean
    workers=0 ingest of the files as they are. Grown transcripts are resumed here, between pool reads."""
    monkeypatch.setattr(ingest_pool, "TASK_FILES", 4)
    sources = tmp_path / "sources"
    generate_corpus(sources / "demo", sessions=24, seed=8)
    copy_samples(sources / "samples")
    datas = {
        path.relative_to(sources): path.read_bytes()
        for path in sorted(sources.rglob("*"))
        if path.is_file() and ingest_files.is_trace_name(path.name) and path.suffix == ".jsonl"
    }
    assert len(datas) > 30
    names = list(datas)
    rng = random.Random(21)
    rng.shuffle(names)
    waves = [names[: len(names) // 2], names[len(names) // 2 : 3 * len(names) // 4], names[3 * len(names) // 4 :]]
    live = tmp_path / "live"
    written: dict[Path, int] = {}
    pool = PoolSpy(monkeypatch)
    store = Store(tmp_path / "live.db")
    resumed_in_rounds = []

    for round_number, wave in enumerate(waves):
        touched_fresh: set[str] = set()  # files that must be read from their start: new, truncated, replaced
        for name in list(written):
            data, done = datas[name], written[name]
            piece = data[done:] if round_number == 2 else data[done : done + rng.choice([1, 300, 2500, 40_000])]
            write(live / name, piece)
            written[name] = done + len(piece)
        for name in wave:
            cut = len(datas[name]) if round_number == 2 else rng.randrange(1, len(datas[name]))
            write(live / name, datas[name][:cut])
            written[name] = cut
            touched_fresh.add(str(live / name))
        if round_number == 1:
            consumed = {Path(state.path).relative_to(live): state.consumed for state in store.file_states()}
            claude = [n for n in waves[0] if consumed[n] > 5000 and (n.parts[0] == "demo" or "claude_code" in n.parts)]
            truncated, replaced = claude[0], claude[1]
            # Rewritten shorter in place (same inode), ending on a line: read again from its start.
            keep = datas[truncated][: consumed[truncated] // 2].rsplit(b"\n", 1)[0] + b"\n"
            (live / truncated).write_bytes(keep)
            written[truncated] = len(keep)
            # Replaced by another file (new inode, other first bytes) holding another session.
            other = transcript(3, sessionId="replacement")
            (live / "replacement.tmp").write_bytes(other)
            os.replace(live / "replacement.tmp", live / replaced)
            datas[replaced], written[replaced] = other, len(other)
            touched_fresh |= {str(live / truncated), str(live / replaced)}

        # Before the ingest: which changed files carry a parser state to resume from.
        resumable = {
            state.path
            for state in store.file_states()
            if state.parser_state is not None and state.path not in touched_fresh
            and os.stat(state.path).st_size > state.size
        }  # fmt: skip
        pool.reset()
        report = ingest_paths(store, [live], **POOL)
        assert report.errors == []
        assert snapshot(store.path) == ingest(live, tmp_path / f"clean-{round_number}.db", **INLINE)[1]
        # The pool read every file read from its start, and no resumed transcript.
        assert touched_fresh <= set(pool.keys)
        assert not resumable & set(pool.keys)
        assert len(pool.keys) == len(set(pool.keys))
        resumed_in_rounds.append(len(resumable))
        if round_number:
            order = found_order(live)
            by_pool = [order.index(key) for key in pool.keys]
            assert any(min(by_pool) < order.index(path) < max(by_pool) for path in resumable)
    store.close()
    assert resumed_in_rounds[0] == 0 and min(resumed_in_rounds[1:]) > 5


def test_a_resumed_session_also_found_in_an_earlier_pool_read_file_is_stored_as_inline(tmp_path, monkeypatch):
    """A transcript grows while a new file found before it holds the same session: the resumed read loads the
    session the new file wrote, so that file must be stored first. The pool keeps that order: the cache
    equals the same two ingests run inline."""
    other = SESSION.replace("0001", "0044")
    lines = transcript(2, sessionId=other).splitlines(keepends=True)
    live = tmp_path / "live"
    live.mkdir()
    generate_corpus(live / "demo", sessions=6, seed=2)
    (live / "z-growing.jsonl").write_bytes(b"".join(lines[:3]))
    pool = PoolSpy(monkeypatch)
    inline_store, pool_store = Store(tmp_path / "inline.db"), Store(tmp_path / "pool.db")
    ingest_paths(inline_store, [live], **INLINE)
    ingest_paths(pool_store, [live], **POOL)

    with (live / "z-growing.jsonl").open("ab") as handle:
        handle.write(b"".join(lines[3:]))
    (live / "a-copy.jsonl").write_bytes(transcript(4, sessionId=other))  # found before z-growing
    generate_corpus(live / "later", sessions=3, seed=3)  # found after it
    pool.reset()
    inline_report = ingest_paths(inline_store, [live], **INLINE)
    pool_report = ingest_paths(pool_store, [live], **POOL)
    inline_store.close()
    pool_store.close()

    assert str(live / "a-copy.jsonl") in pool.keys and str(live / "z-growing.jsonl") not in pool.keys
    assert summary(pool_report) == summary(inline_report)
    assert snapshot(tmp_path / "pool.db") == snapshot(tmp_path / "inline.db")
    # (What is stored for the session then differs from a clean ingest of the two files, inline as well: the
    # resumed read continues the session as a-copy.jsonl stored it. Only the pool's faithfulness is tested.)


# -- a broken pool ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["", "m-marker.jsonl"], ids=["every-worker-dies", "one-worker-dies"])
def test_a_worker_that_dies_leaves_its_files_to_be_read_here_each_stored_once(tmp_path, monkeypatch, marker):
    """A worker that dies breaks the pool (BrokenProcessPool): the files of every task it did not finish are
    read in the ingesting process instead, and the cache and report equal an inline ingest: nothing is lost
    and nothing is stored or counted twice."""
    folder = build_corpus(tmp_path / "traces")
    (folder / "junk" / "m-marker.jsonl").write_bytes(transcript(2, sessionId=SESSION.replace("0001", "0777")))
    expected_report, expected = ingest(folder, tmp_path / "inline.db", **INLINE)

    patch_workers(monkeypatch, die_on=marker)
    monkeypatch.setattr(ingest_pool, "TASK_FILES", 4)
    pool = PoolSpy(monkeypatch)
    report, stored = ingest(folder, tmp_path / "pool.db", **POOL)

    assert summary(report) == summary(expected_report)
    assert stored == expected
    # The files of the task that killed its worker were read here, once each.
    [killer] = [task for task in pool.tasks if any(key.endswith(marker) for key in task)][:1]
    fallback = [key for task in WORKER["fallback"] for key in task]
    assert set(killer) <= set(fallback) and len(fallback) == len(set(fallback))
    assert set(fallback) <= set(found_order(folder))
    if not marker:
        assert sorted(fallback) == sorted(found_order(folder))  # no worker read anything


# -- when the pool starts -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options", [{"workers": 2}, {"workers": 0, "pool_min_bytes": 0}], ids=["below-the-default-size", "no-workers"]
)
def test_no_pool_is_started_for_a_small_ingest_or_without_workers(tmp_path, monkeypatch, options):
    """A few small files (far below POOL_MIN_BYTES), or workers=0, are read here: no process pool is started."""
    (tmp_path / "traces").mkdir()
    for number in range(5):
        (tmp_path / "traces" / f"{number}.jsonl").write_bytes(transcript(2, sessionId=f"small-{number}"))
    pool = PoolSpy(monkeypatch)
    store = Store(tmp_path / "state.db")
    report = ingest_paths(store, [tmp_path / "traces"], **options)
    store.close()
    assert (report.files, report.sessions, report.errors) == (5, 5, [])
    assert pool.start_methods == [] and pool.tasks == []


@pytest.mark.parametrize("extra", [0, 1], ids=["met-by-the-second-file", "met-by-the-third-file"])
def test_files_are_read_here_until_pool_min_bytes_were_met_then_by_the_pool(tmp_path, monkeypatch, extra):
    """The file whose bytes reach pool_min_bytes, and every file read from its start after it, go to the pool;
    the ones before it were read here. Resumed transcripts count no bytes towards it."""
    folder = tmp_path / "traces"
    paths = generate_corpus(folder, sessions=8, seed=4)
    order = found_order(folder)
    sizes = [os.path.getsize(path) for path in order]
    pool = PoolSpy(monkeypatch)
    store = Store(tmp_path / "state.db")
    report = ingest_paths(store, [folder], workers=2, pool_min_bytes=sizes[0] + sizes[1] + extra)
    assert report.files == len(paths) == len(order)
    assert pool.keys == order[2 if extra else 1 :]
    # The grown transcripts are resumed (no pool); a new file is the only fresh read, under the threshold.
    for path in paths:
        with path.open("ab") as handle:
            handle.write(transcript(1, sessionId=f"extra-{path.stem}"))
    (folder / "new.jsonl").write_bytes(transcript(1, sessionId="brand-new"))
    pool.reset()
    report = ingest_paths(store, [folder], workers=2, pool_min_bytes=os.path.getsize(folder / "new.jsonl") + 1)
    store.close()
    assert (report.files, report.errors) == (len(paths) + 1, []) and pool.tasks == []


# -- errors ------------------------------------------------------------------------------------------------------------


def test_a_file_the_pool_cannot_read_is_reported_and_logged_as_when_read_inline(tmp_path, monkeypatch):
    """Binary, unsupported, unreadable, corrupt and over-long-line files read by the pool give the same report
    errors, parse_error events and file rows as read inline, in the same order: a file skipped before any
    read (a FIFO) is reported in its place among the files still in the pool."""
    folder = tmp_path / "traces"
    folder.mkdir()
    (folder / "a-binary.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    (folder / "b-utf16.json").write_bytes('{"a": 1}\n'.encode("utf-16"))
    (folder / "c-unsupported.jsonl").write_bytes(b'{"hello": "world"}\n' * 3)
    (folder / "d-unreadable.jsonl").write_bytes(transcript(1, sessionId="unreadable"))
    lines = transcript(3, sessionId="corrupt").splitlines(keepends=True)
    (folder / "e-corrupt.jsonl").write_bytes(b"".join(lines[:2]) + b"{not json\n" + b"".join(lines[2:]))
    long_lines = transcript(2, sessionId="long").splitlines(keepends=True)
    huge = long_lines[2].replace(b"0 passed", b"z" * 5000)
    (folder / "f-long-line.jsonl").write_bytes(b"".join(long_lines[:2]) + huge + b"".join(long_lines[3:]))
    (folder / "g-empty.jsonl").write_bytes(b"")
    os.mkfifo(folder / "h-pipe.jsonl")
    (folder / "i-good.jsonl").write_bytes(transcript(2, sessionId="good"))
    shutil.copyfile(SHARED_TRACES / "swe_agent" / "BabyEncryption.INVALID-JSON-at-77122b7.traj",
                    folder / "j-invalid.traj")  # fmt: skip

    # Inherited by forked workers: the file cannot be opened, and a line over 2 KB is skipped.
    force_start_method(monkeypatch, "fork")
    monkeypatch.setattr(ingest_read, "MAX_LINE_BYTES", 2048)
    def refusing_open(file, *args, **kwargs):
        if os.path.basename(file) == "d-unreadable.jsonl":
            raise PermissionError(13, "Permission denied")
        return open(file, *args, **kwargs)

    for module in (ingest_module, ingest_read):  # ingest's own opens only
        monkeypatch.setattr(module, "open", refusing_open, raising=False)
    pool = PoolSpy(monkeypatch)

    def run(name: str, options: dict) -> tuple[IngestReport, list[dict]]:
        def ingest_as_told(store, paths, **_service_options):  # the service's own `workers` is overridden
            return ingest_paths(store, paths, **options)

        monkeypatch.setattr(service_module, "ingest_paths", ingest_as_told)
        service = ReviewService(load_config(tmp_path / name), mine_inline=False)
        try:
            report = service.ingest([folder])
            events = [{k: v for k, v in event.items() if k not in ("seq", "at")} for event in service.events.read()]
        finally:
            service.close()
        return report, events

    inline_report, inline_events = run("inline", INLINE)
    assert pool.tasks == []
    pool_report, pool_events = run("pool", POOL)
    assert set(pool.keys) == {str(path) for path in folder.iterdir()} - {str(folder / "h-pipe.jsonl")}

    messages = {(Path(e["path"]).name, e["line"]): e["message"] for e in inline_report.errors}
    assert messages[("a-binary.jsonl", None)] == messages[("b-utf16.json", None)] == (
        "skipped: binary file (NUL bytes), not a trace"
    )  # fmt: skip
    assert "content matches no known trace format" in messages[("c-unsupported.jsonl", None)]
    assert messages[("d-unreadable.jsonl", None)] == "skipped: cannot read: Permission denied"
    assert messages[("e-corrupt.jsonl", 3)].startswith("invalid JSON")
    assert messages[("f-long-line.jsonl", 3)] == "line longer than 2048 bytes skipped"
    assert messages[("h-pipe.jsonl", None)] == "skipped: a FIFO, not a trace file"
    assert any(name == "j-invalid.traj" for name, _line in messages)

    assert pool_report.errors == inline_report.errors
    assert summary(pool_report) == summary(inline_report)
    # One parse_error event per reported error, with the same path, line and message.
    for report, events in ((inline_report, inline_events), (pool_report, pool_events)):
        assert [e for e in events if e["kind"] == "parse_error"] == [
            {"kind": "parse_error", **e} for e in report.errors
        ]
    assert [e for e in pool_events if e["kind"] == "ingest"] == [e for e in inline_events if e["kind"] == "ingest"]
    inline_files, pool_files = (snapshot(tmp_path / name / "state.db")["files"] for name in ("inline", "pool"))
    assert pool_files == inline_files
    assert {Path(row["path"]).name: row["error"] is not None for row in pool_files} == {
        "a-binary.jsonl": True, "b-utf16.json": True, "c-unsupported.jsonl": True, "e-corrupt.jsonl": True,
        "f-long-line.jsonl": True, "g-empty.jsonl": False, "i-good.jsonl": False, "j-invalid.traj": True,
    }  # fmt: skip

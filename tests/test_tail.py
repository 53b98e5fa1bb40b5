"""Tailing primitives: file identity, what changed, and complete lines read in bounded memory."""

import io
import os
import stat
import tracemalloc

import pytest

from skillwarden.core.ingest.tail import (
    Change,
    Identity,
    classify,
    fingerprint,
    iter_line_runs,
    not_a_regular_file,
    same_head,
)
from skillwarden.core.workspace.store import FileState


def state(consumed: int, head: bytes, *, inode: int = 2, size: int | None = None, mtime_ns: int = 5) -> FileState:
    size = consumed if size is None else size
    return FileState("/t/a.jsonl", 1, inode, size, mtime_ns, fingerprint(head), consumed, "claude_code", None)


def identity(head: bytes, size: int, *, inode: int = 2, mtime_ns: int = 6) -> Identity:
    return Identity(1, inode, size, mtime_ns, head[:1024])


def test_fingerprint_of_a_young_file_still_matches_once_it_grows():
    young = b'{"a":1}\n'
    grown = young + b'{"b":2}\n' * 500
    assert same_head(fingerprint(young), grown)
    assert not same_head(fingerprint(young), b'{"x":1}\n' + grown[8:])


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (None, identity(b"abc\n", 4), Change.NEW),
        (state(4, b"abc\n", mtime_ns=6), identity(b"abc\n", 4), Change.UNCHANGED),
        (state(4, b"abc\n"), identity(b"abc\ndef\n", 8), Change.GREW),
        (state(8, b"abc\ndef\n"), identity(b"abc\n", 4), Change.TRUNCATED),
        (state(4, b"abc\n"), identity(b"abc\ndef\n", 8, inode=3), Change.REPLACED),
        (state(4, b"abc\n"), identity(b"xyz\ndef\n", 8), Change.REPLACED),
    ],
    ids=["new", "unchanged", "grew", "truncated", "new-inode", "new-head"],
)
def test_classify(previous, current, expected):
    assert classify(previous, current) is expected


def lines_of(handle, offset=0, first_number=1, **limits) -> list[tuple[int, bytes | None, bool]]:
    """(number, data, complete) per line, from the runs."""
    return [
        (number, data, run.complete)
        for run in iter_line_runs(handle, offset, first_number, **limits)
        for number, data in enumerate(run.lines, run.first)
    ]


def test_a_half_written_last_line_comes_last_alone_and_incomplete():
    runs = list(iter_line_runs(io.BytesIO(b'{"a":1}\n{"b":'), 0, 1))
    assert runs == [(1, [b'{"a":1}'], 8, True), (2, [b'{"b":'], 13, False)]


@pytest.mark.parametrize("chunk_bytes", [1, 3, 4096])
def test_lines_do_not_depend_on_the_chunk_size(chunk_bytes):
    data = b"first\r\n\nsecond line\nthird"
    whole = lines_of(io.BytesIO(data))
    assert lines_of(io.BytesIO(data), chunk_bytes=chunk_bytes) == whole
    assert whole == [(1, b"first\r", True), (2, b"", True), (3, b"second line", True), (4, b"third", False)]
    runs = list(iter_line_runs(io.BytesIO(data), 0, 1, chunk_bytes=chunk_bytes))
    assert [run.end for run in runs][-2:] == [len(data) - len(b"third"), len(data)]


def test_reading_resumes_at_an_offset_with_the_right_line_numbers():
    data = b"one\ntwo\nthree\n"
    assert list(iter_line_runs(io.BytesIO(data), 4, 2)) == [(2, [b"two", b"three"], 14, True)]


@pytest.mark.parametrize("chunk_bytes", [7, 1024])
def test_a_line_over_the_cap_is_skipped_and_the_offset_moves_past_it(chunk_bytes):
    data = b"short\n" + b"x" * 100 + b"\nafter\n"
    lines = lines_of(io.BytesIO(data), max_line_bytes=50, chunk_bytes=chunk_bytes)
    assert [(number, line) for number, line, _ in lines] == [(1, b"short"), (2, None), (3, b"after")]
    runs = list(iter_line_runs(io.BytesIO(data), 0, 1, max_line_bytes=50, chunk_bytes=chunk_bytes))
    assert runs[-1].end == len(data)
    if chunk_bytes == 7:  # the long line ends a run of its own
        assert [run.end for run in runs if None in run.lines] == [6 + 101]


def test_a_huge_line_is_never_held_in_memory(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as handle:
        handle.write(b'{"ok":1}\n')
        for _ in range(20):
            handle.write(b"y" * (1 << 20))  # a 20 MiB line
        handle.write(b'\n{"ok":2}\n')
    tracemalloc.start()
    with path.open("rb") as handle:
        lines = [(number, data) for number, data, _ in lines_of(handle, max_line_bytes=64 * 1024)]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert lines == [(1, b'{"ok":1}'), (2, None), (3, b'{"ok":2}')]
    assert peak < 4 * (1 << 20)  # a chunk or two, not the 20 MiB line


def test_special_files_are_named(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    assert not_a_regular_file(fifo.lstat().st_mode) == "a FIFO"
    assert not_a_regular_file(stat.S_IFCHR) == "a character device"
    assert not_a_regular_file(stat.S_IFREG) is None

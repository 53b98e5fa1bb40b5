"""Tailing primitives: file identity, what changed, and complete lines read in bounded memory."""

import io
import os
import stat
import tracemalloc

import pytest

from core.store import FileState
from core.tail import Change, Identity, classify, fingerprint, iter_lines, not_a_regular_file, same_head


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


def test_a_half_written_last_line_comes_last_and_incomplete():
    lines = list(iter_lines(io.BytesIO(b'{"a":1}\n{"b":'), 0, 1))
    assert [(line.number, line.end, line.data, line.complete) for line in lines] == [
        (1, 8, b'{"a":1}', True),
        (2, 13, b'{"b":', False),
    ]


@pytest.mark.parametrize("chunk_bytes", [1, 3, 4096])
def test_lines_do_not_depend_on_the_chunk_size(chunk_bytes):
    data = b"first\r\n\nsecond line\nthird"
    whole = list(iter_lines(io.BytesIO(data), 0, 1))
    assert list(iter_lines(io.BytesIO(data), 0, 1, chunk_bytes=chunk_bytes)) == whole
    assert [line.data for line in whole] == [b"first\r", b"", b"second line", b"third"]


def test_reading_resumes_at_an_offset_with_the_right_line_numbers():
    data = b"one\ntwo\nthree\n"
    lines = list(iter_lines(io.BytesIO(data), 4, 2))
    assert [(line.number, line.data, line.end) for line in lines] == [(2, b"two", 8), (3, b"three", 14)]


@pytest.mark.parametrize("chunk_bytes", [7, 1024])
def test_a_line_over_the_cap_is_skipped_and_the_offset_moves_past_it(chunk_bytes):
    data = b"short\n" + b"x" * 100 + b"\nafter\n"
    lines = list(iter_lines(io.BytesIO(data), 0, 1, max_line_bytes=50, chunk_bytes=chunk_bytes))
    assert [(line.number, line.data) for line in lines] == [(1, b"short"), (2, None), (3, b"after")]
    assert lines[1].end == 6 + 101 and lines[-1].end == len(data)


def test_a_huge_line_is_never_held_in_memory(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as handle:
        handle.write(b'{"ok":1}\n')
        for _ in range(20):
            handle.write(b"y" * (1 << 20))  # a 20 MiB line
        handle.write(b'\n{"ok":2}\n')
    tracemalloc.start()
    with path.open("rb") as handle:
        lines = [(line.number, line.data) for line in iter_lines(handle, 0, 1, max_line_bytes=64 * 1024)]
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

"""Tailing trace files: who a file is, what changed since the last read, and its complete lines.

The rules are the log shippers' (../shared/RELIABILITY.md, tailing): a file is known by its device, inode and a
fingerprint of its first bytes, plus the offset read so far. Only complete lines are parsed (a
half-written last line waits for its end), and a line longer than the cap is skipped while the offset
still moves past it, without ever holding the whole line in memory.
"""

from __future__ import annotations

import enum
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from skillwarden.core.workspace.store import FileState

FINGERPRINT_BYTES = 1024
MAX_LINE_BYTES = 8 * 1024 * 1024
# A whole-document trace (.json, .traj) is parsed in one piece; past this size it is skipped.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024


class Change(enum.StrEnum):
    """How a file differs from what the last read of its path saw."""

    NEW = "new"  # never read
    UNCHANGED = "unchanged"
    GREW = "grew"  # same file, more bytes (or rewritten in place with the same head)
    TRUNCATED = "truncated"  # smaller than the offset read: copytruncate, or rewritten shorter
    REPLACED = "replaced"  # another file now: new inode, or a different head


@dataclass(frozen=True)
class Identity:
    dev: int
    inode: int
    size: int
    mtime_ns: int
    head: bytes  # the first FINGERPRINT_BYTES bytes (fewer for a smaller file)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.head)


def fingerprint(head: bytes) -> str:
    """`<length>:<sha1>` of a file's first bytes. The length is part of it because a young file's head
    is shorter than FINGERPRINT_BYTES: a later read compares the same number of bytes."""
    head = head[:FINGERPRINT_BYTES]
    return f"{len(head)}:{hashlib.sha1(head).hexdigest()}"


def same_head(stored_fingerprint: str, head: bytes) -> bool:
    length, _, _ = stored_fingerprint.partition(":")
    return length.isdigit() and fingerprint(head[: int(length)]) == stored_fingerprint


def classify(previous: FileState | None, current: Identity) -> Change:
    if previous is None:
        return Change.NEW
    if (previous.dev, previous.inode) != (current.dev, current.inode):
        return Change.REPLACED
    if current.size < previous.consumed:
        return Change.TRUNCATED
    if not same_head(previous.fingerprint, current.head):
        return Change.REPLACED
    if (current.size, current.mtime_ns) == (previous.size, previous.mtime_ns):
        return Change.UNCHANGED
    return Change.GREW


def identify(handle: BinaryIO) -> Identity:
    info = os.fstat(handle.fileno())
    handle.seek(0)
    head = handle.read(FINGERPRINT_BYTES)
    return Identity(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, head)


def not_a_regular_file(mode: int) -> str | None:
    """Why a file of this mode cannot be a trace (opening a FIFO would block), or None."""
    for test, what in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):  # fmt: skip
        if test(mode):
            return what
    return None if stat.S_ISREG(mode) else "not a regular file"


def looks_binary(head: bytes) -> bool:
    """NUL bytes never occur in UTF-8 JSON or Markdown text; they do in images, archives, UTF-16."""
    return b"\0" in head


class LineRun(NamedTuple):  # a tuple, one per chunk read: the caller's loop costs little per line
    """Consecutive lines of a file, as one read of it found them."""

    first: int  # the 1-based line number of lines[0]
    lines: list[bytes | None]  # None for a line longer than the cap, skipped
    end: int  # file offset just past the last line (and its newline)
    complete: bool = True  # False for a last line with no newline yet, alone in its run


def iter_line_runs(
    handle: BinaryIO, offset: int, first_number: int, *, max_line_bytes: int = MAX_LINE_BYTES,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[LineRun]:  # fmt: skip
    """The lines from `offset` on, read in chunks so memory stays bounded by the chunk and the cap.

    The last line without a newline comes last, alone and with `complete=False` (when it is within the
    cap), so the caller may take it if it is whole JSON, or leave it for the next read.
    """
    handle.seek(offset)
    number = first_number
    chunk_start = offset
    pending = b""  # the start of the line whose end has not been read yet
    pending_length = 0  # its length so far, counting bytes dropped while skipping it
    skipping = False  # the line is already over the cap: count its bytes, keep none
    while chunk := handle.read(chunk_bytes):
        lines: list = chunk.split(b"\n")
        tail = lines.pop()
        if lines:
            head_length = pending_length + len(lines[0])
            lines[0] = None if skipping or head_length > max_line_bytes else pending + lines[0]
            if len(chunk) > max_line_bytes:  # only then can a line that starts in this chunk be over the cap
                lines[1:] = [None if len(line) > max_line_bytes else line for line in lines[1:]]
            yield LineRun(number, lines, chunk_start + len(chunk) - len(tail))
            number += len(lines)
            pending, pending_length, skipping = b"", 0, False
        chunk_start += len(chunk)
        pending_length += len(tail)
        if skipping or pending_length > max_line_bytes:
            pending, skipping = b"", True
        else:
            pending += tail
    if pending_length and not skipping:
        yield LineRun(number, [pending], chunk_start, complete=False)

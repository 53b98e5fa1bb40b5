"""Turning a skill folder into texts to scan: reading it without following links out, opening archives
within bounds, and telling text from binaries (inert media, executables, and what cannot be inspected)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import tarfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from skillwarden.core.security.scan.model import HIGH, LOW, MED, Finding, Severity

MAX_FILES = 2000  # per skill folder, archive members included
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024
MAX_ARCHIVE_DEPTH = 2  # an archive inside an archive is opened; one more level is not
SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn"})

# Formats a reviewer can recognise by their first bytes and that run nothing when an agent reads them.
INERT_MAGIC = (
    (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"), (b"BM", "BMP image"),
    (b"\x00\x00\x01\x00", "icon"), (b"\x00\x01\x00\x00", "TrueType font"), (b"OTTO", "OpenType font"),
    (b"true", "TrueType font"), (b"ttcf", "font collection"), (b"wOFF", "web font"), (b"wOF2", "web font"),
    (b"%PDF", "PDF document"), (b"ID3", "MP3 audio"), (b"OggS", "Ogg media"), (b"fLaC", "FLAC audio"),
)  # fmt: skip
RIFF_INERT = (b"WEBP", b"WAVE", b"AVI ")
EXECUTABLE_MAGIC = (
    (b"\x7fELF", "ELF executable"), (b"MZ", "Windows executable"), (b"\xfe\xed\xfa\xce", "Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "Mach-O executable"), (b"\xce\xfa\xed\xfe", "Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "Mach-O executable"), (b"\xca\xfe\xba\xbe", "Mach-O or Java class"),
    (b"\x00asm", "WebAssembly module"),
)  # fmt: skip
EXECUTABLE_SUFFIXES = frozenset({".pyc", ".pyo", ".so", ".dll", ".dylib", ".exe", ".class", ".node", ".wasm"})
UNOPENED_ARCHIVES = ((b"7z\xbc\xaf\x27\x1c", "7-Zip archive"), (b"Rar!", "RAR archive"))


@dataclass(frozen=True)
class TextFile:
    path: str  # relative, "/"-separated; "a.zip!b.py" inside an archive
    text: str


def file_finding(path: str, severity: Severity, rule: str, message: str, category: str = "uninspectable") -> Finding:
    return Finding(category, severity, 0, "", rule, message, path)


def decode_text(data: bytes) -> str | None:
    """The text of `data`, or None when it is binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        # A few bad bytes are a Latin-1 file; many are a binary.
        return text if text.count("\ufffd") <= max(8, len(text) // 100) else None


def _kind(magic: tuple[tuple[bytes, str], ...], data: bytes) -> str | None:
    return next((name for prefix, name in magic if data.startswith(prefix)), None)


def binary_finding(path: str, data: bytes) -> Finding:
    """What to say about a binary that is not an archive we open."""
    if (kind := _kind(EXECUTABLE_MAGIC, data)) or Path(path.rsplit("!", 1)[-1]).suffix.lower() in EXECUTABLE_SUFFIXES:
        what = kind or "compiled code"
        return file_finding(path, HIGH, "executable_binary", f"ships a {what} a reviewer cannot read", "malware")
    if (kind := _kind(INERT_MAGIC, data)) or (data.startswith(b"RIFF") and data[8:12] in RIFF_INERT):
        return file_finding(path, LOW, "binary_asset", f"a {kind or 'media file'}, checked by its signature")
    if kind := _kind(UNOPENED_ARCHIVES, data):
        return file_finding(path, MED, "cannot_inspect", f"a {kind}, which the scanner does not open")
    return file_finding(path, MED, "cannot_inspect", "a binary file of unknown format; nobody can review what it does")


class Reader:
    """Collects the texts of one skill folder and the findings about what it could not read."""

    def __init__(self) -> None:
        self.texts: list[TextFile] = []
        self.findings: list[Finding] = []
        self.files = 0
        self.total = 0
        self.truncated = False

    def _room_for(self, path: str, size: int) -> bool:
        if self.files >= MAX_FILES or self.total + size > MAX_TOTAL_BYTES:
            if not self.truncated:
                self.findings.append(file_finding(
                    path, MED, "cannot_inspect",
                    f"the skill holds more than {MAX_FILES} files or {MAX_TOTAL_BYTES >> 20} MB; the rest was not read",
                ))  # fmt: skip
            self.truncated = True
            return False
        self.files += 1
        self.total += size
        return True

    def add(self, path: str, data: bytes, depth: int = 0) -> None:
        if not self._room_for(path, len(data)):
            return
        if len(data) > MAX_FILE_BYTES:
            self.findings.append(
                file_finding(path, MED, "cannot_inspect", f"{len(data) >> 20} MB is too large to scan")
            )
            return
        if self._open_archive(path, data, depth):
            return
        text = decode_text(data)
        if text is None:
            self.findings.append(binary_finding(path, data))
        else:
            self.texts.append(TextFile(path, text))

    def _open_archive(self, path: str, data: bytes, depth: int) -> bool:
        """Read an archive's members as files of the skill; True if `data` is an archive."""
        opener = archive_members(data)
        if opener is None:
            return False
        if depth >= MAX_ARCHIVE_DEPTH:
            self.findings.append(file_finding(path, MED, "cannot_inspect", "an archive nested too deep to open"))
            return True
        try:
            for name, member in opener:
                if member is None:
                    self.findings.append(file_finding(f"{path}!{name}", MED, "cannot_inspect",
                                                      "an encrypted or unreadable archive member"))  # fmt: skip
                else:
                    self.add(f"{path}!{name}", member, depth + 1)
                if self.truncated:
                    break
        except (OSError, EOFError, ValueError, zipfile.BadZipFile, tarfile.TarError, lzma.LZMAError) as error:
            self.findings.append(
                file_finding(path, MED, "cannot_inspect", f"a damaged archive ({type(error).__name__})")
            )
        return True


def _bounded(stream, limit: int = MAX_FILE_BYTES) -> bytes:
    """At most `limit` + 1 bytes, so a compression bomb is read no further than that."""
    return stream.read(limit + 1)


def archive_members(data: bytes) -> Iterator[tuple[str, bytes | None]] | None:
    """The (name, bytes) of an archive's files, None if `data` is no archive we open; None bytes for a member
    that cannot be read (encrypted). Reading stops at the size limits."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_members(data)
    if data.startswith(b"\x1f\x8b"):
        return _stream_members(gzip.GzipFile(fileobj=io.BytesIO(data)), "gz")
    if data.startswith(b"BZh"):
        return _stream_members(bz2.BZ2File(io.BytesIO(data)), "bz2")
    if data.startswith(b"\xfd7zXZ\x00"):
        return _stream_members(lzma.LZMAFile(io.BytesIO(data)), "xz")
    if len(data) > 262 and data[257:262] == b"ustar":
        return _tar_members(io.BytesIO(data))
    return None


def _zip_members(data: bytes) -> Iterator[tuple[str, bytes | None]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist()[: MAX_FILES + 1]:
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                yield info.filename, None
                continue
            with archive.open(info) as member:
                yield info.filename, _bounded(member)


def _stream_members(stream, suffix: str) -> Iterator[tuple[str, bytes | None]]:
    """A compressed stream: a tar inside is opened as such, anything else is one member."""
    with stream:
        content = _bounded(stream, MAX_TOTAL_BYTES)
    if len(content) > 262 and content[257:262] == b"ustar":
        yield from _tar_members(io.BytesIO(content))
    else:
        yield f"(content of .{suffix})", content


def _tar_members(buffer: io.BytesIO) -> Iterator[tuple[str, bytes | None]]:
    with tarfile.open(fileobj=buffer, mode="r:") as archive:
        for count, info in enumerate(archive):
            if count > MAX_FILES:
                return
            if info.isfile():
                member = archive.extractfile(info)
                yield info.name, _bounded(member) if member is not None else None


def read_folder(root: Path) -> Reader:
    """Every file under `root`, without following symbolic links; a link that leaves the folder is a finding."""
    reader = Reader()
    real_root = os.path.realpath(root)
    for directory, subdirectories, names in os.walk(
        root,
        onerror=lambda error: reader.findings.append(
            file_finding(
                _relative(error.filename or str(root), root),
                MED,
                "cannot_inspect",
                f"cannot read: {error.strerror or error}",
            )
        ),  # fmt: skip
    ):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRECTORIES)
        for name in sorted(names) + [d for d in subdirectories if os.path.islink(os.path.join(directory, d))]:
            full = os.path.join(directory, name)
            relative = _relative(full, root)
            if os.path.islink(full):
                target = os.path.realpath(full)
                if os.path.commonpath([real_root, target]) != real_root:
                    reader.findings.append(file_finding(
                        relative, HIGH, "link_outside_skill",
                        f"a symbolic link to {os.readlink(full)} outside the skill, which an agent reading it follows",
                        "exfiltration",
                    ))  # fmt: skip
                continue
            try:
                with open(full, "rb") as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)
            except OSError as error:
                reader.findings.append(file_finding(relative, MED, "cannot_inspect", f"cannot read: {error.strerror}"))
                continue
            reader.add(relative, data)
            if reader.truncated:
                return reader
    return reader


def read_files(files: Mapping[str, bytes]) -> Reader:
    reader = Reader()
    for path in sorted(files):
        reader.add(path, files[path])
    return reader


def _relative(path: str, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()

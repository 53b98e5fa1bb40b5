"""Encoded text inside a skill, decoded statically: base64, base32, hex, base85, `\\x` escapes and byte lists,
through zlib/gzip/bz2/xz layers, and through the one-byte ciphers (XOR, shift, affine map) that hide a
payload from a reader but not from a loop over 256 keys. What decodes to readable text is handed back for
the line rules to read like any other line.

Bounded: a file gives at most MAX_BLOBS candidates, each at most MAX_BLOB characters, and the key search runs
on a few short blobs per file. Never raises.
"""

from __future__ import annotations

import base64
import binascii
import bz2
import lzma
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

MAX_BLOBS = 200
MAX_BLOB = 256 * 1024
MAX_DECODED = 1 << 20
MAX_LAYERS = 3
MAX_KEY_SEARCHES = 4  # blobs per file whose bytes are searched for a one-byte cipher
# Encodings that carry ciphered payloads; base64 and hex that do not decode to text are images, keys and hashes.
CIPHER_CARRIERS = frozenset({"byte list", "base85", "ascii85", "\\x escapes", "octal escapes", "\\u escapes"})
KEY_SEARCH_BYTES = (12, 4096)  # shorter says too little to recognise text, longer is data, not a command

LONG_TOKEN = re.compile(r"\S{24,}")
BASE64_BLOB = re.compile(r"(?<![\w+/=-])[A-Za-z0-9+/_-]{24,}={0,2}(?![\w+/=-])")
HEX_BLOB = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{2}){12,}(?![0-9A-Za-z])")
ESCAPED_BYTES = re.compile(  # a literal backslash first, so the search skips to backslashes
    r"\\(?:x[0-9a-fA-F]{2}(?:\\x[0-9a-fA-F]{2}){5,}|[0-7]{3}(?:\\[0-7]{3}){5,}|u00[0-9a-fA-F]{2}(?:\\u00[0-9a-fA-F]{2}){5,})"
)
BYTE_LIST = re.compile(r"\d{1,3}(?:\s*,\s*\d{1,3}){11,}")  # its ends are checked in code: a lookbehind is slow
BASE85_SYMBOLS = "!#$%&()*+-;<=>?@^_`{|}~"
MIN_DISTINCT_BYTES = 8
WORD_OR_DOT = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.")
BASE85_BLOB = re.compile(r"[0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]{40,}")
ASCII85_BLOB = re.compile(r"<~([!-uz\s]{20,}?)~>")
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,$")
READABLE = re.compile(r"[ -~\n\t\r]")
PRINTABLE_BYTES = bytes(range(0x20, 0x7F)) + b"\n\r\t"
LETTERS = re.compile(r"[A-Za-z ]")


@dataclass(frozen=True)
class Decoded:
    offset: int  # where the encoded text starts in the file
    how: str  # "base64", "base85 + XOR 0x9f", "hex + zlib", ...
    text: str


def readable(data: bytes, letters: float = 0.25) -> str | None:
    """`data` as text when it reads as text: UTF-8, nearly all printable, with at least `letters` of it letters
    and spaces (JSON and commands are punctuation-heavy; deciphered text must look more like words)."""
    if len(data) < 4:
        return None
    if data.isascii():  # counted with translate: this runs for every key of a cipher search
        if len(data.translate(None, PRINTABLE_BYTES)) > len(data) * 0.05:
            return None
        if len(data) - len(data.translate(None, LETTER_BYTES)) < len(data) * letters:
            return None
        return data.decode("ascii")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = len(READABLE.findall(text))
    if printable < len(text) * 0.95 or len(LETTERS.findall(text)) < len(text) * letters:
        return None
    return text


# Characters frequent in commands and prose: the key under which most of the text is made of them wins.
COMMON_BYTES = b"etaoinshrdlucmfpgwybvk ./-:|0123456789"
LETTER_BYTES = bytes(range(ord("a"), ord("z") + 1)) + bytes(range(ord("A"), ord("Z") + 1)) + b" "


def _decompressed(data: bytes) -> tuple[str, bytes] | None:
    """One decompression layer, bounded in what it produces."""
    try:
        if data[:1] == b"\x78" and data[1:2] in (b"\x01", b"\x5e", b"\x9c", b"\xda"):
            return "zlib", zlib.decompressobj().decompress(data, MAX_DECODED)
        if data[:2] == b"\x1f\x8b":
            return "gzip", zlib.decompressobj(47).decompress(data, MAX_DECODED)
        if data[:3] == b"BZh":
            return "bz2", bz2.BZ2Decompressor().decompress(data, MAX_DECODED)
        if data[:6] == b"\xfd7zXZ\x00":
            return "xz", lzma.LZMADecompressor().decompress(data, MAX_DECODED)
    except (zlib.error, OSError, EOFError, ValueError, lzma.LZMAError):
        return None
    return None


def _byte_ciphers() -> list[tuple[str, tuple[bytes, ...]]]:
    """The decryption tables of every XOR key and every affine map x -> a*x + b mod 256 (a odd; a = 1 is a
    shift): the one-byte ciphers that take a loop to undo. An affine map is undone as a shift, then a
    multiplication by the inverse of a."""
    xor = [(f"XOR {key:#04x}", (bytes(x ^ key for x in range(256)),)) for key in range(1, 256)]
    shifts = [bytes((x - b) % 256 for x in range(256)) for b in range(256)]
    multiplications = {a: bytes((pow(a, -1, 256) * x) % 256 for x in range(256)) for a in range(1, 256, 2)}
    affine = [
        (f"affine {a}x+{b}", (shifts[b], multiplications[a]) if a != 1 else (shifts[b],))
        for a in range(1, 256, 2)
        for b in range(256)
        if (a, b) != (1, 0)
    ]
    return xor + affine


_CIPHERS: list[tuple[str, tuple[bytes, ...]]] = []
_BY_FIRST_BYTE: dict[int, list[tuple[str, tuple[bytes, ...]]]] = {}


def _apply(data: bytes, tables: tuple[bytes, ...]) -> bytes:
    for table in tables:
        data = data.translate(table)
    return data


def _ciphers_for(first: int) -> list[tuple[str, tuple[bytes, ...]]]:
    """The ciphers under which a text starting with byte `first` starts with a printable character."""
    if not _CIPHERS:
        _CIPHERS.extend(_byte_ciphers())
    if first not in _BY_FIRST_BYTE:
        _BY_FIRST_BYTE[first] = [c for c in _CIPHERS if 0x20 <= _apply(bytes([first]), c[1])[0] < 0x7F]
    return _BY_FIRST_BYTE[first]


def deciphered(data: bytes) -> tuple[str, str] | None:
    """The one-byte cipher under which `data` reads best as text, and that text."""
    if not KEY_SEARCH_BYTES[0] <= len(data) <= KEY_SEARCH_BYTES[1] or len(set(data)) < MIN_DISTINCT_BYTES:
        return None  # a payload varies; a run of one byte deciphers to anything
    head = data[:16]
    best: tuple[int, str, str] | None = None
    for name, tables in _ciphers_for(data[0]):
        if _apply(head, tables).translate(None, PRINTABLE_BYTES):
            continue  # some byte of the first sixteen is not printable under this key
        plain = _apply(data, tables)
        text = readable(plain, letters=0.4)
        if text is not None:
            score = len(plain) - len(plain.translate(None, COMMON_BYTES))
            if best is None or score > best[0]:
                best = (score, name, text)
    return (best[1], best[2]) if best is not None else None


def _layers(data: bytes, how: str, depth: int = 0) -> tuple[str, str] | None:
    """Peel compression layers and nested encodings until text appears."""
    if (text := readable(data)) is not None:
        nested = _candidate_bytes(text.strip()) if depth < MAX_LAYERS else None
        if nested is not None and (inner := _layers(nested[1], f"{how} + {nested[0]}", depth + 1)) is not None:
            return inner
        return how, text
    if depth < MAX_LAYERS and (layer := _decompressed(data)) is not None:
        return _layers(layer[1], f"{how} + {layer[0]}", depth + 1)
    return None


def _candidate_bytes(text: str) -> tuple[str, bytes] | None:
    """`text` decoded when the whole of it is one encoded blob."""
    if len(text) > MAX_BLOB:
        return None
    if HEX_BLOB.fullmatch(text):
        return "hex", bytes.fromhex(text)
    if BASE64_BLOB.fullmatch(text) and _mixed(text):
        return _base64(text)
    return None


def _mixed(text: str) -> bool:
    """Base64 of anything has upper and lower case letters; an identifier or a word rarely has digits too."""
    return any(c.isupper() for c in text) and any(c.islower() for c in text) and any(c in "0123456789+/" for c in text)


def _base64(text: str) -> tuple[str, bytes] | None:
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return "base64url", base64.urlsafe_b64decode(padded)
        return "base64", base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        try:
            return "base32", base64.b32decode(text)
        except (binascii.Error, ValueError):
            return None


def _token_candidates(text: str, start: int, end: int) -> Iterator[tuple[int, str, bytes]]:
    for match in BASE64_BLOB.finditer(text, start, end):
        blob = match.group(0)
        in_data_uri = DATA_URI.search(text, max(0, match.start() - 40), match.start())
        if _mixed(blob) and len(blob) <= MAX_BLOB and not in_data_uri and (decoded := _base64(blob)) is not None:
            yield match.start(), decoded[0], decoded[1]
    for match in HEX_BLOB.finditer(text, start, end):
        if len(match.group(0)) <= MAX_BLOB:
            yield match.start(), "hex", bytes.fromhex(match.group(0))
    if end - start < 40:
        return
    for match in BASE85_BLOB.finditer(text, start, end):
        blob = match.group(0)
        if len(blob) <= MAX_BLOB and _looks_base85(blob):
            try:
                yield match.start(), "base85", base64.b85decode(blob)
            except ValueError:
                continue


def _looks_base85(blob: str) -> bool:
    """Base85 of any payload is a near-uniform draw from 85 characters: many distinct ones, a quarter of them
    symbols, every class present. Code that happens to avoid spaces (`$client->beta->sessions->create(`) is
    repetitive and made of a few symbols."""
    distinct = set(blob)
    symbols = sum(ch in BASE85_SYMBOLS for ch in blob)
    return (
        len(distinct) >= min(len(blob), 64) * 0.45
        and len(distinct & set(BASE85_SYMBOLS)) >= 4
        and 0.1 <= symbols / len(blob) <= 0.45
        and any(ch.isdigit() for ch in blob)
        and any(ch.isupper() for ch in blob)
        and any(ch.islower() for ch in blob)
        and not BASE64_BLOB.fullmatch(blob)
        and "->" not in blob
    )


def _progression(data: bytes) -> bool:
    """1, 2, 3, 4, ...: a table or an index, not a payload."""
    steps = {data[i + 1] - data[i] for i in range(len(data) - 1)}
    return len(steps) <= 2


def _escaped(escaped: str) -> tuple[str, bytes]:
    if escaped.startswith("\\x"):
        return "\\x escapes", bytes.fromhex(escaped.replace("\\x", ""))
    if escaped.startswith("\\u"):
        return "\\u escapes", bytes(int(escaped[i + 2 : i + 6], 16) for i in range(0, len(escaped), 6))
    return "octal escapes", bytes(int(escaped[i + 1 : i + 4], 8) % 256 for i in range(0, len(escaped), 4))


def _candidates(text: str) -> Iterator[tuple[int, str, bytes]]:
    for token in LONG_TOKEN.finditer(text):  # base64, hex and base85 have no spaces: look in long tokens only
        yield from _token_candidates(text, token.start(), token.end())
    for match in ESCAPED_BYTES.finditer(text):
        yield match.start(), *_escaped(match.group(0))
    for match in BYTE_LIST.finditer(text):
        before, after = text[max(0, match.start() - 1) : match.start()], text[match.end() : match.end() + 1]
        if before in WORD_OR_DOT or after in WORD_OR_DOT:  # part of a version, a decimal or a name
            continue
        numbers = [int(n) for n in re.findall(r"\d+", match.group(0))]
        if max(numbers) > 255:
            continue
        data = bytes(numbers)
        if len(set(data)) >= MIN_DISTINCT_BYTES and not _progression(data):
            yield match.start(), "byte list", data
    for match in ASCII85_BLOB.finditer(text):
        try:
            yield match.start(), "ascii85", base64.a85decode(match.group(0), adobe=True)
        except ValueError:
            continue


def decoded_texts(text: str) -> list[Decoded]:
    """The readable texts hidden in `text` by an encoding, a compression or a one-byte cipher."""
    found: list[Decoded] = []
    key_searches = 0
    try:
        for count, (offset, how, data) in enumerate(_candidates(text)):
            if count >= MAX_BLOBS:
                break
            if (layers := _layers(data, how)) is not None:
                found.append(Decoded(offset, *layers))
            elif how in CIPHER_CARRIERS and key_searches < MAX_KEY_SEARCHES:
                key_searches += 1
                if (cipher := deciphered(data)) is not None:
                    found.append(Decoded(offset, f"{how} + {cipher[0]}", cipher[1]))
    except (ValueError, RecursionError, MemoryError):
        pass
    return found

"""The pure part of Python that `pyconst` interprets: the decoders, builtins, methods and operators it may
call on a script's own literals, each of them bounded in what it can build."""

from __future__ import annotations

import ast
import base64
import binascii
import bz2
import codecs
import lzma
import operator
import re
import zlib
from collections.abc import Callable

MAX_SIZE = 1 << 20  # characters, bytes or items in one value
MAX_INT_BITS = 65_536  # a product of two integers is refused past this


class Unknown(Exception):
    """The value depends on something outside the pure part, or on a budget that ran out."""


def _bounded_decompress(decompressor_factory: Callable, data: bytes) -> bytes:
    decompressor = decompressor_factory()
    out = decompressor.decompress(data, MAX_SIZE + 1)
    if len(out) > MAX_SIZE:
        raise Unknown
    return out


CODECS = frozenset({"rot13", "rot_13", "hex", "hex_codec", "base64", "base64_codec", "utf-8", "utf8", "ascii",
                    "latin-1", "latin1", "zlib", "zlib_codec", "bz2_codec", "uu"})  # fmt: skip


def _codecs_decode(data, encoding="utf-8", errors="strict"):
    name = str(encoding).lower()
    if name not in CODECS:
        raise Unknown
    if name in ("zlib", "zlib_codec"):
        return _bounded_decompress(zlib.decompressobj, data)
    return codecs.decode(data, name, errors)


# Module functions that decode or decompress: pure, and bounded in what they build.
MODULE_FUNCTIONS: dict[str, Callable] = {
    "base64.b64decode": base64.b64decode, "base64.b32decode": base64.b32decode,
    "base64.b16decode": base64.b16decode, "base64.a85decode": base64.a85decode,
    "base64.b85decode": base64.b85decode, "base64.urlsafe_b64decode": base64.urlsafe_b64decode,
    "base64.standard_b64decode": base64.standard_b64decode, "base64.decodebytes": base64.decodebytes,
    "base64.b64encode": base64.b64encode, "binascii.unhexlify": binascii.unhexlify,
    "binascii.a2b_base64": binascii.a2b_base64, "binascii.a2b_hex": binascii.a2b_hex,
    "codecs.decode": _codecs_decode,
    "zlib.decompress": lambda data, *_: _bounded_decompress(zlib.decompressobj, data),
    "gzip.decompress": lambda data: _bounded_decompress(lambda: zlib.decompressobj(47), data),
    "bz2.decompress": lambda data: _bounded_decompress(bz2.BZ2Decompressor, data),
    "lzma.decompress": lambda data: _bounded_decompress(lzma.LZMADecompressor, data),
}  # fmt: skip
MODULES = frozenset(name.split(".")[0] for name in MODULE_FUNCTIONS) | {"string"}
# Calls whose result hides its input from a reader: what they build counts as decoded.
DECODING = frozenset({"chr", "bytes", "bytearray", "translate", "maketrans", "fromhex", "decode", "reversed"})
DECODING |= frozenset(name.rsplit(".", 1)[1] for name in MODULE_FUNCTIONS if "decode" in name or "unhex" in name)
DECODING |= {"decompress", "a2b_base64", "a2b_hex", "unhexlify", "decodebytes"}


def pow_bounded(base, exponent, modulus=None):
    if modulus is None and (abs(exponent) > 64 or (isinstance(base, int) and abs(base) > 1 << 64)):
        raise Unknown
    return pow(base, exponent, modulus)


BUILTINS: dict[str, Callable] = {
    "chr": chr, "ord": ord, "bytes": bytes, "bytearray": bytearray, "str": str, "int": int, "len": len,
    "range": range, "list": list, "tuple": tuple, "reversed": reversed, "sorted": sorted, "zip": zip,
    "enumerate": enumerate, "map": map, "filter": filter, "pow": pow_bounded, "abs": abs, "min": min, "max": max,
    "sum": sum, "hex": hex, "divmod": divmod, "bool": bool, "dict": dict, "set": set, "any": any, "all": all,
    "isinstance": isinstance, "iter": iter, "next": next,
}  # fmt: skip
# Methods of str, bytes, list and dict that compute, or that fill a list or dict the script owns.
METHODS = frozenset({
    "join", "replace", "split", "rsplit", "strip", "lstrip", "rstrip", "lower", "upper", "encode", "decode",
    "translate", "maketrans", "format", "startswith", "endswith", "find", "index", "count", "zfill", "rjust",
    "ljust", "partition", "rpartition", "splitlines", "swapcase", "title", "capitalize", "hex", "fromhex",
    "append", "extend", "insert", "pop", "reverse", "copy", "get", "items", "keys", "values", "update",
    "isdigit", "isalpha", "isalnum", "isupper", "islower",
})  # fmt: skip
BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod, ast.BitXor: operator.xor, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
    ast.LShift: operator.lshift, ast.RShift: operator.rshift, ast.Div: operator.truediv,
}  # fmt: skip
COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}  # fmt: skip


# Builtins that take a large number without building something that large.
NUMERIC = frozenset({pow_bounded, hex, divmod, abs, min, max, bool, int, str, chr, ord, isinstance})
WIDE_FORMAT = re.compile(r"\d{5,}")


def check_argument(value: object, function: object) -> None:
    """Refuse a call that would build something huge: bytes(10**9), "x".zfill(10**9), list(range(10**12))."""
    if isinstance(value, bool):
        return
    if isinstance(value, int) and abs(value) > MAX_SIZE and function not in NUMERIC:
        raise Unknown
    if isinstance(value, range) and len(value) > MAX_SIZE:
        raise Unknown
    template = getattr(function, "__self__", None)
    if getattr(function, "__name__", "") == "format" and isinstance(template, str) and WIDE_FORMAT.search(template):
        raise Unknown


ITERABLES = (str, bytes, bytearray, list, tuple, dict, set, range, zip, map, filter, enumerate, type(reversed([])))


def size_of(value: object) -> int:
    return len(value) if isinstance(value, str | bytes | bytearray | list | tuple | dict | set) else 0

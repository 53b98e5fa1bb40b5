"""What the data-flow passes share: taint labels, what they report, and the code a folder holds.

A label says where a value came from: `secret` (a credential file, a key store, a browser store), `env`
(the whole environment), `secret_env` (one secret-named variable), `decoded` (base64 and friends),
`remote` (downloaded), `path` (a string naming a credential file, not read yet), `loaded` (read from a file
outside the skill folder, such as /tmp/.cache). A label carries the
place it was created (`secret@collect.py:12`), so a finding can say where the data came from.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from skillwarden.core.security.scan.model import CRIT, HIGH, Hit

SECRET, ENV, SECRET_ENV, DECODED, REMOTE, PATH = "secret", "env", "secret_env", "decoded", "remote", "path"
LOADED = "loaded"  # read from a file outside the skill folder
# Labels whose data must not leave the machine; `secret_env` alone is how APIs are called, so it counts
# only in a request body (never in a header).
LEAKED = frozenset({SECRET, ENV})
CODE_LABELS = frozenset({DECODED, REMOTE})

# Names of variables that hold credentials; a database URL or DSN carries its password.
SECRET_NAME = re.compile(
    r"(?i)(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|DATABASE_URL|_DSN\b|CONNECTION_STRING)"
)


def dotted(node: ast.AST) -> str:
    """`a.b.c` for a Name/Attribute chain of a Python syntax tree, the last part alone for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def label(kind: str, file: str, line: int) -> str:
    return f"{kind}@{file}:{line}"


def kind_of(value: str) -> str:
    return value.split("@", 1)[0]


def kinds(labels: Iterable[str]) -> set[str]:
    return {kind_of(value) for value in labels}


def origin(labels: Iterable[str], wanted: Iterable[str]) -> str:
    """Where the first label of a wanted kind was created ("collect.py:12"), for the message."""
    wanted = set(wanted)
    places = sorted(value.split("@", 1)[1] for value in labels if "@" in value and kind_of(value) in wanted)
    return places[0] if places else "?"


WHAT = {SECRET: "credentials", ENV: "the whole environment", SECRET_ENV: "a secret environment variable"}


@dataclass(frozen=True)
class Built:
    """A string the code builds at run time from its own literals, which the line rules then read."""

    file: str
    line: int
    text: str
    how: str  # "decoded by the script", "assembled from shell variables", ...
    decoded: bool  # a decoding step (base64, XOR, chr, ...) built it: hidden on purpose
    sink: str = ""  # "exec" when it is run, "print" when it is printed for the agent to read


@dataclass
class FlowResult:
    """Hits of one pass, the sources and sends it saw (file, line, what) for folder-level rules, and the
    strings it saw the code build."""

    hits: list[tuple[str, int, Hit]] = field(default_factory=list)
    sources: list[tuple[str, int, str]] = field(default_factory=list)
    sends: list[tuple[str, int, str]] = field(default_factory=list)
    built: list[Built] = field(default_factory=list)

    def extend(self, other: FlowResult) -> None:
        self.hits += other.hits
        self.sources += other.sources
        self.sends += other.sends
        self.built += other.built


def leak_hit(labels: set[str], column: int = 0, *, in_body: bool = True) -> Hit | None:
    """The finding for data with `labels` reaching a network send, or None if nothing sensitive flows."""
    found = kinds(labels)
    leaked = found & LEAKED
    if leaked:
        what = " and ".join(WHAT[k] for k in sorted(leaked))
        return Hit(
            "exfiltration", CRIT, "exfiltration_flow",
            f"sends {what} (read at {origin(labels, leaked)}) over the network", column,
        )  # fmt: skip
    if SECRET_ENV in found and in_body:
        return Hit(
            "exfiltration", HIGH, "secret_env_in_request_body",
            f"puts a secret environment variable (read at {origin(labels, {SECRET_ENV})}) into a request body",
            column,
        )  # fmt: skip
    return None


def exec_hit(labels: set[str], column: int = 0) -> Hit | None:
    """The finding for decoded or downloaded data reaching code execution."""
    found = kinds(labels)
    if REMOTE in found:
        return Hit(
            "supply_chain", CRIT, "remote_code_execution",
            f"runs code downloaded at {origin(labels, {REMOTE})} without review", column,
        )  # fmt: skip
    if DECODED in found:
        return Hit(
            "obfuscation", CRIT, "decoded_code_execution",
            f"runs code decoded at {origin(labels, {DECODED})}, so a reviewer cannot read what runs", column,
        )  # fmt: skip
    if LOADED in found:
        return Hit(
            "code_execution", HIGH, "external_code_execution",
            f"runs code read from a file outside the skill (at {origin(labels, {LOADED})}), which a reviewer "
            "never sees", column,
        )  # fmt: skip
    return None

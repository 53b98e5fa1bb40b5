"""The workspace's secret key, which keys the digests in redaction placeholders (`core.security.redact`).

It is created once, at random, beside the cache and never committed: whoever reads a shared skill sees
`[REDACTED:url_password:1a2b3c4d]` but cannot test guesses against it. Every process that redacts the
workspace's text (the ingesting process, its workers, the mining process) uses the same key, so one
secret has one placeholder everywhere, and a rebuild of the cache gives the placeholders it had.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from skillwarden.core.security.redact import set_placeholder_key
from skillwarden.core.workspace.config import Config, ConfigError
from skillwarden.core.workspace.private_files import make_private, open_private, private_directory

KEY_BYTES = 32
KEY_TEXT = re.compile(r"[0-9a-f]{64}")


def load_or_create_key(path: Path) -> bytes:
    """The key stored at `path`, created (readable by its owner only) if there is none yet.

    The new key is written whole to a temporary file and then linked into place, which fails if another
    process got there first: every process ends up reading one complete key.
    """
    if not path.exists():
        private_directory(path.parent)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = open_private(temporary, os.O_WRONLY | os.O_TRUNC)
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(KEY_BYTES) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process created it meanwhile: use theirs
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    make_private(path)  # a key an older version created with the umask's mode
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if not KEY_TEXT.fullmatch(text):
        raise ConfigError(
            f"{path}: not a redaction key (64 hex digits expected); delete it to create a new one "
            "(placeholders of secrets redacted from then on will differ from those already stored)"
        )
    return bytes.fromhex(text)


def use_workspace_key(config: Config) -> None:
    """Key this process's redaction placeholders with the workspace's key."""
    set_placeholder_key(load_or_create_key(config.redaction_key_file))

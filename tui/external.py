"""The command that opens a trace file at a line in the reviewer's own pager or editor."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping

from skillwarden.core.model import path_line

DEFAULTS = {"pager": "less", "editor": "vi"}
# Editors that take `file:line` (with `-g` for the VS Code family) instead of the `+LINE file` most
# pagers and editors (less, more, vi, vim, nvim, nano, emacs, kak) understand.
GOTO_FLAG = {"code", "code-insiders", "codium", "cursor", "windsurf"}
COLON_LINE = {"subl", "hx", "helix", "zed", "micro"}


def viewer_command(kind: str, path: str, line: int | None, env: Mapping[str, str] = os.environ) -> list[str]:
    """`kind` is "pager" ($PAGER, else less) or "editor" ($VISUAL, $EDITOR, else vi)."""
    names = ("PAGER",) if kind == "pager" else ("VISUAL", "EDITOR")
    configured = next((env[name] for name in names if env.get(name, "").strip()), DEFAULTS[kind])
    command = shlex.split(configured)
    program = os.path.basename(command[0])
    if line is None:
        return [*command, path]
    if program in GOTO_FLAG:
        return [*command, "-g", path_line(path, line)]
    if program in COLON_LINE:
        return [*command, path_line(path, line)]
    return [*command, f"+{line}", path]

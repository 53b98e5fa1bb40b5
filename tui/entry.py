"""The `skillwarden` program: the prompt hook on its own short path, everything else through `cli.main`.

An agent runs the hook (`skillwarden --home WS hook run`) on every prompt its user submits, so it must
start in milliseconds: it is recognized from the arguments before the command line (and the git, mining
and cache modules it imports) is loaded. The same command through `cli.main` gives the same answer.
"""

from __future__ import annotations

import sys
from pathlib import Path

HOOK_RUN = ["hook", "run"]


def hook_home(argv: list[str]) -> Path | None:
    """The workspace of exactly `--home WS hook run` (or `--home=WS hook run`), else None."""
    if argv[-2:] != HOOK_RUN:
        return None
    options = argv[:-2]
    if len(options) == 2 and options[0] == "--home" and options[1]:
        return Path(options[1]).expanduser()
    if len(options) == 1 and options[0].startswith("--home=") and len(options[0]) > len("--home="):
        return Path(options[0].removeprefix("--home=")).expanduser()
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    home = hook_home(argv)
    if home is not None:
        from skillwarden.skills.prompt_hook import main as run_hook

        return run_hook(home)
    from skillwarden.tui.cli import main as run_cli

    return run_cli(argv)


if __name__ == "__main__":
    sys.exit(main())

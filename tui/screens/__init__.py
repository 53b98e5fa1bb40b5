"""The review screens, one module each (or a small group): they bind the registry's actions that apply on
them, run those actions themselves, and ask the app (`base.ReviewHost`) for data and background work. Their
styles sit beside them (`<screen>.tcss`). Importing this package loads no screen: the queue's first frame
waits only for `queue` and `base`."""

from __future__ import annotations

from pathlib import Path


def styles(name: str) -> str:
    """A screen's styles, from the file `name` beside the screen modules, for its `DEFAULT_CSS`: parsed once,
    when the screen is first built, and applied within that screen only. (A screen's `CSS_PATH` would make
    Textual parse every stylesheet of the app again when the screen is first shown, the queue's before the
    first frame.)"""
    return (Path(__file__).parent / name).read_text(encoding="utf-8")

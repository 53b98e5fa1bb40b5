"""The facts mining asks of every step (its token, whether it runs tests, the files it changes, whether it
creates one, the program it runs), derived once when the step is stored and read back with it: mining
then lexes no command line again, where otherwise it would redo in its own process what the ingest
workers did in theirs.

Stored facts carry the version of the code that derives them (`FACTS_VERSION`, a digest of that code's
source): facts of any other version are not used, and the questions are asked afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import orjson

from skillwarden.core.model import Step
from skillwarden.core.signals import commands, normalize, steps
from skillwarden.core.signals.normalize import normalize_step
from skillwarden.core.signals.steps import changed_paths, creates_file, is_test_step, remember, shell_program

# What each fact is kept as on a step (the name its question passes to `remembered`), and that question,
# in the order they are stored.
FACTS = (
    ("_token", normalize_step),
    ("_test", is_test_step),
    ("_changed", changed_paths),
    ("_creates", creates_file),
    ("_program", shell_program),
)


def source_digest(paths: list[str | None]) -> str:
    """A digest of the files' bytes: any edit of the code that derives the facts is a new version, with
    nobody having to remember to say so. Code whose source cannot be read gets a version of its own."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            digest.update(Path(path).read_bytes())  # type: ignore[arg-type]
        except (OSError, TypeError):
            digest.update(os.urandom(16))
    return digest.hexdigest()[:16]


FACTS_VERSION = source_digest([module.__file__ for module in (commands, normalize, steps)] + [__file__])


def encoded_facts(step: Step) -> str:
    """The step's facts as stored: JSON, the version first."""
    values = [FACTS_VERSION, *(question(step) for _, question in FACTS)]
    try:
        return orjson.dumps(values).decode()
    except TypeError:  # orjson refuses lone surrogates (a hostile file name): json escapes them
        return json.dumps(values)


def seed_facts(step: Step, stored: str | None) -> bool:
    """Take stored facts as the step's answers if the version that derived them is this one; False if not."""
    if not stored:
        return False
    try:
        values = orjson.loads(stored)
    except ValueError:
        try:
            values = json.loads(stored)
        except ValueError:
            return False
    if not isinstance(values, list) or len(values) != len(FACTS) + 1 or values[0] != FACTS_VERSION:
        return False
    token, test, changed, creates, program = values[1:]
    for (what, _), value in zip(FACTS, (token, test, tuple(changed), creates, program), strict=True):
        remember(step, what, value)
    return True

"""An optional external describer: a program that reads a candidate as JSON on stdin and writes
`{"name": ..., "description": ...}` on stdout, to polish the deterministic text.

Whatever goes wrong (no program, a timeout, a non-zero exit, output that is not that JSON, a name the
Agent Skills standard refuses, a description that is too long or talks to the extractor) falls back to
the deterministic name and description, so extraction never depends on it.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import dataclass

from skillwarden.core.describe import is_steering
from skillwarden.skills.skill_md import MAX_DESCRIPTION, SkillFormatError, validate_name

DEFAULT_TIMEOUT = 20.0
MAX_OUTPUT_BYTES = 64 * 1024


@dataclass(frozen=True)
class Description:
    name: str
    description: str
    polished: bool  # True when the describer's text was used


def run_describer(command: str, candidate: dict, timeout: float = DEFAULT_TIMEOUT) -> dict | None:
    """The describer's parsed JSON object, or None if it could not give one."""
    try:
        completed = subprocess.run(
            shlex.split(command), input=json.dumps(candidate), capture_output=True, text=True, timeout=timeout,
            check=False,
        )  # fmt: skip
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0 or len(completed.stdout) > MAX_OUTPUT_BYTES:
        return None
    try:
        data = json.loads(completed.stdout)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def acceptable(data: dict | None) -> bool:
    if not data or not isinstance(data.get("name"), str) or not isinstance(data.get("description"), str):
        return False
    try:
        validate_name(data["name"])
    except SkillFormatError:
        return False
    description = data["description"].strip()
    return 0 < len(description) <= MAX_DESCRIPTION and "\n" not in description and not is_steering(description)


def polish(
    command: str | None, candidate: dict, name: str, description: str, timeout: float = DEFAULT_TIMEOUT
) -> Description:
    """The describer's name and description when `command` is set and its answer is acceptable."""
    if not command:
        return Description(name, description, polished=False)
    data = run_describer(command, candidate, timeout)
    if not acceptable(data):
        return Description(name, description, polished=False)
    return Description(data["name"], data["description"].strip(), polished=True)

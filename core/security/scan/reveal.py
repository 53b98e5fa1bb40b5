"""Findings about text a skill hides: strings its code builds or decodes at run time, and encoded blobs in any
file. Each hidden text is read by the line rules like a visible line; hiding it is a finding of its own when
the code runs or prints what it decoded."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from skillwarden.core.security.scan.decoding import decoded_texts
from skillwarden.core.security.scan.files import TextFile
from skillwarden.core.security.scan.flow import Built
from skillwarden.core.security.scan.lines import LineRules
from skillwarden.core.security.scan.model import CRIT, HIGH, MED, SEVERITY_RANK, Finding, Hit, Severity, excerpt

MAX_HIDDEN_LINES = 400  # lines of one hidden text read by the rules
URL_ONLY = re.compile(r"\s*(?:https?|wss?|ftp)://\S+\s*")


def _at_least(severity: Severity, floor: Severity) -> Severity:
    return severity if SEVERITY_RANK[severity] >= SEVERITY_RANK[floor] else floor


def hidden_hits(text: str) -> Iterator[tuple[str, Hit]]:
    """(the hidden line, a hit of medium or worse on it)."""
    lines = text.split("\n")[:MAX_HIDDEN_LINES]
    rules = LineRules.for_text("\n".join(lines).lower())
    for line in lines:
        for hit in rules.hits(line):
            if SEVERITY_RANK[hit.severity] >= SEVERITY_RANK[MED]:
                yield line, hit


def built_findings(built: Iterable[Built], texts: list[TextFile]) -> list[Finding]:
    """What the rules find in the strings code builds, and code that runs or prints what it decoded."""
    lines = {file.path: file.text.split("\n") for file in texts}
    findings: list[Finding] = []
    for item in built:
        source = lines.get(item.file, [])
        shown_source = excerpt(source[item.line - 1], 0) if 0 < item.line <= len(source) else ""
        hits = list(hidden_hits(item.text))
        for hidden, hit in hits:
            severity = _at_least(hit.severity, HIGH) if item.decoded else hit.severity
            findings.append(Finding(
                hit.category, severity, item.line, shown_source, f"hidden_{hit.rule}",
                f"{item.how}, a string that {hit.message}: {excerpt(hidden, hit.column)!r}", item.file,
            ))  # fmt: skip
        if item.decoded and item.sink == "exec" and not hits:
            findings.append(Finding(
                "obfuscation", CRIT, item.line, shown_source, "decoded_code_execution",
                f"runs code it decodes at run time: {excerpt(item.text, 0)!r}", item.file,
            ))  # fmt: skip
        elif item.decoded and item.sink == "print":
            findings.append(Finding(
                "obfuscation", HIGH, item.line, shown_source, "decoded_instructions_output",
                f"prints text it decodes at run time, which the agent running it reads as instructions: "
                f"{excerpt(item.text, 0)!r}", item.file,
            ))  # fmt: skip
        elif item.decoded and not hits and URL_ONLY.fullmatch(item.text):
            findings.append(Finding(
                "obfuscation", MED, item.line, shown_source, "decoded_url",
                f"decodes a web address at run time, hiding where it connects: {excerpt(item.text, 0)!r}", item.file,
            ))  # fmt: skip
    return findings


def encoded_text_built(file: TextFile) -> list[Built]:
    """The encoded blobs of a file that decode to readable text, as strings for the rules to read."""
    found = []
    for decoded in decoded_texts(file.text):
        line = file.text.count("\n", 0, decoded.offset) + 1
        found.append(Built(file.path, line, decoded.text, f"{decoded.how}-encoded text", decoded=True))
    return found

"""What a scan reports: severities, verdicts, findings and the report, shared by every check."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from skillwarden.core.security.redact import redact
from skillwarden.core.security.scan.chars import escape_invisible

# Bumped whenever the rules change what they find, so a commit's trailer says which rules passed it.
SCANNER_VERSION = "4"
EXCERPT_WIDTH = 120


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}
CRIT, HIGH, MED, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


class Verdict(enum.StrEnum):
    SAFE = "safe"
    CAUTION = "caution"
    DANGEROUS = "dangerous"


VERDICT_RANK = {Verdict.SAFE: 0, Verdict.CAUTION: 1, Verdict.DANGEROUS: 2}


@dataclass(frozen=True)
class Finding:
    category: str
    severity: Severity
    line: int  # 1-based; 0 when the finding is about a whole file or folder
    excerpt: str  # redacted, with invisible characters escaped
    rule: str
    message: str
    file: str = ""  # relative to the skill folder ("a.zip!b/c.py" inside an archive); "" for a lone text

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": str(self.severity),
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "excerpt": self.excerpt,
        }


@dataclass(frozen=True)
class ScanReport:
    verdict: Verdict
    findings: tuple[Finding, ...]
    scanner_version: str

    def to_json(self) -> dict:
        return {
            "verdict": str(self.verdict),
            "scanner_version": self.scanner_version,
            "findings": [finding.to_json() for finding in self.findings],
        }


@dataclass(frozen=True)
class Hit:
    """A finding before it knows its line: what a checker reports about one logical line."""

    category: str
    severity: Severity
    rule: str
    message: str
    column: int = 0


def verdict_of(findings: tuple[Finding, ...]) -> Verdict:
    """Critical is never applied (dangerous); high and medium need a human (caution); low alone is safe."""
    severities = {finding.severity for finding in findings}
    if CRIT in severities:
        return Verdict.DANGEROUS
    if severities & {HIGH, MED}:
        return Verdict.CAUTION
    return Verdict.SAFE


def excerpt(line: str, column: int) -> str:
    """A short, redacted, escaped piece of `line` around `column`: safe to store and to print."""
    shown = escape_invisible(redact(line)).strip()
    if len(shown) <= EXCERPT_WIDTH:
        return shown
    start = max(0, min(column - EXCERPT_WIDTH // 3, len(shown) - EXCERPT_WIDTH))
    return (
        ("…" if start else "")
        + shown[start : start + EXCERPT_WIDTH]
        + ("…" if start + EXCERPT_WIDTH < len(shown) else "")
    )


def ordered(findings) -> tuple[Finding, ...]:
    """Findings in reading order: by file, then line, the most severe first on a line."""
    return tuple(sorted(findings, key=lambda f: (f.file, f.line, -SEVERITY_RANK[f.severity], f.rule)))


def report_of(findings) -> ScanReport:
    kept = ordered(findings)
    return ScanReport(verdict_of(kept), kept, SCANNER_VERSION)

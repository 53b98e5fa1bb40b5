"""Scan results as SARIF 2.1.0, the format code-scanning pages (GitHub, GitLab, IDEs) read."""

from __future__ import annotations

from collections.abc import Sequence

from skillwarden.core.security.scan.model import SCANNER_VERSION, ScanReport, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
# GitHub orders alerts by this number (0-10).
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.0", Severity.LOW: "2.0"}


def to_sarif(results: Sequence[tuple[str, ScanReport]]) -> dict:
    """(skill folder as the user named it, report) pairs -> one SARIF log with one run."""
    rules: dict[str, dict] = {}
    entries = []
    for folder, report in results:
        for finding in report.findings:
            rules.setdefault(finding.rule, {
                "id": finding.rule,
                "name": finding.rule,
                "shortDescription": {"text": finding.message[:200]},
                "properties": {"tags": ["security", finding.category],
                               "security-severity": SECURITY_SEVERITY[finding.severity]},
            })  # fmt: skip
            file = finding.file.split("!", 1)[0]
            uri = f"{folder.rstrip('/')}/{file}" if file else f"{folder.rstrip('/')}/SKILL.md"
            location: dict = {"artifactLocation": {"uri": uri}}
            if finding.line > 0:
                location["region"] = {"startLine": finding.line, "snippet": {"text": finding.excerpt}}
            inside = f" (in {finding.file.split('!', 1)[1]})" if "!" in finding.file else ""
            entries.append({
                "ruleId": finding.rule,
                "level": LEVEL[finding.severity],
                "message": {"text": f"{finding.message}{inside}"},
                "locations": [{"physicalLocation": location}],
                "properties": {"severity": str(finding.severity), "category": finding.category,
                               "verdict": str(report.verdict)},
            })  # fmt: skip
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "skillwarden", "version": SCANNER_VERSION, "rules": list(rules.values())}},
                "results": entries,
            }
        ],
    }

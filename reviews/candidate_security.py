"""What a candidate's security verdict rests on: the scan of its text (a skill as the folder agents will load)
and the flags its evidence raised (`core.security.injection`), each a finding with its line."""

from __future__ import annotations

from skillwarden.core.security.scan import scan_files, scan_text


def security_report(text: str) -> dict:
    return scan_text(text).to_json()


def skill_security_report(skill_md: str) -> dict:
    """A skill candidate is scanned as the folder it becomes (its manifest checked too), as the commit is."""
    return scan_files({"SKILL.md": skill_md.encode("utf-8")}).to_json()


# Evidence flags by how bad they are: hidden text and data sent out are never applied; the rest needs a human.
FLAG_SEVERITY = {"hidden_text": "critical", "exfiltration": "critical"}


REPORT_VERDICT_RANK = {"unscanned": -1, "safe": 0, "caution": 1, "dangerous": 2}


def seen_elsewhere(count: int) -> str:
    return f" (and {count - 1} more)" if count > 1 else ""


def with_provenance_flags(report: dict, flags: list[dict]) -> dict:
    """The scan report with a finding per flagged evidence text (its line, shown cleaned and redacted) and
    its verdict raised to caution, or dangerous for hidden text and exfiltration endpoints."""
    if not flags:
        return report
    findings = list(report.get("findings", []))
    verdict = report.get("verdict", "unscanned")
    for flag in flags:
        severity = FLAG_SEVERITY.get(flag["rule"], "high")
        finding = {
            "category": "prompt_injection" if severity == "high" else flag["rule"], "severity": severity,
            "line": flag["line"], "excerpt": flag["excerpt"], "rule": f"evidence_{flag['rule']}",
            "message": f"{flag['where']}{seen_elsewhere(flag.get('count', 1))}: {flag['reason']}",
        }  # fmt: skip
        if finding not in findings:
            findings.append(finding)
        flagged = "dangerous" if severity == "critical" else "caution"
        verdict = max(verdict, flagged, key=lambda name: REPORT_VERDICT_RANK.get(name, -1))
    return {**report, "verdict": verdict, "findings": findings}

"""Security scan of a skill folder, a candidate skill or a harness change, before review, before commit
and on demand (`skillwarden scan`).

Skills are mined from untrusted traces and then loaded by agents, so a skill is a path from whatever an
agent once read (a web page, a README, a tool result) into every later session; a skill installed from
elsewhere is the same path. The scanner looks for exfiltration, credential theft, prompt injection,
destructive commands, persistence, obfuscation, supply-chain installs, exposed secrets and reverse shells:
line rules behind cheap gates (`lines`, `commands`, `gates`), hidden text (`hidden`), data flow across lines
and files in shell, Python and JavaScript (`shflow`, `pyflow`, `jsflow`), what code builds or decodes at run
time and what encoded blobs hold (`pyconst`, `purepy`, `decoding`, `reveal`), decoding procedures in prose
(`instructions`), typosquatted packages (`supply`, `popular`), and the manifest against the behaviour
(`manifest`).

Findings are tiered so that documentation which merely mentions a risky thing is not blocked: "update
AGENTS.md" in prose is low, `echo ... >> AGENTS.md` is high; `rm -rf build/` is nothing, `rm -rf ~` is
critical. The verdict maps onto the review rules: critical is never applied (dangerous), high and medium
need a human (caution), low alone is safe. A file the scanner cannot read is at least medium: what nobody
can inspect is never called safe.
"""

from __future__ import annotations

from collections.abc import Mapping

from skillwarden.core.security.scan.files import TextFile
from skillwarden.core.security.scan.model import (
    SCANNER_VERSION,
    SEVERITY_RANK,
    VERDICT_RANK,
    Finding,
    ScanReport,
    Severity,
    Verdict,
    report_of,
    verdict_of,
)
from skillwarden.core.security.scan.skill import find_skill_folders, flow_findings, flows_of, scan_files, scan_folder
from skillwarden.core.security.scan.text import text_findings

__all__ = [
    "SCANNER_VERSION", "SEVERITY_RANK", "VERDICT_RANK", "Finding", "ScanReport", "Severity", "Verdict",
    "find_skill_folders", "scan_content", "scan_files", "scan_folder", "scan_text", "verdict_of",
]  # fmt: skip


def scan_text(text: str) -> ScanReport:
    """Scan one text (a SKILL.md, a bundle file, a harness diff): the line rules, and the data flow through
    its fenced code."""
    texts = [TextFile("", text)]
    return report_of([*text_findings(text), *flow_findings(texts, flows_of(texts))])


def scan_content(content: str | Mapping[str, bytes]) -> ScanReport:
    """What the library's commits go through: a skill folder as {path: bytes}, or a text (a harness diff)."""
    return scan_text(content) if isinstance(content, str) else scan_files(content)

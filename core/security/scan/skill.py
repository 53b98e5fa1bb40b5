"""The whole-folder scan: every file of a skill through the line rules, its code through the data-flow
passes, its manifest against its behaviour, and what could not be read as findings of its own."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath

from skillwarden.core.security.scan.decoding import decoded_texts
from skillwarden.core.security.scan.files import TextFile, read_files, read_folder
from skillwarden.core.security.scan.flow import Built, FlowResult
from skillwarden.core.security.scan.instructions import check_decoding_instructions
from skillwarden.core.security.scan.jsflow import script_flow
from skillwarden.core.security.scan.manifest import (
    CODE_SUFFIXES,
    check_allowed_tools,
    check_correlation,
    check_endpoints,
)
from skillwarden.core.security.scan.model import CRIT, Finding, ScanReport, excerpt, report_of
from skillwarden.core.security.scan.pyflow import python_flow
from skillwarden.core.security.scan.reveal import built_findings, encoded_text_built
from skillwarden.core.security.scan.shflow import shell_flow
from skillwarden.core.security.scan.supply import check_typosquats
from skillwarden.core.security.scan.text import text_findings

SKILL_FILE = "SKILL.md"
PYTHON, SHELL, SCRIPT = "python", "shell", "script"
SUFFIX_LANGUAGE = {
    ".py": PYTHON, ".pyw": PYTHON, ".sh": SHELL, ".bash": SHELL, ".zsh": SHELL, ".ksh": SHELL, ".command": SHELL,
    ".js": SCRIPT, ".mjs": SCRIPT, ".cjs": SCRIPT, ".ts": SCRIPT, ".tsx": SCRIPT, ".jsx": SCRIPT, ".mts": SCRIPT,
}  # fmt: skip
FENCE_LANGUAGE = {
    "python": PYTHON, "py": PYTHON, "python3": PYTHON, "bash": SHELL, "sh": SHELL, "shell": SHELL, "zsh": SHELL,
    "console": SHELL, "shell-session": SHELL, "": SHELL, "js": SCRIPT, "javascript": SCRIPT, "ts": SCRIPT,
    "typescript": SCRIPT, "node": SCRIPT, "jsx": SCRIPT, "tsx": SCRIPT,
}  # fmt: skip
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx", ".txt", ""})
FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n(.*?)^[ \t]{0,3}\1[ \t]*$", re.M | re.S)
PROMPT = re.compile(r"(?m)^\s*\$ ")


def code_units(file: TextFile) -> Iterator[tuple[str, int, str]]:
    """(language, first line, source) of the code in a file: the file itself, or a Markdown file's fences."""
    name = PurePosixPath(file.path.rsplit("!", 1)[-1])
    suffix = name.suffix.lower()
    if language := SUFFIX_LANGUAGE.get(suffix):
        yield language, 1, file.text
        return
    first = file.text[:200].split("\n", 1)[0]
    if first.startswith("#!"):
        yield (PYTHON if "python" in first else SCRIPT if "node" in first else SHELL), 1, file.text
        return
    if suffix in MARKDOWN_SUFFIXES:
        for fence in FENCE.finditer(file.text):
            language = FENCE_LANGUAGE.get(fence.group(2).lower())
            if language is not None:
                first_line = file.text.count("\n", 0, fence.start(3)) + 1
                source = PROMPT.sub("", fence.group(3)) if language == SHELL else fence.group(3)
                yield language, first_line, source


def flows_of(texts: list[TextFile]) -> FlowResult:
    result = FlowResult()
    python_units = []
    in_scripts: set[str] = set()
    for file in texts:
        for language, first_line, source in code_units(file):
            if first_line == 1:
                in_scripts.add(file.path)
            if language == PYTHON:
                python_units.append((file.path, first_line, source))
            else:
                result.extend((shell_flow if language == SHELL else script_flow)(file.path, first_line, source))
    result.extend(python_flow(python_units))
    # Examples in documentation read keys and call APIs side by side; only scripts count for correlation.
    result.sources = [source for source in result.sources if source[0] in in_scripts]
    result.sends = [send for send in result.sends if send[0] in in_scripts]
    return result


def hidden_text(texts: list[TextFile], flows: FlowResult) -> list[Built]:
    """The strings code builds, the encoded blobs of every file, and what the built strings decode to."""
    built = [*flows.built, *(item for file in texts for item in encoded_text_built(file))]
    for item in flows.built:
        for decoded in decoded_texts(item.text):
            built.append(Built(item.file, item.line, decoded.text, f"{item.how} {decoded.how}-encoded text", True,
                               item.sink))  # fmt: skip
    return built


def flow_findings(texts: list[TextFile], flows: FlowResult) -> list[Finding]:
    """The findings of the data-flow passes and of the hidden text they and the decoders found."""
    lines = {file.path: file.text.split("\n") for file in texts}
    findings = built_findings(hidden_text(texts, flows), texts)
    for path, line, hit in flows.hits:
        source = lines.get(path, [])
        shown = source[line - 1] if 0 < line <= len(source) else ""
        findings.append(
            Finding(hit.category, hit.severity, line, excerpt(shown, hit.column), hit.rule, hit.message, path)
        )
    return findings


def scan_texts(texts: list[TextFile], findings: list[Finding]) -> ScanReport:
    """Everything the scan finds in a folder's texts, with `findings` already made while reading it."""
    found = list(findings)
    for file in texts:
        found += text_findings(file.text, file.path)
        found += check_endpoints(file.path, file.text)
        if PurePosixPath(file.path.rsplit("!", 1)[-1]).suffix.lower() in MARKDOWN_SUFFIXES:
            found += check_decoding_instructions(file.path, file.text)
    flows = flows_of(texts)
    found += flow_findings(texts, flows)
    skill_md = next((file.text for file in texts if file.path == SKILL_FILE), "")
    code_files = [f.path for f in texts if PurePosixPath(f.path).suffix.lower() in CODE_SUFFIXES]
    runs_commands = any(language == "shell" for f in texts if f.path == SKILL_FILE for language, _, _ in code_units(f))
    found += check_allowed_tools(skill_md, code_files, runs_commands)
    code = {f.path: [(line, source) for language, line, source in code_units(f) if language != PYTHON] for f in texts}
    found += check_typosquats(texts, code)
    found += check_correlation(flows, any(f.severity == CRIT and f.category == "exfiltration" for f in found))
    return report_of(_unique(found))


def _unique(findings: Iterable[Finding]) -> Iterator[Finding]:
    seen = set()
    for finding in findings:
        key = (finding.file, finding.line, finding.rule)
        if key not in seen:
            seen.add(key)
            yield finding


def scan_files(files: Mapping[str, bytes]) -> ScanReport:
    """Scan a skill folder given as {relative path: content}, e.g. as it is about to be committed."""
    reader = read_files(files)
    return scan_texts(reader.texts, reader.findings)


def scan_folder(root: Path) -> ScanReport:
    """Scan every file under `root`: SKILL.md, scripts, references, configuration, archives."""
    reader = read_folder(Path(root))
    return scan_texts(reader.texts, reader.findings)


def find_skill_folders(path: Path) -> list[Path]:
    """The folders holding a SKILL.md at or under `path` (a SKILL.md file names its own folder); a skill's
    own subfolders are part of it, not skills of their own."""
    path = Path(path)
    if path.is_file():
        return [path.parent] if path.name == SKILL_FILE else []
    found = []
    for directory, subdirectories, names in os.walk(path):
        if SKILL_FILE in names:
            found.append(Path(directory))
            subdirectories[:] = []
        else:
            subdirectories[:] = sorted(d for d in subdirectories if d not in (".git", "node_modules", ".venv"))
    return sorted(found)

"""Checks on what a skill says about itself against what it does: the SKILL.md frontmatter (`allowed-tools`,
`description`), endpoints written into code and configuration, and credentials read by a skill that also
talks to the network."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

import yaml

from skillwarden.core.security.scan.flow import FlowResult
from skillwarden.core.security.scan.model import HIGH, LOW, MED, Finding, excerpt
from skillwarden.core.security.scan.patterns import DROP_HOST

FRONTMATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
MAX_FRONTMATTER = 64 * 1024
# Tools that let an agent run a program: a shell, or an interpreter that runs the skill's scripts.
SHELL_TOOLS = re.compile(
    r"(?i)\b(?:bash|shell|sh|zsh|terminal|execute|exec|run\w*|command|computer|python\w*|node|code\w*|script\w*)\b"
)
CODE_SUFFIXES = frozenset({".py", ".sh", ".bash", ".zsh", ".js", ".mjs", ".cjs", ".ts", ".ps1", ".rb", ".pl"})
CONFIG_SUFFIXES = frozenset({".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".env", ".properties"})
INSTRUCTION_SUFFIXES = frozenset({".md", ".markdown", ".mdx", ".txt"})
URL = re.compile(r"\b(?:https?|wss?|ftp)://([^\s/\"'`<>)\]:]+)")


def frontmatter(text: str) -> dict:
    """The SKILL.md frontmatter as a mapping ({} when absent or not valid YAML)."""
    match = FRONTMATTER.match(text[: MAX_FRONTMATTER + 8])
    if match is None:
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except (yaml.YAMLError, RecursionError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def allowed_tools(meta: dict) -> list[str] | None:
    value = meta.get("allowed-tools", meta.get("allowed_tools"))
    if value is None:
        return None
    if isinstance(value, str):
        return [part for part in re.split(r"[,\s]+", value) if part]
    if isinstance(value, list):
        return [str(item) for item in value]
    return None


def check_allowed_tools(skill_md: str, code_files: list[str], runs_commands: bool) -> Iterator[Finding]:
    """`allowed-tools` that grant no shell, in a skill whose instructions or scripts need one: the skill cannot
    do what it says, which a reviewer should know, but it is no risk in itself."""
    tools = allowed_tools(frontmatter(skill_md))
    if not tools or any(SHELL_TOOLS.search(tool) for tool in tools):
        return
    if code_files or runs_commands:
        what = f"ships {code_files[0]}" if code_files else "tells the agent to run shell commands"
        yield Finding(
            "manifest", LOW, 0, excerpt(f"allowed-tools: {', '.join(tools)}", 0), "allowed_tools_mismatch",
            f"allowed-tools ({', '.join(tools)[:80]}) grants no shell, yet the skill {what}", "SKILL.md",
        )  # fmt: skip


def _public_ip(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_global


def check_endpoints(path: str, text: str) -> Iterator[Finding]:
    """A pastebin, webhook or tunnel host, or a bare public IP address, written into code or configuration; in
    instructions, a bare public IP address (what a reviewer cannot attribute to anyone)."""
    suffix = PurePosixPath(path.rsplit("!", 1)[-1]).suffix.lower()
    if suffix in INSTRUCTION_SUFFIXES:
        yield from _ip_addresses(path, text, "instructions")
        return
    if suffix not in CODE_SUFFIXES | CONFIG_SUFFIXES:
        return
    where = "configuration" if suffix in CONFIG_SUFFIXES else "code"
    drop_lines = set()
    for number, line in enumerate(text.split("\n")[:20000], start=1):
        if ("://" in line or "." in line) and (host := DROP_HOST.search(line)):
            drop_lines.add(number)
            yield Finding(
                "exfiltration", HIGH, number, excerpt(line, host.start()), f"drop_host_in_{where}",
                f"{host.group(0)} in the skill's {where}: a service that collects data for whoever holds the link",
                path,
            )  # fmt: skip
    yield from (finding for finding in _ip_addresses(path, text, where) if finding.line not in drop_lines)


def _ip_addresses(path: str, text: str, where: str) -> Iterator[Finding]:
    if "://" not in text:
        return
    for number, line in enumerate(text.split("\n")[:20000], start=1):
        for url in URL.finditer(line):
            if _public_ip(url.group(1)):
                yield Finding(
                    "exfiltration", MED, number, excerpt(line, url.start()), f"ip_address_in_{where}",
                    f"talks to the bare address {url.group(1)}, which names no one a reviewer can check", path,
                )  # fmt: skip
                break


def check_correlation(flows: FlowResult, has_critical_flow: bool) -> Iterator[Finding]:
    """Credentials read in one place and a network send in another, with no traced flow between them."""
    if has_critical_flow or not flows.sources or not flows.sends:
        return
    source_file, source_line, what = flows.sources[0]
    send_file, send_line, send = flows.sends[0]
    yield Finding(
        "exfiltration", HIGH, source_line, "", "credential_read_and_network_send",
        f"{what} here and sends data over the network ({send} at {send_file}:{send_line})", source_file,
    )  # fmt: skip

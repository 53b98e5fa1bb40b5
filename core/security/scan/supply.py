"""Packages a skill installs whose names imitate popular ones (typosquats): `reqeusts`, `python-dateutils`,
`lodahs`. Names come from install commands in any file, requirements files and package.json."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from skillwarden.core.security.scan.files import TextFile
from skillwarden.core.security.scan.model import MED, Finding, excerpt
from skillwarden.core.security.scan.popular import KNOWN, TARGETS

INSTALL = re.compile(
    r"\b(?:(?P<runner>uvx|npx|bunx|pnpm\s+dlx)|(?:pip3?|uv\s+pip|python[23]?\s+-m\s+pip|pipx)\s+install|uv\s+add"
    r"|poetry\s+add|npm\s+(?:install|i|add)|yarn\s+(?:global\s+)?add|pnpm\s+(?:add|install|i)|bun\s+add)\b"
    r"(?P<arguments>[^\n;&|#`]*)"
)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
# Options whose value is not a package (`-r requirements.txt`, `-i URL`, `-p pkg` for npx is handled as a package).
VALUE_OPTIONS = frozenset({"-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
                           "-f", "--find-links", "--trusted-host", "--registry", "--python", "-t", "--target",
                           "--prefix", "--root", "--cache-dir", "--src"})  # fmt: skip
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
MIN_LENGTH = 5  # shorter names are one letter from many real ones


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.lower())


def one_edit_apart(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours turns `a` into `b`."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differ = [i for i in range(len(a)) if a[i] != b[i]]
        return len(differ) == 1 or (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and a[differ[0]] == b[differ[1]]
            and a[differ[1]] == b[differ[0]]
        )
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i in range(len(shorter)) if shorter[i] != longer[i]), len(shorter))
    return shorter[i:] == longer[i + 1 :]


def imitated(name: str) -> str | None:
    """The popular package `name` imitates, or None."""
    name = canonical(name)
    if len(name) < MIN_LENGTH or name in TARGETS or name in KNOWN:
        return None
    return next((target for target in TARGETS if one_edit_apart(name, target)), None)


def _spec_name(spec: str) -> str:
    """`requests[socks]>=2` -> requests; `lodash@4` -> lodash; a URL, a path or a scoped npm name -> ''."""
    spec = spec.strip("\"'")
    if spec.startswith(("@", ".", "/", "-")) or "://" in spec or "/" in spec:
        return ""
    match = REQUIREMENT.match(spec.split("@", 1)[0])
    return match.group(1) if match else ""


def installed_names(file: TextFile, code: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """(line, package name) of every package the file declares, or installs in `code`: its (first line,
    source) units of shell and script code, and its inline `code` spans. Prose that says "fall back to npx"
    installs nothing."""
    name = PurePosixPath(file.path.rsplit("!", 1)[-1]).name.lower()
    if name.startswith("requirements") and name.endswith((".txt", ".in")):
        for number, line in enumerate(file.text.split("\n"), start=1):
            if (match := REQUIREMENT.match(line)) and not line.lstrip().startswith("-"):
                yield number, match.group(1)
        return
    if name == "package.json":
        yield from _package_json(file.text)
        return
    spans = [*code, *((file.text.count("\n", 0, m.start()) + 1, m.group(1)) for m in INLINE_CODE.finditer(file.text))]
    for first_line, source in spans:
        for match in INSTALL.finditer(source):
            line = first_line + source.count("\n", 0, match.start())
            for package in _packages(match):
                yield line, package


def _packages(match: re.Match[str]) -> Iterator[str]:
    """The packages of one install command; a runner (npx, uvx) runs the first and passes it the rest."""
    words = iter(match.group("arguments").split())
    for word in words:
        if word in VALUE_OPTIONS or (match.group("runner") and word in ("-p", "--package", "--from")):
            value = next(words, "")
            if match.group("runner") and (package := _spec_name(value)):
                yield package
                return
        elif not word.startswith("-"):
            if package := _spec_name(word):
                yield package
            if match.group("runner"):
                return


def _package_json(text: str) -> Iterator[tuple[int, str]]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return
    if not isinstance(data, dict):
        return
    for section in ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies"):
        packages = data.get(section)
        if isinstance(packages, dict):
            for package in packages:
                if isinstance(package, str) and not package.startswith("@"):
                    line = text.count("\n", 0, max(0, text.find(f'"{package}"'))) + 1
                    yield line, package


def check_typosquats(files: list[TextFile], code: dict[str, list[tuple[int, str]]]) -> Iterator[Finding]:
    """`code`: the shell and script units of each file (see `installed_names`)."""
    seen = set()
    for file in files:
        lines = None
        for line, package in installed_names(file, code.get(file.path, [])):
            if (file.path, package) in seen or (target := imitated(package)) is None:
                continue
            seen.add((file.path, package))
            lines = lines or file.text.split("\n")
            shown = excerpt(lines[line - 1], 0) if 0 < line <= len(lines) else ""
            yield Finding(
                "supply_chain", MED, line, shown, "typosquat_package",
                f"installs {package!r}, one typo from the popular package {target!r}: the name a typosquat takes",
                file.path,
            )  # fmt: skip

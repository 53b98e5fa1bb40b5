"""SKILL.md files to the Agent Skills standard: validate, render and parse them safely.

A SKILL.md is YAML frontmatter between two `---` lines followed by a Markdown body. The frontmatter
comes from mined traces, which means from text an agent (or an attacker talking to it) wrote, so
parsing is defensive: size cap, no anchors or aliases (alias bombs), no tags (object construction),
no duplicate keys (two readers could disagree on which wins), only the keys the standard allows.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import yaml

NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_NAME = 64
MAX_DESCRIPTION = 1024
MAX_COMPATIBILITY = 500
MAX_FRONTMATTER_BYTES = 64 * 1024

# Names that Windows refuses as file names whatever their extension, so a skill folder named like this
# could not be checked out there.
WINDOWS_RESERVED_NAMES = frozenset(
    {"con", "nul", "aux", "prn"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}
)

# The top-level keys the Agent Skills standard defines; our own data goes under `metadata`.
ALLOWED_KEYS = ("name", "description", "license", "compatibility", "allowed-tools", "metadata")
FRONTMATTER_DELIMITER = "---"


class SkillFormatError(ValueError):
    """A SKILL.md (or one of its fields) does not follow the standard or is unsafe to load."""


def validate_name(name: object) -> str:
    """Return `name` if it is a valid skill name, else raise SkillFormatError saying why.

    The name becomes a directory, so this runs before any path is built from it.
    """
    if not isinstance(name, str):
        raise SkillFormatError(f"skill name must be a string, not {type(name).__name__}")
    if not name:
        raise SkillFormatError("skill name is empty")
    if len(name) > MAX_NAME:
        raise SkillFormatError(f"skill name is {len(name)} characters long; the maximum is {MAX_NAME}")
    # isascii first: fullwidth or Cyrillic look-alikes must never pass as the letters they imitate.
    if not name.isascii() or NAME_PATTERN.fullmatch(name) is None:
        raise SkillFormatError(
            f"invalid skill name {name!r}: use lowercase ASCII letters, digits and single hyphens "
            "(not at the start or end)"
        )
    if name in WINDOWS_RESERVED_NAMES:
        raise SkillFormatError(f"invalid skill name {name!r}: reserved as a file name on Windows")
    return name


@dataclass(frozen=True)
class SkillDoc:
    """The content of one SKILL.md. The optional standard fields are kept so parse/render is lossless."""

    name: str
    description: str
    body: str
    metadata: dict[str, str] = field(default_factory=dict)
    license: str | None = None
    compatibility: str | None = None
    allowed_tools: str | None = None


def content_hash(text: str) -> str:
    """The content id used in commit trailers: "sha256:" + hex digest of the UTF-8 bytes."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def render(doc: SkillDoc) -> str:
    """Serialize `doc` as a SKILL.md. Deterministic: the same doc always gives the same bytes."""
    frontmatter = _frontmatter_of(doc)
    _validate_frontmatter(frontmatter)
    dumped = yaml.safe_dump(
        frontmatter,
        sort_keys=False,  # keep the standard's order; metadata is pre-sorted in _frontmatter_of
        allow_unicode=True,
        default_flow_style=False,
        width=2**31 - 1,  # never fold long descriptions: a diff should show the changed words only
    )
    return f"{FRONTMATTER_DELIMITER}\n{dumped}{FRONTMATTER_DELIMITER}\n\n{_normalize_body(doc.body)}\n"


def parse(text: str, *, folder_name: str | None = None) -> SkillDoc:
    """Parse and validate a SKILL.md. `folder_name`, when given, must equal the skill's name."""
    if not isinstance(text, str):
        raise SkillFormatError(f"SKILL.md must be text, not {type(text).__name__}")
    frontmatter_text, body = split_frontmatter(text)
    frontmatter = load_frontmatter(frontmatter_text)
    _validate_frontmatter(frontmatter)
    if folder_name is not None and frontmatter["name"] != folder_name:
        raise SkillFormatError(f"skill name {frontmatter['name']!r} does not match its folder {folder_name!r}")
    return SkillDoc(
        name=frontmatter["name"],
        description=frontmatter["description"],
        body=_normalize_body(body),
        metadata=dict(frontmatter.get("metadata") or {}),
        license=frontmatter.get("license"),
        compatibility=frontmatter.get("compatibility"),
        allowed_tools=frontmatter.get("allowed-tools"),
    )


def split_frontmatter(text: str) -> tuple[str, str]:
    """Split a SKILL.md into (frontmatter YAML, body). Both delimiters must be lines of their own."""
    lines = text.split("\n")
    if lines[0].rstrip("\r") != FRONTMATTER_DELIMITER:
        raise SkillFormatError("SKILL.md must start with a '---' line opening the YAML frontmatter")
    size = 0
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r") == FRONTMATTER_DELIMITER:
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
        # Counted while searching so a huge frontmatter is refused without scanning all of it.
        size += len(lines[index].encode("utf-8", "surrogatepass")) + 1
        if size > MAX_FRONTMATTER_BYTES:
            raise _too_large()
    raise SkillFormatError("SKILL.md frontmatter is not closed by a '---' line")


def load_frontmatter(frontmatter_text: str) -> dict:
    """Load frontmatter YAML with safe_load semantics, refusing the YAML features we never need."""
    if len(frontmatter_text.encode("utf-8", "surrogatepass")) > MAX_FRONTMATTER_BYTES:
        raise _too_large()
    _refuse_anchors_aliases_and_tags(frontmatter_text)
    try:
        loaded = yaml.load(frontmatter_text, Loader=_StrictSafeLoader)
    except yaml.YAMLError as error:
        raise SkillFormatError(f"SKILL.md frontmatter is not valid YAML: {error}") from error
    if not isinstance(loaded, dict):
        raise SkillFormatError("SKILL.md frontmatter must be a YAML mapping of keys to values")
    return loaded


def _refuse_anchors_aliases_and_tags(frontmatter_text: str) -> None:
    # Scanning is lazy and stops at the first offending token, so an alias bomb is refused before
    # anything gets expanded; tags are refused even though safe_load would, to fail with one message.
    try:
        for token in yaml.scan(frontmatter_text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                raise SkillFormatError("SKILL.md frontmatter must not use YAML anchors or aliases")
            if isinstance(token, yaml.TagToken):
                raise SkillFormatError("SKILL.md frontmatter must not use YAML tags (such as !!python/...)")
    except yaml.YAMLError as error:
        raise SkillFormatError(f"SKILL.md frontmatter is not valid YAML: {error}") from error


class _StrictSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and merge keys instead of silently picking one value."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise SkillFormatError("SKILL.md frontmatter must not use YAML merge keys ('<<')")
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise SkillFormatError(f"SKILL.md frontmatter keys must be strings, not {key!r}")
            if key in seen:
                raise SkillFormatError(f"SKILL.md frontmatter has the key {key!r} more than once")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _frontmatter_of(doc: SkillDoc) -> dict:
    frontmatter: dict = {"name": doc.name, "description": doc.description}
    optional = {"license": doc.license, "compatibility": doc.compatibility, "allowed-tools": doc.allowed_tools}
    frontmatter.update({key: value for key, value in optional.items() if value is not None})
    if not isinstance(doc.body, str):
        raise SkillFormatError("SKILL.md body must be a string")
    if not isinstance(doc.metadata, dict):
        raise SkillFormatError("SKILL.md metadata must be a mapping of strings to strings")
    if doc.metadata:
        frontmatter["metadata"] = {key: doc.metadata[key] for key in sorted(doc.metadata, key=str)}
    return frontmatter


def _validate_frontmatter(frontmatter: dict) -> None:
    unknown = [key for key in frontmatter if key not in ALLOWED_KEYS]
    if unknown:
        raise SkillFormatError(
            f"SKILL.md frontmatter has keys the standard does not allow: {', '.join(map(str, unknown))} "
            "(put extra data under 'metadata')"
        )
    if "name" not in frontmatter:
        raise SkillFormatError("SKILL.md frontmatter has no 'name'")
    validate_name(frontmatter["name"])
    description = frontmatter.get("description")
    if not isinstance(description, str) or not description.strip():
        raise SkillFormatError("SKILL.md 'description' must be a non-empty string")
    if len(description) > MAX_DESCRIPTION:
        raise SkillFormatError(
            f"SKILL.md 'description' is {len(description)} characters long; the maximum is {MAX_DESCRIPTION}"
        )
    for key in ("license", "compatibility", "allowed-tools"):
        if key in frontmatter and not isinstance(frontmatter[key], str):
            raise SkillFormatError(f"SKILL.md {key!r} must be a string")
    if len(frontmatter.get("compatibility", "")) > MAX_COMPATIBILITY:
        raise SkillFormatError(f"SKILL.md 'compatibility' is longer than {MAX_COMPATIBILITY} characters")
    metadata = frontmatter.get("metadata", {})
    if not isinstance(metadata, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in metadata.items()
    ):
        raise SkillFormatError("SKILL.md 'metadata' must map strings to strings (quote numbers and dates)")


def _normalize_body(body: str) -> str:
    # The blank line after the frontmatter and the final newline belong to the file layout, not the body.
    return body.strip("\r\n")


def _too_large() -> SkillFormatError:
    return SkillFormatError(f"SKILL.md frontmatter is larger than {MAX_FRONTMATTER_BYTES} bytes")

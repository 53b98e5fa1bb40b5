"""SKILL.md validation, rendering and hostile-input parsing (../shared/RELIABILITY.md items 12-15)."""

from __future__ import annotations

import pytest

from skillwarden.skills.skill_md import (
    MAX_DESCRIPTION,
    MAX_FRONTMATTER_BYTES,
    SkillDoc,
    SkillFormatError,
    content_hash,
    parse,
    render,
    split_frontmatter,
    validate_name,
)

VALID_SKILL = "---\nname: fix-failing-test\ndescription: Fix a failing pytest test.\n---\n\n# Steps\n\nRun it.\n"


@pytest.mark.parametrize("name", ["a", "fix-failing-test", "x2", "0", "a-b-c", "a" * 64, "console", "com10"])
def test_validate_name_accepts_spec_names(name):
    assert validate_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(None, id="none"),
        pytest.param(42, id="int"),
        pytest.param(b"skill", id="bytes"),
        pytest.param("", id="empty"),
        pytest.param("a" * 65, id="65-chars"),
        pytest.param("Skill", id="uppercase"),
        pytest.param("..", id="dot-dot"),
        pytest.param("../x", id="traversal"),
        pytest.param("a/b", id="slash"),
        pytest.param("a\\b", id="backslash"),
        pytest.param("/etc", id="absolute"),
        pytest.param("a--b", id="double-hyphen"),
        pytest.param("-a", id="leading-hyphen"),
        pytest.param("a-", id="trailing-hyphen"),
        pytest.param("a\x00b", id="nul"),
        pytest.param("skill\n", id="trailing-newline"),
        pytest.param("ｓkill", id="fullwidth"),
        pytest.param("sкill", id="cyrillic-homoglyph"),
        pytest.param("a b", id="space"),
        pytest.param("a_b", id="underscore"),
        pytest.param("con", id="windows-con"),
        pytest.param("nul", id="windows-nul"),
        pytest.param("aux", id="windows-aux"),
        pytest.param("prn", id="windows-prn"),
        pytest.param("com1", id="windows-com1"),
        pytest.param("lpt9", id="windows-lpt9"),
    ],
)
def test_validate_name_rejects_unsafe_names(name):
    with pytest.raises(SkillFormatError):
        validate_name(name)


def test_render_parse_round_trip():
    doc = SkillDoc(
        name="fix-failing-test",
        description="Fix a failing pytest test: read the error, patch, re-run.",
        body="# Steps\n\n1. Run `pytest -x`.\n2. Read the traceback.",
        metadata={"version": "2", "author": "skillwarden", "source": "mined"},
        license="MIT",
        allowed_tools="Bash Read",
    )
    text = render(doc)
    assert parse(text, folder_name="fix-failing-test") == doc
    assert render(parse(text)) == text


def test_render_is_deterministic_with_fixed_key_order():
    doc = SkillDoc("b-skill", "Does b.", "Body.", {"zeta": "1", "alpha": "2"})
    assert render(doc) == render(SkillDoc("b-skill", "Does b.", "Body.", {"alpha": "2", "zeta": "1"}))
    assert render(doc) == (
        "---\nname: b-skill\ndescription: Does b.\nmetadata:\n  alpha: '2'\n  zeta: '1'\n---\n\nBody.\n"
    )


def test_render_validates_first():
    with pytest.raises(SkillFormatError):
        render(SkillDoc("Bad Name", "x", "body"))
    with pytest.raises(SkillFormatError):
        render(SkillDoc("ok", "x" * (MAX_DESCRIPTION + 1), "body"))
    with pytest.raises(SkillFormatError):
        render(SkillDoc("ok", "x", "body", {"version": 2}))  # type: ignore[dict-item]


def test_parse_valid_skill():
    doc = parse(VALID_SKILL, folder_name="fix-failing-test")
    assert doc == SkillDoc("fix-failing-test", "Fix a failing pytest test.", "# Steps\n\nRun it.")


def test_parse_rejects_python_tags_without_running_them(tmp_path):
    marker = tmp_path / "pwned"
    text = f"---\nname: x\ndescription: !!python/object/new:os.system ['touch {marker}']\n---\nbody\n"
    with pytest.raises(SkillFormatError, match="tags"):
        parse(text)
    assert not marker.exists()


def test_parse_rejects_billion_laughs_alias_bomb():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        previous = chr(ord("a") + level - 1)
        current = chr(ord("a") + level)
        levels.append(f"{current}: &{current} [{', '.join(['*' + previous] * 9)}]")
    text = "---\nname: x\ndescription: y\n" + "\n".join(levels) + "\n---\nbody\n"
    with pytest.raises(SkillFormatError, match="anchors or aliases"):
        parse(text)


def test_parse_rejects_one_megabyte_frontmatter():
    text = "---\nname: x\ndescription: " + "y" * (1024 * 1024) + "\n---\nbody\n"
    with pytest.raises(SkillFormatError, match="larger than"):
        parse(text)


def test_frontmatter_size_cap_applies_even_without_closing_delimiter():
    text = "---\n" + ("k: v\n" * (MAX_FRONTMATTER_BYTES // 4))
    with pytest.raises(SkillFormatError, match="larger than"):
        split_frontmatter(text)


@pytest.mark.parametrize(
    ("frontmatter", "message"),
    [
        pytest.param("name: x\nname: y\ndescription: d", "more than once", id="duplicate-key"),
        pytest.param("name: 123\ndescription: d", "must be a string", id="non-string-name"),
        pytest.param("name: [x]\ndescription: d", "must be a string", id="list-name"),
        pytest.param("name: x\ndescription: 5", "description", id="non-string-description"),
        pytest.param("name: x", "description", id="missing-description"),
        pytest.param("description: d", "no 'name'", id="missing-name"),
        pytest.param("name: x\ndescription: d\nversion: '1'", "version", id="extra-top-level-key"),
        pytest.param("name: x\ndescription: d\nmetadata:\n  n: 1", "metadata", id="non-string-metadata"),
        pytest.param("name: x\ndescription: d\nmetadata:\n  <<: {a: b}", "merge", id="merge-key"),
        pytest.param("- name: x", "mapping", id="list-frontmatter"),
        pytest.param("", "mapping", id="empty-frontmatter"),
        pytest.param("name: 'x\ndescription: d", "not valid YAML", id="broken-yaml"),
        pytest.param(f"name: x\ndescription: {'d' * (MAX_DESCRIPTION + 1)}", "maximum", id="long-description"),
    ],
)
def test_parse_rejects_invalid_frontmatter(frontmatter, message):
    with pytest.raises(SkillFormatError, match=message):
        parse(f"---\n{frontmatter}\n---\nbody\n")


def test_parse_rejects_missing_and_unclosed_frontmatter():
    with pytest.raises(SkillFormatError, match="must start"):
        parse("# just markdown\n")
    with pytest.raises(SkillFormatError, match="not closed"):
        parse("---\nname: x\ndescription: d\n\nbody without a closing line\n")


def test_parse_rejects_name_that_differs_from_its_folder():
    with pytest.raises(SkillFormatError, match="does not match its folder"):
        parse(VALID_SKILL, folder_name="other-skill")


def test_parse_accepts_crlf_line_endings():
    doc = parse(VALID_SKILL.replace("\n", "\r\n"))
    assert doc.name == "fix-failing-test"
    assert doc.description == "Fix a failing pytest test."


def test_content_hash_is_sha256_of_utf8_bytes():
    assert content_hash("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert content_hash("é") != content_hash("e")

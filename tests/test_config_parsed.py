"""config.yaml's parsed mapping is kept beside it (`config.parsed.json`): a workspace whose settings did not
change opens without PyYAML, and any change of the text is parsed again."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import textwrap

import pytest

from skillwarden.core.workspace.config import PARSED_CONFIG_NAME, ConfigError, load_config


def test_unchanged_settings_are_read_without_the_yaml_parser(tmp_path):
    (tmp_path / "config.yaml").write_text("min_support: 4\n")
    assert load_config(tmp_path).min_support == 4
    parsed = tmp_path / PARSED_CONFIG_NAME
    assert json.loads(parsed.read_text())["settings"] == {"min_support": 4}
    assert stat.S_IMODE(parsed.stat().st_mode) == 0o600
    program = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from skillwarden.core.workspace.config import load_config
        assert load_config(Path({str(tmp_path)!r})).min_support == 4
        print("yaml" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_changed_file_is_parsed_again_and_checked_again(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("min_support: 4\n")
    load_config(tmp_path)
    config.write_text("min_support: 5\n")
    assert load_config(tmp_path).min_support == 5
    config.write_text("min_support: 5\nmin_support: 6\n")
    with pytest.raises(ConfigError, match="given twice"):
        load_config(tmp_path)


def test_a_kept_mapping_that_does_not_match_or_cannot_be_read_is_ignored(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("min_support: 4\n")
    parsed = tmp_path / PARSED_CONFIG_NAME
    parsed.write_text(json.dumps({"sha256": "0" * 64, "settings": {"min_support": 9}}))
    assert load_config(tmp_path).min_support == 4
    parsed.write_bytes(b"\x00not json")
    assert load_config(tmp_path).min_support == 4


def test_a_mapping_json_would_change_is_not_kept(tmp_path):
    (tmp_path / "config.yaml").write_text("keymap: {1: approve}\n")  # an integer key JSON makes a string
    with pytest.raises(ConfigError):
        load_config(tmp_path)
    assert not (tmp_path / PARSED_CONFIG_NAME).exists()


def test_settings_with_text_beyond_ascii_are_kept_and_read_back(tmp_path):
    folder = tmp_path / "trâces-日本"
    (tmp_path / "config.yaml").write_text(f"watch: [{str(folder)!r}]\n", encoding="utf-8")
    first = load_config(tmp_path).watch
    assert (tmp_path / PARSED_CONFIG_NAME).exists()
    assert load_config(tmp_path).watch == first == [folder]

"""Default trace folders are found under a HOME passed in (never the real one), and the config adds and
removes folders."""

import pytest

from skillwarden.core.workspace.config import ConfigError, config_from_mapping, load_config
from skillwarden.core.workspace.discover import DEFAULT_LOCATIONS, default_trace_folders, watched_folders


@pytest.fixture
def user_home(tmp_path):
    home = tmp_path / "user"
    for relative in (".claude/projects", ".codex/sessions", ".gemini/tmp"):
        (home / relative).mkdir(parents=True)
    return home


def test_only_existing_default_locations_are_found(user_home):
    assert default_trace_folders(user_home) == [
        user_home / ".claude/projects", user_home / ".codex/sessions", user_home / ".gemini/tmp",
    ]  # fmt: skip
    assert set(DEFAULT_LOCATIONS) == {"claude_code", "codex", "gptme", "gemini_cli"}


def test_watched_folders_dedupes_and_removes(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert watched_folders([a, b], [b, tmp_path / "x" / ".." / "c"], [a]) == [b, tmp_path / "x" / ".." / "c"]
    assert watched_folders([a], [c], []) == [a, c]


def test_load_config_discovers_under_the_given_home_only(tmp_path, user_home):
    workspace = tmp_path / "ws"
    assert load_config(workspace).watch == [workspace / "traces"]  # no home given: nothing discovered
    config = load_config(workspace, user_home=user_home)
    assert config.watch == [workspace / "traces", *default_trace_folders(user_home)]
    assert config.discover is True and config.rescan_interval == 30.0


def test_config_can_turn_discovery_off_or_unwatch_a_folder(tmp_path, user_home):
    off = config_from_mapping(tmp_path, {"discover": False}, user_home=user_home)
    assert off.watch == [tmp_path / "traces"]
    raw = {"watch": ["traces", "~/elsewhere"], "unwatch": ["~/.gemini/tmp"], "rescan_interval": 5}
    some = config_from_mapping(tmp_path, raw, user_home=user_home)
    assert some.watch == [tmp_path / "traces", user_home / "elsewhere", user_home / ".claude/projects",
                          user_home / ".codex/sessions"]  # fmt: skip
    assert some.rescan_interval == 5.0 and some.ingest_workers is None
    assert config_from_mapping(tmp_path, {"ingest_workers": 0}).ingest_workers == 0


@pytest.mark.parametrize(
    ("raw", "message"),
    [({"discover": "yes"}, "discover must be"), ({"unwatch": "x"}, "unwatch must be a list"),
     ({"rescan_interval": 0}, "rescan_interval must be"), ({"rescan_interval": True}, "rescan_interval must be"),
     ({"ingest_workers": -1}, "ingest_workers must be"), ({"ingest_workers": "2"}, "ingest_workers must be")],
)  # fmt: skip
def test_bad_settings_are_refused(tmp_path, raw, message):
    with pytest.raises(ConfigError, match=message):
        config_from_mapping(tmp_path, raw)


def test_the_default_config_text_documents_the_new_settings(tmp_path):
    load_config(tmp_path)
    text = (tmp_path / "config.yaml").read_text()
    assert "discover: true" in text and "unwatch: []" in text and "rescan_interval: 30" in text
    assert "# ingest_workers: 2" in text

import os
from pathlib import Path

import pytest

from skillwarden.core.redact import set_placeholder_key

SHARED_TRACES = Path(__file__).resolve().parents[2] / "shared" / "traces"


@pytest.fixture(autouse=True)
def hermetic_home(tmp_path, monkeypatch):
    """No test reads or writes the user's workspace, git identity or editor, nor follows their settings."""
    monkeypatch.setenv("SKILLWARDEN_HOME", str(tmp_path / "default-home"))
    monkeypatch.delenv("SKILLWARDEN_JOURNAL_MODE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_EDITOR", "true")
    # A workspace opened by an earlier test keyed this process's placeholders: each test starts unkeyed.
    set_placeholder_key(None)
    yield
    set_placeholder_key(None)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """One generated demo workspace, copied per test (generating and mining it takes a moment)."""
    from skillwarden.tui.cli import create_demo_workspace

    directory = tmp_path_factory.mktemp("demo-template") / "workspace"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        create_demo_workspace(directory, sessions=60, seed=7)
    return directory


@pytest.fixture
def demo_workspace(demo_template, tmp_path):
    import shutil

    target = tmp_path / "workspace"
    shutil.copytree(demo_template, target, symlinks=True)
    return target

import os
import types
from pathlib import Path

import pytest

from skillwarden.core.security.redact import set_placeholder_key

SHARED_TRACES = Path(__file__).resolve().parents[2] / "shared" / "traces"
NO_SHARED_TRACES = f"needs the real trace samples in {SHARED_TRACES}, which are not here (CI checks out ../shared)"


def pytest_collection_modifyitems(config, items):
    """On a clone without the shared trace samples, a test that reads them is skipped with the reason."""
    if SHARED_TRACES.is_dir():
        return
    for item in items:
        if reads_shared_traces(item):
            item.add_marker(pytest.mark.skip(reason=NO_SHARED_TRACES))


def reads_shared_traces(item) -> bool:
    """Whether the test names a path below ../shared: in a parameter, or through a name its code (or the
    code of the module's functions it calls, and theirs) looks up in its module."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    if any(is_shared_path(value) for value in params.values()):
        return True
    function, module = getattr(item, "function", None), getattr(item, "module", None)
    return function is not None and module is not None and names_shared(function.__code__, vars(module), 3)


def names_shared(code: types.CodeType, names: dict, depth: int) -> bool:
    for name in code.co_names:
        value = names.get(name)
        if is_shared_path(value):
            return True
        called = isinstance(value, types.FunctionType) and value.__globals__ is names
        if depth and called and names_shared(value.__code__, names, depth - 1):
            return True
    return any(isinstance(const, types.CodeType) and names_shared(const, names, depth) for const in code.co_consts)


def is_shared_path(value: object) -> bool:
    return isinstance(value, Path) and value.is_relative_to(SHARED_TRACES.parent)


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
    from skillwarden.tui.cli_demo import create_demo_workspace

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

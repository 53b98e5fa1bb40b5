"""The house's shape: skillwarden installs as one `skillwarden` package that no other distribution's
top-level `core` or `tui` can shadow, its layers import only downwards (import-linter), and only `tui`
loads Textual or Rich."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "core", "skills", "reviews", "tui")
HEADLESS_PACKAGES = ("skillwarden.core", "skillwarden.skills", "skillwarden.reviews", "skillwarden.core.demo")


def script(name: str) -> Path:
    """A console script installed beside the interpreter running the tests."""
    return Path(sys.executable).with_name(name)


def test_the_import_contracts_hold():
    """tui > reviews > skills > core, the demo generator imports none of the other layers, and only tui imports Textual
    or Rich (contracts in pyproject.toml)."""
    result = subprocess.run(
        [str(script("lint-imports")), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    contracts = len(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"])
    assert f"Contracts: {contracts} kept, 0 broken." in result.stdout, result.stdout


def test_core_skills_and_reviews_never_load_textual_or_rich():
    """Importing every module of the headless layers, in a fresh interpreter, loads neither package (the
    contract checks imports written in the source; this checks what a real import pulls in)."""
    program = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys
        for name in {HEADLESS_PACKAGES!r}:
            package = importlib.import_module(name)
            for info in pkgutil.walk_packages(package.__path__, name + "."):
                importlib.import_module(info.name)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
        print(len([m for m in sys.modules if m.startswith("skillwarden.")]), loaded)
        """
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    count, loaded = result.stdout.split(" ", 1)
    assert int(count) > 40  # the walk really imported the modules
    assert loaded.strip() == "[]"


def wheel_record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def foreign_wheel(directory: Path) -> Path:
    """A distribution shipping top-level `core` and `tui` packages whose import fails loudly, so any
    skillwarden code reaching for a bare `core` or `tui` (or listing its commands in the foreign `tui`)
    breaks the commands run below."""
    files = {
        "core/__init__.py": b"raise ImportError('the foreign core was imported')\n",
        "core/config.py": b"HOME_ENV = 'FOREIGN'\n",
        "tui/__init__.py": b"raise ImportError('the foreign tui was imported')\n",
        "tui/cli_foreign.py": b"def add_commands(commands):\n    commands.add_parser('foreign')\n",
        "foreign-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: foreign\nVersion: 1.0\n",
        "foreign-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "foreign-1.0.dist-info/top_level.txt": b"core\ntui\n",
    }
    record = [wheel_record_line(name, data) for name, data in files.items()] + ["foreign-1.0.dist-info/RECORD,,"]
    path = directory / "foreign-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
        wheel.writestr("foreign-1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return path


@pytest.mark.slow
def test_installed_beside_a_foreign_core_and_tui_every_command_works(tmp_path):
    """A real (non-editable) install of a wheel built from this tree, in a fresh venv, next to a
    distribution owning the top-level names `core` and `tui`."""
    source = tmp_path / "source"
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run = lambda *command: subprocess.run(  # noqa: E731
        [str(c) for c in command], capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path
    )

    built = run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "wheels", source)
    assert built.returncode == 0, built.stderr
    venv = tmp_path / "venv"
    made = run(sys.executable, "-m", "venv", venv)
    assert made.returncode == 0, made.stderr
    pip = venv / "bin" / "pip"
    foreign = run(pip, "install", "-q", "--no-deps", foreign_wheel(tmp_path))
    assert foreign.returncode == 0, foreign.stderr
    ours = run(pip, "install", "-q", *sorted((tmp_path / "wheels").glob("skillwarden-*.whl")))
    assert ours.returncode == 0, ours.stderr

    site = run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    site_packages = Path(site.stdout.strip())
    for name in ("core", "tui"):  # the foreign packages are untouched: only their own files are there
        assert sorted(p.name for p in (site_packages / name).iterdir() if p.name != "__pycache__") == sorted(
            {"core": ["__init__.py", "config.py"], "tui": ["__init__.py", "cli_foreign.py"]}[name]
        )
    assert not (site_packages / "skills").exists() and not (site_packages / "reviews").exists()
    record = next(site_packages.glob("skillwarden-*.dist-info")) / "RECORD"
    installed = [line.split(",")[0] for line in record.read_text().splitlines() if line]
    top_level = {path.split("/")[0] for path in installed if not path.startswith("..")}
    assert top_level == {"skillwarden", record.parent.name}

    skillwarden = venv / "bin" / "skillwarden"
    overview = run(skillwarden, "--help")
    assert overview.returncode == 0, overview.stderr
    for command in ("rebuild", "log", "events", "eval", "stats", "scan", "ingest", "approve"):
        assert command in overview.stdout
        helped = run(skillwarden, command, "--help")
        assert helped.returncode == 0, f"{command}: {helped.stderr}"
        assert f"usage: skillwarden {command}" in helped.stdout
    assert "foreign" not in overview.stdout
    workspace = tmp_path / "workspace"
    rebuilt = run(skillwarden, "--home", workspace, "rebuild", "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    logged = run(skillwarden, "--home", workspace, "log", "--json")
    assert logged.returncode == 0, logged.stderr
    demo = run(skillwarden, "demo", "--dir", tmp_path / "demo", "--no-tui", "--sessions", "8")
    assert demo.returncode == 0, demo.stderr
    assert any((tmp_path / "demo" / "traces").rglob("*.jsonl"))
    version = run(skillwarden, "--version")
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert version.stdout.strip() == f"skillwarden {declared}"


def test_the_tuis_first_frame_waits_for_no_mining_numpy_git_command_or_other_screen_modules():
    """What `skillwarden` imports before the queue's first frame (the review service, and so mining, numpy
    and GitPython, load in a worker once the cached queue is painted; the other screens when first shown)."""
    program = textwrap.dedent(
        """
        import sys
        import skillwarden.tui.entry, skillwarden.tui.cli, skillwarden.tui.app
        heavy = ("numpy", "git", "watchdog", "pygments", "skillwarden.core.mining.procedures",
                 "skillwarden.reviews.service",
                 "skillwarden.skills.library", "skillwarden.core.adapters", "skillwarden.tui.cli_ingest",
                 "skillwarden.tui.screens.skills", "skillwarden.tui.screens.history", "skillwarden.tui.screens.traces",
                 "skillwarden.tui.screens.detail", "skillwarden.tui.screens.steps", "skillwarden.tui.screens.dialogs")
        print(sorted(name for name in heavy if name in sys.modules))
        """
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("argv", "opens_tui"),
    [
        ([], True), (["tui"], True), (["--home", "ws"], True), (["--home=ws", "--read-only", "tui"], True),
        (["ingest"], False), (["--help"], False), (["--version"], False), (["tui", "--json"], False),
        (["--home"], False), (["tui", "tui"], False), (["--home", "--read-only"], False),
    ],
)  # fmt: skip
def test_only_the_tuis_own_arguments_skip_the_full_parser(argv, opens_tui):
    from skillwarden.tui.cli import tui_arguments

    args = tui_arguments(argv)
    assert (args is not None) is opens_tui
    if args is not None and "ws" in " ".join(argv):
        assert args.home == "ws"


MAX_MODULE_LINES = 600


def test_no_module_is_over_six_hundred_lines():
    """A module has one job; past this size it has several (the house rule that split library.py and app.py)."""
    long = {
        str(path.relative_to(REPO)): lines
        for folder in ("core", "skills", "reviews", "tui")
        for path in (REPO / folder).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


@pytest.mark.parametrize("script", sorted(p.name for p in (REPO / "bench").glob("*.py")))
def test_every_bench_script_imports(script):
    """A bench names modules by path; a move that leaves one behind is caught here, not by the next person to run
    it (nothing runs the benches in the suite: they print wall-clock figures)."""
    result = subprocess.run(
        [sys.executable, "-c", f"import runpy; runpy.run_path({str(REPO / 'bench' / script)!r}, run_name='not_main')"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

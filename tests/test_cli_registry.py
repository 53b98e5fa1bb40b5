"""The command registry: every command declared once, and one lock rule for all of them, from `writes`."""

from __future__ import annotations

import os
import signal

import pytest

from skillwarden.core.workspace.config import load_config
from skillwarden.tui.cli import build_parser
from skillwarden.tui.commands import registered
from tests.helpers import run
from tests.test_lock import start_holder

# While another process holds the workspace: what writes is refused, naming the holder; what reads runs.
WRITES = [["ingest"], ["rebuild"], ["approve", "sk-x"], ["reject", "sk-x"], ["undo"], ["apply-auto"],
          ["link", "claude-code"], ["unlink", "claude-code"], ["hook", "install", "claude-code"],
          ["outcomes", "import", "labels.json"]]  # fmt: skip
READS = [["candidates"], ["sessions"], ["log"], ["links"], ["stats"], ["eval"], ["outcomes", "list"],
         ["apply-auto", "--dry-run"]]  # fmt: skip


def test_every_command_is_declared_once_and_parsed(capsys):
    names = [command.name for command in registered()]
    assert len(names) == len(set(names))
    parser = build_parser(registered())
    for name in [*names, "tui"]:
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args([name, "--help"])
        assert exit_.value.code == 0 and f"usage: skillwarden {name}" in capsys.readouterr().out


@pytest.fixture
def held_workspace(demo_workspace):
    holder = start_holder(load_config(demo_workspace).lock_file)
    try:
        yield demo_workspace, holder.pid
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        holder.stdout.close()


def test_the_lock_rule_follows_writes(held_workspace, capsys, tmp_path, monkeypatch):
    home, pid = held_workspace
    monkeypatch.setenv("HOME", str(tmp_path))  # `link` and `hook install` would touch the user's folders
    (home / "labels.json").write_text("{}")
    for command in WRITES:
        code, out, err = run(capsys, "--home", str(home), *command)
        assert code == 1 and out == "" and f"in use by process {pid}" in err, (command, err)
    for command in READS:
        code, _out, err = run(capsys, "--home", str(home), *command)
        assert code == 0 and "in use" not in err, (command, err)

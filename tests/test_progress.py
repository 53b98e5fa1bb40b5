"""The progress bar of long commands: on stderr when it is a terminal, nothing when piped or with --json."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import threading

import pytest

from skillwarden.tui.progress import wanted

CLI = [sys.executable, "-m", "skillwarden.tui.cli"]


def run_with_terminal_stderr(argv: list[str]) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal (as in a shell) and stdout on a pipe; (code, stdout, stderr)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal's other side closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    out, _ = process.communicate(timeout=300)
    reader.join(timeout=30)
    os.close(master)
    return process.returncode, out.decode(), b"".join(chunks).decode(errors="replace")


@pytest.fixture
def uncached(demo_workspace):
    """The demo workspace without its cache, so every trace is read again."""
    for suffix in ("", "-wal", "-shm"):
        (demo_workspace / f"state.db{suffix}").unlink(missing_ok=True)
    return demo_workspace


def test_ingest_shows_files_mb_sessions_and_rate_on_a_terminal(uncached):
    code, out, err = run_with_terminal_stderr([*CLI, "--home", str(uncached), "ingest"])
    assert code == 0, err
    assert "reading traces" in err and "60/60" in err and "60 sessions" in err and "MB/s" in err
    assert out.startswith("read 60 file(s)")  # the summary is unchanged, on stdout


def test_rebuild_shows_mining_after_reading(uncached):
    code, out, err = run_with_terminal_stderr([*CLI, "--home", str(uncached), "rebuild"])
    assert code == 0, err
    assert "mining candidates" in err and out.startswith("rebuilt ")


def test_nothing_with_json_or_when_piped(uncached):
    code, out, err = run_with_terminal_stderr([*CLI, "--home", str(uncached), "ingest", "--json"])
    assert code == 0 and "reading traces" not in err and '"sessions": 60' in out
    piped = subprocess.run([*CLI, "--home", str(uncached), "rebuild"], capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0 and piped.stderr == ""


def test_demo_shows_progress_while_it_ingests(tmp_path):
    code, out, err = run_with_terminal_stderr(
        [*CLI, "demo", "--dir", str(tmp_path / "demo"), "--no-tui", "--sessions", "12"]
    )
    assert code == 0, err
    assert "12/12" in err and "demo workspace:" in out


def test_only_a_terminal_wants_a_bar():
    assert not wanted(io.StringIO(), as_json=False)
    master, slave = pty.openpty()
    try:
        with os.fdopen(slave, "w", closefd=False) as terminal:
            assert wanted(terminal, as_json=False)
            assert not wanted(terminal, as_json=True)
    finally:
        os.close(master)
        os.close(slave)
    closed = io.StringIO()
    closed.close()
    assert not wanted(closed, as_json=False)


def test_scan_counts_the_skill_folders_on_a_terminal(tmp_path):
    for name in ("one", "two", "three"):
        (tmp_path / "skills" / name).mkdir(parents=True)
        (tmp_path / "skills" / name / "SKILL.md").write_text(f"---\nname: {name}\ndescription: A test.\n---\nBody.\n")
    code, out, err = run_with_terminal_stderr([*CLI, "scan", str(tmp_path / "skills")])
    assert code == 0, err
    assert "scanning" in err and "3/3" in err and "skill folders" in err
    code, out, err = run_with_terminal_stderr([*CLI, "scan", str(tmp_path / "skills"), "--json"])
    assert code == 0 and "scanning" not in err and json.loads(out)

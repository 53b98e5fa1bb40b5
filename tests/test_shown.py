"""A command a skill shows names no one's home folder, and still runs: a shell reading the shown command finds
the same files as the command that ran."""

import os
import shutil
import subprocess

import pytest

from skillwarden.core.mining.shown import quote_states, shown_in_command

HOME = "/home/al"
# Arguments as runs wrote them, the home folder quoted every way a shell allows.
ARGUMENTS = [
    "/home/al/x.py",
    '"/home/al/My Project/x.py"',
    "'/home/al/My Project/x.py'",
    "'/home/al'",
    '"/home/al"',
    "--config=/home/al/x.ini",
    "PATH=/usr/bin:/home/al/bin",
    "'--rcfile=/home/al/.pylintrc'",
    '"it\'s in /home/al/notes"',
    '"say \\"/home/al/q\\""',
    "$(echo /home/al/sub)",
    '"$(echo /home/al/sub)"',
]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("argument", ARGUMENTS)
def test_a_shell_reads_the_shown_command_as_the_one_that_ran(argument):
    """`~` stays a `~` inside quotes and after an option's `=`: `cd "~/My Project"` fails where the run's
    `cd "/home/al/My Project"` worked."""
    command = f"printf '%s\\n' {argument}"
    shown = shown_in_command(command, "/srv/elsewhere")
    assert "/home/al" not in shown

    def printed(line: str) -> str:
        env = {"HOME": HOME, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        return subprocess.run(["bash", "-c", line], env=env, capture_output=True, text=True, check=True).stdout

    assert printed(shown) == printed(command)


def test_a_home_is_shown_as_a_person_would_write_it():
    assert shown_in_command('cd "/home/al/My Project" && make', "") == 'cd "$HOME/My Project" && make'
    assert shown_in_command("cat '/home/al/a b.txt'", "") == "cat ~/'a b.txt'"
    assert shown_in_command("pytest -c /Users/bob/x.ini t.py", "") == "pytest -c ~/x.ini t.py"
    assert shown_in_command("pytest --rootdir=/root/x", "") == "pytest --rootdir=$HOME/x"


def test_quote_states_follow_a_shells_reading():
    command = """a 'b "c' "d 'e" \\"f"""
    positions = [command.index(c) for c in "bcdef"]
    assert quote_states(command, positions) == ["'", "'", '"', '"', ""]

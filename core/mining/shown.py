"""How a run's projects, files and command lines are shown in a skill: a file relative to the folder the run
worked in, another home folder as `~` (whose home it was says nothing to another machine, and is not to be
shared), a command on one line and cut at a word."""

from __future__ import annotations

import re

from skillwarden.core.signals.commands import quote
from skillwarden.core.signals.normalize import token_command

MAX_SHOWN_COMMAND = 160

# A repository as a task names it (`django/django`), and the plain name of a folder.
REPOSITORY = re.compile(r"[A-Za-z0-9][\w.-]{0,99}/[A-Za-z0-9][\w.-]{0,99}")
PLAIN_NAME = re.compile(r"[A-Za-z0-9][\w.-]{0,60}")


def shown_project(project: str) -> str:
    """A project as a skill names it: a repository as it is; a working directory by its last folder
    (`/home/alice/webshop` -> `webshop`: the skill is shared, and whose home it was and where it sat on
    that machine say nothing to another); "" when that is not a plain name (a trace chooses its cwd, and
    `/tmp/Ignore previous instructions` would be prose in the skill)."""
    if REPOSITORY.fullmatch(project):
        return project
    name = re.split(r"[\\/]", project.rstrip("/\\"))[-1]
    return name if PLAIN_NAME.fullmatch(name) else ""


# A home folder, whose name is its owner's: `/home/alice`, `/Users/alice`, `/root`, `C:\Users\alice`.
HOME = r"""(?:/home/[^/\s'"]+|/Users/[^/\s'"]+|/root|[A-Za-z]:\\Users\\[^\\\s'"]+)"""
HOME_FOLDER = re.compile(rf"^{HOME}(?=[/\\]|$)")
# The same inside a command line: where a word (or a quoted one, or an option's value) starts.
HOME_IN_TEXT = re.compile(rf"""(?<![^\s'"=:(]){HOME}(?=[/\\]|$|[\s'";&|)])""")


def shown_path(path: str, cwd: str) -> str:
    """A file a run worked on as a skill names it: relative to the folder the run worked in when it lies
    there (`/home/alice/shop/src/app.py` -> `src/app.py`, which is where it is in any checkout), else with a
    home folder shown as `~` (whose home it was says nothing to another machine, and is not to be shared)."""
    root = cwd.rstrip("/\\")
    if root and path.startswith((root + "/", root + "\\")) and len(path) > len(root) + 1:
        return path[len(root) + 1 :]
    if path.startswith("./") and len(path) > 2:
        return path[2:]  # `./src/app.py` and `src/app.py` are one file, shown alike
    return HOME_FOLDER.sub("~", path, count=1)


def shown_in_command(command: str, cwd: str) -> str:
    """A command line as a skill shows it, by the rule of `shown_path`: a path under the folder the run worked
    in is relative to it (`pytest /home/alice/shop/tests/test_a.py` -> `pytest tests/test_a.py`, `cd
    /home/alice/shop && make` -> `cd . && make`), another home folder is `~`. What the command does from
    the project's folder is unchanged; who ran it is not said."""
    root = cwd.rstrip("/\\")
    if len(root) > 1 and root in command:
        start = r"""(?<![^\s'"=:(])"""
        command = re.sub(start + re.escape(root) + "[/\\\\](?=[^\\s'\";&|)])", "", command)
        command = re.sub(start + re.escape(root) + r"""(?=$|[\s'";&|)]|[/\\])""", ".", command)
    return shown_homes(command)


def shown_homes(command: str) -> str:
    """A command line with each home folder in it named so that a shell still finds it: `~` where a word
    starts, `$HOME` inside double quotes and after an option's `=` (where `~` stays a `~`), `~/'…'` for a
    single-quoted path, which nothing expands inside. (A Windows home is always `~`.)"""
    matches = list(HOME_IN_TEXT.finditer(command))
    shown, last = [], 0
    for match, quoting in zip(matches, quote_states(command, [m.start() for m in matches]), strict=True):
        start, end = match.span()
        before, after = command[start - 1 : start], command[end : end + 1]
        shown.append(command[last:start])
        last = end
        if not match.group().startswith("/"):
            shown.append("~")
        elif quoting == '"' or (not quoting and before in ("=", ":")):
            shown.append("$HOME")
        elif not quoting:
            shown.append("~")
        elif before == "'" and after in ("/", "'"):  # the quote opened on the home: `'/home/al/a b'`
            shown[-1] = shown[-1][:-1]
            shown.append("~/'" if after == "/" else "~")
            last = end + 1
        else:
            shown.append("'\"$HOME\"'")  # mid-way through single quotes: closed, and opened again after it
    return "".join(shown) + command[last:]


def quote_states(command: str, positions: list[int]) -> list[str]:
    """The quote a shell reading `command` is inside at each of `positions` (in order): "", "'" or '"'."""
    states, quoting, index = [], "", 0
    for position in positions:
        while index < position:
            char = command[index]
            if char == "\\" and quoting != "'":
                index += 2
                continue
            if not quoting and char in "'\"":
                quoting = char
            elif char == quoting:
                quoting = ""
            index += 1
        states.append(quoting)
    return states


def project_name(project: str) -> str:
    """`django/django` -> `Django`, `scikit-learn/scikit-learn` -> `scikit-learn`, `/home/a/shop` -> `Shop`,
    "" -> ""."""
    repo = shown_project(project).rpartition("/")[2]
    return repo.capitalize() if repo.isalpha() and repo.islower() else repo


def shown(command: str) -> str:
    """A command line as a skill shows it: one line (a heredoc or script body becomes `…`), quoted back
    so the words are the ones that ran, cut at a word when long."""
    first = command.strip().split("\n", 1)
    return cut(first[0] + (" …" if len(first) > 1 else ""))


def shown_run(command: str) -> str:
    """A step's command line as an example shows it: `shown`, followed by the command the step is named
    for where that comes after the first line (a heredoc writes a script, then a line runs pylint on it)."""
    first, _, rest = command.strip().partition("\n")
    named = token_command(command)
    if not rest or named is None or not named.words or named.words[0] in first.split():
        return shown(command)
    return cut(f"{first} … {quote(named.words)}")


def cut(text: str) -> str:
    if len(text) <= MAX_SHOWN_COMMAND:
        return text
    return text[: MAX_SHOWN_COMMAND - 1].rsplit(" ", 1)[0] + " …"

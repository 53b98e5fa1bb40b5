"""What a shell command line runs, read with a shell lexer: its simple commands, the program each one
runs, the files it writes, and whether it runs tests or only looks at the project.

Agents send one string that may hold several commands (`cd app && pytest -x 2>&1 | tail`), heredocs
(`cat <<'EOF' > repro.py`), comments and multi-line quoted scripts. Everything downstream (grading,
mining, detectors) asks these questions, so they are answered once, here, the same way for every agent,
whatever its shell tool is called.
"""

from __future__ import annotations

import functools
import posixpath
import re
import shlex
from dataclasses import dataclass

# Agents run the same command lines again and again, and every pass over the sessions asks about them.
COMMAND_CACHE = 1 << 15
OPERATORS = frozenset({"&&", "||", ";", ";;", "|", "|&", "&", "\n", "(", ")"})
REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", ">&", "<", "<<", "<<-", "<<<", "<>", "<&"})
WRITING_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>"})
NOT_A_FILE = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty"})
ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_HEREDOC = re.compile(r"(?<!<)<<(-?)\s*(['\"]?)([A-Za-z_][\w.-]*)\2")

# Launchers that run the command after them; `timeout 60 pytest` is a pytest run.
WRAPPERS = frozenset({"sudo", "env", "time", "nohup", "exec", "command", "builtin", "nice", "stdbuf", "xvfb-run"})
WRAPPERS_WITH_VALUE = frozenset({"timeout"})
RUNNERS = frozenset({"uv", "poetry", "pdm", "hatch", "pipenv", "rye"})  # `uv run pytest`
PACKAGE_RUNNERS = frozenset({"npx", "uvx", "pnpx", "bunx"})
PYTHON = re.compile(r"^(?:python|pypy)(?:\d+(?:\.\d+)?)?$")
# Programs whose first argument names what they do (git commit, npm test, alembic upgrade).
SUBCOMMAND_PROGRAMS = frozenset(
    {"git", "npm", "pnpm", "yarn", "bun", "cargo", "go", "docker", "kubectl", "alembic", "poetry", "uv", "make",
     "pip", "pip3", "gh", "dotnet", "bundle", "rails", "mix", "terraform", "helm", "ruff", "brew", "mvn", "mvnw",
     "gradle", "gradlew", "sbt", "bazel", "conda", "apt", "apt-get", "django-admin", "manage.py", "setup.py",
     "deno", "swift", "stack", "cabal", "composer", "rake", "tox", "nox"}
)  # fmt: skip

# Programs that only look at the project (when they write no file).
INSPECTION_PROGRAMS = frozenset(
    {"cat", "head", "tail", "less", "more", "nl", "wc", "ls", "ll", "find", "grep", "egrep", "fgrep", "rg", "ag",
     "tree", "pwd", "which", "whereis", "type", "file", "stat", "du", "df", "echo", "printf", "diff", "cmp", "sort",
     "uniq", "cut", "awk", "sed", "git log", "git diff", "git status", "git show", "git branch", "git blame",
     "git grep", "git ls-files", "git rev-parse", "git remote", "true", "false", "test", "[", "[[", "sleep", "id",
     "whoami", "date", "env", "printenv", "uname", "hostname", "realpath", "readlink", "basename", "dirname",
     "xxd", "od", "hexdump", "strings", "jq", "column", "tr", "fold", "expand", "cd", "export", "source", ".",
     "set", "unset", "alias", "history", "clear", "pip list", "pip show", "pip freeze", "pip3 list", "pip3 show",
     "pip3 freeze", "conda list", "npm ls", "npm list", "open", "goto", "scroll_up", "scroll_down", "search_file",
     "search_dir", "find_file", "filemap"}
)  # fmt: skip
# Commands that only set up the shell for the next one.
COMMAND_SETUP = frozenset({"cd", "export", "source", ".", "set", "unset", "pushd", "popd", "alias"})
# Exit status 1 of these is an answer ("no match", "files differ", "false"), not a failure.
ANSWERING_PROGRAMS = frozenset({"grep", "egrep", "fgrep", "rg", "ag", "git grep", "diff", "cmp", "test", "[", "[["})

# Test runners, by the program (after launchers and `python -m`) ...
TEST_PROGRAMS = frozenset(
    {"pytest", "py.test", "tox", "nox", "unittest", "nosetests", "nose2", "trial", "jest", "vitest", "mocha", "ava",
     "karma", "rspec", "phpunit", "ctest", "behave", "ward", "hypothesis", "green", "testtools", "subunit",
     "zope-testrunner", "stestr", "testr"}
)  # fmt: skip
# ... by the script it runs (Django's tests/runtests.py, SymPy's bin/test, ...) ...
TEST_SCRIPT = re.compile(
    r"(?:^|/)(?:runtests?|run_tests?|run-tests?|test_?runner|testrunner)(?:\.py|\.sh)?$|(?:^|/)bin/test$"
)
# ... and by a sub-command or goal anywhere in the arguments (`mvn -q test`, `./gradlew :core:test`).
TEST_SUBCOMMANDS = {
    "go": ("test",), "cargo": ("test", "nextest"), "npm": ("test", "t"), "yarn": ("test",), "pnpm": ("test",),
    "bun": ("test",), "make": ("test", "check", "tests"), "dotnet": ("test",), "mix": ("test",), "sbt": ("test",),
    "bazel": ("test",), "deno": ("test",), "swift": ("test",), "stack": ("test",), "cabal": ("test",),
    "manage.py": ("test",), "django-admin": ("test",), "setup.py": ("test",), "rake": ("test", "spec"),
    "composer": ("test",),
}  # fmt: skip
BUILD_TOOL_TEST_GOAL = re.compile(r"^(?::?[\w.-]+:)*(?:test|check|verify|integrationTest|connectedCheck)$")
BUILD_TOOLS = frozenset({"mvn", "mvnw", "gradle", "gradlew"})
NPM_TEST_SCRIPT = re.compile(r"^test(?::[\w-]+)?$")
# Runs that collect or list tests without running them say nothing about whether they pass.
NOT_A_TEST_RUN = frozenset({"--collect-only", "--co", "--list", "--version", "--help", "-h", "--list-tests"})


@dataclass(frozen=True)
class SimpleCommand:
    """One command of a command line: its words after environment assignments and launchers."""

    words: tuple[str, ...]
    program: str  # `pytest`, `git commit`, `tests/runtests.py`, `python` (for `python -c`) ...
    writes: tuple[str, ...] = ()  # files it writes: redirections, `sed -i`, `tee`, heredoc targets
    piped: bool = False  # its output goes into a pipe

    @functools.cached_property
    def is_test_run(self) -> bool:
        """Whether it runs tests (`judged_test_run`), judged once: grading, the step facts and mining each ask."""
        return judged_test_run(self)


def strip_heredocs(command: str) -> str:
    """The command line without heredoc bodies (the text a `cat <<'EOF' > f` writes is not commands)."""
    lines = command.split("\n")
    kept: list[str] = []
    pending: list[tuple[bool, str]] = []
    for line in lines:
        if pending:
            strip_tabs, delimiter = pending[0]
            if (line.lstrip("\t") if strip_tabs else line).rstrip() == delimiter:
                pending.pop(0)
            continue
        kept.append(line)
        pending = [(dash == "-", word) for dash, _, word in _HEREDOC.findall(line)]
    return "\n".join(kept)


# One piece of a command line, as POSIX sh reads it: blanks, an operator, a quoted string, an escaped
# character, or plain characters. A word is the pieces between blanks and operators.
_PIECE = re.compile(
    r"(?P<blank>[ \t\r]+)"
    r"|(?P<op>&&|\|\||;;|\|&|&>>|&>|>>|>&|<&|<<<|<<-|<<|<>|>\||[;&|<>()\n])"
    r"|'(?P<single>[^']*)'"
    r'|"(?P<double>(?:\\.|[^"\\])*)"'
    r"|\\(?P<escaped>.)"
    r"|(?P<plain>[^ \t\r\n;&|<>()'\"\\]+)",
    re.DOTALL,
)
_DOUBLE_QUOTED_ESCAPE = re.compile(r'\\([\\"$`])')


# A command line with no quote, escape or heredoc: each word is one run of plain characters.
_UNQUOTED_PIECE = re.compile(r"&&|\|\||;;|\|&|&>>|&>|>>|>&|<&|<<<|<<-|<<|<>|>\||[;&|<>()\n]|[^ \t\r\n;&|<>()'\"\\]+")
_QUOTING = re.compile(r"['\"\\]|<<")


def tokens(command: str) -> list[str]:
    """Words and operators of a command line, quotes removed as the shell removes them (a hand-written
    lexer: `shlex` costs ten times as much, and every command an agent ran passes through here)."""
    if _QUOTING.search(command) is None:
        return _UNQUOTED_PIECE.findall(command)
    return lexed(command)


def lexed(command: str) -> list[str]:
    """`tokens` of any command line, read piece by piece."""
    text = strip_heredocs(command).replace("\\\n", " ")  # a backslash-newline continues the line
    out: list[str] = []
    word: list[str] = []
    in_word = False
    position = 0
    while position < len(text):
        piece = _PIECE.match(text, position)
        if piece is None:  # an unbalanced quote: words are the best that can be done
            return text.replace("\n", " \n ").split(" ")
        position = piece.end()
        kind = piece.lastgroup
        if kind in ("blank", "op"):
            if in_word:
                out.append("".join(word))
                word, in_word = [], False
            if kind == "op":
                out.append(piece.group("op"))
            continue
        in_word = True
        value = piece.group(kind)
        word.append(_DOUBLE_QUOTED_ESCAPE.sub(r"\1", value) if kind == "double" else value)
    if in_word:
        out.append("".join(word))
    return out


def split_words(command: str) -> list[str]:
    """The words of a command line, operators left out."""
    return [word for word in tokens(command) if word not in OPERATORS and word not in REDIRECTS]


@functools.lru_cache(maxsize=COMMAND_CACHE)
def simple_commands(command: str) -> tuple[SimpleCommand, ...]:
    """`cd app && pytest -x 2>&1 | tail` -> (cd app), (pytest -x, piped), (tail)."""
    out: list[SimpleCommand] = []
    words: list[str] = []
    writes: list[str] = []
    items = tokens(command)
    index = 0

    def finish(piped: bool) -> None:
        nonlocal words, writes
        simple = make_simple(words, writes, piped)
        if simple is not None:
            out.append(simple)
        words, writes = [], []

    while index < len(items):
        item = items[index]
        if item in OPERATORS:
            finish(piped=item in ("|", "|&"))
        elif item in REDIRECTS or (item.isdigit() and index + 1 < len(items) and items[index + 1] in REDIRECTS):
            if item.isdigit():
                index += 1
                item = items[index]
            target = items[index + 1] if index + 1 < len(items) else ""
            if item in WRITING_REDIRECTS and target and target not in OPERATORS | NOT_A_FILE and not target.isdigit():
                writes.append(target)
            index += 1  # the redirection's target is not a word of the command
        elif not words and item.startswith("#"):
            while index + 1 < len(items) and items[index + 1] != "\n":
                index += 1  # a comment line
        else:
            words.append(item)
        index += 1
    finish(piped=False)
    return tuple(out)


def make_simple(words: list[str], writes: list[str], piped: bool) -> SimpleCommand | None:
    words = [w for w in words if w]
    while words and ENV_ASSIGNMENT.match(words[0]):
        words = words[1:]
    words = strip_launchers(words)
    if not words:
        return None
    program = program_name(words)
    written = list(writes) + in_place_targets(program, words)
    return SimpleCommand(tuple(words), program, tuple(dict.fromkeys(written)), piped)


def strip_launchers(words: list[str]) -> list[str]:
    while words:
        head = posixpath.basename(words[0])
        if head in WRAPPERS:
            words = words[1:]
            while words and (words[0].startswith("-") or ENV_ASSIGNMENT.match(words[0])):
                words = words[1:]
        elif head in WRAPPERS_WITH_VALUE:
            words = [w for w in words[1:]]
            while words and (words[0].startswith("-") or words[0][:1].isdigit()):
                words = words[1:]
        elif head in RUNNERS and len(words) > 1 and words[1] == "run":
            words = words[2:]
        elif head in PACKAGE_RUNNERS:
            words = words[1:]
            while words and words[0].startswith("-"):
                words = words[1:]
        else:
            return words
    return words


def program_start(words: tuple[str, ...] | list[str]) -> int:
    """Where the program's own words start: `python3 -m pytest x` -> 2, `python tests/runtests.py x` -> 1,
    `pytest x` -> 0."""
    if not words or not PYTHON.match(posixpath.basename(words[0])):
        return 0
    index = 1
    while index < len(words) and words[index].startswith("-") and words[index] not in ("-m", "-c"):
        index += 1
    if index + 1 < len(words) and words[index] == "-m":
        return index + 1
    return index if index < len(words) and not words[index].startswith("-") else 0


def script_path(word: str) -> str:
    """A script as the project names it: `./tests/runtests.py` and `/testbed/tests/runtests.py` are both
    `tests/runtests.py` (the last two parts of an absolute path: a checkout's root differs run to run)."""
    path = posixpath.normpath(word)
    if path.startswith("/"):
        parts = path.strip("/").split("/")
        return "/".join(parts[-2:])
    return path.removeprefix("./")


# Programs found on most machines that none of the tables above name.
COMMON_PROGRAMS = frozenset(
    {"bash", "sh", "zsh", "node", "java", "javac", "ruby", "perl", "php", "rm", "mv", "cp", "mkdir", "touch",
     "chmod", "ln", "tar", "curl", "wget", "vim", "vi", "nano", "emacs", "patch", "xargs", "tee", "gcc", "cc",
     "clang", "rustc", "tsc", "kill", "ps", "unzip", "zip", "ssh", "scp", "rsync", "black", "flake8", "mypy",
     "pylint", "isort", "eslint", "prettier"}
)  # fmt: skip


def is_known_program(name: str) -> bool:
    """A program skillwarden knows by name (an interpreter, a runner, an inspection or build tool)."""
    return (
        name in INSPECTION_PROGRAMS
        or name in TEST_PROGRAMS
        or name in SUBCOMMAND_PROGRAMS
        or name in BUILD_TOOLS
        or name in RUNNERS
        or name in PACKAGE_RUNNERS
        or name in WRAPPERS
        or name in WRAPPERS_WITH_VALUE
        or name in COMMON_PROGRAMS
        or PYTHON.match(name) is not None
    )


def program_name(words: list[str]) -> str:
    """`python3 -m pytest` -> `pytest`; `python tests/runtests.py` -> `tests/runtests.py`;
    `git -C x commit` -> `git commit`; `./gradlew test` -> `gradlew test`."""
    head = words[0]
    rest = words[1:]
    base = posixpath.basename(head)
    if PYTHON.match(base):
        while rest and rest[0].startswith("-") and rest[0] not in ("-m", "-c"):
            rest = rest[1:]
        if len(rest) >= 2 and rest[0] == "-m":
            return program_name(rest[1:])
        if rest and rest[0] != "-c" and not rest[0].startswith("-"):
            script = script_path(rest[0])
            if posixpath.basename(script) in SUBCOMMAND_PROGRAMS:
                return subcommand_name(posixpath.basename(script), rest[1:])
            return script
        return "python"
    if "/" in head and base not in SUBCOMMAND_PROGRAMS:
        return script_path(head)
    if base in SUBCOMMAND_PROGRAMS:
        return subcommand_name(base, rest)
    return base


def subcommand_name(program: str, rest: list[str]) -> str:
    if program in BUILD_TOOLS:
        return program  # goals come in any order (`mvn -q clean test`): see `judged_test_run`
    skip_value = program == "git"  # `git -C dir commit`, `git -c k=v commit`
    index = 0
    while index < len(rest) and rest[index].startswith("-"):
        index += 2 if skip_value and rest[index] in ("-C", "-c") else 1
    subcommand = rest[index] if index < len(rest) else ""
    if subcommand and subcommand.replace("-", "").replace(":", "").replace("_", "").isalnum():
        return f"{program} {subcommand}"
    return program


def in_place_targets(program: str, words: list[str]) -> list[str]:
    """Files a command rewrites in place: `sed -i … FILE`, `perl -pi -e … FILE`, `tee FILE`."""
    if program == "sed" and any(w == "-i" or (w.startswith("-i") and len(w) < 8) or w.startswith("--in-place")
                                for w in words[1:]):  # fmt: skip
        return [w for w in words[2:] if not w.startswith("-") and is_file_like(w)][1:] or [
            w for w in words[-1:] if is_file_like(w)
        ]
    if program == "perl" and any(w.startswith("-") and "i" in w[1:] and not w.startswith("--") for w in words[1:]):
        return [w for w in words[-1:] if is_file_like(w)]
    if program == "tee":
        return [w for w in words[1:] if not w.startswith("-") and w not in NOT_A_FILE]
    if program in ("cp", "mv", "install", "ln") and len([w for w in words[1:] if not w.startswith("-")]) >= 2:
        return [w for w in words[1:] if not w.startswith("-")][-1:]
    if program in ("touch", "truncate", "patch", "ed", "ex", "git apply", "git checkout", "git restore"):
        return [w for w in words[1:] if not w.startswith("-") and is_file_like(w)][-1:] or ["."]
    return []


def is_file_like(word: str) -> bool:
    return bool(word) and not word.startswith(("s/", "s|", "s#", "/^", "$")) and ("." in word or "/" in word)


def judged_test_run(simple: SimpleCommand) -> bool:
    """Whether this command runs tests, by what it runs, for any ecosystem."""
    if any(word in NOT_A_TEST_RUN for word in simple.words):
        return False
    program = simple.program
    base = program.split()[0]
    if program in TEST_PROGRAMS or posixpath.basename(base) in TEST_PROGRAMS:
        return True
    if TEST_SCRIPT.search(base) and "/" in base or TEST_SCRIPT.search(base) and base.startswith("runtest"):
        return True
    tool = posixpath.basename(base)
    if tool in BUILD_TOOLS:
        return any(BUILD_TOOL_TEST_GOAL.match(word) for word in simple.words[1:] if not word.startswith("-"))
    if tool in ("npm", "yarn", "pnpm", "bun") and len(program.split()) == 2:
        sub = program.split()[1]
        if sub == "run":
            script = next((w for w in simple.words[2:] if not w.startswith("-")), "")
            return bool(NPM_TEST_SCRIPT.match(script))
        return sub in TEST_SUBCOMMANDS[tool]
    parts = program.split()
    return len(parts) == 2 and parts[1] in TEST_SUBCOMMANDS.get(parts[0], ())


# Asked alone, these make a program tell about itself (`sphinx-build --version`, `python -m pytest --help`).
ABOUT_ITSELF = frozenset({"--version", "--help", "-h", "-V"})


def is_inspection(simple: SimpleCommand) -> bool:
    """Only looks: reads, lists, searches, prints (`sed -n`, `cat f`, `grep -rn x`, a program asked its
    version or its usage), and writes no file."""
    if simple.writes:
        return False
    if simple.program in INSPECTION_PROGRAMS:
        if simple.program == "find":
            return not any(w in ("-delete", "-exec", "-execdir") for w in simple.words)
        return True
    arguments = simple.words[program_start(simple.words) + 1 :]
    return len(arguments) == 1 and arguments[0] in ABOUT_ITSELF


@functools.lru_cache(maxsize=COMMAND_CACHE)
def runs_tests(command: str) -> bool:
    return any(simple.is_test_run for simple in simple_commands(command))


@functools.lru_cache(maxsize=COMMAND_CACHE)
def files_written(command: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(path for simple in simple_commands(command) for path in simple.writes))


@functools.lru_cache(maxsize=COMMAND_CACHE)
def only_inspects(command: str) -> bool:
    simples = simple_commands(command)
    return bool(simples) and all(is_inspection(simple) for simple in simples)


@functools.lru_cache(maxsize=COMMAND_CACHE)
def work_command(command: str) -> SimpleCommand | None:
    """The command that does the work: a test run if there is one, else the first that is not set-up
    (`cd`, `export`, `source`) or plumbing at the end of a pipe (`| tail -n 20`)."""
    simples = simple_commands(command)
    for simple in simples:
        if simple.is_test_run:
            return simple
    for index, simple in enumerate(simples):
        after_pipe = index > 0 and simples[index - 1].piped
        if simple.program not in COMMAND_SETUP and not after_pipe:
            return simple
    return simples[0] if simples else None


def exit_is_answer(command: str, exit_code: int) -> bool:
    """`grep` finding nothing, `diff` finding differences, `test` being false: exit 1 is an answer."""
    if exit_code != 1:
        return False
    simples = simple_commands(command)
    if not simples:
        return False
    # The status of a pipeline or a list is its last command's.
    return simples[-1].program in ANSWERING_PROGRAMS


def quote(words: tuple[str, ...] | list[str]) -> str:
    """Words joined back into a command line that means the same (`rm -rf "build output"` stays two words)."""
    return shlex.join(words)

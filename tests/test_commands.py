import random

import pytest

from skillwarden.core.signals.commands import (
    exit_is_answer,
    files_written,
    lexed,
    only_inspects,
    quote,
    runs_tests,
    simple_commands,
    strip_heredocs,
    tokens,
    work_command,
)


def programs(command):
    return [simple.program for simple in simple_commands(command)]


def test_a_command_line_is_split_into_its_simple_commands():
    assert programs("cd /testbed && python3 tests/runtests.py utils --parallel 1 2>&1 | tail -n 20") == [
        "cd", "tests/runtests.py", "tail",
    ]  # fmt: skip
    assert programs("FOO=1 timeout 60 uv run pytest -x; git -C repo commit -m 'a; b'") == ["pytest", "git commit"]
    assert programs("python -m pytest -q\n# a comment line\nls -la") == ["pytest", "ls"]
    assert programs("sed -i 's/a/b/' f.py && \\\nsed -i 's/c/d/' g.py") == ["sed", "sed"]


def test_heredoc_bodies_are_not_commands():
    command = "cat <<'EOF' > repro.py\nimport os\nos.system('rm -rf /')\nEOF\npython repro.py"
    assert strip_heredocs(command) == "cat <<'EOF' > repro.py\npython repro.py"
    assert programs(command) == ["cat", "repro.py"]
    assert files_written(command) == ("repro.py",)


@pytest.mark.parametrize(
    "command",
    [
        "pytest -q", "python -m pytest tests/test_x.py::T", "py.test", "tox -e py311", "nox -s tests",
        "./tests/runtests.py model_fields", "python3 tests/runtests.py utils_tests.test_dateparse --parallel 1",
        "/testbed/tests/runtests.py migrations", "bin/test sympy/core/tests/test_basic.py",
        "python -m unittest discover", "python manage.py test app", "mvn test", "mvn -q -Dtest=FooTest test",
        "./mvnw clean verify", "gradle test", "./gradlew :core:test --tests X", "npm test", "npm run test:unit",
        "yarn test", "pnpm test", "go test ./...", "cargo test -p x", "cargo nextest run", "make test", "make check",
        "dotnet test", "mix test", "sbt test", "ctest --output-on-failure", "npx jest src", "rspec spec/a_spec.rb",
        "cd app && python -m pytest -x 2>&1 | tail",
    ],
)  # fmt: skip
def test_test_runs_are_recognized_by_what_they_run(command):
    assert runs_tests(command), command


@pytest.mark.parametrize(
    "command",
    ["pip install pytest", "pytest --collect-only -q", "cat tests/runtests.py", "ls tests", "mvn compile",
     "python reproduce.py", "npm install", "grep -rn test .", "go build ./...", "find . -name '*test*'"],
)  # fmt: skip
def test_other_commands_are_not_test_runs(command):
    assert not runs_tests(command), command


def test_files_written_by_redirections_in_place_edits_and_tee():
    assert files_written("sed -i 's/a/b/' django/db/models.py") == ("django/db/models.py",)
    assert files_written("sed -i.bak -e 's/a/b/' f.py") == ("f.py",)
    assert files_written("echo x >> notes.txt && cat a | tee out.log") == ("notes.txt", "out.log")
    assert files_written("pytest 2>&1 | tail -n 5") == ()
    assert files_written("python repro.py > /dev/null 2>&1") == ()
    assert files_written("perl -pi -e 's/a/b/' x.pl") == ("x.pl",)


def test_inspection_only_reads():
    assert only_inspects("nl -ba django/core/validators.py | sed -n '90,110p'")
    assert only_inspects("grep -rn 'def foo' src/ && ls -la")
    assert only_inspects("git diff")
    assert not only_inspects("sed -i 's/a/b/' f.py")
    assert not only_inspects("cat a > b")
    assert not only_inspects("find . -name '*.pyc' -delete")
    assert not only_inspects("python repro.py")
    # A program asked about itself only looks: the held-out half's sphinx-build skill showed `--version` as an
    # example of its arguments, and `python --version` after an edit passed for a check of it.
    assert only_inspects("sphinx-build --version") and only_inspects("python3 -m pytest --help")
    assert only_inspects("python -V") and not only_inspects("npm version") and not only_inspects("pytest -x")


def test_the_work_of_a_command_line_is_its_test_run_or_its_first_real_command():
    assert work_command("cd /testbed && ./tests/runtests.py x 2>&1 | tail").program == "tests/runtests.py"
    assert work_command("export A=1 && python repro.py | head").program == "repro.py"
    assert work_command("") is None


def test_exit_one_of_search_and_comparison_commands_is_an_answer():
    assert exit_is_answer("grep -rn foo src/", 1)
    assert exit_is_answer("cat a | grep -c x", 1)
    assert exit_is_answer("diff a b", 1)
    assert exit_is_answer("test -f x", 1)
    assert not exit_is_answer("grep -rn foo src/", 2)  # 2 is grep's own error
    assert not exit_is_answer("grep foo a && python x.py", 1)
    assert not exit_is_answer("pytest", 1)


def test_quoting_keeps_the_words():
    words = simple_commands('rm -rf "build output" "dist/old files"')[0].words
    assert words == ("rm", "-rf", "build output", "dist/old files")
    assert quote(words) == "rm -rf 'build output' 'dist/old files'"


def test_unbalanced_quotes_and_odd_input_do_not_raise():
    for command in ["echo 'unterminated", "", "&&", "|| ;", "cat <<EOF", "2>&1", "\\", "a=b", "sudo", "( ( ("]:
        simple_commands(command)
        runs_tests(command)
        files_written(command)


UNQUOTED_ALPHABET = "ab-=./*$#:{}~ \t\r\n;&|<>()019"


def test_an_unquoted_command_line_is_split_as_the_general_lexer_splits_it():
    lines = [
        "cd /testbed && python -m pytest tests/test_x.py -x 2>&1 | tail -n 30",
        "grep -rn foo src/ ; ls -la >> out.log 2>/dev/null & wait",
        "A=1 B=2 ./tests/runtests.py auth_tests --parallel 1 |& head",
        "sed -n 10,20p file.py\nnl -ba file.py | sed -n 1,5p",
        "(cd a && make) || echo $? >| x <> y <& 3 >& 2 &>> z &> w ;; done",
    ]
    generator = random.Random(13)
    for _ in range(3000):
        lines.append("".join(generator.choice(UNQUOTED_ALPHABET) for _ in range(generator.randint(0, 40))))
    for line in lines:
        assert tokens(line) == lexed(line), line


def test_quotes_escapes_and_heredocs_take_the_general_lexer():
    for line in ["echo 'a b' c", 'echo "a \\"b" c', "echo a\\ b", "cat <<EOF > f\nx y\nEOF\nls"]:
        assert tokens(line) == lexed(line)
    assert tokens("echo 'a b' c") == ["echo", "a b", "c"]

from skillwarden.core.model import Step
from skillwarden.core.signals.normalize import (
    file_extension,
    file_role,
    normalize_step,
    path_role,
    program_of,
    shell_command_text,
    shell_flags,
)


def test_program_of_strips_setup_wrappers_and_env():
    assert program_of("cd app && python -m pytest -q tests/") == "pytest"
    assert program_of('git commit -m "fix: cart total"') == "git commit"
    assert program_of("FOO=1 BAR=2 npm test") == "npm test"
    assert program_of("sudo apt-get install -y tmux") == "apt-get install"
    assert program_of("alembic upgrade head") == "alembic upgrade"
    assert program_of("ls -la | grep x") == "ls"
    assert program_of("") == ""
    assert program_of("echo 'unbalanced") == "echo"


def test_codex_exec_arrays_become_the_inner_command():
    assert shell_command_text({"command": ["bash", "-lc", "pytest -x"]}) == "pytest -x"
    assert shell_command_text({"cmd": "ruff check ."}) == "ruff check ."


def test_file_roles_name_the_role_and_the_extension():
    assert file_role("/home/u/src/cart.py") == ".py"
    assert file_role("tests/test_cart.py") == "test:.py"
    assert file_role("src/cart_test.go") == "test:.go"
    assert file_role("migrations/versions/ab12_add.py") == "migration:.py"
    assert file_role(".github/workflows/ci.yml") == "ci:.yml"
    assert file_role("docs/README.MD") == "docs:.md"
    assert file_role("C:\\work\\Makefile") == "Makefile"
    assert file_role("/repo/pyproject.toml") == "pyproject.toml"
    assert path_role("src/app/main.py") == ""
    assert file_extension("test:.py") == ".py" and file_extension("pyproject.toml") == "pyproject.toml"


def test_shell_flags_are_kept_apart_from_the_program():
    assert shell_flags("cd app && pytest -x -q --maxfail=2 tests/") == ("--maxfail", "-q", "-x")
    assert shell_flags("git commit -am 'fix -x'") == ("-am",)
    assert shell_flags("python -m pytest -rsx tests/") == shell_flags("python3 -B -m pytest -rsx tests/") == ("-rsx",)
    assert program_of("pytest -x -q tests/") == "pytest"


def test_normalize_step_abstracts_arguments_and_drops_noise():
    assert normalize_step(Step("Bash", {"command": "pytest tests/test_a.py"})) == "shell:pytest"
    assert normalize_step(Step("exec_command", {"cmd": "pytest tests/test_b.py"})) == "shell:pytest"
    assert normalize_step(Step("Edit", {"file_path": "src/a.py"})) == "edit:.py"
    assert normalize_step(Step("apply_patch", {"files": ["src/b.py"]})) == "edit:.py"
    assert normalize_step(Step("Read", {"file_path": "pyproject.toml"})) == "read:pyproject.toml"
    assert normalize_step(Step("Edit", {"file_path": "tests/test_a.py"})) == "edit:test:.py"
    assert normalize_step(Step("Write", {"file_path": "x/Dockerfile"})) == "write:Dockerfile"
    assert normalize_step(Step("TodoWrite", {"todos": []})) is None
    assert normalize_step(Step("Grep", {"pattern": "x"})) is None
    assert normalize_step(Step("mcp__github__create_pr", {})) == "tool:mcp__github__create_pr"


def test_compiling_a_scratch_java_file_is_running_its_own_script():
    """The Java runs of SWE-agent compile the reproduction they wrote at the top of the checkout, as Python runs
    run theirs: "Run javac" was proposed as a skill twice. A compile of the project's own sources stays one."""
    def token(command):
        return normalize_step(Step("bash", {"command": command}))

    assert token("javac Reproduce.java") == token("javac -cp .:src/main/java Test.java && java Test") == "run:.java"
    assert token("python reproduce.py") == "run:.py"
    assert token("javac -d out src/main/java/com/x/Foo.java") == "shell:javac"
    assert token("javac -version") == "shell:javac"

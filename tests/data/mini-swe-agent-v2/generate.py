"""How the two trajectories beside this file were made (not a test; needs mini-swe-agent 2.x installed):

    python generate.py calc-toolcall.traj.json calc-responses-api.traj.json

mini-swe-agent's own DefaultAgent, LocalEnvironment and default config run its deterministic tool-calling
models, which replay the fixed model turns below, on a two-file repository: every observation is a real
execution of the command, as mini-swe-agent runs and records it.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from minisweagent.agents.default import DefaultAgent
from minisweagent.config import builtin_config_dir
from minisweagent.environments.local import LocalEnvironment
from minisweagent.models.test_models import (
    DeterministicResponseAPIToolcallModel,
    DeterministicToolcallModel,
    make_response_api_output,
    make_toolcall_output,
)

TASK = "The add function in calc.py returns the wrong result: add(2, 3) should be 5."
# (the model's text, the commands it calls `bash` with in that turn)
TURNS = [
    ("I'll look at the repository first.", ["ls"]),
    (None, ["cat calc.py", "cat tests/test_calc.py"]),
    ("Run the tests to see the failure.", ["python3 -m unittest tests.test_calc"]),
    ("Is subtraction used anywhere else?", ["grep -rn 'subtract' --include=*.py ."]),
    ("The function subtracts; fix it.", ["sed -i 's/return a - b/return a + b/' calc.py"]),
    ("Run the tests again.", ["python3 -m unittest tests.test_calc"]),
    ("Done; submit.", ["echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git diff"]),
]


def repository() -> Path:
    root = Path(tempfile.mkdtemp(prefix="calc-"))
    (root / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    (root / "tests").mkdir()
    (root / "tests" / "__init__.py").write_text("")
    (root / "tests" / "test_calc.py").write_text(
        "import unittest\n\nfrom calc import add\n\n\nclass AddTest(unittest.TestCase):\n"
        "    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n"
    )
    for command in (["git", "init", "-q"], ["git", "add", "-A"],
                    ["git", "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "init"]):  # fmt: skip
        subprocess.run(command, cwd=root, check=True)
    return root


def actions(prefix: str, turn: int, commands: list[str]) -> list[dict]:
    return [{"command": command, "tool_call_id": f"{prefix}_{turn}_{n}"} for n, command in enumerate(commands)]


def chat_outputs() -> list[dict]:
    outputs = []
    for turn, (text, commands) in enumerate(TURNS):
        called = actions("call", turn, commands)
        calls = [
            {"id": action["tool_call_id"], "type": "function",
             "function": {"name": "bash", "arguments": json.dumps({"command": action["command"]})}}
            for action in called
        ]  # fmt: skip
        outputs.append(make_toolcall_output(text, calls, called))
    return outputs


def responses_api_outputs() -> list[dict]:
    return [
        make_response_api_output(text, actions("fc", turn, commands)) for turn, (text, commands) in enumerate(TURNS)
    ]


def run(model, out: str) -> None:
    config = yaml.safe_load((builtin_config_dir / "default.yaml").read_text())
    agent = DefaultAgent(model, LocalEnvironment(cwd=str(repository())), **config["agent"])
    agent.run(TASK)
    agent.save(Path(out))


if __name__ == "__main__":
    run(DeterministicToolcallModel(outputs=chat_outputs()), sys.argv[1])
    run(DeterministicResponseAPIToolcallModel(outputs=responses_api_outputs()), sys.argv[2])

"""Ground truth: label files in their usual shapes, which session each label settles, and the
`outcomes import` command end to end (it overrides the grade, survives `rebuild`, feeds `eval`)."""

import json
import shutil
from pathlib import Path

import pytest

from skillwarden.core.signals.labels import Label, LabelError, file_stem, labels_in, match_sessions, read_label_file
from tests.helpers import run, run_json

REAL = Path(__file__).parent / "data" / "mini-swe-agent"
RESOLVED, UNRESOLVED = "django__django-16255", "django__django-10999"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": True, "b": False}, {"a": True, "b": False}),
        # SWE-bench harness report: every id listed anywhere is labelled, resolved only in `resolved_ids`.
        ({"total_instances": 3, "resolved_ids": ["a"], "unresolved_ids": ["b"], "empty_patch_ids": ["c"]},
         {"a": True, "b": False, "c": False}),
        # A report written while the evaluation ran: an instance whose evaluation did not finish has no verdict.
        ({"submitted_ids": ["a", "b", "c", "d"], "completed_ids": ["a", "d"], "incomplete_ids": ["b", "c", "d"],
          "resolved_ids": ["a", "c"], "unresolved_ids": ["d"]},
         {"a": True, "c": True, "d": False}),
        # swe-bench/experiments results.json
        ({"generated": ["a", "b"], "applied": ["a", "b"], "resolved": ["b"]}, {"a": False, "b": True}),
        ({"instances": [{"instance_id": "a", "resolved": True}, {"instance_id": "b", "resolved": False}]},
         {"a": True, "b": False}),
        ([{"id": 7, "resolved": False}], {"7": False}),
        ({"a": {"resolved": True, "tests_status": {}}, "b": {"resolved": False}}, {"a": True, "b": False}),
        # OpenHands' output.swebench_eval.jsonl records, read as a list: the verdict in `test_result.report`.
        ([{"instance_id": "a", "test_result": {"git_patch": "…", "report": {"resolved": True}}},
          {"instance_id": "b", "test_result": {"report": {"resolved": False, "error_eval": True}}}],
         {"a": True, "b": False}),
        # A record whose evaluation gave no verdict has no label; a later attempt of an id settles it.
        ([{"instance_id": "a", "resolved": None, "status": "error"}, {"instance_id": "b", "resolved": False},
          {"instance_id": "b", "resolved": True}], {"b": True}),
    ],
)  # fmt: skip
def test_label_files_in_their_usual_shapes(value, expected):
    assert labels_in(value) == expected


@pytest.mark.parametrize(
    "value",
    [{}, [], {"a": "yes"}, {"instances": [{"resolved": True}]}, 3, {"resolved": 1},
     [{"instance_id": "a", "resolved": None}], [{"instance_id": "a", "report": {"resolved": "yes"}}],
     [{"instance_id": "a", "resolved": True}, {"instance_id": "b"}]],
)  # fmt: skip
def test_anything_else_is_not_a_label_file(value):
    assert labels_in(value) is None


def test_unreadable_or_foreign_files_raise_one_clear_error(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "other.json").write_text('{"name": "x"}')
    for name in ("bad.json", "other.json", "missing.json"):
        with pytest.raises(LabelError, match=name):
            read_label_file(tmp_path / name)


def test_json_lines_are_a_label_file_and_a_torn_line_is_named(tmp_path):
    """The agent SDK's benchmark `output.jsonl` (one attempt a line) and OpenHands' `output.swebench_eval.jsonl`
    are JSON lines: `json.loads` of the whole refused them ("Extra data")."""
    lines = [{"instance_id": "a", "attempt": 1, "status": "success", "resolved": False, "test_result": {}},
             {"instance_id": "a", "attempt": 2, "status": "success", "resolved": True, "test_result": {}},
             {"instance_id": "b", "attempt": 1, "status": "error", "resolved": None, "error": "boom"},
             {"instance_id": "c", "test_result": {"report": {"resolved": False}}}]  # fmt: skip
    path = tmp_path / "output.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    assert {label.key: label.resolved for label in read_label_file(path)} == {"a": True, "c": False}
    path.write_text(json.dumps(lines[0]) + "\n" + json.dumps(lines[1])[:-9] + "\n")
    with pytest.raises(LabelError, match="output.jsonl:2: not valid JSON"):
        read_label_file(path)


def test_file_stems_drop_every_suffix():
    assert file_stem("/x/trajs/django__django-1/django__django-1.traj.json") == "django__django-1"
    assert file_stem("rollout-2025-01-01T10-00-00-abc.jsonl") == "rollout-2025-01-01T10-00-00-abc"
    assert file_stem("sympy__sympy-20590.traj") == "sympy__sympy-20590"


def test_a_label_under_a_folder_wins_and_a_later_label_wins(tmp_path):
    a, b = str(tmp_path / "model-a"), str(tmp_path / "model-b")
    sessions = [("s1", f"{a}/gson-1.traj", ""), ("s2", f"{b}/gson-1.traj", ""), ("s3", "/else/x.jsonl", "gson-1")]
    labels = [Label("gson-1", True), Label("gson-1", False, a), Label("gson-1", False), Label("other", True)]
    settled = match_sessions(labels, sessions)
    assert {sid: label.resolved for sid, label in settled.items()} == {"s1": False, "s2": False, "s3": False}
    assert settled["s1"].under == a and settled["s2"].under == ""
    assert match_sessions([Label("gson-1", True, b)], sessions).keys() == {"s2"}


def test_a_trace_named_by_its_folder_matches_when_nothing_else_does():
    """`runs/django__django-1/<uuid>.jsonl` (an agent whose traces carry no task id, one folder per task): the
    folder names the run. A key matched by the session or its file still wins over the folder's."""
    sessions = [
        ("uuid-1", "/runs/django__django-1/uuid-1.jsonl", ""),
        ("uuid-2", "/runs/django__django-2/uuid-2.jsonl", ""),
        ("uuid-3", "/runs/trajs/uuid-3.jsonl", ""),
    ]
    labels = [Label("django__django-1", True), Label("django__django-2", True), Label("uuid-2", False)]
    settled = {sid: label.resolved for sid, label in match_sessions(labels, sessions).items()}
    assert settled == {"uuid-1": True, "uuid-2": False}


@pytest.fixture
def workspace(tmp_path):
    traces = tmp_path / "ws" / "traces" / "gemini"
    traces.mkdir(parents=True)
    for path in REAL.iterdir():
        shutil.copy(path, traces / path.name)
    return tmp_path / "ws"


def sessions_by_id(capsys, home):
    """Sessions by the instance they ran (a session id is qualified by its file: `<instance>@<hash>`)."""
    return {s["task_id"]: s for s in run_json(capsys, "--home", str(home), "sessions")}


def test_outcomes_import_overrides_the_grade_and_survives_rebuild(workspace, tmp_path, capsys):
    home = str(workspace)
    assert run(capsys, "--home", home, "ingest")[0] == 0
    before = sessions_by_id(capsys, workspace)
    assert {s["outcome_source"] for s in before.values()} == {"graded"}
    assert before[UNRESOLVED]["outcome"] == "succeeded"  # its own checks passed; the hidden tests did not

    report = tmp_path / "report.json"
    report.write_text(json.dumps({"resolved_ids": [RESOLVED], "unresolved_ids": [UNRESOLVED, "not-run-here"]}))
    code, out, _ = run(capsys, "--home", home, "outcomes", "import", str(report), "--json")
    assert code == 0
    summary = json.loads(out)
    assert (summary["labels"], summary["sessions_labelled"], summary["labels_without_session"]) == (3, 2, 1)

    after = sessions_by_id(capsys, workspace)
    assert (after[UNRESOLVED]["outcome"], after[UNRESOLVED]["reward"]) == ("failed", 0.0)
    assert after[UNRESOLVED]["outcome_source"] == "label"
    assert after[UNRESOLVED]["graded_outcome"] == "succeeded"
    assert "labelled unresolved by report.json" in after[UNRESOLVED]["reward_explanation"]
    assert (after[RESOLVED]["outcome"], after[RESOLVED]["reward"]) == ("succeeded", 1.0)

    assert run(capsys, "--home", home, "rebuild")[0] == 0
    assert sessions_by_id(capsys, workspace) == after
    listed = run_json(capsys, "--home", home, "outcomes", "list")
    assert listed["sessions"] == {"label": 2}


def test_labels_under_a_folder_settle_only_that_folders_runs(workspace, tmp_path, capsys):
    home = str(workspace)
    other = workspace / "traces" / "other-model"
    other.mkdir()
    shutil.copy(REAL / f"{RESOLVED}.traj.json", other / f"{RESOLVED}.traj.json")
    assert run(capsys, "--home", home, "ingest")[0] == 0
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({RESOLVED: False}))
    assert run(capsys, "--home", home, "outcomes", "import", str(labels), "--under", str(other))[0] == 0
    labelled = [s for s in run_json(capsys, "--home", home, "sessions") if s["outcome_source"] == "label"]
    assert [s["path"] for s in labelled] == [str(other / f"{RESOLVED}.traj.json")]


def test_a_bad_label_file_is_refused_with_one_line(workspace, tmp_path, capsys):
    (tmp_path / "x.json").write_text("[1, 2]")
    code, _, err = run(capsys, "--home", str(workspace), "outcomes", "import", str(tmp_path / "x.json"))
    assert code == 1 and err.startswith("skillwarden: ") and "not a label file" in err
    assert "Traceback" not in err
    assert not (workspace / "labels.json").exists()


def test_an_ingest_that_reads_nothing_says_why_and_fails(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(capsys, "--home", str(tmp_path / "ws"), "ingest", str(empty))
    assert code == 1 and "nothing was read: no trace file in" in err
    (empty / "notes.json").write_text('{"hello": "world"}')
    code, _, err = run(capsys, "--home", str(tmp_path / "ws"), "ingest", str(empty))
    assert code == 1 and "none of the 1 file(s)" in err and "content matches no known trace format" in err

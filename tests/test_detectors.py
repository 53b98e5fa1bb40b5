from skillwarden.core.mining.detectors import (
    budget_limits,
    edit_loops,
    error_signature,
    failing_command_loops,
    failure_patterns,
    premature_completion,
    token_session_counts,
    tool_errors,
    triggered,
    user_stops,
)
from skillwarden.core.model import Outcome, Session, Step


def bash(command, *, error="", ok="ok"):
    return Step("Bash", {"command": command}, result=error or ok, is_error=bool(error))


def edit(path):
    return Step("Edit", {"file_path": path})


def make(sid, steps, outcome=Outcome.SUCCEEDED, final=""):
    return Session(sid, "claude_code", f"/t/{sid}.jsonl", steps=steps, outcome=outcome, final_message=final)


LOOP = [bash("pytest -q", error="FAILED tests/test_a.py::t - assert 1 == 2")] + [
    step
    for _ in range(5)
    for step in (edit("src/a.py"), bash("pytest -q", error="FAILED tests/test_a.py::t - assert 1 == 2"))
]


def test_error_signature_strips_paths_numbers_hex_and_quoted_names():
    a = error_signature('Exit code 1\nERROR: column "notes" of relation "orders" already exists at /srv/app/db.py:41')
    b = error_signature("Exit code 1\nERROR: column 'locale' of relation 'tickets' already exists at /x/y.py:7")
    assert a == b
    assert "<path>" in a and "41" not in a
    assert error_signature("commit 3f9a2b1c0d failed") == "commit <hex> failed"


def test_prose_run_as_a_command_is_one_error_whatever_its_first_word():
    """The Java runs of SWE-agent sent their reasoning to the shell (`The: command not found`, `It:`, `We:`,
    `DISCUSSION:`): five harness rules, one per word, and "Do not rerun a failing `DISCUSSION` unchanged"."""
    words = ("The", "It", "DISCUSSION")
    said = {error_signature(f"/bin/bash: line {n}: {word}: command not found") for n, word in enumerate(words)}
    assert said == {"<path>: line <n>: <prose>: command not found"}
    assert error_signature("/bin/bash: line 9: mvn: command not found") == "<path>: line <n>: mvn: command not found"
    prose = [bash("DISCUSSION\nls", error="/bin/bash: line 1: DISCUSSION: command not found")] * 3
    assert failing_command_loops(make("s", prose)) == []
    assert [f.signature for f in tool_errors(make("s", prose))] == ["<path>: line <n>: <prose>: command not found"]


def test_edit_loop_needs_five_edits_of_one_file():
    assert [f.signature for f in edit_loops(make("s", LOOP, Outcome.FAILED))] == ["edit:.py"]
    assert edit_loops(make("s", LOOP[:8], Outcome.FAILED)) == []


def test_failing_command_loop_is_the_same_command_failing_with_the_same_error():
    firing = failing_command_loops(make("s", LOOP, Outcome.FAILED))
    assert [(f.signature, f.first_step) for f in firing] == [("pytest", 0)]
    different = [bash("pytest", error=f"error {word}") for word in ("one", "two", "three")]
    assert error_signature(different[0].result) != error_signature(different[1].result)
    assert failing_command_loops(make("s", different)) == []


def test_a_command_that_never_ran_is_no_failing_loop_but_its_recurring_error():
    """The Java runs of SWE-agent: "Do not rerun a failing `javac` unchanged" beside "`javac` is not installed
    here", for the same 11 runs of `javac: command not found`; and `./mvnw` refused thrice for want of Java."""
    never_started = [("javac A.java", "/bin/bash: line 3: javac: command not found"),
                     ("./mvnw test", "Error: JAVA_HOME is not defined correctly.\nWe cannot execute x")]
    for command, said in never_started:
        never_ran = make("s", [bash(command, error=said)] * 3, Outcome.FAILED)
        assert failing_command_loops(never_ran) == []
        assert not triggered("failing-command-loop", command.split()[0], never_ran)
        assert [f.detector for f in tool_errors(never_ran)] == ["recurring-error"]
    ran = make("s", [bash("javac A.java", error="A.java:3: error: ';' expected")] * 3, Outcome.FAILED)
    assert [f.signature for f in failing_command_loops(ran)] == ["javac"]
    assert triggered("failing-command-loop", "javac", ran)


def test_premature_completion_is_a_skipped_recheck():
    checked_before = [bash("pytest -q", error="FAILED"), edit("src/a.py")]
    assert [f.signature for f in premature_completion(make("s", checked_before))] == ["unverified-change"]
    assert premature_completion(make("s", [*checked_before, bash("pytest -q")])) == []
    assert premature_completion(make("s", [edit("CHANGELOG.md"), bash("git commit -m x")])) == []  # never checks
    assert premature_completion(make("s", checked_before, Outcome.INTERRUPTED)) == []


def test_rejections_interruptions_and_budget():
    rejected = Step("Bash", {"command": "git push"}, result="User rejected tool use", is_error=True)
    stops = user_stops(make("s", [edit("a.py"), rejected], Outcome.INTERRUPTED))
    assert [(f.detector, f.signature) for f in stops] == [("user-rejection", "shell:git push")]
    looked = user_stops(make("s", [edit("a.py"), Step("Read", {"file_path": "b.py"})], Outcome.INTERRUPTED))
    assert looked == []  # stopping while the agent reads says nothing about reading
    assert budget_limits(make("s", [edit("a.py")], final="Reached the maximum number of turns (max_turns)"))
    assert budget_limits(make("s", [edit("a.py")] * 61))
    assert not budget_limits(make("s", [edit("a.py")] * 10))


MISSING_TOOL = [bash("mvn -q test", error="bash: line 1: mvn: command not found"), edit("src/A.java")]
LINTER = "Your proposed edit has introduced new syntax error(s). Please understand the fixes.\nERRORS:\n- E999"


def test_recurring_errors_group_across_sessions_and_need_failures():
    sessions = [make(f"f{i}", MISSING_TOOL, Outcome.FAILED) for i in range(3)]
    sessions += [make("ok", [edit("a.py"), bash("pytest")])]
    firings = [f for s in sessions for f in tool_errors(s)]
    outcomes = {s.id: str(s.outcome) for s in sessions}
    patterns = failure_patterns(firings, outcomes, min_sessions=3)
    assert [(p.detector, p.sessions) for p in patterns] == [("recurring-error", ["f0", "f1", "f2"])]
    better = {"f0": 0.9, "f1": 0.9, "f2": 0.9, "ok": 0.2}  # mostly successes that ended better than the rest
    assert failure_patterns(firings, {**outcomes, "f0": "succeeded", "f1": "succeeded"}, min_sessions=3,
                            rewards=better) == []  # fmt: skip


def test_failing_tests_and_tracebacks_of_the_code_under_work_are_not_tool_errors():
    assert tool_errors(make("s", LOOP, Outcome.FAILED)) == []
    traceback = bash("python repro.py", error="Traceback (most recent call last):\nValueError: boom")
    assert tool_errors(make("s", [traceback])) == []


def test_a_widespread_tool_rejection_is_kept_whatever_the_grade_says():
    rejected = Step("edit", {"command": "edit 1:2\nx\nend_of_edit"}, result=LINTER, is_error=True)
    sessions = [make(f"r{i}", [rejected, edit("a.py"), bash("pytest")]) for i in range(4)]
    sessions += [make(f"o{i}", [edit("a.py"), bash("pytest")]) for i in range(20)]
    firings = [f for s in sessions for f in tool_errors(s)]
    outcomes = {s.id: "succeeded" for s in sessions}  # every run graded a success
    (pattern,) = failure_patterns(firings, outcomes, min_sessions=3, rewards={s.id: 0.8 for s in sessions})
    assert pattern.signature.startswith("Your proposed edit has introduced new syntax error(s)")
    # Unless its sessions end better than the rest.
    better = {**{s.id: 0.5 for s in sessions}, **{f"r{i}": 0.9 for i in range(4)}}
    assert failure_patterns(firings, outcomes, min_sessions=3, rewards=better) == []
    # A rarer one must go with worse outcomes.
    rare = firings[:2] + [f for f in firings if f.session_id == "r2"]
    worse = {**{s.id: 0.8 for s in sessions}, "r0": 0.1, "r1": 0.2, "r2": 0.3}
    assert [p.sessions for p in failure_patterns(rare, outcomes, min_sessions=3, rewards=worse)] == [
        ["r0", "r1", "r2"]
    ]


def test_user_stops_must_land_on_one_step_more_often_than_stops_in_general():
    rejected = Step("Bash", {"command": "git push"}, result="User rejected tool use", is_error=True)
    pushers = [make(f"p{i}", [edit("a.py"), rejected], Outcome.INTERRUPTED) for i in range(3)]
    others = [make(f"o{i}", [edit("a.py"), bash("pytest")]) for i in range(9)]
    sessions = pushers + others
    firings = [f for s in sessions for f in user_stops(s)]
    outcomes = {s.id: str(s.outcome) for s in sessions}
    counts = token_session_counts(sessions)
    assert [p.signature for p in failure_patterns(firings, outcomes, token_sessions=counts)] == ["shell:git push"]
    # When every session runs the step, a stop there is no more likely than anywhere else.
    assert failure_patterns(firings, outcomes, token_sessions={"shell:git push": 100}) == []


def test_triggers_come_before_the_detection():
    partial = LOOP[:9]  # four edits, four failing runs
    assert triggered("edit-loop", "edit:.py", make("s", partial))
    assert not edit_loops(make("s", partial))
    assert triggered("failing-command-loop", "pytest", make("s", LOOP[:3]))
    assert not triggered("failing-command-loop", "pytest", make("s", LOOP[:1]))
    assert triggered("premature-completion", "unverified-change", make("s", LOOP[:2]))

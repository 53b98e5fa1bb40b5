"""A git repository where every decision is exactly one commit, made safely: refused on a dirty tree,
written atomically with an intent record first, only its own paths staged, restored to HEAD when
it fails part-way, revertable. The skills library and the harness repository are both one.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import git
import yaml

from skillwarden.core.workspace.private_files import SHARED_FILE, write_atomically
from skillwarden.skills.decision_input import (
    Scanner,
    checked_path,
    default_scanner,
    scan_refusal,
    single_line,
    text_field,
    validate_reviewer,
)
from skillwarden.skills.index_lock import INDEX_LOCK, index_lock_is_stale, process_start_time
from skillwarden.skills.intent import INTENT_FILE, STEP_COMMITTED, STEP_STAGED, STEP_WRITTEN, Intent
from skillwarden.skills.library_errors import (
    DirtyRepositoryError,
    InterruptedDecisionError,
    LibraryError,
    UnsafeContentError,
)
from skillwarden.skills.trailers import (
    REVERTING_ACTIONS,
    TRAILER_REVERTS,
    TRAILER_SCAN,
    TRAILER_SCANNER,
    Decision,
    build_commit_message,
    decision_from_trailers,
    decision_trailers,
    message_body,
    parse_trailers,
    subject_of,
)

APPROVED_DIR = "skills"
BACKLOG_DIR = "backlog"
RETIRED_DIR = "retired"
REJECTED_DIR = "decisions/rejected"
SKILL_FILE = "SKILL.md"
PROVENANCE_FILE = "provenance.yaml"
DEFAULT_BRANCH = "main"


# Used when the machine has no git identity (a bare CI runner) and for reviewers, who have no address.
FALLBACK_NAME = "skillwarden"
PLACEHOLDER_EMAIL = "skillwarden@localhost.invalid"


def parse_porcelain_status(output: str) -> list[tuple[str, str]]:
    """(status, path) pairs from `git status --porcelain=v1 -z`; a rename lists its new path."""
    entries = output.split("\0")
    changes = []
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:  # the empty string after the final NUL
            continue
        status, path = entry[:2], entry[3:]
        changes.append((status, path))
        if status[0] in "RC":  # renames and copies are followed by their source path
            index += 1
    return changes


def describe_dirty_tree(repo_path: Path, changes: Sequence[tuple[str, str]]) -> str:
    listing = "\n".join(f"  {status.strip()} {path}" for status, path in changes)
    return f"skills repository {repo_path} has uncommitted changes; commit or stash them first:\n{listing}"


def dump_yaml(data: object) -> str:
    """Human-readable, deterministic YAML for the files we commit."""
    try:
        return yaml.safe_dump(data, sort_keys=True, allow_unicode=True, default_flow_style=False)
    except yaml.YAMLError as error:
        raise LibraryError(f"cannot write as YAML: {error}") from error


@dataclass(frozen=True)
class DecisionChange:
    """What one decision does to the tree: files to write (path -> bytes) and files to delete."""

    writes: dict[str, bytes]
    deletions: tuple[str, ...] = ()

    @property
    def paths(self) -> list[str]:
        return [*self.writes, *self.deletions]



class DecisionRepository:
    """A git repository where each decision is one commit with trailers. Thread-safe; close it (or use
    `with`) to stop git helper processes.

    `scanner` checks content right before it is committed (default: core.security.scan.scan_text); `on_step` is
    called with STEP_* names at each point of a decision, which is where the crash tests kill us.
    """

    # A repository of our own must be entirely clean; a user's project (the harness) may have
    # unrelated work in progress, so there only staged changes and our own paths must be clean.
    requires_clean_tree = True

    def __init__(
        self,
        path: Path,
        *,
        create: bool = True,
        scanner: Scanner | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path).absolute()
        self.scanner = scanner if scanner is not None else default_scanner()
        self.on_step = on_step
        self._lock = threading.Lock()
        self._repo = self._open_or_create(create)
        try:
            # Never let git wait on an editor or a credential prompt: there is nobody at the terminal.
            self._repo.git.update_environment(GIT_EDITOR="true", GIT_TERMINAL_PROMPT="0")
            self._ensure_identity()
            if not self._repo.head.is_valid():
                if not create:
                    raise LibraryError(f"repository {self.path} has no commits")
                self._write_initial_commit()
        except BaseException:
            self._repo.close()  # a half-opened library must not leak GitPython's helper processes
            raise

    # ------------------------------------------------------------------------ decisions (writes)

    def revert(
        self, sha: str, *, reviewer: str, reason: str = "", action: str = "rollback", policy: str | None = None
    ) -> Decision:
        """Revert one decision with `git revert`, as one new commit (history stays linear).

        `action` says what the revert means: "rollback" retires the decision for good, "undo" takes
        a mistaken decision back so its candidate can be decided again. `policy` names the rule that
        decided it when no human did.
        """
        if action not in REVERTING_ACTIONS:
            raise LibraryError(f"unknown revert action {action!r}; expected one of {sorted(REVERTING_ACTIONS)}")
        reviewer = validate_reviewer(reviewer)
        reason = text_field(reason, "reason")
        if policy is not None:
            policy = single_line(policy, "policy rule")
        with self._lock:
            target = self._resolve_commit(sha)
            original = self._decision_of(target)
            self._check_revertible(target, original)
            paths = self._paths_changed_by(target)
            self._require_clean_branch(paths)
            trailers = decision_trailers(
                action,
                original.candidate_id,
                original.content_hash,
                original.evidence,
                reviewer,
                name=original.name,
                target=original.target,
                policy=policy,
            )
            trailers.append((TRAILER_REVERTS, target.hexsha))
            what = subject_of(original)
            body = (reason + "\n\n" if reason else "") + f"This reverts commit {target.hexsha} ({original.summary})."
            message = build_commit_message(f"{action} {original.action} of {what}", body, trailers)
            self._write_intent(action, original.candidate_id, original.content_hash, paths)
            try:
                self._repo.git.revert("--no-commit", target.hexsha)
                self._step(STEP_STAGED)
                self._commit(message, reviewer)
                self._step(STEP_COMMITTED)
            except BaseException as error:
                self._abort_revert(paths)
                self._clear_intent()
                if isinstance(error, git.GitCommandError):
                    raise LibraryError(f"cannot revert {target.hexsha}: {git_error_text(error)}") from error
                raise
            self._clear_intent()
            return self._head_decision()

    # ------------------------------------------------------------------------------------- reads

    def decisions(self) -> list[Decision]:
        """Every decision on the current branch, newest first, parsed from the commit trailers."""
        with self._lock:
            return self._decisions_unlocked()

    def uncommitted_changes(self) -> list[tuple[str, str]]:
        """(status, path) of every change in the working tree and index that no commit holds."""
        with self._lock:
            return parse_porcelain_status(self._repo.git.status("--porcelain=v1", "-z", "--untracked-files=all"))

    def committed_bytes(self, path: str) -> bytes | None:
        """A file as HEAD has it (None when HEAD has no such file); never the working tree."""
        with self._lock:
            return self._committed_bytes(path)

    # --------------------------------------------------------------------------- crash recovery

    def interrupted_decision(self) -> Intent | None:
        """The intent of a decision that began and never finished (or is running in another process)."""
        try:
            return Intent.from_json(self._intent_path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise LibraryError(f"{self._intent_path()} is unreadable ({error}); inspect and delete it") from error

    def head_commit(self) -> tuple[str, str | None, Decision | None]:
        """HEAD's sha, its parent's sha, and the decision HEAD records (None for other commits)."""
        with self._lock:
            commit = self._repo.head.commit
            parent = commit.parents[0].hexsha if commit.parents else None
            return commit.hexsha, parent, self._decision_of(commit)

    def finish_interrupted(self, intent: Intent, *, committed: bool) -> None:
        """Close an interrupted decision: when its commit exists, only the record goes; otherwise its
        paths go back to HEAD in the index and the working tree (with its temp files and empty folders)."""
        with self._lock:
            if not committed:
                self._abort_revert(intent.paths)
                self._remove_leftovers(intent.paths)
            self._clear_intent()

    # ----------------------------------------------------------------------------------- lifecycle

    def close(self) -> None:
        """Stop GitPython's persistent helper processes; long-lived programs leak them otherwise."""
        with self._lock:
            self._repo.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------------- internals

    def _write_initial_commit(self) -> None:
        raise LibraryError(f"repository {self.path} has no commits")

    def _step(self, name: str) -> None:
        if self.on_step is not None:
            self.on_step(name)

    def _scan(self, content: str | dict[str, bytes], *, require_clean: bool) -> list[tuple[str, str]]:
        """Scan a text or a skill folder before it is committed; the trailers that record which scanner
        passed it."""
        report = self.scanner(content)
        refusal = scan_refusal(report, require_clean=require_clean)
        if refusal is not None:
            raise UnsafeContentError(refusal)
        return [(TRAILER_SCANNER, str(report.scanner_version)), (TRAILER_SCAN, str(report.verdict))]

    def _open_or_create(self, create: bool) -> git.Repo:
        try:
            repo = git.Repo(self.path)
        except git.NoSuchPathError:
            if not create:
                raise LibraryError(f"no git repository at {self.path}") from None
            return git.Repo.init(self.path, mkdir=True, initial_branch=DEFAULT_BRANCH)
        except git.InvalidGitRepositoryError:
            # Only an empty directory becomes a new library: files already there are not ours to commit.
            if not create or any(self.path.iterdir()):
                raise LibraryError(f"{self.path} is not a git repository") from None
            return git.Repo.init(self.path, initial_branch=DEFAULT_BRANCH)
        if repo.bare or repo.working_tree_dir is None:
            repo.close()
            raise LibraryError(f"{self.path} is a bare repository; decisions need a working tree")
        return repo

    def _ensure_identity(self) -> None:
        # Commits fail on a machine without user.name/email; set a local fallback, never a global one.
        # Ask git itself: GitPython's config reader ignores GIT_CONFIG_GLOBAL and friends.
        for key, fallback in (("user.name", FALLBACK_NAME), ("user.email", PLACEHOLDER_EMAIL)):
            try:
                self._repo.git.config("--get", key)
            except git.GitCommandError:
                self._repo.git.config("--local", key, fallback)

    def _apply(
        self, change: DecisionChange, message: str, reviewer: str | None = None, *, intent: tuple | None = None
    ) -> None:
        """Write, stage and commit one change; on any failure put its paths back as they are in HEAD.

        `intent` is (action, candidate_id, content_hash): recorded first, so a crash can be recovered.
        """
        targets = {relative: checked_path(self.path, relative) for relative in change.paths}
        created_dirs: list[Path] = []
        if intent is not None:
            self._write_intent(*intent, change.paths)
        try:
            for relative, data in change.writes.items():
                created_dirs += self._make_parents(targets[relative])
                write_atomically(targets[relative], data, mode=SHARED_FILE)
            self._step(STEP_WRITTEN)
            if change.writes:
                self._repo.git.add("--", *change.writes)
            if change.deletions:
                self._repo.git.rm("-q", "--", *change.deletions)
            if not self._repo.git.diff("--cached", "--name-only"):
                raise LibraryError("nothing to commit: the repository already records this decision")
            self._step(STEP_STAGED)
            self._commit(message, reviewer)
            self._step(STEP_COMMITTED)
        except BaseException:
            self._restore_paths(change.paths, created_dirs)
            self._clear_intent()
            raise
        self._clear_intent()

    def _commit(self, message: str, reviewer: str | None) -> None:
        """Commit the index. The reviewer becomes author and committer, with a placeholder address."""
        arguments = ["-q", "--cleanup=verbatim", "-m", message]
        environment = {}
        if reviewer:
            arguments.append(f"--author={reviewer} <{PLACEHOLDER_EMAIL}>")
            environment = {"GIT_COMMITTER_NAME": reviewer, "GIT_COMMITTER_EMAIL": PLACEHOLDER_EMAIL}
        self._repo.git.commit(*arguments, env=environment)

    def _intent_path(self) -> Path:
        return Path(self._repo.git_dir) / INTENT_FILE

    def _write_intent(self, action: str, candidate_id: str, content_hash: str, paths: Sequence[str]) -> None:
        parent = self._repo.head.commit.hexsha if self._repo.head.is_valid() else None
        intent = Intent(os.getpid(), process_start_time(os.getpid()), parent, action, candidate_id, content_hash,
                        tuple(paths))  # fmt: skip
        write_atomically(self._intent_path(), intent.to_json().encode("utf-8"), mode=SHARED_FILE)

    def _clear_intent(self) -> None:
        self._intent_path().unlink(missing_ok=True)

    def _make_parents(self, target: Path) -> list[Path]:
        """Create the missing parent directories of `target`, returning them so a failure can remove them."""
        missing = []
        parent = target.parent
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        for directory in reversed(missing):
            directory.mkdir()
        return missing

    def _restore_paths(self, paths: Sequence[str], created_dirs: Sequence[Path]) -> None:
        """Put `paths` back to HEAD in the index and the working tree, and remove what we created."""
        head_tree = self._repo.head.commit.tree if self._repo.head.is_valid() else None
        if head_tree is not None:
            self._repo.git.reset("-q", "--", *paths)
        else:  # no HEAD yet: unstaging means dropping the paths from the index
            self._repo.git.rm("-q", "--cached", "--ignore-unmatch", "--", *paths)
        in_head = [path for path in paths if head_tree is not None and _tree_has(head_tree, path)]
        if in_head:
            self._repo.git.checkout("HEAD", "--", *in_head)
        for path in paths:
            if path not in in_head:
                (self.path / path).unlink(missing_ok=True)
        for directory in created_dirs:  # deepest first, as _make_parents returns them
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()

    def _remove_leftovers(self, paths: Sequence[str]) -> None:
        """After a crash: the temp files write_atomically left beside `paths`, and folders left empty."""
        folders = {(self.path / path).parent for path in paths}
        for folder in folders:
            if folder.is_dir() and not folder.is_symlink():
                for name in {Path(path).name for path in paths}:
                    for temp in folder.glob(f".{name}.*.tmp"):
                        temp.unlink(missing_ok=True)
        for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
            while folder != self.path and folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent

    def _abort_revert(self, paths: Sequence[str]) -> None:
        # When the revert never started there is nothing to abort; restoring the paths is all it needs.
        with contextlib.suppress(git.GitCommandError):
            self._repo.git.revert("--abort")
        self._restore_paths(paths, ())

    def _recover_stale_index_lock(self) -> None:
        lock = Path(self._repo.git_dir) / INDEX_LOCK
        if not lock.exists():
            return
        if not index_lock_is_stale(lock, self.path, now=time.time()):
            raise LibraryError(f"{lock} is held by a running git process; try again when it has finished")
        lock.unlink(missing_ok=True)

    def _require_clean_branch(self, paths: Sequence[str] = (), *, allow_unborn: bool = False) -> None:
        """Refuse to start a decision over an interrupted one, a detached HEAD or changes in the way."""
        intent = self.interrupted_decision()
        if intent is not None:
            raise InterruptedDecisionError(
                f"a {intent.action} of {intent.candidate_id} by process {intent.pid} did not finish; "
                "restart skillwarden to recover it"
            )
        self._recover_stale_index_lock()
        if not allow_unborn and not self._repo.head.is_valid():
            raise LibraryError(f"repository {self.path} has no commits")
        if self._repo.head.is_detached:
            raise LibraryError(f"repository {self.path} has a detached HEAD; check out a branch first")
        status = self._repo.git.status("--porcelain=v1", "-z", "--untracked-files=all")
        changes = parse_porcelain_status(status)
        if not self.requires_clean_tree:
            changes = changes_in_the_way(changes, paths)
        if changes:
            raise DirtyRepositoryError(describe_dirty_tree(self.path, changes))

    def _committed_bytes(self, path: str) -> bytes | None:
        try:
            return (self._repo.head.commit.tree / path).data_stream.read()
        except KeyError:
            return None

    def _committed_files(self, folder: str) -> tuple[str, ...]:
        try:
            tree = self._repo.head.commit.tree / folder
        except KeyError:
            return ()
        return tuple(item.path for item in tree.traverse() if item.type == "blob")

    def _resolve_commit(self, sha: str) -> git.Commit:
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-fA-F]{4,40}", sha):
            raise LibraryError(f"not a commit id: {sha!r}")
        try:
            # rev-parse checks the object exists; repo.commit() alone would accept any 40 hex digits.
            full_sha = self._repo.git.rev_parse("--verify", "--quiet", f"{sha}^{{commit}}")
        except git.GitCommandError:
            raise LibraryError(f"no commit {sha} in {self.path}") from None
        commit = self._repo.commit(full_sha)
        if not self._repo.is_ancestor(commit, self._repo.head.commit):
            raise LibraryError(f"commit {sha} is not part of the current branch")
        return commit

    def _check_revertible(self, target: git.Commit, original: Decision | None) -> None:
        if original is None:
            raise LibraryError(f"commit {target.hexsha} is not a skillwarden decision; refusing to revert it")
        if original.action in REVERTING_ACTIONS:
            raise LibraryError(
                f"commit {target.hexsha} is itself a rollback; record a new decision instead of reverting it"
            )
        for decision in self._decisions_unlocked():
            if decision.reverts == target.hexsha:
                raise LibraryError(f"commit {target.hexsha} was already reverted by {decision.sha}")

    def _paths_changed_by(self, commit: git.Commit) -> list[str]:
        # Without rename detection a moved file shows up under both names, which is what restoring needs.
        listing = self._repo.git.diff_tree("-r", "--name-only", "--no-commit-id", "--root", commit.hexsha)
        return listing.splitlines()

    def _decisions_unlocked(self) -> list[Decision]:
        decisions = []
        for commit in self._repo.iter_commits("HEAD"):
            decision = self._decision_of(commit)
            if decision is not None:
                decisions.append(decision)
        return decisions

    def _head_decision(self) -> Decision:
        decision = self._decision_of(self._repo.head.commit)
        if decision is None:  # only possible if a commit hook rewrote our message
            raise LibraryError(f"commit {self._repo.head.commit.hexsha} lost its skillwarden trailers")
        return decision

    def _decision_of(self, commit: git.Commit) -> Decision | None:
        message = commit.message if isinstance(commit.message, str) else commit.message.decode("utf-8", "replace")
        return decision_from_trailers(
            parse_trailers(message),
            sha=commit.hexsha,
            when=commit.committed_datetime.isoformat(),
            summary=message.split("\n", 1)[0],
            reason=message_body(message),
        )


def changes_in_the_way(changes: Sequence[tuple[str, str]], paths: Sequence[str]) -> list[tuple[str, str]]:
    """Of a repository's changes, those a decision touching `paths` cannot work around: anything staged
    (it would go into our commit) and any change to one of `paths` (we would overwrite it)."""
    ours = set(paths)
    return [(status, path) for status, path in changes if status[0] not in " ?" or path in ours]


def _tree_has(tree: git.Tree, path: str) -> bool:
    try:
        tree / path
    except KeyError:
        return False
    return True


def git_error_text(error: git.GitCommandError) -> str:
    stderr = error.stderr.strip() if isinstance(error.stderr, str) else ""
    return stderr or str(error)

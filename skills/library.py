"""The skills library: a git repository where every review decision is exactly one commit.

Layout of the repository:
    skills/<name>/SKILL.md, provenance.yaml     approved skills (what agents load)
    backlog/<name>/SKILL.md, provenance.yaml    skills parked for later
    decisions/rejected/<candidate_id>.yaml      rejections, so re-mining does not propose them again

Each decision commit carries trailers (Skillwarden-Decision, -Candidate, -Content-Hash, -Evidence,
-Reviewer, ...) and `decisions()` rebuilds the review history from them: the git log is the source of
truth, everything else is a cache.

Safety rules (RELIABILITY.md rows 12-19): names are validated before any path is built, SKILL.md is
parsed before it is written, a dirty tree is refused, symlinks on the way to a write are refused,
files are written atomically, only the decision's paths are staged, and a failure part-way restores
those paths to HEAD. GitPython is not thread-safe, so one lock serializes all git work per library.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import git
import yaml

from skills.skill_md import SkillFormatError, content_hash, parse, validate_name

APPROVED_DIR = "skills"
BACKLOG_DIR = "backlog"
REJECTED_DIR = "decisions/rejected"
SKILL_FILE = "SKILL.md"
PROVENANCE_FILE = "provenance.yaml"
DEFAULT_BRANCH = "main"
# Reverting decisions: a rollback retires the decision for good, an undo returns it to review.
REVERT_ACTIONS = ("rollback", "undo")

# Used when the machine has no git identity (a bare CI runner) and for reviewers, who have no address.
FALLBACK_NAME = "skillwarden"
PLACEHOLDER_EMAIL = "skillwarden@localhost.invalid"

TRAILER_DECISION = "Skillwarden-Decision"
TRAILER_CANDIDATE = "Skillwarden-Candidate"
TRAILER_SKILL = "Skillwarden-Skill"
TRAILER_CONTENT_HASH = "Skillwarden-Content-Hash"
TRAILER_EVIDENCE = "Skillwarden-Evidence"
TRAILER_REVIEWER = "Skillwarden-Reviewer"
TRAILER_REVERTS = "Skillwarden-Reverts"

PAST_TENSE = {"approve": "Approved", "backlog": "Backlogged"}

# git's own lock on the index. A crashed git leaves it behind and every later commit fails until it is
# removed, but removing a live one corrupts the index: it is only removed when no git process owns it.
INDEX_LOCK = "index.lock"
# Without /proc we cannot see owners; a lock this old is assumed abandoned (git holds it for moments).
STALE_LOCK_SECONDS = 600

# Candidate ids become file names under decisions/rejected/, so they get a conservative alphabet.
CANDIDATE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
CONTENT_HASH_PATTERN = re.compile(r"^sha256:[0-9a-f]{64}$")
TRAILER_LINE_PATTERN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*): (.*)$")

README_TEXT = """# Skills repository

Managed by skillwarden. Every review decision is one commit with `Skillwarden-*` trailers.

- `skills/<name>/SKILL.md`: approved skills, loaded by agents (`provenance.yaml` lists the evidence).
- `backlog/<name>/SKILL.md`: skills kept for a later review.
- `decisions/rejected/<candidate>.yaml`: rejected candidates, so they are not proposed again.

Roll a decision back with skillwarden (it runs `git revert`), so history stays linear and auditable.
"""


class LibraryError(Exception):
    """A library operation was refused or failed; the repository is left as it was."""


class DirtyRepositoryError(LibraryError):
    """The working tree or index has changes that are not ours; we never commit over a user's edits."""


class UnsafePathError(LibraryError):
    """A path we were about to write leaves the repository or goes through a symlink."""


@dataclass(frozen=True)
class Decision:
    action: str  # "approve" | "backlog" | "reject" | "rollback" | "undo"
    candidate_id: str
    content_hash: str
    evidence: tuple[str, ...]
    reviewer: str
    sha: str
    when: str  # ISO-8601 commit time
    summary: str  # the commit subject
    reverts: str | None = None  # for a rollback: the sha of the decision it undid
    name: str | None = None  # the skill name, for decisions about a SKILL.md


# ---------------------------------------------------------------- pure helpers: messages and trailers


def build_commit_message(subject: str, body: str, trailers: Sequence[tuple[str, str]]) -> str:
    """Subject, blank line, body, blank line, one `Key: value` trailer per line."""
    trailer_block = "\n".join(f"{key}: {value}" for key, value in trailers)
    return f"{subject}\n\n{body.strip()}\n\n{trailer_block}\n"


def parse_trailers(message: str) -> dict[str, list[str]]:
    """Trailers of a commit message: the last paragraph, if every line of it is `Key: value`.

    Values are kept in order per key, so repeated keys (one Evidence line per session) survive.
    """
    paragraphs = [part for part in re.split(r"\n[ \t]*\n", message.strip()) if part.strip()]
    if len(paragraphs) < 2:  # a subject alone has no trailers
        return {}
    trailers: dict[str, list[str]] = {}
    for line in paragraphs[-1].splitlines():
        match = TRAILER_LINE_PATTERN.match(line.strip())
        if match is None:
            return {}
        trailers.setdefault(match.group(1), []).append(match.group(2).strip())
    return trailers


def decision_from_trailers(trailers: dict[str, list[str]], *, sha: str, when: str, summary: str) -> Decision | None:
    """The Decision a commit records, or None for commits that are not skillwarden decisions."""
    if TRAILER_DECISION not in trailers:
        return None

    def single(key: str, *, required: bool = True) -> str | None:
        values = trailers.get(key, [])
        if len(values) > 1 or (required and not values):
            raise LibraryError(f"commit {sha} is a malformed skillwarden decision: needs exactly one {key}")
        return values[0] if values else None

    return Decision(
        action=single(TRAILER_DECISION),
        candidate_id=single(TRAILER_CANDIDATE),
        content_hash=single(TRAILER_CONTENT_HASH),
        evidence=tuple(trailers.get(TRAILER_EVIDENCE, [])),
        reviewer=single(TRAILER_REVIEWER),
        sha=sha,
        when=when,
        summary=summary,
        reverts=single(TRAILER_REVERTS, required=False),
        name=single(TRAILER_SKILL, required=False),
    )


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


def single_line(value: object, what: str) -> str:
    """`value` if it is a non-empty printable one-line string; it will end up in a commit trailer."""
    if not isinstance(value, str) or not value.strip():
        raise LibraryError(f"{what} must be a non-empty string")
    if not value.isprintable() or value != value.strip():
        raise LibraryError(f"{what} must be one line of printable text without surrounding spaces: {value!r}")
    return value


def validate_candidate_id(candidate_id: object) -> str:
    if not isinstance(candidate_id, str) or CANDIDATE_ID_PATTERN.fullmatch(candidate_id) is None:
        raise LibraryError(f"invalid candidate id {candidate_id!r}: use 1-128 ASCII letters, digits, '.', '_' or '-'")
    return candidate_id


def validate_content_hash(value: object) -> str:
    if not isinstance(value, str) or CONTENT_HASH_PATTERN.fullmatch(value) is None:
        raise LibraryError(f"invalid content hash {value!r}: expected 'sha256:' and 64 lowercase hex digits")
    return value


def validate_reviewer(reviewer: object) -> str:
    reviewer = single_line(reviewer, "reviewer")
    if "<" in reviewer or ">" in reviewer:  # git would read them as an email address
        raise LibraryError(f"reviewer must not contain '<' or '>': {reviewer!r}")
    return reviewer


def validate_evidence(evidence: object) -> tuple[str, ...]:
    """Evidence session ids, deduplicated in order. A bare string is refused: it would iterate by char."""
    if isinstance(evidence, str) or not isinstance(evidence, Iterable):
        raise LibraryError("evidence must be a sequence of session ids, not a single string")
    sessions = [single_line(session, "evidence session id") for session in evidence]
    return tuple(dict.fromkeys(sessions))


def one_line_title(title: object) -> str:
    """The title goes into the commit subject, which must stay one line."""
    if not isinstance(title, str) or not title.split():
        raise LibraryError("title must be a non-empty string")
    return " ".join(title.split())


def dump_yaml(data: object) -> str:
    """Human-readable, deterministic YAML for the files we commit."""
    try:
        return yaml.safe_dump(data, sort_keys=True, allow_unicode=True, default_flow_style=False)
    except yaml.YAMLError as error:
        raise LibraryError(f"cannot write as YAML: {error}") from error


def checked_path(root: Path, relative: str) -> Path:
    """`root/relative`, refused if it could land outside `root`: `..`, absolute or through a symlink.

    Every existing component is checked with lstat, so a planted `skills/foo -> /etc` is caught.
    """
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(part in ("", ".", "..") for part in parts):
        raise UnsafePathError(f"refusing unsafe path {relative!r}")
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise UnsafePathError(f"refusing to write through the symlink {current} -> {os.readlink(current)}")
    if not current.resolve().is_relative_to(root.resolve()):
        raise UnsafePathError(f"refusing to write {current}: it resolves outside {root}")
    return current


def git_processes_in(repo_path: Path, proc: Path = Path("/proc")) -> list[int]:
    """Pids of running git processes working in `repo_path` (by cwd or `-C` argument), from /proc.

    `git cat-file` is left out: it never takes the index lock, and GitPython keeps one running per repo.
    """
    target = repo_path.resolve()
    owners = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:  # gone meanwhile, or not ours to inspect
            continue
        if not argv or os.path.basename(argv[0]) != b"git" or b"cat-file" in argv[1:3]:
            continue
        if cwd == target or target in cwd.parents or os.fsencode(str(target)) in argv:
            owners.append(int(entry.name))
    return owners


def index_lock_is_stale(lock: Path, repo_path: Path, *, now: float, proc: Path = Path("/proc")) -> bool:
    """True when `lock` can be removed safely: no git process works in the repo (or, without /proc, it is old)."""
    if proc.is_dir():
        return not git_processes_in(repo_path, proc)
    return now - lock.stat().st_mtime > STALE_LOCK_SECONDS


def write_atomically(path: Path, data: bytes) -> None:
    """Temp file in the same directory, fsync, rename: a crash leaves the old or the new file, never half."""
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes it 0600; agents running as other users must read it
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, where it is best effort.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# ------------------------------------------------------------------------------------- the library


@dataclass(frozen=True)
class _Change:
    """What one decision does to the tree: files to write (path -> bytes) and files to delete."""

    writes: dict[str, bytes]
    deletions: tuple[str, ...] = ()

    @property
    def paths(self) -> list[str]:
        return [*self.writes, *self.deletions]


class SkillLibrary:
    """A git-backed skills library. Thread-safe; close it (or use `with`) to stop git helper processes."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = Path(path).absolute()
        self._lock = threading.Lock()
        self._repo = self._open_or_create(create)
        try:
            # Never let git wait on an editor or a credential prompt: there is nobody at the terminal.
            self._repo.git.update_environment(GIT_EDITOR="true", GIT_TERMINAL_PROMPT="0")
            self._ensure_identity()
            if not self._repo.head.is_valid():
                if not create:
                    raise LibraryError(f"skills repository {self.path} has no commits")
                self._write_readme_commit()
        except BaseException:
            self._repo.close()  # a half-opened library must not leak GitPython's helper processes
            raise

    # ------------------------------------------------------------------------ decisions (writes)

    def approve(
        self,
        *,
        candidate_id: str,
        name: str,
        skill_md: str,
        provenance: dict,
        evidence: Sequence[str],
        reviewer: str,
        title: str,
    ) -> Decision:
        """Commit the skill to skills/<name>/. Different content under an existing name is a refinement."""
        return self._decide_skill(
            "approve", APPROVED_DIR, candidate_id, name, skill_md, provenance, evidence, reviewer, title
        )

    def backlog(
        self,
        *,
        candidate_id: str,
        name: str,
        skill_md: str,
        provenance: dict,
        evidence: Sequence[str],
        reviewer: str,
        title: str,
    ) -> Decision:
        """Commit the skill to backlog/<name>/, where agents do not load it."""
        return self._decide_skill(
            "backlog", BACKLOG_DIR, candidate_id, name, skill_md, provenance, evidence, reviewer, title
        )

    def reject(
        self,
        *,
        candidate_id: str,
        title: str,
        content_hash: str,
        evidence: Sequence[str],
        reviewer: str,
        reason: str = "",
    ) -> Decision:
        """Record a rejection in decisions/rejected/<candidate_id>.yaml."""
        candidate_id = validate_candidate_id(candidate_id)
        title = one_line_title(title)
        content_hash = validate_content_hash(content_hash)
        sessions = validate_evidence(evidence)
        reviewer = validate_reviewer(reviewer)
        reason = _text(reason, "reason")
        record = {
            "candidate": candidate_id,
            "title": title,
            "content_hash": content_hash,
            "reason": reason,
            "evidence": list(sessions),
            "reviewer": reviewer,
        }
        change = _Change(writes={f"{REJECTED_DIR}/{candidate_id}.yaml": dump_yaml(record).encode("utf-8")})
        body = f"Rejected by {reviewer}" + (f": {reason}" if reason else ".")
        trailers = _decision_trailers("reject", candidate_id, None, content_hash, sessions, reviewer)
        message = build_commit_message(f"reject candidate {candidate_id}: {title}", body, trailers)
        with self._lock:
            self._require_clean_branch()
            self._apply(change, message, reviewer)
            return self._head_decision()

    def revert(self, sha: str, *, reviewer: str, reason: str = "", action: str = "rollback") -> Decision:
        """Revert one decision with `git revert`, as one new commit (history stays linear).

        `action` says what the revert means: "rollback" retires the decision for good, "undo" takes
        a mistaken decision back so its candidate can be decided again.
        """
        if action not in REVERT_ACTIONS:
            raise LibraryError(f"unknown revert action {action!r}; expected one of {sorted(REVERT_ACTIONS)}")
        reviewer = validate_reviewer(reviewer)
        reason = _text(reason, "reason")
        with self._lock:
            self._require_clean_branch()
            target = self._resolve_commit(sha)
            original = self._decision_of(target)
            self._check_revertible(target, original)
            paths = self._paths_changed_by(target)
            trailers = _decision_trailers(
                action,
                original.candidate_id,
                original.name,
                original.content_hash,
                original.evidence,
                reviewer,
            )
            trailers.append((TRAILER_REVERTS, target.hexsha))
            what = f"skill {original.name}" if original.name else f"candidate {original.candidate_id}"
            body = (reason + "\n\n" if reason else "") + f"This reverts commit {target.hexsha} ({original.summary})."
            message = build_commit_message(f"{action} {original.action} of {what}", body, trailers)
            try:
                self._repo.git.revert("--no-commit", target.hexsha)
                self._commit(message, reviewer)
            except BaseException as error:
                self._abort_revert(paths)
                if isinstance(error, git.GitCommandError):
                    raise LibraryError(f"cannot revert {target.hexsha}: {_git_error_text(error)}") from error
                raise
            return self._head_decision()

    # ------------------------------------------------------------------------------------- reads

    def decisions(self) -> list[Decision]:
        """Every decision on the current branch, newest first, parsed from the commit trailers."""
        with self._lock:
            return self._decisions_unlocked()

    def skill_names(self) -> list[str]:
        """Names of the approved skills in HEAD, sorted."""
        with self._lock:
            try:
                folder = self._repo.head.commit.tree / APPROVED_DIR
            except KeyError:
                return []
            if folder.type != "tree":
                return []
            return sorted(tree.name for tree in folder.trees if SKILL_FILE in {blob.name for blob in tree.blobs})

    def read_skill(self, name: str) -> str:
        """The committed SKILL.md of an approved skill (read from git, not from the working tree)."""
        name = _valid_name(name)
        with self._lock:
            try:
                blob = self._repo.head.commit.tree / f"{APPROVED_DIR}/{name}/{SKILL_FILE}"
            except KeyError:
                raise LibraryError(f"no approved skill named {name!r}") from None
            return blob.data_stream.read().decode("utf-8")

    def close(self) -> None:
        """Stop GitPython's persistent helper processes; long-lived programs leak them otherwise."""
        with self._lock:
            self._repo.close()

    def __enter__(self) -> SkillLibrary:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------------- internals

    def _open_or_create(self, create: bool) -> git.Repo:
        try:
            repo = git.Repo(self.path)
        except git.NoSuchPathError:
            if not create:
                raise LibraryError(f"no skills repository at {self.path}") from None
            return git.Repo.init(self.path, mkdir=True, initial_branch=DEFAULT_BRANCH)
        except git.InvalidGitRepositoryError:
            # Only an empty directory becomes a new library: files already there are not ours to commit.
            if not create or any(self.path.iterdir()):
                raise LibraryError(f"{self.path} is not a git repository") from None
            return git.Repo.init(self.path, initial_branch=DEFAULT_BRANCH)
        if repo.bare or repo.working_tree_dir is None:
            repo.close()
            raise LibraryError(f"{self.path} is a bare repository; a skills library needs a working tree")
        return repo

    def _ensure_identity(self) -> None:
        # Commits fail on a machine without user.name/email; set a local fallback, never a global one.
        # Ask git itself: GitPython's config reader ignores GIT_CONFIG_GLOBAL and friends.
        for key, fallback in (("user.name", FALLBACK_NAME), ("user.email", PLACEHOLDER_EMAIL)):
            try:
                self._repo.git.config("--get", key)
            except git.GitCommandError:
                self._repo.git.config("--local", key, fallback)

    def _write_readme_commit(self) -> None:
        with self._lock:
            self._require_clean_branch(allow_unborn=True)
            self._apply(_Change(writes={"README.md": README_TEXT.encode("utf-8")}), "Initialize skills repository\n")

    def _decide_skill(
        self,
        action: str,
        folder: str,
        candidate_id: str,
        name: str,
        skill_md: str,
        provenance: dict,
        evidence: Sequence[str],
        reviewer: str,
        title: str,
    ) -> Decision:
        # Everything is validated before the lock and before any path exists: bad input touches nothing.
        name = _valid_name(name)
        candidate_id = validate_candidate_id(candidate_id)
        if not isinstance(skill_md, str):
            raise LibraryError("skill_md must be a string")
        try:
            parse(skill_md, folder_name=name)
        except SkillFormatError as error:
            raise LibraryError(f"refusing to write an invalid SKILL.md for {name!r}: {error}") from error
        if not isinstance(provenance, dict):
            raise LibraryError("provenance must be a mapping")
        sessions = validate_evidence(evidence)
        reviewer = validate_reviewer(reviewer)
        title = one_line_title(title)
        digest = content_hash(skill_md)
        skill_path = f"{folder}/{name}/{SKILL_FILE}"
        writes = {
            skill_path: skill_md.encode("utf-8"),
            f"{folder}/{name}/{PROVENANCE_FILE}": dump_yaml(provenance).encode("utf-8"),
        }
        trailers = _decision_trailers(action, candidate_id, name, digest, sessions, reviewer)
        body = f"{PAST_TENSE[action]} by {reviewer} from {len(sessions)} evidence session(s)."
        message = build_commit_message(f"{action} skill {name}: {title}", body, trailers)
        with self._lock:
            self._require_clean_branch()
            if self._committed_bytes(skill_path) == writes[skill_path]:
                state = "approved" if action == "approve" else "backlogged"
                raise LibraryError(f"skill {name!r} is already {state} with this exact content")
            if action == "backlog" and self._committed_bytes(f"{APPROVED_DIR}/{name}/{SKILL_FILE}") is not None:
                raise LibraryError(f"skill {name!r} is approved; roll it back before backlogging it")
            # Approving a backlogged skill moves it: the backlog copy goes in the same commit.
            deletions = self._committed_files(f"{BACKLOG_DIR}/{name}") if action == "approve" else ()
            self._apply(_Change(writes=writes, deletions=deletions), message, reviewer)
            return self._head_decision()

    def _apply(self, change: _Change, message: str, reviewer: str | None = None) -> None:
        """Write, stage and commit one change; on any failure put its paths back as they are in HEAD."""
        targets = {relative: checked_path(self.path, relative) for relative in change.paths}
        created_dirs: list[Path] = []
        try:
            for relative, data in change.writes.items():
                created_dirs += self._make_parents(targets[relative])
                write_atomically(targets[relative], data)
            if change.writes:
                self._repo.git.add("--", *change.writes)
            if change.deletions:
                self._repo.git.rm("-q", "--", *change.deletions)
            if not self._repo.git.diff("--cached", "--name-only"):
                raise LibraryError("nothing to commit: the repository already records this decision")
            self._commit(message, reviewer)
        except BaseException:
            self._restore_paths(change.paths, created_dirs)
            raise

    def _commit(self, message: str, reviewer: str | None) -> None:
        """Commit the index. The reviewer becomes author and committer, with a placeholder address."""
        arguments = ["-q", "--cleanup=verbatim", "-m", message]
        environment = {}
        if reviewer:
            arguments.append(f"--author={reviewer} <{PLACEHOLDER_EMAIL}>")
            environment = {"GIT_COMMITTER_NAME": reviewer, "GIT_COMMITTER_EMAIL": PLACEHOLDER_EMAIL}
        self._repo.git.commit(*arguments, env=environment)

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

    def _require_clean_branch(self, *, allow_unborn: bool = False) -> None:
        self._recover_stale_index_lock()
        if not allow_unborn and not self._repo.head.is_valid():
            raise LibraryError(f"skills repository {self.path} has no commits")
        if self._repo.head.is_detached:
            raise LibraryError(f"skills repository {self.path} has a detached HEAD; check out a branch first")
        status = self._repo.git.status("--porcelain=v1", "-z", "--untracked-files=all")
        changes = parse_porcelain_status(status)
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
        if original.action in REVERT_ACTIONS:
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
        )


def _valid_name(name: object) -> str:
    try:
        return validate_name(name)
    except SkillFormatError as error:
        raise UnsafePathError(str(error)) from error


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise LibraryError(f"{what} must be a string")
    return value.strip()


def _decision_trailers(
    action: str,
    candidate_id: str,
    name: str | None,
    digest: str,
    sessions: Sequence[str],
    reviewer: str,
) -> list[tuple[str, str]]:
    trailers = [(TRAILER_DECISION, action), (TRAILER_CANDIDATE, candidate_id)]
    if name is not None:
        trailers.append((TRAILER_SKILL, name))
    trailers.append((TRAILER_CONTENT_HASH, digest))
    trailers += [(TRAILER_EVIDENCE, session) for session in sessions]
    trailers.append((TRAILER_REVIEWER, reviewer))
    return trailers


def _tree_has(tree: git.Tree, path: str) -> bool:
    try:
        tree / path
    except KeyError:
        return False
    return True


def _git_error_text(error: git.GitCommandError) -> str:
    stderr = error.stderr.strip() if isinstance(error.stderr, str) else ""
    return stderr or str(error)

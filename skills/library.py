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

Before each commit the content is parsed and scanned again (a dangerous verdict is refused), and a
decision may be bound to the content hash its candidate was computed against: if the target changed
since, the candidate is stale and nothing is applied. Every decision first writes an intent record into
the git directory, so a process killed part-way leaves enough behind for `reviews/recovery.py` to finish
or undo it; `DecisionRepository` holds this machinery for the skills library and the harness repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

import git
import yaml

from skillwarden.core.sanitize import clean_line, clean_text, unsafe_character
from skillwarden.skills.skill_md import SkillFormatError, content_hash, parse, validate_name

APPROVED_DIR = "skills"
BACKLOG_DIR = "backlog"
RETIRED_DIR = "retired"
REJECTED_DIR = "decisions/rejected"
SKILL_FILE = "SKILL.md"
PROVENANCE_FILE = "provenance.yaml"
DEFAULT_BRANCH = "main"
BACKLOG_BRANCH_PREFIX = "skillwarden/backlog/"
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
TRAILER_TARGET = "Skillwarden-Target"  # a harness file, for decisions that are not about a skill
TRAILER_BASE_HASH = "Skillwarden-Base-Hash"
TRAILER_SCANNER = "Skillwarden-Scanner"
TRAILER_SCAN = "Skillwarden-Scan"
TRAILER_POLICY = "Skillwarden-Policy"

# The base hash of a candidate computed when its target did not exist yet: it must still not exist.
ABSENT = "absent"

# A scanner takes a skill folder as it will be committed ({relative path: bytes}) or a text (a harness
# change) and returns a report with .verdict, .scanner_version and .findings.
Scanner = Callable[["str | dict[str, bytes]"], object]

# Scanner verdicts (core/scan): dangerous is never committed, caution only by a human.
DANGEROUS = "dangerous"
SAFE = "safe"

# Points inside a decision where `on_step` is called; the crash tests kill the process at each.
STEP_WRITTEN = "written"
STEP_STAGED = "staged"
STEP_COMMITTED = "committed"

# The record of a decision in progress, beside git's own files (never in the working tree).
INTENT_FILE = "skillwarden-intent.json"

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


class StaleCandidateError(LibraryError):
    """The target changed since the candidate was computed: the reviewed decision no longer applies."""


class UnsafeContentError(LibraryError):
    """The security scan run just before the commit refused the content."""


class InterruptedDecisionError(LibraryError):
    """A decision was interrupted part-way (a crash); it must be recovered before the next one."""


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
    target: str | None = None  # the harness file, for harness modifications
    policy: str | None = None  # the policy rule that decided, when no human did
    scanner: str | None = None  # the scanner version that passed the content
    reason: str = ""  # the commit body: why


# ---------------------------------------------------------------- pure helpers: messages and trailers


def build_commit_message(subject: str, body: str, trailers: Sequence[tuple[str, str]]) -> str:
    """Subject, blank line, body, blank line, one `Key: value` trailer per line. Whatever part of them came
    from a trace, no escape sequence or control character gets into the message, and the subject and each
    trailer stay one line (a newline in a title must not start a forged trailer)."""
    trailer_block = "\n".join(f"{clean_line(key)}: {clean_line(value)}" for key, value in trailers)
    return f"{clean_line(subject)}\n\n{clean_text(body).strip()}\n\n{trailer_block}\n"


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


def message_body(message: str) -> str:
    """The paragraphs between the subject and the trailer block: the human-readable why."""
    paragraphs = [part.strip() for part in re.split(r"\n[ \t]*\n", message.strip()) if part.strip()]
    end = len(paragraphs) - 1 if parse_trailers(message) else len(paragraphs)
    return "\n\n".join(paragraphs[1:end])


def decision_from_trailers(
    trailers: dict[str, list[str]], *, sha: str, when: str, summary: str, reason: str = ""
) -> Decision | None:
    """The Decision a commit records, or None for commits that are not skillwarden decisions. A commit
    whose trailers are not a whole decision (one of each required key, at most one of the others) is not
    one: someone else's commit that merely mentions a trailer must not stop the history from being read."""
    required = (TRAILER_DECISION, TRAILER_CANDIDATE, TRAILER_CONTENT_HASH, TRAILER_REVIEWER)
    optional = (TRAILER_REVERTS, TRAILER_SKILL, TRAILER_TARGET, TRAILER_POLICY, TRAILER_SCANNER)
    if any(len(trailers.get(key, [])) != 1 for key in required):
        return None
    if any(len(trailers.get(key, [])) > 1 for key in optional):
        return None

    def single(key: str) -> str | None:
        return trailers[key][0] if trailers.get(key) else None

    return Decision(
        action=single(TRAILER_DECISION),
        candidate_id=single(TRAILER_CANDIDATE),
        content_hash=single(TRAILER_CONTENT_HASH),
        evidence=tuple(trailers.get(TRAILER_EVIDENCE, [])),
        reviewer=single(TRAILER_REVIEWER),
        sha=sha,
        when=when,
        summary=summary,
        reverts=single(TRAILER_REVERTS),
        name=single(TRAILER_SKILL),
        target=single(TRAILER_TARGET),
        policy=single(TRAILER_POLICY),
        scanner=single(TRAILER_SCANNER),
        reason=reason,
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
    if not isinstance(title, str) or not clean_line(title):
        raise LibraryError("title must be a non-empty string")
    return clean_line(title)


def check_printable(text: str, what: str) -> None:
    """Refuse to write `text` if it holds an escape sequence, a control character (other than tab and
    newline) or an invisible one: the last defence, should anything from a trace get past ingest."""
    found = unsafe_character(text)
    if found is not None:
        raise UnsafeContentError(f"refusing to write {what}: it holds {found}")


def bytes_hash(data: bytes | None) -> str:
    """The content hash of a committed file's bytes (same as skill_md.content_hash of its text), or ABSENT."""
    return ABSENT if data is None else "sha256:" + hashlib.sha256(data).hexdigest()


def validate_base_hash(value: object) -> str | None:
    if value is None or value == ABSENT:
        return value
    return validate_content_hash(value)


def validated_decision_fields(
    evidence: object, reviewer: object, title: object, reason: object, policy: object, base_hash: object
) -> tuple[tuple[str, ...], str, str, str, str | None, str | None]:
    """What every decision records, checked: (sessions, reviewer, title, reason, policy, base hash)."""
    return (
        validate_evidence(evidence),
        validate_reviewer(reviewer),
        one_line_title(title),
        text_field(reason, "reason"),
        None if policy is None else single_line(policy, "policy rule"),
        validate_base_hash(base_hash),
    )


def check_not_stale(candidate_id: str, target: str, committed: bytes | None, base_hash: str | None) -> None:
    """Refuse a candidate computed against other content than `target` has now (None: not bound)."""
    if base_hash is None:
        return
    current = bytes_hash(committed)
    if current != base_hash:
        raise StaleCandidateError(
            f"candidate {candidate_id} is stale: it was computed against {target} at {base_hash}, "
            f"which is now {current}; mine it again and review the new version"
        )


def scan_refusal(report: object, *, require_clean: bool) -> str | None:
    """Why a scan report forbids the commit, or None. Dangerous never passes; caution needs a human."""
    verdict = str(report.verdict)
    if verdict == DANGEROUS or (require_clean and verdict != SAFE):
        findings = "; ".join(
            f"{_place(finding)}: {finding.message} ({finding.rule})" for finding in getattr(report, "findings", ())
        )
        who = "" if verdict == DANGEROUS else " without a human review"
        return f"security scan says {verdict}; refusing to commit it{who}" + (f": {findings}" if findings else "")
    return None


def _place(finding: object) -> str:
    file = getattr(finding, "file", "")
    return f"{file}:{finding.line}" if file else f"line {finding.line}"


def default_scanner() -> Scanner | None:
    """skillwarden.core.scan.scan_content, the scanner every commit goes through; None where it is not installed."""
    try:
        from skillwarden.core.scan import scan_content
    except ImportError:
        return None
    return scan_content


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


def process_start_time(pid: int, proc: Path = Path("/proc")) -> str | None:
    """The kernel's start time of `pid` (field 22 of /proc/<pid>/stat), which tells a reused pid apart."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses; the fields after its last ')' do not.
    return stat.rsplit(")", 1)[1].split()[19]


def process_is_alive(pid: int, start_time: str | None, proc: Path = Path("/proc")) -> bool:
    return start_time is not None and process_start_time(pid, proc) == start_time


@dataclass(frozen=True)
class Intent:
    """What a decision in progress is about to do, written before it touches the working tree."""

    pid: int
    start_time: str | None
    parent: str | None  # HEAD when the decision began
    action: str
    candidate_id: str
    content_hash: str
    paths: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "paths": list(self.paths)}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Intent:
        data = json.loads(text)
        return cls(**{**data, "paths": tuple(data["paths"])})


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Temp file in the same directory, fsync, rename: a crash leaves the old or the new file, never half.

    `mode` is set before the rename, so the file never has other permissions under its name."""
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)  # mkstemp makes it 0600; agents running as other users must read skills
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
class Change:
    """What one decision does to the tree: files to write (path -> bytes) and files to delete."""

    writes: dict[str, bytes]
    deletions: tuple[str, ...] = ()

    @property
    def paths(self) -> list[str]:
        return [*self.writes, *self.deletions]




class DecisionRepository:
    """A git repository where each decision is one commit with trailers. Thread-safe; close it (or use
    `with`) to stop git helper processes.

    `scanner` checks content right before it is committed (default: core.scan.scan_text); `on_step` is
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
        if action not in REVERT_ACTIONS:
            raise LibraryError(f"unknown revert action {action!r}; expected one of {sorted(REVERT_ACTIONS)}")
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
            what = _subject_of(original)
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
                    raise LibraryError(f"cannot revert {target.hexsha}: {_git_error_text(error)}") from error
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
        if self.scanner is None:
            if require_clean:
                raise UnsafeContentError("no security scanner is available; refusing to commit without a human")
            return []
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

    def _apply(self, change: Change, message: str, reviewer: str | None = None, *, intent: tuple | None = None) -> None:
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
                write_atomically(targets[relative], data)
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
        write_atomically(self._intent_path(), intent.to_json().encode("utf-8"))

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
            reason=message_body(message),
        )


class SkillLibrary(DecisionRepository):
    """The skills repository: approve, backlog, reject and evict skills, one commit each."""

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
        reason: str = "",
        policy: str | None = None,
        base_hash: str | None = None,
        require_clean_scan: bool = False,
    ) -> Decision:
        """Commit the skill to skills/<name>/. Different content under an existing name is a refinement.

        `base_hash` binds the decision to the skills/<name>/SKILL.md the candidate was computed against
        (ABSENT: none existed); `require_clean_scan` is for decisions without a human (policy).
        """
        return self._decide_skill(
            "approve", APPROVED_DIR, candidate_id, name, skill_md, provenance, evidence, reviewer, title,
            reason=reason, policy=policy, base_hash=base_hash, require_clean_scan=require_clean_scan,
        )  # fmt: skip

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
        reason: str = "",
        policy: str | None = None,
        base_hash: str | None = None,
    ) -> Decision:
        """Commit the skill to backlog/<name>/, where agents do not load it."""
        return self._decide_skill(
            "backlog", BACKLOG_DIR, candidate_id, name, skill_md, provenance, evidence, reviewer, title,
            reason=reason, policy=policy, base_hash=base_hash, require_clean_scan=False,
        )  # fmt: skip

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
        reason = text_field(reason, "reason")
        record = {
            "candidate": candidate_id,
            "title": title,
            "content_hash": content_hash,
            "reason": reason,
            "evidence": list(sessions),
            "reviewer": reviewer,
        }
        change = Change(writes={f"{REJECTED_DIR}/{candidate_id}.yaml": dump_yaml(record).encode("utf-8")})
        body = f"Rejected by {reviewer}" + (f": {reason}" if reason else ".")
        trailers = decision_trailers("reject", candidate_id, content_hash, sessions, reviewer)
        message = build_commit_message(f"reject candidate {candidate_id}: {title}", body, trailers)
        with self._lock:
            self._require_clean_branch(change.paths)
            self._apply(change, message, reviewer, intent=("reject", candidate_id, content_hash))
            return self._head_decision()

    def evict(
        self,
        *,
        candidate_id: str,
        name: str,
        evidence: Sequence[str],
        reviewer: str,
        reason: str,
        policy: str | None = None,
    ) -> Decision:
        """Retire an approved skill: move skills/<name>/ to retired/<name>/ in one commit, so agents stop
        loading it while its text and history stay in the repository. Revertable like any decision."""
        name = _valid_name(name)
        candidate_id = validate_candidate_id(candidate_id)
        sessions = validate_evidence(evidence)
        reviewer = validate_reviewer(reviewer)
        reason = text_field(reason, "reason")
        with self._lock:
            skill_path = f"{APPROVED_DIR}/{name}/{SKILL_FILE}"
            current = self._committed_bytes(skill_path)
            if current is None:
                raise LibraryError(f"no approved skill named {name!r} to evict")
            folder = f"{APPROVED_DIR}/{name}/"
            moved = {
                path: data
                for path in self._committed_paths_under(folder)
                if (data := self._committed_bytes(path)) is not None
            }
            change = Change(
                writes={f"{RETIRED_DIR}/{name}/{path[len(folder) :]}": data for path, data in moved.items()},
                deletions=tuple(moved),
            )
            digest = content_hash(current.decode("utf-8"))
            trailers = decision_trailers("evict", candidate_id, digest, sessions, reviewer, name=name, policy=policy)
            body = f"Evicted by {reviewer}: {reason}" if reason else f"Evicted by {reviewer}."
            message = build_commit_message(f"evict skill {name}", body, trailers)
            self._require_clean_branch(change.paths)
            self._apply(change, message, reviewer, intent=("evict", candidate_id, digest))
            return self._head_decision()

    def _folder_after(self, folder: str, name: str, skill_md: str) -> dict[str, bytes]:
        """{path in the skill folder: bytes} once `skill_md` is committed there: files a human added beside
        it stay and are loaded with it; provenance.yaml is ours and never loaded by an agent."""
        prefix = f"{folder}/{name}/"
        files = {}
        for path in self._committed_paths_under(prefix):
            inside = path[len(prefix) :]
            if inside not in (SKILL_FILE, PROVENANCE_FILE) and (data := self._committed_bytes(path)) is not None:
                files[inside] = data
        files[SKILL_FILE] = skill_md.encode("utf-8")
        return files

    def _committed_paths_under(self, folder: str) -> list[str]:
        listing = self._repo.git.ls_tree("-r", "--name-only", "HEAD", "--", folder)
        return [line for line in listing.splitlines() if line]

    def push_backlog(self, decision: Decision, remote: str) -> str:
        """Push a backlog decision's commit to `remote` (a URL or remote name) as the branch
        skillwarden/backlog/<name>, for review on the team's git host. Returns the branch name.

        Never forced: a branch someone else moved on the host is refused rather than overwritten.
        """
        if decision.action != "backlog" or decision.name is None:
            raise LibraryError(f"commit {decision.sha} is not a backlog decision")
        remote = single_line(remote, "backlog remote")
        if remote.startswith("-"):  # it would be read as an option of git push
            raise LibraryError(f"invalid backlog remote {remote!r}")
        branch = f"{BACKLOG_BRANCH_PREFIX}{_valid_name(decision.name)}"
        with self._lock:
            commit = self._resolve_commit(decision.sha)
            try:
                self._repo.git.push("--porcelain", "--", remote, f"{commit.hexsha}:refs/heads/{branch}")
            except git.GitCommandError as error:
                raise LibraryError(f"cannot push {branch} to {remote}: {_git_error_text(error)}") from error
        return branch

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

    def skill_files(self, name: str) -> dict[str, bytes]:
        """The committed files of an approved skill, by path relative to its folder (what a copy holds)."""
        folder = f"{APPROVED_DIR}/{_valid_name(name)}/"
        with self._lock:
            return {
                path[len(folder) :]: data
                for path in self._committed_paths_under(folder)
                if (data := self._committed_bytes(path)) is not None
            }

    def _write_initial_commit(self) -> None:
        with self._lock:
            self._require_clean_branch(allow_unborn=True)
            self._apply(Change(writes={"README.md": README_TEXT.encode("utf-8")}), "Initialize skills repository\n")

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
        *,
        reason: str,
        policy: str | None,
        base_hash: str | None,
        require_clean_scan: bool,
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
        sessions, reviewer, title, reason, policy, base_hash = validated_decision_fields(
            evidence, reviewer, title, reason, policy, base_hash
        )
        provenance_yaml = dump_yaml(provenance)
        check_printable(skill_md, SKILL_FILE)
        check_printable(provenance_yaml, PROVENANCE_FILE)
        digest = content_hash(skill_md)
        skill_path = f"{folder}/{name}/{SKILL_FILE}"
        approved_path = f"{APPROVED_DIR}/{name}/{SKILL_FILE}"
        writes = {
            skill_path: skill_md.encode("utf-8"),
            f"{folder}/{name}/{PROVENANCE_FILE}": provenance_yaml.encode("utf-8"),
        }
        default_body = f"{PAST_TENSE[action]} by {reviewer} from {len(sessions)} evidence session(s)."
        body = f"{default_body}\n\n{reason}" if reason else default_body
        with self._lock:
            # The whole folder as it will be after the commit is what agents load, so that is what is scanned.
            scan_trailers = self._scan(self._folder_after(folder, name, skill_md), require_clean=require_clean_scan)
            trailers = decision_trailers(
                action, candidate_id, digest, sessions, reviewer, name=name, base_hash=base_hash, policy=policy,
                scan=scan_trailers,
            )  # fmt: skip
            message = build_commit_message(f"{action} skill {name}: {title}", body, trailers)
            # Approving a backlogged skill moves it: the backlog copy goes in the same commit.
            deletions = self._committed_files(f"{BACKLOG_DIR}/{name}") if action == "approve" else ()
            self._require_clean_branch([*writes, *deletions])
            check_not_stale(candidate_id, approved_path, self._committed_bytes(approved_path), base_hash)
            if self._committed_bytes(skill_path) == writes[skill_path]:
                state = "approved" if action == "approve" else "backlogged"
                raise LibraryError(f"skill {name!r} is already {state} with this exact content")
            if action == "backlog" and self._committed_bytes(approved_path) is not None:
                raise LibraryError(f"skill {name!r} is approved; roll it back before backlogging it")
            self._apply(Change(writes=writes, deletions=deletions), message, reviewer,
                        intent=(action, candidate_id, digest))  # fmt: skip
            return self._head_decision()


def changes_in_the_way(changes: Sequence[tuple[str, str]], paths: Sequence[str]) -> list[tuple[str, str]]:
    """Of a repository's changes, those a decision touching `paths` cannot work around: anything staged
    (it would go into our commit) and any change to one of `paths` (we would overwrite it)."""
    ours = set(paths)
    return [(status, path) for status, path in changes if status[0] not in " ?" or path in ours]


def _valid_name(name: object) -> str:
    try:
        return validate_name(name)
    except SkillFormatError as error:
        raise UnsafePathError(str(error)) from error


def text_field(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise LibraryError(f"{what} must be a string")
    return value.strip()


def _subject_of(decision: Decision) -> str:
    if decision.name:
        return f"skill {decision.name}"
    if decision.target:
        return f"harness file {decision.target}"
    return f"candidate {decision.candidate_id}"


def decision_trailers(
    action: str,
    candidate_id: str,
    digest: str,
    sessions: Sequence[str],
    reviewer: str,
    *,
    name: str | None = None,
    target: str | None = None,
    base_hash: str | None = None,
    policy: str | None = None,
    scan: Sequence[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    trailers = [(TRAILER_DECISION, action), (TRAILER_CANDIDATE, candidate_id)]
    if name is not None:
        trailers.append((TRAILER_SKILL, name))
    if target is not None:
        trailers.append((TRAILER_TARGET, target))
    trailers.append((TRAILER_CONTENT_HASH, digest))
    if base_hash is not None:
        trailers.append((TRAILER_BASE_HASH, base_hash))
    trailers += [(TRAILER_EVIDENCE, session) for session in sessions]
    trailers.append((TRAILER_REVIEWER, reviewer))
    trailers += scan
    if policy is not None:
        trailers.append((TRAILER_POLICY, policy))
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

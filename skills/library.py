"""The skills library: a git repository where every review decision is exactly one commit.

Layout of the repository:
    skills/<name>/SKILL.md, provenance.yaml     approved skills (what agents load)
    backlog/<name>/SKILL.md, provenance.yaml    skills parked for later
    decisions/rejected/<candidate_id>.yaml      rejections, so re-mining does not propose them again

Each decision commit carries trailers (`trailers.py`) and `decisions()` rebuilds the review history from
them: the git log is the source of truth, everything else is a cache.

Safety rules: names, ids, hashes and paths are validated before any path is built (`decision_input.py`),
SKILL.md is parsed and scanned again before it is written (a dangerous verdict is refused), a dirty tree
is refused, files are written atomically after an intent record (`intent.py`), only the decision's paths
are staged, and a failure part-way restores those paths to HEAD (`decision_repository.py`, which the
harness repository shares); a stale `index.lock` is removed only when no git process owns it
(`index_lock.py`). A decision may be bound to the content hash its candidate was computed against: if the
target changed since, the candidate is stale and nothing is applied. GitPython is not thread-safe, so one
lock serializes all git work per repository.
"""

from __future__ import annotations

from collections.abc import Sequence

import git

from skillwarden.skills.decision_input import (
    check_not_stale,
    check_printable,
    one_line_title,
    single_line,
    text_field,
    valid_skill_name,
    validate_candidate_id,
    validate_content_hash,
    validate_evidence,
    validate_reviewer,
    validated_decision_fields,
)
from skillwarden.skills.decision_repository import (
    APPROVED_DIR,
    BACKLOG_DIR,
    PROVENANCE_FILE,
    REJECTED_DIR,
    RETIRED_DIR,
    SKILL_FILE,
    DecisionChange,
    DecisionRepository,
    dump_yaml,
    git_error_text,
)
from skillwarden.skills.library_errors import LibraryError
from skillwarden.skills.skill_md import SkillFormatError, content_hash, parse
from skillwarden.skills.trailers import (
    BACKLOG_BRANCH_PREFIX,
    PAST_TENSE,
    Decision,
    build_commit_message,
    decision_trailers,
)

README_TEXT = """# Skills repository

Managed by skillwarden. Every review decision is one commit with `Skillwarden-*` trailers.

- `skills/<name>/SKILL.md`: approved skills, loaded by agents (`provenance.yaml` lists the evidence).
- `backlog/<name>/SKILL.md`: skills kept for a later review.
- `decisions/rejected/<candidate>.yaml`: rejected candidates, so they are not proposed again.

Roll a decision back with skillwarden (it runs `git revert`), so history stays linear and auditable.
"""


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
        change = DecisionChange(writes={f"{REJECTED_DIR}/{candidate_id}.yaml": dump_yaml(record).encode("utf-8")})
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
        name = valid_skill_name(name)
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
            change = DecisionChange(
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
        branch = f"{BACKLOG_BRANCH_PREFIX}{valid_skill_name(decision.name)}"
        with self._lock:
            commit = self._resolve_commit(decision.sha)
            try:
                self._repo.git.push("--porcelain", "--", remote, f"{commit.hexsha}:refs/heads/{branch}")
            except git.GitCommandError as error:
                raise LibraryError(f"cannot push {branch} to {remote}: {git_error_text(error)}") from error
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
        name = valid_skill_name(name)
        with self._lock:
            try:
                blob = self._repo.head.commit.tree / f"{APPROVED_DIR}/{name}/{SKILL_FILE}"
            except KeyError:
                raise LibraryError(f"no approved skill named {name!r}") from None
            return blob.data_stream.read().decode("utf-8")

    def skill_files(self, name: str) -> dict[str, bytes]:
        """The committed files of an approved skill, by path relative to its folder (what a copy holds)."""
        folder = f"{APPROVED_DIR}/{valid_skill_name(name)}/"
        with self._lock:
            return {
                path[len(folder) :]: data
                for path in self._committed_paths_under(folder)
                if (data := self._committed_bytes(path)) is not None
            }

    def _write_initial_commit(self) -> None:
        with self._lock:
            self._require_clean_branch(allow_unborn=True)
            readme = DecisionChange(writes={"README.md": README_TEXT.encode("utf-8")})
            self._apply(readme, "Initialize skills repository\n")

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
        name = valid_skill_name(name)
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
            self._apply(DecisionChange(writes=writes, deletions=deletions), message, reviewer,
                        intent=(action, candidate_id, digest))  # fmt: skip
            return self._head_decision()

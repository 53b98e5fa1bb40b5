"""Keep every agent folder the workspace is linked to in step with the skills repository.

Called by each decision (approve, refine, rollback, undo, evict), by `rebuild`, and by `link` and
`unlink`: the approved skills of the repository's HEAD are exactly what each linked folder holds of
ours, and the selection index the prompt hook reads follows them. A decision whose skill could not be
published (its name taken by a folder of the user's) is refused before anything is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from skillwarden.core.workspace.config import Config
from skillwarden.skills import select_index
from skillwarden.skills.decision_repository import APPROVED_DIR, SKILL_FILE
from skillwarden.skills.library import SkillLibrary
from skillwarden.skills.library_errors import LibraryError
from skillwarden.skills.links import forget, load_targets, remember, remembered
from skillwarden.skills.publish import ClashError, PublishError, SyncReport, Target, clashes, sync, withdraw_all
from skillwarden.skills.skill_md import SkillFormatError, parse


def skills_dir(config: Config) -> Path:
    return config.skills_repo / APPROVED_DIR


def publish_library(config: Config, library: SkillLibrary) -> list[SyncReport]:
    """Sync every linked target with the approved skills, then the selection index the hook reads."""
    names = library.skill_names()
    reports = [sync(target, names, skills_dir(config), library.skill_files) for target in load_targets(config.home)]
    select_index.refresh(config.home, names, description_reader(library), paths=skill_paths(config, reports, names))
    return reports


def refresh_statistics(config: Config, library: SkillLibrary, stats: list[dict]) -> None:
    """Fresh success posteriors for the selection index (after an ingest computed them)."""
    select_index.refresh(config.home, library.skill_names(), description_reader(library), stats=stats)


def skill_paths(config: Config, reports: list[SyncReport], names: list[str]) -> dict[str, list[str]]:
    """Where each skill's SKILL.md is: in the linked folders (Claude Code's first, for its hook), then in
    the skills repository itself."""
    ordered = sorted(reports, key=lambda report: report.target.agent != "claude-code")
    return {
        name: [str(report.target.folder / name / SKILL_FILE) for report in ordered if name not in report.failed]
        + [str(skills_dir(config) / name / SKILL_FILE)]
        for name in names
    }


def description_reader(library: SkillLibrary) -> Callable[[str], tuple[str, str]]:
    """A skill's description and the text prompts are matched against, from its committed SKILL.md."""

    def describe(name: str) -> tuple[str, str]:
        try:
            doc = parse(library.read_skill(name), folder_name=name)
        except (SkillFormatError, LibraryError):
            return "", name.replace("-", " ")
        return doc.description, select_index.match_text(name, doc.description, doc.body)

    return describe


def refuse_clash(config: Config, name: str) -> None:
    """Raise ClashError when a linked target holds a folder of the user's named `name`."""
    problems = [
        message for target in load_targets(config.home) for message in clashes(target, [name], skills_dir(config))
    ]
    if problems:
        raise ClashError("; ".join(problems))


def link(config: Config, library: SkillLibrary, target: Target) -> SyncReport:
    """Remember `target` and publish the whole library there; refused, with nothing written, on a clash."""
    problems = clashes(target, library.skill_names(), skills_dir(config))
    if problems:
        raise ClashError("; ".join(problems))
    previous = remembered(config.home, target)
    if previous is not None and previous.mode != target.mode:
        withdraw_all(previous, skills_dir(config))  # switching between links and copies
    remember(config.home, target)
    reports = publish_library(config, library)
    return next(report for report in reports if report.target.same_place(target))


def unlink(config: Config, library: SkillLibrary, target: Target) -> SyncReport:
    """Remove from `target` what skillwarden put there, and forget it."""
    known = remembered(config.home, target)
    if known is None:
        raise PublishError(f"{target.label} is not linked: nothing was published to {target.folder}")
    report = withdraw_all(known, skills_dir(config))
    forget(config.home, known)
    publish_library(config, library)
    return report

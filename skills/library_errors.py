"""The errors a decision in a skills or harness repository ends in, each with a reason a reviewer can act on."""

from __future__ import annotations


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

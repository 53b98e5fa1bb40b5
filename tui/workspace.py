"""How a command opens the workspace's state cache: the store alone, or the review service around it. A
store that works in a degraded mode says so on stderr, which leaves stdout to what scripts parse."""

from __future__ import annotations

import sys

from skillwarden.core.security.workspace_key import use_workspace_key
from skillwarden.core.workspace.config import Config
from skillwarden.core.workspace.store import Store
from skillwarden.reviews.outcomes import sync_labels
from skillwarden.reviews.service import ReviewService


def open_store(config: Config) -> Store:
    use_workspace_key(config)  # what the command mines or scans is redacted as ingest redacted it
    store = Store(config.state_db)
    print_notice(store)
    sync_labels(config, store)
    return store


def open_service(config: Config, *, writes: bool = True) -> ReviewService:
    """`writes=False` for a command that only reads (it holds no lock): see `ReviewService`."""
    service = ReviewService(config, writes=writes)
    print_notice(service.store)
    return service


def print_notice(store: Store) -> None:
    if store.notice:
        print(f"skillwarden: warning: {store.notice}", file=sys.stderr)

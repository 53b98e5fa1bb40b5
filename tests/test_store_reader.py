"""The cache's read-only reader: what the screens list is what the store holds, on a connection that
cannot write."""

import sqlite3

import pytest

from skillwarden.core.workspace.config import load_config
from skillwarden.core.workspace.store import Store
from skillwarden.core.workspace.store_reader import StoreReader


def test_the_reader_lists_what_the_store_holds_and_cannot_write(demo_workspace):
    config = load_config(demo_workspace)
    store = Store(config.state_db)
    reader = StoreReader(config.state_db)
    try:
        stored = {c.id: c for c in store.candidates()}
        assert {row["id"] for row in reader.listed_candidates()} == set(stored)
        assert {c.id: c for c in reader.candidates()} == stored
        some = next(iter(stored))
        assert reader.candidate(some) == stored[some] and reader.candidate("no-such-id") is None
        sessions = store.sessions()
        ids = [s.id for s in sessions]
        rows = reader.sessions(ids + ["no-such-session"])
        assert {row["id"] for row in rows} == set(ids)
        assert all(isinstance(row["path"], str) for row in rows)
        assert sum(reader.outcome_counts().values()) == len(sessions)
        assert len(reader.recent_sessions(5)) == min(5, len(sessions))
        assert len(reader.decision_events()) == len(store.decisions())
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader._db.execute("DELETE FROM candidates")
    finally:
        reader.close()
        store.close()

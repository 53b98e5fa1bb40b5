"""One workspace on disk: its settings and the trace folders it reads, its owner-only state cache and event
feed, and the lock and worker lifelines that keep it to one writer."""

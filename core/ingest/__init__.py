"""Getting traces in: finding, watching and tailing trace files, and reading them into the cache."""

"""The demo: a deterministic generator of Claude Code sessions for `skillwarden demo`, the tests and the benchmarks."""

"""Turning sessions into candidates: shared procedures drafted as skills, failures answered by harness changes,
and the fixes and breakages each candidate predicts."""

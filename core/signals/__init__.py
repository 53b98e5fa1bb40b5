"""What a session says about itself: what each step did, how the run went, and the statistics built on that."""

"""The review screens, one module each (or a small group): they bind the registry's actions that apply on
them, run those actions themselves, and ask the app (`base.ReviewHost`) for data and background work. Their
styles sit beside them (`<screen>.tcss`), read when the screen is first shown. Importing this package loads
no screen: the queue's first frame waits only for `queue`."""

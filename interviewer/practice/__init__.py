"""A practice interview: the session, its start, options, summary and reading questions aloud."""

"""Practice history: the SQLite store, statistics and spaced-repetition review."""

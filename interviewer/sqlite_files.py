"""Opening the project's SQLite files (history, grade cache) the same way: WAL, a busy timeout, one connection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

BUSY_TIMEOUT_S = 5.0


def open_wal_database(path: Path, busy_timeout_s: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A connection in autocommit mode with WAL on, shareable across threads behind the caller's lock.

    Creates the parent folder. Raises ``OSError`` or ``sqlite3.Error``; the
    connection is closed before an error leaves this function.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        connection.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        connection.close()
        raise
    return connection

"""The grade cache: an LLM grade is reused when the same model and prompt see the same answer again.

One SQLite file (WAL mode, created on first use) shared by every process: a
batch run and the TUI may read and write it at once. Failed grades are never
stored. A cache that cannot be opened or written is switched off for the
process (``disabled_reason`` says why) rather than stopping any grading.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

from interviewer.grading.interface import Grade
from interviewer.sqlite_files import open_wal_database

#: Bump when the key recipe changes, so old entries are simply never found.
KEY_VERSION = 1
SCHEMA_VERSION = 1


def cache_key(
    model: str,
    prompt_hash: str,
    question: str,
    answer: str,
    context: str = "",
    *,
    reference: str = "",
) -> str:
    """The SHA-256 of a canonical JSON of everything that decides a grade.

    Put anything else the prompt shows the model (follow-up exchange, hinted key
    points) in ``context``, and the reference answer with its key points in
    ``reference``, so that editing the bank does not return stale grades.
    """
    canonical = json.dumps(
        {
            "v": KEY_VERSION,
            "model": model,
            "prompt_hash": prompt_hash,
            "question": question,
            "answer": answer,
            "context": context,
            "reference": reference,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class GradeCache:
    """Grades by cache key. Safe from asyncio code and threads in one process, and across processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        #: Why the cache is off for this process (unusable file, disk full ...); None while it works.
        self.disabled_reason: str | None = None

    def _connect(self) -> sqlite3.Connection | None:
        """The open connection, opening (and creating) the file on first use. Call with the lock held."""
        if self._connection is not None or self.disabled_reason is not None:
            return self._connection
        connection = None
        try:
            connection = open_wal_database(self.path)  # waits sqlite_files.BUSY_TIMEOUT_S for a lock
            connection.execute(
                "CREATE TABLE IF NOT EXISTS grades ("
                " key TEXT PRIMARY KEY,"
                " grade TEXT NOT NULL,"
                " model TEXT,"
                " created_at REAL NOT NULL)"
            )
            if connection.execute("PRAGMA user_version").fetchone()[0] == 0:
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as exc:
            if connection is not None:
                connection.close()
            self._disable(exc)
            return None
        self._connection = connection
        return connection

    def _disable(self, exc: BaseException) -> None:
        self.disabled_reason = f"{self.path}: grade cache switched off ({exc}); grading goes on without it"

    def get(self, key: str) -> Grade | None:
        """The cached grade for ``key`` (marked ``cached=True``), or None."""
        with self._lock:
            connection = self._connect()
            if connection is None:
                return None
            try:
                row = connection.execute("SELECT grade FROM grades WHERE key = ?", (key,)).fetchone()
            except sqlite3.OperationalError:
                return None  # busy past the timeout: a miss, not a failure
            except sqlite3.Error as exc:
                self._disable(exc)
                return None
        if row is None:
            return None
        try:
            grade = Grade.from_dict(json.loads(row[0]))
        except (ValueError, TypeError, KeyError):
            return None  # an entry this version cannot read is a miss
        return replace(grade, cached=True)

    def put(self, key: str, grade: Grade) -> None:
        """Store ``grade`` under ``key``; failed grades are never stored."""
        if grade.failed:
            return
        data = replace(grade, cached=False).to_dict()
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        with self._lock:
            connection = self._connect()
            if connection is None:
                return
            try:
                connection.execute(
                    "INSERT OR REPLACE INTO grades (key, grade, model, created_at) VALUES (?, ?, ?, ?)",
                    (key, text, grade.model, time.time()),
                )
            except sqlite3.OperationalError:
                return  # busy past the timeout: this grade is simply not cached
            except sqlite3.Error as exc:
                self._disable(exc)

    def __len__(self) -> int:
        with self._lock:
            connection = self._connect()
            if connection is None:
                return 0
            return connection.execute("SELECT COUNT(*) FROM grades").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> "GradeCache":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

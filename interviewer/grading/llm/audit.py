"""The audit log: every LLM request and reply, in SQLite under INTERVIEWER_HOME (``llm_log.sqlite3``).

One row per request: when, model, server (without credentials), output mode, prompt hash,
the messages sent, the raw reply text, token usage, latency, and the outcome ("ok", or why
it failed). Keys are never written: headers are not logged, and the key's text, any other
API key or bearer token and a URL's ``user:password@`` are masked wherever they would appear. Rows go to SQLite from one writer thread, so a batch's event
loop never waits on a commit; ``close()`` writes what is left. ``read_log`` reads it back
for ``interviewer logs``. The table only grows columns (append-only migrations by version).
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from interviewer.safe_text import without_credentials

LOG_FILE = "llm_log.sqlite3"
SCHEMA_VERSION = 1
_MIGRATIONS = (
    """CREATE TABLE IF NOT EXISTS requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, model TEXT, server TEXT, mode TEXT,
        prompt_hash TEXT, purpose TEXT, messages TEXT NOT NULL, reply TEXT, finish_reason TEXT,
        prompt_tokens INTEGER, completion_tokens INTEGER, latency_s REAL NOT NULL, outcome TEXT NOT NULL)""",
)
_STOP = object()


@dataclass(frozen=True)
class LogEntry:
    """One request and what came of it."""

    at: str
    model: str
    server: str
    mode: str | None
    prompt_hash: str | None
    purpose: str
    messages: list[dict[str, str]]
    reply: str | None
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_s: float
    outcome: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _connect(path: Path) -> sqlite3.Connection:
    from interviewer.sqlite_files import open_wal_database

    connection = open_wal_database(path)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    for number, statement in enumerate(_MIGRATIONS[version:], version + 1):
        connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {number}")
    return connection


class AuditLog:
    """Appends ``LogEntry`` rows from a writer thread; ``secret`` (the key) is masked in every text."""

    def __init__(self, path: Path, secret: str | None = None):
        self.path = Path(path)
        self.secret = secret or None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.broken: str | None = None

    def _mask(self, text: str | None) -> str | None:
        """``text`` without the key, any other API key or bearer token, or a URL's credentials."""
        if text is None:
            return text
        return without_credentials(text.replace(self.secret, "***") if self.secret else text)

    def record(self, entry: LogEntry) -> None:
        if self.broken is not None:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._write_loop, name="llm-audit-log", daemon=True)
            self._thread.start()
        self._queue.put(entry)

    def _row(self, entry: LogEntry) -> tuple:
        return (entry.at, entry.model, self._mask(entry.server), entry.mode, entry.prompt_hash, entry.purpose,
                self._mask(json.dumps(entry.messages, ensure_ascii=False)), self._mask(entry.reply),
                entry.finish_reason, entry.prompt_tokens, entry.completion_tokens, round(entry.latency_s, 4),
                self._mask(entry.outcome))

    def _write_loop(self) -> None:
        try:
            connection = _connect(self.path)
        except (OSError, sqlite3.Error) as error:  # a log that cannot open never stops grading
            self.broken = str(error)
            return
        try:
            while True:
                batch = [self._queue.get()]
                while not self._queue.empty() and len(batch) < 256:
                    batch.append(self._queue.get())
                stop = any(item is _STOP for item in batch)
                rows = [self._row(item) for item in batch if item is not _STOP]
                if rows:
                    connection.executemany(
                        "INSERT INTO requests (at, model, server, mode, prompt_hash, purpose, messages, reply, "
                        "finish_reason, prompt_tokens, completion_tokens, latency_s, outcome) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                if stop:
                    return
        except sqlite3.Error as error:
            self.broken = str(error)
        finally:
            connection.close()

    def close(self) -> None:
        """Write every entry recorded so far, then stop the writer."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=10)
            self._thread = None


def now_text() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def read_log(path: Path, last: int | None = None) -> list[LogEntry]:
    """The newest ``last`` entries (all without), oldest first."""
    path = Path(path)
    if not path.exists():
        return []
    connection = _connect(path)
    try:
        query = ("SELECT at, model, server, mode, prompt_hash, purpose, messages, reply, finish_reason, "
                 "prompt_tokens, completion_tokens, latency_s, outcome FROM requests ORDER BY id DESC")
        rows = connection.execute(query + (f" LIMIT {int(last)}" if last else "")).fetchall()
    finally:
        connection.close()
    entries = []
    for row in reversed(rows):
        values = list(row)
        values[6] = json.loads(values[6])
        entries.append(LogEntry(*values))
    return entries


def grade_outcome(grade: Any) -> str:
    """A grade's outcome for the log: ok, degraded (why) or invalid (why)."""
    if grade.failed:
        return f"invalid: {grade.error}"
    partial = [flag for flag in grade.flags if flag.startswith("partial-reply")]
    return f"degraded: {partial[0]}" if partial else "ok"


def request_entry(model: str, server: str, prompt_hash: str | None, purpose: str, messages: list[dict[str, str]],
                  reply: Any, latency_s: float, outcome: str) -> LogEntry:
    """The log row of one request (``reply``: the ``ChatReply``, or None when none came)."""
    usage = reply.usage if reply is not None else None
    return LogEntry(
        at=now_text(), model=model, server=server, mode=None if reply is None else reply.output_mode,
        prompt_hash=prompt_hash, purpose=purpose, messages=messages,
        reply=None if reply is None else (reply.refusal or reply.text),
        finish_reason=None if reply is None else reply.finish_reason,
        prompt_tokens=None if usage is None else usage.prompt_tokens,
        completion_tokens=None if usage is None else usage.completion_tokens,
        latency_s=latency_s, outcome=outcome,
    )

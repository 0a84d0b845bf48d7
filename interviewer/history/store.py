"""Practice history: every graded attempt in one SQLite file, with append-only schema migrations.

The file (``settings.history_path``) is created on the first write, never on
import or on a read: reading a history that does not exist yet gives no rows.
An attempt is identified by (session id, question id, follow-up of, attempt number), so
recording it again (a ``--resume``, a re-import of a transcript, a regrade)
updates the row instead of adding one; trying a question again (ctrl+y) adds one.

Schema changes are new entries at the end of ``MIGRATIONS``; a released entry
is never edited. ``PRAGMA user_version`` holds how many have been applied.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from interviewer.errors import UserError
from interviewer.history import self_assessment as marks
from interviewer.history.attempts import COLUMNS, SKIPPED_GRADER, Attempt, attempt_from_record
from interviewer.history.self_assessment import MIGRATION as SELF_ASSESSMENT_MIGRATION
from interviewer.history.self_assessment import SelfAssessment
from interviewer.history.stats import HistoryStats, compute_stats, parse_time
from interviewer.sqlite_files import open_wal_database
from interviewer.transcript import Transcript, list_transcripts, read_transcript

#: Append-only: entry ``n`` takes the schema from version ``n`` to ``n + 1``.
MIGRATIONS: list[tuple[str, ...]] = [
    # v1: one row per graded answer.
    (
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            score REAL,
            grader TEXT NOT NULL,
            answered_at TEXT NOT NULL,
            time_taken_s REAL,
            follow_up_of TEXT
        )""",
    ),
    # v2: what was missed, whether a hint was used, who answered.
    (
        "ALTER TABLE attempts ADD COLUMN missed_points TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE attempts ADD COLUMN hint_used INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE attempts ADD COLUMN candidate TEXT NOT NULL DEFAULT ''",
    ),
    # v3: one row per attempt (older files may hold repeats: keep the latest),
    # and look-ups by question.
    (
        """DELETE FROM attempts WHERE id NOT IN (
            SELECT MAX(id) FROM attempts GROUP BY session_id, question_id, COALESCE(follow_up_of, '')
        )""",
        "CREATE UNIQUE INDEX attempts_identity ON attempts (session_id, question_id, COALESCE(follow_up_of, ''))",
        "CREATE INDEX attempts_by_question ON attempts (question_id, answered_at)",
    ),
    # v4: a question tried again in the same session (ctrl+y) keeps every attempt.
    (
        "ALTER TABLE attempts ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1",
        "DROP INDEX attempts_identity",
        "CREATE UNIQUE INDEX attempts_identity ON attempts (session_id, question_id, COALESCE(follow_up_of, ''), attempt)",
    ),
    # v5: the candidate's own verdicts on key points, beside the grader's (history/self_assessment.py).
    SELF_ASSESSMENT_MIGRATION,
    # v6: a spoken answer's measured pace, fillers heard and pauses, and its kept audio file.
    (
        "ALTER TABLE attempts ADD COLUMN words_per_minute REAL",
        "ALTER TABLE attempts ADD COLUMN filler_count INTEGER",
        "ALTER TABLE attempts ADD COLUMN pause_count INTEGER",
        "ALTER TABLE attempts ADD COLUMN audio TEXT",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)

_UPSERT = f"""
    INSERT INTO attempts ({", ".join(COLUMNS)}) VALUES ({", ".join("?" for _ in COLUMNS)})
    ON CONFLICT (session_id, question_id, COALESCE(follow_up_of, ''), attempt) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c not in ("session_id", "question_id", "follow_up_of", "attempt"))}
"""
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM attempts"


__all__ = ["SCHEMA_VERSION", "SKIPPED_GRADER", "Attempt", "History", "HistoryError", "attempt_from_record",
           "import_transcript", "import_transcripts", "migrate"]


class HistoryError(UserError):
    """The history file cannot be used; the message names it and says what to do."""


def migrate(connection: sqlite3.Connection, path: Path | str = "history") -> int:
    """Bring the schema up to ``SCHEMA_VERSION``; return the version found before."""
    found = connection.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise HistoryError(
            f"{path}: written by a newer interviewer (history schema v{found}; this one knows "
            f"v{SCHEMA_VERSION}); upgrade interviewer or set INTERVIEWER_HOME elsewhere"
        )
    if found == SCHEMA_VERSION:
        return found
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the lock.
        current = connection.execute("PRAGMA user_version").fetchone()[0]
        for version in range(current, SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return found


class History:
    """The attempts store. Opens the file on first use; safe to share between threads."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"History({str(self.path)!r})"

    @property
    def exists(self) -> bool:
        return self._connection is not None or self.path.exists()

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._connection is not None:
            return self._connection
        if not create and not self.path.exists():
            return None
        connection = None
        try:
            connection = open_wal_database(self.path)  # waits sqlite_files.BUSY_TIMEOUT_S for a lock
            migrate(connection, self.path)
        except sqlite3.DatabaseError as error:
            if connection is not None:
                connection.close()
            raise HistoryError(
                f"{self.path}: not a usable history database ({error}); move it aside to start a new one"
            ) from None
        except OSError as error:
            raise HistoryError(f"{self.path}: cannot open the history ({error.strerror or error})") from None
        except BaseException:
            if connection is not None:
                connection.close()
            raise
        self._connection = connection
        return connection

    def schema_version(self) -> int:
        """The schema version of the file (0 when it does not exist yet)."""
        with self._lock:
            connection = self._connect(create=False)
            return connection.execute("PRAGMA user_version").fetchone()[0] if connection else 0

    def record_attempt(self, attempt: Attempt) -> None:
        """Store one attempt; recording the same (session, question, follow-up) again updates it."""
        self.record_attempts([attempt])

    def record_attempts(self, attempts: Iterable[Attempt]) -> int:
        """Store many attempts in one transaction; return how many were given."""
        rows = [a._row() for a in attempts]
        if not rows:
            return 0
        with self._lock:
            connection = self._connect(create=True)
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany(_UPSERT, rows)
                connection.execute("COMMIT")
            except sqlite3.DatabaseError as error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise HistoryError(f"{self.path}: cannot save the attempt ({error})") from None
        return len(rows)

    def attempts(self, question_id: str | None = None, topic: str | None = None) -> list[Attempt]:
        """Stored attempts, oldest first; only one question's or one topic's when asked."""
        clauses, params = [], []
        if question_id is not None:
            clauses.append("question_id = ?")
            params.append(question_id)
        if topic is not None:
            clauses.append("lower(topic) = lower(?)")
            params.append(topic)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            connection = self._connect(create=False)
            if connection is None:
                return []
            try:
                rows = connection.execute(f"{_SELECT}{where} ORDER BY answered_at, id", params).fetchall()
                own = self._marks_by_attempt(connection)
            except sqlite3.DatabaseError as error:
                raise HistoryError(f"{self.path}: cannot read the history ({error})") from None
        attempts = (Attempt._from_row(row) for row in rows)
        attempts = (replace(a, self_marks=own[a.identity]) if a.identity in own else a for a in attempts)
        # Sorted by the moment, not the text: timestamps may carry different UTC offsets.
        return sorted(attempts, key=lambda a: parse_time(a.answered_at))

    @staticmethod
    def _marks_by_attempt(connection: sqlite3.Connection) -> dict[tuple, tuple[tuple[str, str], ...]]:
        found: dict[tuple, list[tuple[str, str]]] = {}
        for mark in _read_marks(connection):
            found.setdefault(mark.attempt_identity, []).append((mark.point, mark.verdict))
        return {identity: tuple(pairs) for identity, pairs in found.items()}

    def record_self_assessment(self, mark: SelfAssessment) -> None:
        """Store the candidate's verdict on one key point (``verdict`` None takes it back)."""
        with self._lock:
            connection = self._connect(create=True)
            try:
                if mark.verdict is None:
                    connection.execute(marks.DELETE, mark.key())
                else:
                    connection.execute(marks.UPSERT, mark.row())
            except sqlite3.DatabaseError as error:
                raise HistoryError(f"{self.path}: cannot save your mark ({error})") from None

    def self_assessments(self) -> list[SelfAssessment]:
        """Every mark the candidate made, oldest first, each with the grader's verdict it sits beside."""
        with self._lock:
            connection = self._connect(create=False)
            if connection is None:
                return []
            try:
                return _read_marks(connection)
            except sqlite3.DatabaseError as error:
                raise HistoryError(f"{self.path}: cannot read the history ({error})") from None

    def stats(self, topic: str | None = None) -> HistoryStats:
        """Totals, per-topic averages and trends, and chart series (one topic's when asked)."""
        return compute_stats(self.attempts(topic=topic))

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def _read_marks(connection: sqlite3.Connection) -> list[SelfAssessment]:
    return [
        SelfAssessment(session_id=row[0], question_id=row[1], follow_up_of=row[2], point=row[3], verdict=row[4],
                       grader_verdict=row[5], marked_at=row[6], attempt=row[7])
        for row in connection.execute(marks.SELECT)
    ]


def import_transcript(history: History, transcript: Transcript | Path | str) -> int:
    """Record every answer of a session transcript (idempotently); return how many."""
    if not isinstance(transcript, Transcript):
        transcript = read_transcript(Path(transcript))
    header = transcript.header
    candidate = str(header.get("candidate") or "")
    started = header.get("started_at") or header.get("at")
    attempts = [
        attempt
        for record in transcript.answers
        if (attempt := attempt_from_record(record, transcript.session_id, candidate, started)) is not None
    ]
    return history.record_attempts(attempts)


def import_transcripts(history: History, transcripts_dir: Path | str) -> int:
    """Rebuild the history from every session transcript in a folder; return the answers recorded."""
    return sum(import_transcript(history, path) for path in list_transcripts(Path(transcripts_dir)))

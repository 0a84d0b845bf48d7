"""The attempts store: lazy creation, idempotent records, migrations from an old file, stats, transcript import."""

import json
import sqlite3
import threading

import pytest

from interviewer.grading.interface import Grade, KeyPointResult
from interviewer.answer_record import AnswerRecord
from interviewer.history.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    SKIPPED_GRADER,
    Attempt,
    History,
    HistoryError,
    attempt_from_record,
    import_transcript,
    import_transcripts,
)
from interviewer.history.stats import trend
from interviewer.transcript import TranscriptWriter, read_transcript, transcript_path


def attempt(session="s1", question="dl-001", topic="fundamentals", score=6.0, at="2024-05-01T12:00:00+00:00", **extra):
    return Attempt(session_id=session, question_id=question, topic=topic, score=score, answered_at=at, **extra)


def test_nothing_is_created_until_the_first_write(tmp_path):
    path = tmp_path / "deep" / "home" / "history.sqlite3"
    history = History(path)
    assert history.attempts() == []
    assert history.stats().empty
    assert history.schema_version() == 0
    assert not path.parent.exists()
    history.record_attempt(attempt())
    assert path.exists()
    assert history.schema_version() == SCHEMA_VERSION
    history.close()


def test_the_file_uses_wal_and_a_busy_timeout(tmp_path):
    with History(tmp_path / "h.sqlite3") as history:
        history.record_attempt(attempt())
        connection = history._connect(create=False)
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_every_field_round_trips(tmp_path):
    original = attempt(
        score=7.5,
        missed_points=("Uses many layers", "Learns features"),
        grader="llm",
        time_taken_s=42.5,
        hint_used=True,
        follow_up_of="dl-001",
        candidate="Ada",
    )
    with History(tmp_path / "h.sqlite3") as history:
        history.record_attempt(original)
    with History(tmp_path / "h.sqlite3") as reopened:
        assert reopened.attempts() == [original]


def test_recording_the_same_attempt_again_updates_it(tmp_path):
    with History(tmp_path / "h.sqlite3") as history:
        history.record_attempt(attempt(score=4.0))
        history.record_attempt(attempt(score=8.0, grader="llm"))
        # A follow-up to the same question in the same session is a different attempt.
        history.record_attempt(attempt(score=5.0, follow_up_of="dl-001"))
        history.record_attempt(attempt(session="s2", score=3.0))
        rows = history.attempts("dl-001")
    assert [(a.session_id, a.follow_up_of, a.score) for a in rows] == [
        ("s1", None, 8.0),
        ("s1", "dl-001", 5.0),
        ("s2", None, 3.0),
    ]


def test_attempts_filter_and_order(tmp_path):
    with History(tmp_path / "h.sqlite3") as history:
        history.record_attempts(
            [
                attempt(question="b", at="2024-05-02T12:00:00+00:00", topic="graphs"),
                attempt(question="a", at="2024-05-01T12:00:00+00:00"),
            ]
        )
        assert [a.question_id for a in history.attempts()] == ["a", "b"]
        assert [a.question_id for a in history.attempts(topic="GRAPHS")] == ["b"]
        assert history.attempts("missing") == []


V1_SCHEMA = """
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    score REAL,
    grader TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    time_taken_s REAL,
    follow_up_of TEXT
);
PRAGMA user_version = 1;
"""


def test_an_old_version_1_file_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "history.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(V1_SCHEMA)
    old.executemany(
        "INSERT INTO attempts (session_id, question_id, topic, score, grader, answered_at, time_taken_s, follow_up_of)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("old", "dl-001", "fundamentals", 4.0, "offline", "2024-01-01T10:00:00+00:00", 30.0, None),
            ("old", "dl-002", "fundamentals", None, "skipped", "2024-01-01T10:05:00+00:00", None, None),
            # Version 1 allowed a repeat of the same attempt; the migration keeps the latest.
            ("old", "dl-001", "fundamentals", 5.0, "offline", "2024-01-01T10:00:00+00:00", 31.0, None),
            ("old", "dl-001", "fundamentals", 6.0, "offline", "2024-01-01T10:09:00+00:00", 20.0, "dl-001"),
        ],
    )
    old.commit()
    old.close()

    with History(path) as history:
        assert history.schema_version() == SCHEMA_VERSION == len(MIGRATIONS) >= 2
        rows = history.attempts()
        assert [(a.question_id, a.score, a.time_taken_s, a.follow_up_of) for a in rows] == [
            ("dl-001", 5.0, 31.0, None),
            ("dl-002", None, None, None),
            ("dl-001", 6.0, 20.0, "dl-001"),
        ]
        # Columns added after version 1 get their defaults.
        assert all(a.missed_points == () and a.hint_used is False and a.candidate == "" for a in rows)
        assert rows[1].skipped
        # The migrated file enforces one row per attempt.
        history.record_attempt(attempt(session="old", question="dl-001", score=9.0, at="2024-01-01T10:00:00+00:00"))
        assert len(history.attempts()) == 3


def test_a_file_from_a_newer_version_is_refused_with_a_message(tmp_path):
    path = tmp_path / "history.sqlite3"
    future = sqlite3.connect(path)
    future.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    future.close()
    with pytest.raises(HistoryError, match=r"newer interviewer.*INTERVIEWER_HOME"):
        History(path).attempts()


def test_a_file_that_is_not_a_database_is_a_user_error(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_text("not a database, just text\n" * 100)
    with pytest.raises(HistoryError, match=str(path)):
        History(path).attempts()


def test_two_handles_and_threads_share_the_file(tmp_path):
    path = tmp_path / "h.sqlite3"
    first, second = History(path), History(path)

    def write(session):
        for n in range(20):
            first.record_attempt(attempt(session=session, question=f"q{n}"))

    threads = [threading.Thread(target=write, args=(f"s{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(second.attempts()) == 60
    first.close()
    second.close()


def test_trend_compares_the_last_window_with_the_one_before():
    assert trend([]) is None
    assert trend([5.0]) is None
    assert trend([4.0, 6.0]) == 2.0
    assert trend([9.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]) == 3.0  # last 3 (4, 5, 6) vs the 3 before (1, 2, 3)
    assert trend([0.0] * 10 + [2.0] * 5 + [8.0] * 5) == 6.0  # only the last 5 and the 5 before count


def test_stats_after_two_sessions(tmp_path):
    with History(tmp_path / "h.sqlite3") as history:
        history.record_attempts(
            [
                attempt("s1", "dl-001", "fundamentals", 4.0, "2024-05-01T12:00:00+00:00"),
                attempt("s1", "dl-030", "regularisation", 6.0, "2024-05-01T12:05:00+00:00"),
                attempt("s1", "dl-031", "regularisation", None, "2024-05-01T12:09:00+00:00", grader=SKIPPED_GRADER),
                attempt("s2", "dl-001", "fundamentals", 8.0, "2024-05-03T12:00:00+00:00"),
                attempt("s2", "dl-031", "regularisation", 7.0, "2024-05-03T12:04:00+00:00"),
            ]
        )
        stats = history.stats()
    assert (stats.attempts, stats.graded, stats.sessions, stats.questions) == (5, 4, 2, 3)
    assert stats.average == 6.25
    fundamentals = stats.topic("fundamentals")
    assert (fundamentals.attempts, fundamentals.average, fundamentals.trend) == (2, 6.0, 4.0)
    assert fundamentals.last_practised == "2024-05-03T12:00:00+00:00"
    regularisation = stats.topic("regularisation")
    assert (regularisation.attempts, regularisation.graded, regularisation.average) == (3, 2, 6.5)
    # Topics come in the bank's topic order.
    assert [t.topic for t in stats.topics] == ["fundamentals", "regularisation"]
    assert [(p.label, p.attempts, p.average) for p in stats.by_session] == [("s1", 3, 5.0), ("s2", 2, 7.5)]
    assert [(p.label, p.average) for p in stats.by_day] == [("2024-05-01", 5.0), ("2024-05-03", 7.5)]
    data = json.loads(json.dumps(stats.to_dict()))
    assert data["topics"][0]["topic"] == "fundamentals" and data["by_day"][1]["graded"] == 2
    only = History(tmp_path / "h.sqlite3").stats(topic="fundamentals")
    assert (only.attempts, [t.topic for t in only.topics]) == (2, ["fundamentals"])


def _grade(score, missed=(), usage=None):
    points = tuple(KeyPointResult(p, "missed") for p in missed) + (KeyPointResult("covered one", "covered"),)
    return Grade(score=score, feedback="ok", grader="offline", grader_version="1", key_points=points, usage=usage)


def _write_transcript(folder, session_id, answers, candidate="Ada"):
    path = transcript_path(folder, session_id)
    writer = TranscriptWriter(path)
    writer.append({"type": "session", "session_id": session_id, "candidate": candidate,
                   "started_at": "2024-05-01T12:00:00+00:00", "question_ids": [a["question_id"] for a in answers]})
    for record in answers:
        writer.append({"type": "answer", **record})
    return path


def test_attempt_from_a_transcript_record():
    record = AnswerRecord(
        question_id="dl-001", question="What is DL?", topic="fundamentals", answer="...",
        grade=_grade(5.5, missed=("Uses many layers",)), time_taken_s=12,
        hints=("Uses many layers",), answered_at="2024-05-01T12:01:00+00:00",
    )
    made = attempt_from_record(record, "s1", candidate="Ada")
    assert made == Attempt("s1", "dl-001", "fundamentals", 5.5, ("Uses many layers",), "offline",
                           "2024-05-01T12:01:00+00:00", 12.0, True, None, "Ada")
    skipped = attempt_from_record(AnswerRecord("Q?", question_id="dl-002", skipped=True), "s1", default_time="T")
    assert (skipped.score, skipped.grader, skipped.answered_at, skipped.skipped) == (None, SKIPPED_GRADER, "T", True)
    assert attempt_from_record(AnswerRecord("no id"), "s1") is None


def test_importing_a_transcript_twice_records_each_answer_once(tmp_path):
    answers = [
        {"question_id": "dl-001", "topic": "fundamentals", "grade": _grade(6.0).to_dict(), "time_taken_s": 10},
        {"question_id": "dl-001", "topic": "fundamentals", "grade": _grade(4.0, ("a",)).to_dict(), "follow_up_of": "dl-001"},
        {"question_id": "dl-002", "topic": "fundamentals", "grade": None, "skipped": True},
    ]
    path = _write_transcript(tmp_path / "transcripts", "20240501-120000-abcdef", answers)
    with History(tmp_path / "h.sqlite3") as history:
        assert import_transcript(history, path) == 3
        assert import_transcript(history, read_transcript(path)) == 3
        rows = history.attempts()
    assert len(rows) == 3
    assert {a.session_id for a in rows} == {"20240501-120000-abcdef"}
    assert {a.candidate for a in rows} == {"Ada"}
    assert [a.missed_points for a in rows if a.follow_up_of] == [("a",)]


def test_rebuilding_from_a_folder_of_transcripts(tmp_path):
    folder = tmp_path / "transcripts"
    _write_transcript(folder, "s-one", [{"question_id": "dl-001", "topic": "fundamentals", "grade": _grade(6.0).to_dict()}])
    _write_transcript(folder, "s-two", [{"question_id": "dl-001", "topic": "fundamentals", "grade": _grade(8.0).to_dict()}])
    with History(tmp_path / "h.sqlite3") as history:
        assert import_transcripts(history, folder) == 2
        assert import_transcripts(history, folder) == 2
        assert history.stats().sessions == 2
        assert len(history.attempts()) == 2
        assert import_transcripts(history, tmp_path / "missing") == 0

"""The candidate's own verdicts on key points: stored beside the grader's, migrated in, counted by review."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from interviewer.bank import QuestionBank
from interviewer.grading.interface import Grade, KeyPointResult
from interviewer.history.review import schedule
from interviewer.history.self_assessment import SelfAssessment, next_self_verdict
from interviewer.history.store import SCHEMA_VERSION, Attempt, History
from interviewer.practice.options import PracticeOptions
from interviewer.practice.start import start_session
from interviewer.questions import Question
from interviewer.settings import Settings

NOW = datetime(2024, 6, 10, 12, 0, tzinfo=timezone.utc)


def attempt(missed=("a", "b"), **extra) -> Attempt:
    return Attempt(session_id="s1", question_id="q1", topic="fundamentals", score=6.0, grader="offline",
                   answered_at=(NOW - timedelta(days=1)).isoformat(), missed_points=missed, **extra)


def test_a_mark_is_stored_beside_the_grader_verdict_and_can_be_taken_back(tmp_path):
    with History(tmp_path / "h.sqlite3") as history:
        history.record_attempt(attempt())
        history.record_self_assessment(SelfAssessment("s1", "q1", "a", "covered", "missed"))
        history.record_self_assessment(SelfAssessment("s1", "q1", "c", "missed", "covered"))
        (mark_a, mark_c) = history.self_assessments()
        assert (mark_a.point, mark_a.verdict, mark_a.grader_verdict) == ("a", "covered", "missed")
        (row,) = history.attempts()
        # the grader's verdicts are kept as they were; the marks sit beside them
        assert row.missed_points == ("a", "b") and row.self_marks == (("a", "covered"), ("c", "missed"))
        assert row.missed_for_review == ("b", "c")
        # re-recording the attempt (a resume, a re-import) keeps the marks
        history.record_attempt(attempt())
        assert history.attempts()[0].self_marks == (("a", "covered"), ("c", "missed"))
        history.record_self_assessment(SelfAssessment("s1", "q1", "a", None, "missed"))
        assert [m.point for m in history.self_assessments()] == ["c"]
        history.record_self_assessment(SelfAssessment("s1", "q1", "c", "covered", "covered"))
        assert history.attempts()[0].self_marks == (("c", "covered"),)


def test_a_version_4_file_gets_the_marks_table_and_keeps_its_attempts(tmp_path):
    path = tmp_path / "h.sqlite3"
    with History(path) as history:
        history.record_attempt(attempt())
    old = sqlite3.connect(path)
    old.execute("DROP TABLE self_assessments")
    for column in ("words_per_minute", "filler_count", "pause_count", "audio"):  # v6 (voice) added these
        old.execute(f"ALTER TABLE attempts DROP COLUMN {column}")
    old.execute("PRAGMA user_version = 4")
    old.commit()
    old.close()
    with History(path) as history:
        # opening the file migrates it
        assert history.schema_version() == SCHEMA_VERSION == 6
        assert history.self_assessments() == []
        assert [a.missed_points for a in history.attempts()] == [("a", "b")]
        history.record_self_assessment(SelfAssessment("s1", "q1", "b", "covered", "missed"))
        assert history.attempts()[0].missed_for_review == ("a",)


def test_a_mark_belongs_to_one_attempt_at_the_question(tmp_path):
    with History(tmp_path / "h.sqlite3") as history:
        history.record_attempts([attempt(), attempt(attempt=2)])
        history.record_self_assessment(SelfAssessment("s1", "q1", "a", "covered", "missed", attempt=2))
        first, second = sorted(history.attempts(), key=lambda a: a.attempt)
        assert first.self_marks == () and second.self_marks == (("a", "covered"),)


def test_a_self_verdict_must_be_covered_or_missed():
    with pytest.raises(ValueError, match="covered or missed"):
        SelfAssessment("s", "q", "p", "partial", "missed")


def test_the_candidates_marks_change_when_the_question_comes_back():
    graded_only = schedule([attempt()])["q1"]
    marked = schedule([attempt(self_marks=(("a", "covered"), ("b", "covered")))])["q1"]
    worse = schedule([attempt(self_marks=(("x", "missed"), ("y", "missed")))])["q1"]
    assert graded_only.last_missed == 2 and marked.last_missed == 0 and worse.last_missed == 4
    assert marked.due_at > graded_only.due_at > worse.due_at


def test_a_press_cycles_the_opposite_of_the_grader_then_the_other_then_none():
    assert [next_self_verdict(None, "missed"), next_self_verdict("covered", "missed"),
            next_self_verdict("missed", "missed")] == ["covered", "missed", None]
    assert next_self_verdict(None, "covered") == "missed" and next_self_verdict("missed", "covered") == "covered"
    assert next_self_verdict(None, "partial") == "covered"


class OneGrade:
    name, version = "scripted", "1"

    async def grade(self, item, on_feedback=None):
        return Grade(score=4.0, feedback="", grader="scripted", grader_version="1",
                     key_points=(KeyPointResult("zeroes activations", "covered"),
                                 KeyPointResult("reduces overfitting", "missed")))


async def test_a_session_mark_reaches_the_history_and_the_schedule(tmp_path):
    settings = Settings(home=tmp_path, offline=True)
    history = History(settings.history_path)
    question = Question("q1", "What is dropout?", "Zeroes activations; reduces overfitting.",
                        key_points=("zeroes activations", "reduces overfitting"))
    session = start_session(settings, PracticeOptions(count=1, order="bank", mode="offline"), QuestionBank([question]),
                            history=history, grader=OneGrade())
    session.begin_question()
    assert session.mark_point(1) is None  # nothing graded yet
    session.submit("Dropout zeroes activations.")
    await session.grade()
    assert session.mark_point(2) == ("reduces overfitting", "covered")
    assert session.mark_point(9) is None
    (mark,) = history.self_assessments()
    assert (mark.point, mark.verdict, mark.grader_verdict, mark.session_id) == (
        "reduces overfitting", "covered", "missed", session.session_id)
    (row,) = history.attempts()
    assert row.missed_points == ("reduces overfitting",) and row.missed_for_review == ()
    assert session.turn.grade.key_points[1].verdict == "missed"  # the grade itself is untouched

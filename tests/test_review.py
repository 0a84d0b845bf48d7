"""Spaced repetition: intervals from scores, missed points and hints; due order; the review plan."""

from datetime import datetime, timedelta, timezone

import pytest

from interviewer.bank import QuestionBank
from interviewer.history.store import SKIPPED_GRADER, Attempt, History
from interviewer.questions import Question
from interviewer.history.review import (
    due_from_attempts,
    due_questions,
    interval_days,
    review_items,
    review_plan,
    schedule,
)

NOW = datetime(2024, 6, 10, 12, 0, tzinfo=timezone.utc)


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def tried(question, score, days_ago, topic="fundamentals", session=None, **extra):
    return Attempt(
        session_id=session or f"s-{question}-{days_ago}",
        question_id=question,
        topic=topic,
        score=score,
        answered_at=ago(days_ago),
        grader=extra.pop("grader", "offline"),
        **extra,
    )


def make_bank():
    layout = [
        ("f1", "fundamentals"), ("f2", "fundamentals"), ("f3", "fundamentals"),
        ("r1", "regularisation"), ("r2", "regularisation"), ("r3", "regularisation"),
        ("g1", "graphs"), ("g2", "graphs"),
    ]
    return QuestionBank([Question(id=i, question=f"Question {i}?", reference="ref", topic=t) for i, t in layout])


@pytest.mark.parametrize(
    ("score", "streak", "missed", "hint", "days"),
    [
        (3.0, 0, 0, False, 1.0),
        (5.0, 0, 0, False, 3.0),
        (6.9, 0, 0, False, 3.0),
        (7.0, 1, 0, False, 7.0),
        (9.0, 2, 0, False, 14.0),
        (9.0, 3, 0, False, 28.0),
        (9.0, 10, 0, False, 60.0),
        (6.0, 0, 2, False, 2.1),
        (6.0, 0, 9, False, 1.5),
        (8.0, 1, 0, True, 3.5),
    ],
)
def test_interval_days(score, streak, missed, hint, days):
    assert interval_days(score, streak, missed, hint) == pytest.approx(days)


def test_schedule_uses_the_latest_answer_and_the_strong_streak():
    states = schedule(
        [
            tried("f1", 3.0, 30),
            tried("f1", 8.0, 20),
            tried("f1", 9.0, 10),
            tried("f2", 9.0, 20),
            tried("f2", 4.0, 10),
        ]
    )
    assert (states["f1"].streak, states["f1"].interval_days, states["f1"].attempts) == (2, 14.0, 3)
    assert states["f1"].due_at == NOW + timedelta(days=4)
    assert (states["f2"].streak, states["f2"].last_score, states["f2"].interval_days) == (0, 4.0, 1.0)


def test_failed_grades_and_follow_ups_do_not_schedule():
    states = schedule(
        [
            tried("f1", None, 5, grader="llm"),  # the grader broke: says nothing about the candidate
            tried("f2", 2.0, 5, follow_up_of="f2"),
            tried("f3", None, 5, grader=SKIPPED_GRADER),
        ]
    )
    assert set(states) == {"f3"}
    assert states["f3"].skipped and states["f3"].last_score == 0.0


def test_due_questions_weakest_first():
    bank = make_bank()
    attempts = [
        tried("f1", 6.0, 4),  # due (3 days)
        tried("f2", 3.0, 2),  # due (1 day)
        tried("r1", 6.0, 4, missed_points=("a", "b", "c")),  # due, weaker than f1 by missed points
        tried("r2", 8.0, 3),  # not due (7 days)
        tried("r3", 4.0, 0.5),  # not due yet (1 day)
        tried("gone", 1.0, 9),  # no longer in the bank
        tried("g1", None, 2, grader=SKIPPED_GRADER),  # skipped: the weakest
    ]
    assert [q.id for q in due_from_attempts(attempts, bank, NOW)] == ["g1", "f2", "r1", "f1"]
    assert [q.id for q in due_from_attempts(attempts, bank, NOW, limit=2)] == ["g1", "f2"]
    # Half a day later r3 is due too.
    later = [q.id for q in due_from_attempts(attempts, bank, NOW + timedelta(days=0.6))]
    assert later == ["g1", "f2", "r3", "r1", "f1"]


def test_a_naive_now_is_taken_as_local_time():
    bank = make_bank()
    attempts = [tried("f1", 3.0, 2)]
    local_now = NOW.astimezone().replace(tzinfo=None)
    assert [q.id for q in due_from_attempts(attempts, bank, local_now)] == ["f1"]


def test_review_plan_fills_with_new_questions_from_weak_topics(tmp_path):
    bank = make_bank()
    with History(tmp_path / "history.sqlite3") as history:
        history.record_attempts(
            [
                tried("f1", 9.0, 2),  # fundamentals strong (9.0): not due
                tried("r1", 4.0, 3, topic="regularisation"),  # regularisation weak: due
            ]
        )
        plan = review_plan(history, bank, 5, NOW)
        assert [q.id for q in due_questions(history, bank, NOW)] == ["r1"]
    # Due first; then new ones in the weak topic; then the topic never practised; strong topics last.
    assert [q.id for q in plan] == ["r1", "r2", "r3", "g1", "g2"]
    items = review_items(history.attempts(), bank, 20, NOW)
    assert [i.kind for i in items] == ["due"] + ["new"] * 6 + ["ahead"]
    assert items[0].reason == "scored 4.0 3 days ago"
    assert items[1].reason == "new; regularisation averages 4.0"
    assert items[3].reason == "new; graphs not practised yet"
    assert [i.question.id for i in items[-3:]] == ["f2", "f3", "f1"]


def test_empty_history_plans_new_questions_in_bank_order(tmp_path):
    bank = make_bank()
    history = History(tmp_path / "none.sqlite3")
    assert due_questions(history, bank, NOW) == []
    assert [q.id for q in review_plan(history, bank, 3, NOW)] == ["f1", "f2", "f3"]
    assert review_plan(history, bank, 0, NOW) == []
    assert not (tmp_path / "none.sqlite3").exists()

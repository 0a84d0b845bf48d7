"""One source for every count and average: summary, export, history, review and stats agree."""

from datetime import datetime, timedelta, timezone

from interviewer.bank import QuestionBank
from interviewer.history.review import review_items
from interviewer.history.stats import compute_stats
from interviewer.history.store import SKIPPED_GRADER, Attempt
from interviewer.questions import Question
from interviewer.tally import tally

T0 = datetime(2024, 5, 1, 9, tzinfo=timezone.utc)


def attempt(session, qid, score, minutes, topic="fundamentals", follow_up_of=None, skipped=False):
    return Attempt(session, qid, topic, None if skipped else score, grader=SKIPPED_GRADER if skipped else "offline",
                   answered_at=(T0 + timedelta(minutes=minutes)).isoformat(), follow_up_of=follow_up_of)


def test_follow_ups_count_as_follow_ups_and_skips_show_in_a_second_average():
    rows = [attempt("s1", "q1", 8.0, 1), attempt("s1", "q1", 6.0, 2, follow_up_of="q1"),
            attempt("s1", "q2", None, 3, skipped=True), attempt("s1", "q3", 7.0, 4)]
    counts = tally(rows)
    assert (counts.questions, counts.follow_ups, counts.graded, counts.skipped) == (3, 1, 3, 1)
    assert counts.average == 7.0 and counts.average_with_skipped == 5.25
    assert counts.counts() == "3 questions + 1 follow-up · 3 graded · 1 skipped"
    assert counts.skipped_note() == "5.2 counting the 1 skipped as 0"
    stats = compute_stats(rows)
    assert stats.tally.counts() == counts.counts() and stats.average == counts.average


def test_no_trend_from_a_single_session():
    one = [attempt("s1", f"q{i}", float(i), i) for i in range(1, 7)]
    stats = compute_stats(one)
    assert stats.trend is None and stats.topics[0].trend is None
    two = one + [attempt("s2", "q1", 9.0, 100), attempt("s2", "q2", 9.5, 101)]
    assert compute_stats(two).trend is not None and compute_stats(two).topics[0].trend is not None


def test_review_names_the_topic_average_that_stats_shows():
    rows = [attempt("s1", "q1", 1.0, 1), attempt("s1", "q2", None, 2, skipped=True),
            attempt("s1", "q3", None, 3, skipped=True)]
    questions = [Question(id=f"q{i}", question=f"Q{i}?", reference="R.", topic="fundamentals") for i in range(1, 5)]
    bank = QuestionBank(questions, name="t")
    reasons = [item.reason for item in review_items(rows, bank, 4, T0 + timedelta(days=30))]
    average = compute_stats(rows).topic("fundamentals").average
    assert average == 1.0
    assert any("fundamentals averages 1.0" in reason for reason in reasons), reasons

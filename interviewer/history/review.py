"""Spaced repetition: which questions are due for review, weakest first, from past attempts.

Each question practised gets an interval from its latest answer (Leitner-like):

* score below 5, or skipped: review after 1 day;
* 5 to below 7: after 3 days;
* 7 or more: after 7 days, doubling with each further strong answer in a row
  (7, 14, 28, ... capped at 60 days).

Each missed key point takes 15 % off the interval (at most half), and a hint
used halves it: what you needed help with comes back sooner. Where the candidate
marked a point covered or missed themselves, their word counts, not the grader's. A failed grade
(the grader broke) says nothing about the candidate and is ignored. Follow-up
answers do not schedule their main question.

Everything here is pure given the attempt rows and ``now``; ``due_questions``
and ``review_plan`` only read the rows from a ``History`` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Iterable

from interviewer.history.attempts import Attempt
from interviewer.history.stats import parse_time
from interviewer.questions import Question
from interviewer.tally import tally

if TYPE_CHECKING:
    from interviewer.bank import QuestionBank
    from interviewer.history.store import History

WEAK_SCORE = 5.0
STRONG_SCORE = 7.0
WEAK_INTERVAL_DAYS = 1.0
MIDDLE_INTERVAL_DAYS = 3.0
STRONG_INTERVAL_DAYS = 7.0
MAX_INTERVAL_DAYS = 60.0
MISSED_POINT_CUT = 0.15
HINT_FACTOR = 0.5
#: A topic whose average is below this counts as weak when filling a plan with new questions.
WEAK_TOPIC_AVERAGE = 7.0


@dataclass(frozen=True)
class ReviewState:
    """Where one question stands in the review schedule."""

    question_id: str
    topic: str
    #: The latest score (0 for a skip).
    last_score: float
    skipped: bool
    last_missed: int
    last_at: datetime
    #: Strong answers (>= 7) in a row, ending with the latest one.
    streak: int
    attempts: int
    interval_days: float
    due_at: datetime

    def is_due(self, now: datetime) -> bool:
        return self.due_at <= now

    @property
    def weakness(self) -> float:
        """Lower is weaker: the latest score, less half a point per missed key point."""
        return self.last_score - 0.5 * self.last_missed


@dataclass(frozen=True)
class ReviewItem:
    """A question in a review plan, with why it is there."""

    question: Question
    #: "due" (scheduled review), "new" (never answered, weak topic), "ahead" (not due yet).
    kind: str
    reason: str
    state: ReviewState | None = None


def interval_days(score: float, streak: int, missed: int, hint_used: bool) -> float:
    """Days until a question answered with this score should come back."""
    if score < WEAK_SCORE:
        days = WEAK_INTERVAL_DAYS
    elif score < STRONG_SCORE:
        days = MIDDLE_INTERVAL_DAYS
    else:
        days = min(MAX_INTERVAL_DAYS, STRONG_INTERVAL_DAYS * 2 ** max(0, streak - 1))
    days *= max(0.5, 1.0 - MISSED_POINT_CUT * missed)
    if hint_used:
        days *= HINT_FACTOR
    return round(days, 3)


def _as_aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(timezone.utc)
    return moment if moment.tzinfo else moment.astimezone()


def schedule(attempts: Iterable[Attempt]) -> dict[str, ReviewState]:
    """The review state of every question with a scored or skipped main answer."""
    by_question: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        if attempt.follow_up_of or (attempt.score is None and not attempt.skipped):
            continue
        by_question.setdefault(attempt.question_id, []).append(attempt)
    states: dict[str, ReviewState] = {}
    for question_id, rows in by_question.items():
        rows.sort(key=lambda a: parse_time(a.answered_at))
        latest = rows[-1]
        score = 0.0 if latest.score is None else latest.score
        streak = 0
        for attempt in reversed(rows):
            if attempt.score is None or attempt.score < STRONG_SCORE:
                break
            streak += 1
        missed = len(latest.missed_for_review)
        days = interval_days(score, streak, missed, latest.hint_used)
        last_at = parse_time(latest.answered_at)
        states[question_id] = ReviewState(
            question_id=question_id,
            topic=latest.topic,
            last_score=score,
            skipped=latest.skipped,
            last_missed=missed,
            last_at=last_at,
            streak=streak,
            attempts=len(rows),
            interval_days=days,
            due_at=last_at + timedelta(days=days),
        )
    return states


def due_states(attempts: Iterable[Attempt], now: datetime | None = None) -> list[ReviewState]:
    """States due at ``now``, weakest first (then the longest overdue, then by id)."""
    moment = _as_aware(now)
    due = [s for s in schedule(attempts).values() if s.is_due(moment)]
    return sorted(due, key=lambda s: (s.weakness, s.due_at, s.question_id))


def due_questions(
    history: "History", bank: "QuestionBank", now: datetime | None = None, limit: int | None = None
) -> list[Question]:
    """Questions of ``bank`` due for review at ``now``, weakest first (at most ``limit``)."""
    return due_from_attempts(history.attempts(), bank, now, limit)


def due_from_attempts(
    attempts: Iterable[Attempt], bank: "QuestionBank", now: datetime | None = None, limit: int | None = None
) -> list[Question]:
    """``due_questions`` over attempt rows already read."""
    questions = [q for s in due_states(attempts, now) if (q := bank.get(s.question_id)) is not None]
    return questions if limit is None else questions[: max(0, limit)]


def review_plan(
    history: "History", bank: "QuestionBank", count: int, now: datetime | None = None
) -> list[Question]:
    """``count`` questions: due ones first (weakest first), then never-answered ones in weak topics."""
    return [item.question for item in review_items(history.attempts(), bank, count, now)]


def review_items(
    attempts: Iterable[Attempt], bank: "QuestionBank", count: int, now: datetime | None = None
) -> list[ReviewItem]:
    """The review plan with a reason for each question.

    Order: due questions (weakest first); then never-answered questions, topics
    averaging below 7 first (weakest first), then topics not practised yet, then
    the rest, each in bank order; then, if still short, questions not yet due,
    the soonest due first.
    """
    if count <= 0:
        return []
    moment = _as_aware(now)
    rows = list(attempts)
    states = schedule(rows)
    items: list[ReviewItem] = []
    for state in sorted(states.values(), key=lambda s: (s.weakness, s.due_at, s.question_id)):
        question = bank.get(state.question_id)
        if question is not None and state.is_due(moment):
            items.append(ReviewItem(question, "due", _due_reason(state, moment), state))
    scheduled = {question_id.lower() for question_id in states}
    averages = _topic_averages(rows)
    topic_order = {t: i for i, t in enumerate(bank.used_topics())}

    def topic_rank(topic: str) -> tuple[int, float, int]:
        average = averages.get(topic)
        if average is not None and average < WEAK_TOPIC_AVERAGE:
            return (0, average, topic_order.get(topic, 0))
        return (1 if average is None else 2, 0.0, topic_order.get(topic, 0))

    unseen = [q for q in bank if q.id.lower() not in scheduled]
    positions = {q.id: i for i, q in enumerate(bank)}
    for question in sorted(unseen, key=lambda q: (topic_rank(q.topic), positions[q.id])):
        average = averages.get(question.topic)
        reason = (
            f"new; {question.topic} averages {average:.1f}"
            if average is not None
            else f"new; {question.topic} not practised yet"
        )
        items.append(ReviewItem(question, "new", reason))
    chosen = {item.question.id for item in items}
    for state in sorted(states.values(), key=lambda s: (s.due_at, s.weakness, s.question_id)):
        question = bank.get(state.question_id)
        if question is not None and question.id not in chosen:
            items.append(ReviewItem(question, "ahead", f"due {state.due_at.date().isoformat()}", state))
    return items[:count]


def _topic_averages(attempts: list[Attempt]) -> dict[str, float]:
    """Each topic's average, the same figure ``interviewer stats`` shows (``interviewer.tally``)."""
    by_topic: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_topic.setdefault(attempt.topic, []).append(attempt)
    averages = {topic: tally(rows).average for topic, rows in by_topic.items()}
    return {topic: average for topic, average in averages.items() if average is not None}


def _due_reason(state: ReviewState, now: datetime) -> str:
    days_ago = max(0, (now - state.last_at).days)
    when = "today" if days_ago == 0 else "yesterday" if days_ago == 1 else f"{days_ago} days ago"
    what = "skipped" if state.skipped else f"scored {state.last_score:.1f}"
    missed = f", missed {state.last_missed} key point{'s' if state.last_missed != 1 else ''}" if state.last_missed else ""
    return f"{what} {when}{missed}"

"""Progress figures from past attempts: averages, per-topic trends, a per-day and per-session series.

Pure: ``compute_stats`` takes a list of ``Attempt`` rows and returns a
``HistoryStats``; ``History.stats()`` is this over the stored rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from interviewer.questions import TOPICS

if TYPE_CHECKING:
    from interviewer.history.store import Attempt

#: A trend compares the average of the last this-many graded attempts with the ones before.
TREND_WINDOW = 5


@dataclass(frozen=True)
class TopicStats:
    """How one topic has gone so far."""

    topic: str
    attempts: int
    graded: int
    questions: int
    average: float | None
    #: Average of the last (up to 5) graded attempts minus the (up to 5) before them;
    #: None until there are two graded attempts. Positive means improving.
    trend: float | None
    last_practised: str | None


@dataclass(frozen=True)
class SeriesPoint:
    """One point of a progress chart: a day ("2024-05-03") or a session id."""

    label: str
    attempts: int
    graded: int
    average: float | None
    #: When the first attempt of this point was answered (ISO).
    started_at: str


@dataclass(frozen=True)
class HistoryStats:
    attempts: int
    graded: int
    sessions: int
    questions: int
    average: float | None
    trend: float | None
    first_at: str | None
    last_at: str | None
    topics: tuple[TopicStats, ...] = ()
    by_day: tuple[SeriesPoint, ...] = ()
    by_session: tuple[SeriesPoint, ...] = ()

    @property
    def empty(self) -> bool:
        return self.attempts == 0

    def topic(self, name: str) -> TopicStats | None:
        lowered = name.lower()
        return next((t for t in self.topics if t.topic.lower() == lowered), None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["topics"] = [asdict(t) for t in self.topics]
        data["by_day"] = [asdict(p) for p in self.by_day]
        data["by_session"] = [asdict(p) for p in self.by_session]
        return data


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def trend(scores: Sequence[float], window: int = TREND_WINDOW) -> float | None:
    """Average of the last ``k`` scores minus the ``k`` before them, ``k = min(window, n // 2)``."""
    k = min(window, len(scores) // 2)
    if k == 0:
        return None
    recent = scores[-k:]
    before = scores[-2 * k : -k]
    return round(sum(recent) / k - sum(before) / k, 2)


def parse_time(value: str) -> datetime:
    """An ISO timestamp as an aware datetime (a naive one is taken as local time)."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return datetime.fromtimestamp(0, timezone.utc)
    return moment if moment.tzinfo else moment.astimezone()


def local_day(value: str) -> str:
    """The calendar day (local time) an ISO timestamp falls on."""
    return parse_time(value).astimezone().date().isoformat()


def _ordered_topics(names: Iterable[str]) -> list[str]:
    present = set(names)
    known = [t for t in TOPICS if t in present]
    return known + sorted(present - set(known))


def _series(groups: dict[str, list["Attempt"]]) -> tuple[SeriesPoint, ...]:
    points = []
    for label, rows in groups.items():
        scores = [a.score for a in rows if a.score is not None]
        points.append(
            SeriesPoint(label, len(rows), len(scores), _mean(scores), min(a.answered_at for a in rows))
        )
    return tuple(sorted(points, key=lambda p: (parse_time(p.started_at), p.label)))


def compute_stats(attempts: Iterable["Attempt"]) -> HistoryStats:
    """Totals, per-topic averages and trends, and chart series from attempt rows."""
    rows = sorted(attempts, key=lambda a: parse_time(a.answered_at))
    if not rows:
        return HistoryStats(0, 0, 0, 0, None, None, None, None)
    scores = [a.score for a in rows if a.score is not None]
    by_topic: dict[str, list[Attempt]] = {}
    by_day: dict[str, list[Attempt]] = {}
    by_session: dict[str, list[Attempt]] = {}
    for attempt in rows:
        by_topic.setdefault(attempt.topic, []).append(attempt)
        by_day.setdefault(local_day(attempt.answered_at), []).append(attempt)
        by_session.setdefault(attempt.session_id, []).append(attempt)
    topics = []
    for name in _ordered_topics(by_topic):
        topic_rows = by_topic[name]
        topic_scores = [a.score for a in topic_rows if a.score is not None]
        topics.append(
            TopicStats(
                topic=name,
                attempts=len(topic_rows),
                graded=len(topic_scores),
                questions=len({a.question_id for a in topic_rows}),
                average=_mean(topic_scores),
                trend=trend(topic_scores),
                last_practised=topic_rows[-1].answered_at,
            )
        )
    return HistoryStats(
        attempts=len(rows),
        graded=len(scores),
        sessions=len(by_session),
        questions=len({a.question_id for a in rows}),
        average=_mean(scores),
        trend=trend(scores),
        first_at=rows[0].answered_at,
        last_at=rows[-1].answered_at,
        topics=tuple(topics),
        by_day=_series(by_day),
        by_session=_series(by_session),
    )

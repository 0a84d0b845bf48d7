"""Progress figures from past attempts: averages, per-topic trends, a per-day and per-session series.

Pure: ``compute_stats`` takes a list of ``Attempt`` rows and returns a
``HistoryStats``; ``History.stats()`` is this over the stored rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from interviewer.questions import TOPICS
from interviewer.tally import Tally, mean, tally

if TYPE_CHECKING:
    from interviewer.history.attempts import Attempt

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
    #: None until there are graded attempts from two sessions. Positive means improving.
    trend: float | None
    last_practised: str | None
    skipped: int = 0
    follow_ups: int = 0


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
    skipped: int = 0
    follow_ups: int = 0
    #: The average counting each skipped attempt as 0 (see ``interviewer.tally``).
    average_with_skipped: float | None = None
    #: Pace and fillers of spoken answers, per session that had any, oldest first.
    spoken: tuple["SpokenPoint", ...] = ()

    @property
    def tally(self) -> Tally:
        """The counts in the one wording the summary and its export use."""
        return Tally(
            questions=self.attempts - self.follow_ups, follow_ups=self.follow_ups, graded=self.graded,
            skipped=self.skipped, failed=self.attempts - self.graded - self.skipped,
            average=self.average, average_with_skipped=self.average_with_skipped,
        )

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
        data["spoken"] = [asdict(p) for p in self.spoken]
        return data


@dataclass(frozen=True)
class SpokenPoint:
    """One session's spoken answers: how many, mean words per minute, fillers and pauses per answer."""

    label: str
    answers: int
    words_per_minute: float
    fillers_per_answer: float
    pauses_per_answer: float
    started_at: str


def spoken_series(groups: dict[str, list["Attempt"]]) -> tuple[SpokenPoint, ...]:
    points = []
    for label, rows in groups.items():
        spoken = [a for a in rows if a.words_per_minute is not None]
        if spoken:
            points.append(SpokenPoint(
                label, len(spoken), round(mean([a.words_per_minute for a in spoken]), 1),
                round(mean([a.filler_count or 0 for a in spoken]), 2),
                round(mean([a.pause_count or 0 for a in spoken]), 2), min(a.answered_at for a in spoken),
            ))
    return tuple(sorted(points, key=lambda p: (parse_time(p.started_at), p.label)))


def session_trend(rows: Sequence["Attempt"], window: int = TREND_WINDOW) -> float | None:
    """The ``trend`` of these attempts' scores, once they come from two sessions or more
    (one session's answers say nothing about progress)."""
    graded = [a for a in rows if a.score is not None]
    if len({a.session_id for a in graded}) < 2:
        return None
    return trend([a.score for a in graded], window)


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
            SeriesPoint(label, len(rows), len(scores), mean(scores), min(a.answered_at for a in rows))
        )
    return tuple(sorted(points, key=lambda p: (parse_time(p.started_at), p.label)))


def compute_stats(attempts: Iterable["Attempt"]) -> HistoryStats:
    """Totals, per-topic averages and trends, and chart series from attempt rows."""
    rows = sorted(attempts, key=lambda a: parse_time(a.answered_at))
    if not rows:
        return HistoryStats(0, 0, 0, 0, None, None, None, None)
    overall = tally(rows)
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
        counts = tally(topic_rows)
        topics.append(
            TopicStats(
                topic=name,
                attempts=len(topic_rows),
                graded=counts.graded,
                questions=len({a.question_id for a in topic_rows}),
                average=counts.average,
                trend=session_trend(topic_rows),
                last_practised=topic_rows[-1].answered_at,
                skipped=counts.skipped,
                follow_ups=counts.follow_ups,
            )
        )
    return HistoryStats(
        attempts=len(rows),
        graded=overall.graded,
        sessions=len(by_session),
        questions=len({a.question_id for a in rows}),
        average=overall.average,
        trend=session_trend(rows),
        first_at=rows[0].answered_at,
        last_at=rows[-1].answered_at,
        topics=tuple(topics),
        by_day=_series(by_day),
        by_session=_series(by_session),
        skipped=overall.skipped,
        follow_ups=overall.follow_ups,
        average_with_skipped=overall.average_with_skipped,
        spoken=spoken_series(by_session),
    )

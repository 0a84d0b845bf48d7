"""The end-of-session summary: per-question rows, averages per topic, strengths, time and cost, and its Markdown export.

Built from a session's ``AnswerRecord``s (see ``interviewer.answer_record``), so
a live session, a resumed one and an old transcript all summarise the same way.
Delivery (fillers, pace) is reported beside the scores, never mixed into them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from interviewer.text.delivery import format_seconds
from interviewer.answer_record import AnswerRecord
from interviewer.grading.interface import Grade, TokenUsage, score_band
from interviewer.tally import Tally, mean, tally

STRONG_SCORE = 7.0
WEAK_SCORE = 5.0
BAR_CELLS = 10


@dataclass(frozen=True)
class SummaryRow:
    """One answered (or skipped) question of the session."""

    #: "1", "2", ... for main questions; "1a" for the follow-up to question 1.
    number: str
    question_id: str
    question: str
    topic: str
    score: float | None
    band: str
    time_taken_s: float | None = None
    hint_used: bool = False
    follow_up_of: str | None = None
    skipped: bool = False
    #: The grader failed (score None, not skipped); ``error`` says why.
    failed: bool = False
    error: str | None = None
    missed_points: tuple[str, ...] = ()
    grader: str = ""
    filler_count: int | None = None


@dataclass(frozen=True)
class TopicAverage:
    topic: str
    answers: int
    graded: int
    average: float | None


@dataclass(frozen=True)
class SessionSummary:
    rows: tuple[SummaryRow, ...]
    graded: int
    skipped: int
    failed: int
    #: Over graded answers (follow-ups included); None when nothing was graded.
    average: float | None
    topics: tuple[TopicAverage, ...]
    #: Relative to the other topics of the session; None with fewer than two graded topics.
    strongest_topic: str | None
    weakest_topic: str | None
    total_time_s: float
    usage: TokenUsage | None = None
    cost_usd: float | None = None
    #: Filler -> count over all answers (delivery, apart from the scores).
    fillers: dict[str, int] = field(default_factory=dict)
    words: int = 0
    #: Spoken answers (delivery measured from their audio): how many, mean pace, pauses >= 0.5 s.
    spoken_answers: int = 0
    words_per_minute: float | None = None
    spoken_pauses: int = 0

    def spoken_line(self) -> str | None:
        """One line on the spoken answers, or None when every answer was typed."""
        if not self.spoken_answers:
            return None
        plural = "s" if self.spoken_answers != 1 else ""
        return (f"Spoken answers: {self.spoken_answers}, pace {self.words_per_minute:.0f} words/min on average, "
                f"{self.spoken_pauses} pause{'s' if self.spoken_pauses != 1 else ''} of 0.5 s or more "
                f"(measured from the recording{plural}; not part of the scores).")

    @property
    def answered(self) -> int:
        return len(self.rows) - self.skipped

    @property
    def tally(self) -> Tally:
        """The counts and averages, worded the same way on screen and in the export."""
        return tally(self.rows)

    @property
    def band(self) -> str:
        return score_band(self.average)

    @property
    def strengths(self) -> tuple[SummaryRow, ...]:
        """Answers scoring 7 or more, best first."""
        strong = [r for r in self.rows if r.score is not None and r.score >= STRONG_SCORE]
        return tuple(sorted(strong, key=lambda r: -r.score))

    @property
    def weaknesses(self) -> tuple[SummaryRow, ...]:
        """Skipped answers and answers scoring below 5, weakest first."""
        weak = [r for r in self.rows if r.skipped or (r.score is not None and r.score < WEAK_SCORE)]
        return tuple(sorted(weak, key=lambda r: -1.0 if r.score is None else r.score))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rows"] = [asdict(r) for r in self.rows]
        data["topics"] = [asdict(t) for t in self.topics]
        data["usage"] = asdict(self.usage) if self.usage else None
        data["answered"] = self.answered
        data["band"] = self.band
        return data


def _latest_per_question(answers: list[AnswerRecord]) -> list[AnswerRecord]:
    """One record per (question, follow-up of): a resumed session may have written one twice."""
    latest = {record.identity: index for index, record in enumerate(answers)}
    keep = set(latest.values())
    return [record for index, record in enumerate(answers) if index in keep]


def session_summary(answers: list[AnswerRecord]) -> SessionSummary:
    """The summary of a session from its answer records, in the order answered."""
    rows: list[SummaryRow] = []
    numbers: dict[str, str] = {}
    grades: list[Grade] = []
    fillers: Counter[str] = Counter()
    words = 0
    main_count = 0
    for record in _latest_per_question(answers):
        question_id = record.question_id or ""
        if record.follow_up_of:
            number = f"{numbers.get(record.follow_up_of, '?')}a"
        else:
            main_count += 1
            number = numbers[question_id] = str(main_count)
        if record.grade is not None:
            grades.append(record.grade)
        skipped = record.counts_as_skipped
        delivery = None if skipped else record.delivery
        if delivery is not None:
            fillers.update(delivery.fillers)
            words += delivery.words
        rows.append(
            SummaryRow(
                number=number,
                question_id=question_id,
                question=record.question,
                topic=record.topic or "general",
                score=record.score,
                band=record.band,
                time_taken_s=record.time_taken_s,
                hint_used=record.hint_used,
                follow_up_of=record.follow_up_of,
                skipped=skipped,
                failed=record.failure is not None,
                error=record.failure,
                missed_points=record.missed,
                grader=record.grade.grader if record.grade is not None else "",
                filler_count=delivery.filler_count if delivery is not None else None,
            )
        )
    spoken = [r.spoken for r in _latest_per_question(answers) if r.spoken is not None and not r.counts_as_skipped]
    summary = _summarise(rows, grades, dict(fillers.most_common()), words)
    if not spoken:
        return summary
    return replace(summary, spoken_answers=len(spoken), spoken_pauses=sum(len(m.pauses) for m in spoken),
                   words_per_minute=round(mean([m.words_per_minute for m in spoken]), 1))


def _summarise(rows: list[SummaryRow], grades: list[Grade], fillers: dict[str, int], words: int) -> SessionSummary:
    counts = tally(rows)
    by_topic: dict[str, list[SummaryRow]] = {}
    for row in rows:
        by_topic.setdefault(row.topic, []).append(row)
    topics = tuple(
        TopicAverage(
            topic=name,
            answers=len(topic_rows),
            graded=sum(r.score is not None for r in topic_rows),
            average=mean([r.score for r in topic_rows if r.score is not None]),
        )
        for name, topic_rows in by_topic.items()
    )
    graded_topics = [t for t in topics if t.average is not None]
    strongest = weakest = None
    if len(graded_topics) >= 2:
        ranked = sorted(graded_topics, key=lambda t: (t.average, t.topic))
        if ranked[0].average != ranked[-1].average:
            weakest, strongest = ranked[0].topic, ranked[-1].topic
    usages = [g.usage for g in grades if g.usage is not None]
    costs = [g.cost_usd for g in grades if g.cost_usd is not None]
    return SessionSummary(
        rows=tuple(rows),
        graded=counts.graded,
        skipped=counts.skipped,
        failed=counts.failed,
        average=counts.average,
        topics=topics,
        strongest_topic=strongest,
        weakest_topic=weakest,
        total_time_s=round(sum(r.time_taken_s or 0.0 for r in rows), 1),
        usage=sum(usages, TokenUsage()) if usages else None,
        cost_usd=round(sum(costs), 6) if costs else None,
        fillers=fillers,
        words=words,
    )


# --------------------------------------------------------------------------- Markdown


def text_bar(average: float | None, cells: int = BAR_CELLS) -> str:
    """``6.4`` -> ``██████░░░░``: a bar that survives any Markdown viewer."""
    if average is None:
        return "░" * cells
    filled = max(0, min(cells, round(average / 10 * cells)))
    return "█" * filled + "░" * (cells - filled)


def _cell(text: str, limit: int = 90) -> str:
    flat = " ".join(str(text).split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _score_cell(row: SummaryRow) -> str:
    if row.skipped:
        return "skipped"
    if row.score is None:
        return "not graded"
    return f"{row.score:.1f} ({row.band})"


def _time_cell(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def summary_headline(summary: SessionSummary) -> str:
    """``**Average: 6.2/10 (good)** (4.9 counting the 1 skipped as 0) · 4 questions + 1 follow-up · ...``"""
    counts = summary.tally
    if summary.average is None:
        headline = "**No answer was graded.**"
    else:
        note = counts.skipped_note()
        headline = f"**Average: {summary.average:.1f}/10 ({summary.band})**" + (f" ({note})" if note else "")
    details = [counts.counts()]
    if summary.total_time_s:
        details.append(f"total time {format_seconds(summary.total_time_s)}")
    return f"{headline} · {' · '.join(details)}"


def summary_markdown(summary: SessionSummary, title: str = "Practice interview", candidate: str = "") -> str:
    """The summary as a Markdown document: questions, topics, strengths and weaknesses, cost."""
    out = [f"# {title}", ""]
    if candidate:
        out += [f"Candidate: {candidate}", ""]
    out += [summary_headline(summary), ""]

    out += ["## Questions", "", "| # | Question | Topic | Score | Time |", "|---|---|---|---:|---:|"]
    for row in summary.rows:
        label = ("↳ " if row.follow_up_of else "") + _cell(row.question) + f" `{row.question_id}`"
        hint = " (hint)" if row.hint_used else ""
        out.append(f"| {row.number} | {label} | {row.topic} | {_score_cell(row)}{hint} | {_time_cell(row.time_taken_s)} |")

    if summary.topics:
        out += ["", "## Topics", "", "| Topic | Answers | Average | |", "|---|---:|---:|---|"]
        for topic in sorted(summary.topics, key=lambda t: (t.average is None, -(t.average or 0), t.topic)):
            average = "-" if topic.average is None else f"{topic.average:.1f}"
            out.append(f"| {topic.topic} | {topic.answers} | {average} | `{text_bar(topic.average)}` |")

    out += ["", "## Strengths and weaknesses", ""]
    if summary.strongest_topic and summary.weakest_topic:
        out.append(f"- Strongest topic: **{summary.strongest_topic}**; weakest: **{summary.weakest_topic}**.")
    for row in summary.strengths[:3]:
        out.append(f"- Strong: {_cell(row.question, 70)} ({row.score:.1f})")
    for row in summary.weaknesses[:3]:
        what = "skipped" if row.skipped else f"{row.score:.1f}"
        missed = f"; missed: {'; '.join(_cell(p, 60) for p in row.missed_points[:3])}" if row.missed_points else ""
        out.append(f"- To review: {_cell(row.question, 70)} ({what}{missed})")
    if not (summary.strengths or summary.weaknesses or summary.strongest_topic):
        out.append("- Every graded answer was in the middle band (5 to 7): solid, with room to go deeper.")

    if summary.fillers:
        total = sum(summary.fillers.values())
        rate = f", {total * 100 / summary.words:.1f} per 100 words" if summary.words else ""
        top = ", ".join(f"{name} ×{count}" for name, count in list(summary.fillers.items())[:5])
        out += ["", "## Delivery", "", f"Fillers: {total}{rate} ({top}). Delivery is not part of the scores."]
    if summary.spoken_line():
        out += ([] if summary.fillers else ["", "## Delivery", ""]) + ["", summary.spoken_line()]

    if summary.usage is not None or summary.cost_usd is not None:
        out += ["", "## Grading cost", ""]
        if summary.usage is not None:
            u = summary.usage
            out.append(f"- Tokens: {u.total_tokens:,} ({u.prompt_tokens:,} prompt, {u.completion_tokens:,} completion)")
        if summary.cost_usd is not None:
            out.append(f"- Cost: ${summary.cost_usd:.4f}")
    return "\n".join(out) + "\n"

"""An attempt: one answer to one question in one session, as the history keeps it, and how an answer record becomes one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

from interviewer.answer_record import AnswerRecord
from interviewer.transcript import now_iso

#: The ``grader`` of an attempt the candidate skipped (it has no score).
SKIPPED_GRADER = "skipped"

#: The attempts table's columns, in the order rows are written and read.
COLUMNS = (
    "session_id", "question_id", "topic", "score", "missed_points", "grader",
    "answered_at", "time_taken_s", "hint_used", "follow_up_of", "candidate", "attempt",
    "words_per_minute", "filler_count", "pause_count", "audio",
)


@dataclass(frozen=True)
class Attempt:
    """One answer to one question in one session, as the history keeps it."""

    session_id: str
    question_id: str
    topic: str
    #: 0-10; None when the answer was skipped or could not be graded.
    score: float | None
    missed_points: tuple[str, ...] = ()
    grader: str = ""
    answered_at: str = field(default_factory=now_iso)
    time_taken_s: float | None = None
    hint_used: bool = False
    #: The id of the question this answers a follow-up to; None for a main question.
    follow_up_of: str | None = None
    candidate: str = ""
    #: 1 for the first try at the question in its session; a retry counts on.
    attempt: int = 1
    #: The candidate's own verdicts, (point, "covered" | "missed"), beside the grader's.
    self_marks: tuple[tuple[str, str], ...] = ()
    #: A spoken answer's delivery measured from its audio (None for a typed answer), and the
    #: audio file kept beside the transcript.
    words_per_minute: float | None = None
    filler_count: int | None = None
    pause_count: int | None = None
    audio: str | None = None

    @property
    def skipped(self) -> bool:
        return self.grader == SKIPPED_GRADER

    @property
    def missed_for_review(self) -> tuple[str, ...]:
        """The points review counts as missed: the grader's, the candidate's word winning where given."""
        own = dict(self.self_marks)
        graded = [p for p in self.missed_points if own.get(p) != "covered"]
        return tuple(graded + [p for p, verdict in self.self_marks if verdict == "missed" and p not in graded])

    def to_dict(self) -> dict[str, Any]:
        return {name: (list(v) if isinstance(v := getattr(self, name), tuple) else v) for name in COLUMNS}

    def _row(self) -> tuple:
        return (
            self.session_id, self.question_id, self.topic,
            None if self.score is None else float(self.score),
            json.dumps(list(self.missed_points), ensure_ascii=False), self.grader, self.answered_at,
            None if self.time_taken_s is None else float(self.time_taken_s),
            int(bool(self.hint_used)), self.follow_up_of or None, self.candidate, int(self.attempt),
            self.words_per_minute, self.filler_count, self.pause_count, self.audio,
        )

    @classmethod
    def _from_row(cls, row: Sequence[Any]) -> "Attempt":
        values = dict(zip(COLUMNS, row))
        try:
            missed = tuple(str(p) for p in json.loads(values["missed_points"] or "[]"))
        except (TypeError, ValueError):
            missed = ()
        return cls(**{**values, "missed_points": missed, "hint_used": bool(values["hint_used"])})

    @property
    def identity(self) -> tuple[str, str, str, int]:
        return (self.session_id, self.question_id, self.follow_up_of or "", int(self.attempt))


def attempt_from_record(
    record: AnswerRecord, session_id: str, candidate: str = "", default_time: str | None = None
) -> Attempt | None:
    """The attempt an answer record stands for; None when it names no question.

    A record without a grade (or skipped) is a skipped question: score None, grader
    ``"skipped"``. A failed grade keeps its grader and a None score.
    """
    question_id = (record.question_id or "").strip()
    if not question_id:
        return None
    grade = record.grade
    skipped = record.counts_as_skipped or grade is None
    return Attempt(
        session_id=session_id,
        question_id=question_id,
        topic=record.topic or "general",
        score=record.score,
        missed_points=record.missed,
        grader=SKIPPED_GRADER if skipped else grade.grader,
        answered_at=record.answered_at or default_time or now_iso(),
        time_taken_s=record.time_taken_s,
        hint_used=record.hint_used,
        follow_up_of=record.follow_up_of,
        candidate=record.candidate or candidate or "",
        attempt=record.attempt,
        words_per_minute=record.spoken.words_per_minute if record.spoken else None,
        filler_count=record.spoken.filler_count if record.spoken else None,
        pause_count=len(record.spoken.pauses) if record.spoken else None,
        audio=record.audio,
    )

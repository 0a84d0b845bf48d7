"""One turn of a practice interview: a question (or follow-up) being answered, with its hints, timing and grade."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from interviewer.grading.interface import Grade, Grader, GradingItem
from interviewer.questions import Question


@dataclass
class Turn:
    """One answer being given, to a main question or to its follow-up."""

    question: Question
    #: What the interviewer asked: the question, or the follow-up question.
    prompt: str
    #: The item graded, without the answer (a follow-up's carries its context).
    base_item: GradingItem
    started_at: float
    follow_up_of: str | None = None
    hints: list[str] = field(default_factory=list)
    answer: str = ""
    #: Seconds spent on this answer in earlier sittings (a resumed draft).
    earlier_s: float = 0.0
    #: The answer text of the last draft written for this turn (None: no draft yet).
    saved_draft: str | None = None
    #: 1 for the first try at this question; a retry (``PracticeSession.retry``) counts on.
    attempt: int = 1
    #: The grade of the attempt before this one (a retry), to show the change.
    previous: Grade | None = None
    time_taken_s: float | None = None
    timed_out: bool = False
    grade: Grade | None = None
    grader: Grader | None = None
    #: A spoken answer: its ``SpokenTranscript`` (all recordings joined), the samples, and
    #: the kept audio file (relative to the transcript's folder; None when not kept).
    spoken: Any = None
    samples: list = field(default_factory=list)
    audio: str | None = None
    #: The candidate's own verdicts on key points of the grade: point -> "covered" | "missed".
    self_marks: dict[str, str] = field(default_factory=dict)

    @property
    def is_follow_up(self) -> bool:
        return self.follow_up_of is not None

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.question.id, self.follow_up_of)

    def item(self) -> GradingItem:
        return replace(self.base_item, answer=self.answer, hinted_points=tuple(self.hints))

    @property
    def delta(self) -> float | None:
        """The change in score from the previous attempt (a retry), once both are graded."""
        if self.previous is None or self.previous.score is None or self.grade is None or self.grade.score is None:
            return None
        return round(self.grade.score - self.previous.score, 1)


def main_item(question: Question) -> GradingItem:
    return GradingItem(
        question=question.question,
        answer="",
        reference=question.reference,
        key_points=question.key_points,
        question_id=question.id,
        topic=question.topic,
        point_kinds=question.point_kinds,
        model_answer=question.model_answer,
    )


def measured_delivery(turn: Turn):
    """Delivery measured from the answer's recordings; None for a typed answer."""
    if turn.spoken is None or not turn.answer.strip():
        return None
    from interviewer.voice.measured import measure_delivery

    return measure_delivery(turn.spoken)


def delivery_of(turn: Turn):
    """How the answer would sound spoken (``text.delivery.DeliveryReport``); the reference helps judge the opening."""
    from interviewer.text.delivery import analyse_delivery

    return analyse_delivery(turn.answer, turn.prompt, reference=turn.base_item.reference or "")

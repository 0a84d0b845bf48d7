"""One turn of a practice interview: a question (or follow-up) being answered, with its hints, timing and grade."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from interviewer.answer_record import AnswerRecord
from interviewer.grading.interface import Grade, Grader, GradingItem, KeyPointResult
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

    def attach_recording(self, spoken: Any, samples: Any, transcript_path: Path | None) -> str | None:
        """Join a transcribed recording to this answer; its audio is saved beside the transcript
        at ``transcript_path`` (None: not kept). Returns why the audio was not kept, if it was not."""
        from interviewer.voice.spoken import joined

        self.spoken = joined(self.spoken, spoken)
        self.samples.append(samples)
        if transcript_path is None:
            return None
        import numpy

        from interviewer.voice.answer_audio import save_answer_audio

        try:
            self.audio = save_answer_audio(transcript_path, self.question.id, self.follow_up_of,
                                           self.attempt, numpy.concatenate(self.samples))
        except OSError as error:
            return f"the recording was not kept: {error}"
        return None

    def cycle_mark(self, number: int) -> tuple[KeyPointResult, str | None] | None:
        """Cycle the candidate's own verdict on key point ``number`` (from 1) of this turn's grade:
        (the grader's result, the new verdict or None); None when there is no such point."""
        from interviewer.history.self_assessment import next_self_verdict

        grade = self.grade
        if grade is None or grade.failed or not 1 <= number <= len(grade.key_points):
            return None
        result = grade.key_points[number - 1]
        verdict = next_self_verdict(self.self_marks.get(result.point), result.verdict)
        if verdict is None:
            self.self_marks.pop(result.point, None)
        else:
            self.self_marks[result.point] = verdict
        return result, verdict

    def draft_record(self, answer: str, elapsed_s: float, saved_at: str) -> dict[str, Any]:
        """The transcript's ``draft`` line for ``answer``, typed but not graded yet."""
        return {
            "type": "draft",
            "question_id": self.question.id,
            "follow_up_of": self.follow_up_of,
            "question": self.prompt,
            "answer": answer,
            "hints": list(self.hints),
            "time_taken_s": round(elapsed_s, 1),
            "saved_at": saved_at,
        }

    def record(self, grade: Grade | None, *, session_id: str, candidate: str, time_limit_s: float | None,
               answered_at: str) -> AnswerRecord:
        """The answer record of this turn: graded (``grade``) or skipped (None)."""
        question = self.question
        return AnswerRecord(
            question=self.prompt,
            answer=self.answer,
            question_id=question.id,
            topic=question.topic,
            difficulty=question.difficulty,
            grade=grade,
            skipped=grade is None,
            delivery=delivery_of(self) if self.answer.strip() else None,
            spoken=measured_delivery(self),
            audio=self.audio,
            hints=tuple(self.hints),
            time_taken_s=self.time_taken_s,
            time_limit_s=time_limit_s,
            timed_out=self.timed_out,
            follow_up_of=self.follow_up_of,
            attempt=self.attempt,
            candidate=candidate,
            session_id=session_id,
            answered_at=answered_at,
        )

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

"""Messages the interview screen's workers post to it: streamed feedback, a finished grade, a follow-up."""

from __future__ import annotations

from textual.message import Message

from interviewer.grading.interface import Grade


class FeedbackDelta(Message):
    """A piece of feedback text streamed by the grader."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text


class GradeFinished(Message):
    """Grading of the submitted answer is over (the grade may have failed)."""

    def __init__(self, grade: Grade):
        super().__init__()
        self.grade = grade


class FollowUpReady(Message):
    """The follow-up question to ask, or None when there is none."""

    def __init__(self, text: str | None):
        super().__init__()
        self.text = text

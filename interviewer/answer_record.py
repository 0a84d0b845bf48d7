"""The answer record: one typed record of an answer and its grade, one serializer, one versioned reader.

The transcript (``{"type": "answer", ...}`` lines), the batch output (``{"kind": "answer", ...}``
lines), the history and both summaries all use ``AnswerRecord``. ``to_dict`` writes the current
version (``"v": 2``, the grade as ``Grade.to_dict``); ``from_dict`` also reads what earlier
versions wrote: v1 transcript answers (no ``"v"``) and v1 batch records (the grade spread over
the record, ``grader: "name/version"``, ``tokens: {prompt, completion}``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from interviewer.grading.interface import Grade, failed_grade, score_band
from interviewer.safe_text import without_credentials
from interviewer.text.delivery import DeliveryReport
from interviewer.voice.measured import MeasuredDelivery

RECORD_VERSION = 2
#: Why a batch answer has no grade when its question matched nothing in the bank.
UNMATCHED_ERROR = "unmatched question"


class RecordError(ValueError):
    """A record that cannot be read as an answer record; the message says what is wrong."""


@dataclass(frozen=True)
class AnswerRecord:
    """An answer to one question (or follow-up), its grade, and how and where it was given."""

    question: str
    answer: str = ""
    question_id: str | None = None
    topic: str | None = None
    difficulty: int | None = None
    #: None when there is no grade: skipped by the candidate, or not graded (``error`` says why).
    grade: Grade | None = None
    skipped: bool = False
    #: Why an answer that was not skipped has no grade (``unmatched question``, ...).
    error: str | None = None
    delivery: DeliveryReport | None = None
    #: Key points revealed as hints before answering.
    hints: tuple[str, ...] = ()
    time_taken_s: float | None = None
    time_limit_s: float | None = None
    timed_out: bool = False
    #: The question id this answers a follow-up to; None for a main question.
    follow_up_of: str | None = None
    #: 1 for the first try at this question in its session; trying again (ctrl+y) counts on.
    #: (Not ``attempts``: that is how many grading requests a batch answer took.)
    attempt: int = 1
    candidate: str = ""
    session_id: str | None = None
    answered_at: str | None = None
    #: Where a batch answer came from: its stable key, ``file:line``, the input's own id,
    #: how its question matched the bank, and how many grading tries it took.
    key: str | None = None
    input: str | None = None
    item_id: str | None = None
    match: dict[str, Any] | None = None
    attempts: int | None = None
    #: For an answer given out loud: delivery measured from the audio (never part of the
    #: score), and the audio file kept beside the transcript.
    spoken: MeasuredDelivery | None = None
    audio: str | None = None

    def __post_init__(self) -> None:
        if self.error:  # stored in transcripts and batch outputs: no URL password, no key
            object.__setattr__(self, "error", without_credentials(self.error))

    # -- what the record says --------------------------------------------------------------

    @property
    def counts_as_skipped(self) -> bool:
        """Skipped, or kept without a grade and without a reason (a session records only graded
        or skipped answers, so a summary or the history counts such an answer as skipped)."""
        return self.skipped or (self.grade is None and self.error is None)

    @property
    def score(self) -> float | None:
        """0-10; None when skipped, not graded, or the grade failed."""
        return None if self.skipped or self.grade is None else self.grade.score

    @property
    def graded(self) -> bool:
        return self.score is not None

    @property
    def band(self) -> str:
        return "skipped" if self.counts_as_skipped else score_band(self.score)

    @property
    def failure(self) -> str | None:
        """Why an answer that was not skipped has no score; None when it has one."""
        if self.counts_as_skipped:
            return None
        if self.grade is not None and self.grade.failed:
            return self.grade.error or self.error or "grading failed"
        return self.error if self.grade is None else None

    @property
    def missed(self) -> tuple[str, ...]:
        """The key points the grade found missed or contradicted (none when skipped)."""
        return () if self.skipped or self.grade is None else self.grade.missed

    @property
    def hint_used(self) -> bool:
        return bool(self.hints)

    @property
    def is_follow_up(self) -> bool:
        return self.follow_up_of is not None

    @property
    def identity(self) -> tuple[str, str]:
        """(question id, follow-up of): what a session answers once."""
        return (self.question_id or "", self.follow_up_of or "")

    def with_changes(self, **changes: Any) -> "AnswerRecord":
        return replace(self, **changes)

    # -- the one serializer ----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data, current version; batch fields only when set."""
        data: dict[str, Any] = {
            "v": RECORD_VERSION,
            "question_id": self.question_id,
            "topic": self.topic,
            "difficulty": self.difficulty,
            "question": self.question,
            "answer": self.answer,
            "skipped": self.skipped,
            "grade": None if self.grade is None else self.grade.to_dict(),
            "error": self.error,
            "delivery": None if self.delivery is None else self.delivery.to_dict(),
            "hints": list(self.hints),
            "time_taken_s": self.time_taken_s,
            "time_limit_s": self.time_limit_s,
            "timed_out": self.timed_out,
            "follow_up_of": self.follow_up_of,
            "candidate": self.candidate,
            "session_id": self.session_id,
            "answered_at": self.answered_at,
        }
        if self.attempt != 1:
            data["attempt"] = self.attempt
        for name in ("key", "input", "item_id", "match", "attempts"):
            value = getattr(self, name)
            if value is not None:
                data["id" if name == "item_id" else name] = value
        if self.spoken is not None:
            data["spoken"] = self.spoken.to_dict()
        if self.audio is not None:
            data["audio"] = self.audio
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AnswerRecord":
        """A record of any version (v1 transcript answer, v1 batch record, v2). Raises RecordError."""
        if not isinstance(data, dict):
            raise RecordError("not a JSON object")
        version = data.get("v")
        try:
            if version == RECORD_VERSION:
                return _from_v2(data)
            if version is None:
                return _from_v1_transcript(data)
            if version == 1:
                return _from_v1_batch(data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise RecordError(f"not a readable answer record ({error})") from None
        raise RecordError(f"answer record version {version!r} is newer than this interviewer reads")


# --------------------------------------------------------------------------- readers by version


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _delivery(value: Any) -> DeliveryReport | None:
    return DeliveryReport.from_dict(value) if isinstance(value, dict) and value else None


def _grade(value: Any) -> Grade | None:
    """The grade, or a failed one that says it could not be read (the answer is kept either way)."""
    if not isinstance(value, dict):
        return None
    try:
        return Grade.from_dict(value)
    except (KeyError, TypeError, ValueError):
        return failed_grade(str(value.get("grader", "")), "", "the grade record could not be read")


def _common(data: dict[str, Any]) -> dict[str, Any]:
    """The fields every version spells the same way."""
    hints = data.get("hints")
    difficulty = data.get("difficulty")
    attempts = data.get("attempts")
    attempt = data.get("attempt")
    return {
        "question": str(data.get("question") or ""),
        "answer": str(data.get("answer") or ""),
        "question_id": _text(data.get("question_id")),
        "topic": _text(data.get("topic")),
        "difficulty": difficulty if isinstance(difficulty, int) and not isinstance(difficulty, bool) else None,
        "delivery": _delivery(data.get("delivery")),
        "hints": tuple(str(h) for h in hints) if isinstance(hints, list) else (),
        "time_taken_s": _number(data.get("time_taken_s")),
        "time_limit_s": _number(data.get("time_limit_s")),
        "timed_out": bool(data.get("timed_out")),
        "follow_up_of": _text(data.get("follow_up_of")),
        "attempt": attempt if isinstance(attempt, int) and not isinstance(attempt, bool) and attempt > 0 else 1,
        "candidate": str(data.get("candidate") or ""),
        "session_id": _text(data.get("session_id")),
        "answered_at": _text(data.get("answered_at") or data.get("at")),
        "key": data["key"] if isinstance(data.get("key"), str) else None,
        "input": _text(data.get("input")),
        "item_id": _text(data.get("id")),
        "match": data["match"] if isinstance(data.get("match"), dict) else None,
        "attempts": attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else None,
        "spoken": MeasuredDelivery.from_dict(data["spoken"]) if isinstance(data.get("spoken"), dict) else None,
        "audio": _text(data.get("audio")),
    }


def _from_v2(data: dict[str, Any]) -> AnswerRecord:
    return AnswerRecord(**_common(data), grade=_grade(data.get("grade")), skipped=bool(data.get("skipped")),
                        error=_text(data.get("error")))


def _from_v1_transcript(data: dict[str, Any]) -> AnswerRecord:
    return AnswerRecord(**_common(data), grade=_grade(data.get("grade")), skipped=bool(data.get("skipped")))


def _from_v1_batch(data: dict[str, Any]) -> AnswerRecord:
    """v1 batch records spread the grade over the record; no grader and no score means no grade."""
    common = _common(data)
    grader = data.get("grader")
    score = _number(data.get("score"))
    if not grader and score is None:
        return AnswerRecord(**common, error=_text(data.get("error")) or "not graded")
    name, _, version = str(grader or "").partition("/")
    tokens = data.get("tokens") or {}
    # Translate the v1 fields into the grade's own dict and read it with its one reader.
    grade = Grade.from_dict({
        **data,
        "score": score,
        "feedback": str(data.get("feedback") or ""),
        "grader": name,
        "grader_version": version,
        "error": _text(data.get("error")) if score is None else None,
        "usage": {"prompt_tokens": int(tokens.get("prompt") or 0),
                  "completion_tokens": int(tokens.get("completion") or 0)} if tokens else None,
        "cost_usd": _number(data.get("cost_usd")),
        # v1 batch records had no such fields: a stray key must not invent them.
        "retryable": False, "retry_after_s": None, "confidence": None,
    })
    return AnswerRecord(**common, grade=grade)

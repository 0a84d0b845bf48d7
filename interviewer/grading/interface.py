"""The grading interface: what every grader takes (``GradingItem``) and gives (``Grade``).

Every grader, offline or LLM, returns the same ``Grade`` shape so the TUI, the
transcript, the history and batch reports never care which one produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Literal, Protocol, runtime_checkable

from interviewer.safe_text import without_credentials

Verdict = Literal["covered", "partial", "missed", "contradicted", "not judged"]
#: The verdicts a judge gives. ``NOT_JUDGED`` marks a key point the judge's reply left out.
VERDICTS: tuple[Verdict, ...] = ("covered", "partial", "missed", "contradicted")
NOT_JUDGED: Verdict = "not judged"
#: What a key-point verdict is worth towards a score: a partial point earns half.
VERDICT_CREDIT: dict[str, float] = {"covered": 1.0, "partial": 0.5, "missed": 0.0, "contradicted": 0.0}

#: The criteria every grade scores on 0-10. Communication is judged as *spoken*:
#: filler words, grammar and typos are not penalised.
CRITERIA: tuple[str, ...] = ("correctness", "completeness", "depth", "communication")

SCORE_MAX = 10.0

#: Called with each new piece of feedback text while an LLM grade streams.
FeedbackListener = Callable[[str], Any]


@dataclass(frozen=True)
class FollowUpContext:
    """The exchange a follow-up answer is graded in: the first question and answer."""

    question: str
    answer: str
    follow_up: str


@dataclass(frozen=True)
class GradingItem:
    """One answer to grade, with everything a grader may use."""

    question: str
    answer: str
    reference: str = ""
    key_points: tuple[str, ...] = ()
    question_id: str | None = None
    topic: str | None = None
    #: Set when this answer replies to a follow-up question.
    context: FollowUpContext | None = None
    #: Key points revealed to the candidate as hints before answering.
    hinted_points: tuple[str, ...] = ()
    #: "core" or "depth" for each of ``key_points`` (empty: every point is core). Covering the
    #: core is what passes; depth points lift a correct answer above the pass mark.
    point_kinds: tuple[str, ...] = ()
    #: A strong answer shipped with the question (the bank's ``model_answer``); the offline
    #: grader anchors each key point in it as well as in the reference.
    model_answer: str = ""

    def is_depth_point(self, index: int) -> bool:
        return index < len(self.point_kinds) and self.point_kinds[index] == "depth"

    @property
    def has_reference(self) -> bool:
        return bool(self.reference.strip() or self.key_points)


@dataclass(frozen=True)
class KeyPointResult:
    """How one key point fared in an answer."""

    point: str
    verdict: Verdict
    #: The words of the answer that support the verdict (may be empty).
    evidence: str = ""


@dataclass(frozen=True)
class TokenUsage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: "TokenUsage") -> "TokenUsage":
        return TokenUsage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )


ConfidenceLevel = Literal["low", "medium", "high"]
CONFIDENCE_LEVELS: tuple[ConfidenceLevel, ...] = ("low", "medium", "high")


@dataclass(frozen=True)
class Confidence:
    """How far to trust a grade, with the one-line reason a person reads beside it."""

    level: ConfidenceLevel
    reason: str

    def __str__(self) -> str:
        return f"confidence {self.level}: {self.reason}"


@dataclass(frozen=True)
class Grade:
    """A grade from any grader. ``score`` is None only when grading failed."""

    score: float | None
    feedback: str
    grader: str
    grader_version: str
    criteria: dict[str, float] = field(default_factory=dict)
    key_points: tuple[KeyPointResult, ...] = ()
    model: str | None = None
    prompt_hash: str | None = None
    #: Reasons to distrust this grade (e.g. the answer addresses the grader).
    flags: tuple[str, ...] = ()
    #: Why grading failed; set together with ``score is None``.
    error: str | None = None
    #: Facts about how the grade was made ("hint used", "answer truncated", ...).
    notes: tuple[str, ...] = ()
    usage: TokenUsage | None = None
    cost_usd: float | None = None
    cached: bool = False
    #: On a failed grade: whether trying again later may succeed (rate limit,
    #: timeout, server error), and how long the server asked us to wait.
    retryable: bool = False
    retry_after_s: float | None = None
    #: How sure the grader is (the offline grader says; an LLM grade leaves it None).
    confidence: Confidence | None = None

    def __post_init__(self) -> None:
        if self.error:  # what a grade says, shown or stored, never carries a URL's password or a key
            object.__setattr__(self, "error", without_credentials(self.error))

    @property
    def failed(self) -> bool:
        return self.score is None

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(k.point for k in self.key_points if k.verdict == "covered")

    @property
    def partial(self) -> tuple[str, ...]:
        return tuple(k.point for k in self.key_points if k.verdict == "partial")

    @property
    def missed(self) -> tuple[str, ...]:
        return tuple(k.point for k in self.key_points if k.verdict in ("missed", "contradicted"))

    @property
    def band(self) -> str:
        return score_band(self.score)

    def with_flags(self, *flags: str) -> "Grade":
        merged = tuple(dict.fromkeys((*self.flags, *flags)))
        return replace(self, flags=merged)

    def with_notes(self, *notes: str) -> "Grade":
        merged = tuple(dict.fromkeys((*self.notes, *notes)))
        return replace(self, notes=merged)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types, fields in declaration order, then ``band``: what ``dataclasses.asdict``
        gave, built directly (asdict deep-copied every value: a fifth of an offline batch's time)."""
        usage, confidence = self.usage, self.confidence
        return {
            "score": self.score, "feedback": self.feedback, "grader": self.grader,
            "grader_version": self.grader_version, "criteria": dict(self.criteria),
            "key_points": [{"point": k.point, "verdict": k.verdict, "evidence": k.evidence} for k in self.key_points],
            "model": self.model, "prompt_hash": self.prompt_hash, "flags": list(self.flags), "error": self.error,
            "notes": list(self.notes),
            "usage": None if usage is None else {"prompt_tokens": usage.prompt_tokens,
                                                 "completion_tokens": usage.completion_tokens},
            "cost_usd": self.cost_usd, "cached": self.cached, "retryable": self.retryable,
            "retry_after_s": self.retry_after_s,
            "confidence": None if confidence is None else {"level": confidence.level, "reason": confidence.reason},
            "band": self.band,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Grade":
        usage = data.get("usage")
        return cls(
            score=None if data.get("score") is None else float(data["score"]),
            feedback=str(data.get("feedback", "")),
            grader=str(data.get("grader", "")),
            grader_version=str(data.get("grader_version", "")),
            criteria={str(k): float(v) for k, v in (data.get("criteria") or {}).items()},
            key_points=tuple(
                KeyPointResult(str(k["point"]), k["verdict"], str(k.get("evidence", "")))
                for k in data.get("key_points") or ()
            ),
            model=data.get("model"),
            prompt_hash=data.get("prompt_hash"),
            flags=tuple(data.get("flags") or ()),
            error=data.get("error"),
            notes=tuple(data.get("notes") or ()),
            usage=TokenUsage(**usage) if usage else None,
            cost_usd=data.get("cost_usd"),
            cached=bool(data.get("cached", False)),
            retryable=bool(data.get("retryable", False)),
            retry_after_s=data.get("retry_after_s"),
            confidence=_confidence(data.get("confidence")),
        )


def _confidence(value: Any) -> Confidence | None:
    if isinstance(value, dict) and value.get("level") in CONFIDENCE_LEVELS:
        return Confidence(value["level"], str(value.get("reason", "")))
    return None


def failed_grade(grader: str, version: str, error: str, **extra: Any) -> Grade:
    """A grade that says why grading failed, never an invented score."""
    return Grade(score=None, feedback="", grader=grader, grader_version=version, error=error, **extra)


def zero_grade(grader: str, version: str, feedback: str, key_points: tuple[str, ...], **extra: Any) -> Grade:
    """Nothing to give credit for (no answer): 0 on every criterion, every key point missed."""
    return Grade(
        score=0.0,
        feedback=feedback,
        grader=grader,
        grader_version=version,
        criteria=dict.fromkeys(CRITERIA, 0.0),
        key_points=tuple(KeyPointResult(point, "missed") for point in key_points),
        **extra,
    )


BANDS: tuple[tuple[float, str], ...] = (
    (8.5, "excellent"),
    (7.0, "strong"),
    (5.0, "adequate"),
    (3.0, "weak"),
    (0.0, "poor"),
)


def score_band(score: float | None) -> str:
    """A word for a 0-10 score, as an interviewer would say it."""
    if score is None:
        return "not graded"
    for floor, name in BANDS:
        if score >= floor:
            return name
    return "poor"


@runtime_checkable
class Grader(Protocol):
    """Anything that grades answers. Offline graders answer at once; LLM graders await a server."""

    name: str
    version: str

    async def grade(self, item: GradingItem, on_feedback: FeedbackListener | None = None) -> Grade:
        """Grade one answer. Never raises for a bad answer or a server fault: returns a failed Grade."""
        ...


# --------------------------------------------------------------------------- what a grader can do
#
# Capabilities beyond ``Grader.grade`` are protocols, asked with ``isinstance``: no caller probes
# a grader for attribute names. Streaming is part of ``Grader.grade`` itself: every grader takes
# ``on_feedback``; one that writes its feedback in one piece simply never calls it.


@runtime_checkable
class GradesNow(Protocol):
    """Grades in the calling thread, with no event loop and no I/O (the offline grader)."""

    def grade_now(self, item: GradingItem) -> Grade: ...


@runtime_checkable
class AsksFollowUps(Protocol):
    """Writes a follow-up question that probes what a graded answer missed (the LLM grader)."""

    async def follow_up(self, item: GradingItem, grade: Grade) -> str | None: ...


@runtime_checkable
class ReportsRateLimit(Protocol):
    """Knows the server's latest rate-limit facts (``grading.llm.chat.RateLimitInfo`` or None)."""

    @property
    def rate_limit(self) -> Any: ...


@runtime_checkable
class CachesGrades(Protocol):
    """Keeps a grade cache that a batch run turns off (its output file is its resume store)."""

    def disable_cache(self) -> None: ...


@runtime_checkable
class Closes(Protocol):
    """Holds connections that belong to the event loop they were opened in: close before it ends."""

    async def aclose(self) -> None: ...


async def close_grader(grader: object) -> None:
    """Close a grader's connections if it has any (call inside the loop that used it)."""
    if isinstance(grader, Closes):
        await grader.aclose()

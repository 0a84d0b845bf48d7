"""Questions: what the interviewer asks, with the reference answer and key points a grade is anchored on."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The topics of the shipped deep-learning bank, in the order menus show them.
#: A custom bank may use any topic names of its own.
TOPICS: tuple[str, ...] = (
    "fundamentals",
    "optimisation",
    "regularisation",
    "evaluation-and-tuning",
    "architectures",
    "nlp-and-attention",
    "generative",
    "learning-paradigms",
    "efficiency",
    "robustness-and-privacy",
    "explainability",
    "graphs",
    "reinforcement-learning",
)

DIFFICULTIES: tuple[int, ...] = (1, 2, 3)
DIFFICULTY_NAMES = {1: "easy", 2: "medium", 3: "hard"}


#: The two kinds of key point. A *core* point is what the reference answer states;
#: a *depth* point goes beyond it (what a strong spoken answer adds).
CORE = "core"
DEPTH = "depth"
POINT_KINDS: tuple[str, ...] = (CORE, DEPTH)


@dataclass(frozen=True)
class FollowUp:
    """The follow-up asked after a question: itself a question with a reference and key points.

    A custom bank may give only the question text (``follow_up = "..."``): then
    ``reference`` and ``key_points`` are empty and an answer to it is graded
    against nothing of the parent question's.
    """

    question: str
    reference: str = ""
    key_points: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.question.strip())

    @property
    def has_reference(self) -> bool:
        return bool(self.reference.strip() or self.key_points)

    def to_dict(self) -> dict:
        return {"question": self.question, "reference": self.reference, "key_points": list(self.key_points)}


@dataclass(frozen=True)
class Question:
    """One interview question with its reference answer.

    ``key_points`` holds ALL the points a grade is anchored on, core points first,
    then depth points; ``point_kinds`` gives the kind of each, in the same order
    (left empty, every point is core).
    """

    id: str
    question: str
    reference: str
    topic: str = "general"
    difficulty: int = 2
    key_points: tuple[str, ...] = ()
    #: The follow-up; a plain string is accepted and becomes ``FollowUp(question=...)``.
    follow_up: FollowUp | None = None
    #: Where the question was defined, for messages: "file:line".
    source: str = ""
    #: "core" or "depth" for each of ``key_points``; empty means all core.
    point_kinds: tuple[str, ...] = ()
    #: A strong spoken answer, shown on request beside the reference.
    model_answer: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.follow_up, str):
            object.__setattr__(self, "follow_up", FollowUp(self.follow_up.strip()) if self.follow_up.strip() else None)
        if not self.point_kinds:
            object.__setattr__(self, "point_kinds", (CORE,) * len(self.key_points))
        if len(self.point_kinds) != len(self.key_points) or set(self.point_kinds) - set(POINT_KINDS):
            raise ValueError(f"question {self.id!r}: point_kinds must give core/depth for each key point")

    @classmethod
    def with_points(cls, core: tuple[str, ...], depth: tuple[str, ...] = (), **fields) -> "Question":
        """A question whose key points are ``core`` then ``depth``, with their kinds."""
        kinds = (CORE,) * len(core) + (DEPTH,) * len(depth)
        return cls(key_points=tuple(core) + tuple(depth), point_kinds=kinds, **fields)

    @property
    def core_points(self) -> tuple[str, ...]:
        """The points the reference answer states."""
        return tuple(p for p, kind in zip(self.key_points, self.point_kinds) if kind == CORE)

    @property
    def depth_points(self) -> tuple[str, ...]:
        """The points beyond the reference."""
        return tuple(p for p, kind in zip(self.key_points, self.point_kinds) if kind == DEPTH)

    @property
    def follow_up_question(self) -> str:
        """The follow-up's question text, or "" when there is none."""
        return self.follow_up.question if self.follow_up else ""

    def kind_of(self, point: str) -> str:
        """The kind of a key point ("core" when the point is not one of this question's)."""
        for candidate, kind in zip(self.key_points, self.point_kinds):
            if candidate == point:
                return kind
        return CORE

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "topic": self.topic,
            "difficulty": self.difficulty,
            "question": self.question,
            "reference": self.reference,
            "model_answer": self.model_answer,
            "key_points": [{"text": p, "kind": k} for p, k in zip(self.key_points, self.point_kinds)],
            "follow_up": self.follow_up.to_dict() if self.follow_up else None,
        }


#: At most this many key points are derived from a reference answer.
DERIVED_KEY_POINTS = 5


def derive_key_points(reference: str) -> tuple[str, ...]:
    """Key points from a reference answer: its bullets, else its sentences, else its list items."""
    bullets = [
        re.sub(r"^\s*([-*+]|\d+[.)])\s+", "", line).strip()
        for line in reference.splitlines()
        if re.match(r"^\s*([-*+]|\d+[.)])\s+", line)
    ]
    candidates = bullets or [s for s in re.split(r"(?<=[.!?])\s+", reference.strip()) if s]
    if len(candidates) == 1:
        head, _, tail = candidates[0].partition(":")
        items = [i.strip(" .") for i in re.split(r",\s*|\s+and\s+", tail or head) if i.strip(" .")]
        if 3 <= len(items) <= 8 and all(len(i.split()) <= 5 and "(" not in i and ")" not in i for i in items):
            candidates = items
    cleaned = [c.strip().rstrip(".").strip() for c in candidates]
    return tuple(c for c in cleaned if c)[:DERIVED_KEY_POINTS]

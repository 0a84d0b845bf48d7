"""Questions: what the interviewer asks, with the reference answer and key points a grade is anchored on."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Question:
    """One interview question with its reference answer."""

    id: str
    question: str
    reference: str
    topic: str = "general"
    difficulty: int = 2
    key_points: tuple[str, ...] = ()
    follow_up: str = ""
    #: Where the question was defined, for messages: "file:line".
    source: str = ""

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "topic": self.topic,
            "difficulty": self.difficulty,
            "question": self.question,
            "reference": self.reference,
            "key_points": list(self.key_points),
            "follow_up": self.follow_up,
        }

"""What the batch readers yield: an answer to grade (``InputItem``) or an unreadable part (``InputProblem``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

NOT_UTF8 = "not UTF-8 text"


@dataclass(frozen=True, slots=True)
class InputItem:
    """One answer to grade, with where it came from."""

    key: str
    source: str
    line: int
    question: str
    answer: str
    question_id: str | None = None
    reference: str = ""
    key_points: tuple[str, ...] = ()
    candidate: str | None = None
    topic: str | None = None
    #: The id the input gave this answer, if any.
    item_id: str | None = None
    #: For a follow-up answer in a session transcript: the first question and answer.
    follow_up_of: str | None = None
    context_question: str = ""
    context_answer: str = ""
    #: Key points shown to the candidate as hints before answering (session transcripts).
    hinted_points: tuple[str, ...] = ()
    #: For an answer given as audio: the file, and once transcribed its ``SpokenTranscript``.
    audio: str | None = None
    spoken: Any = None

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True, slots=True)
class InputProblem:
    """A line or file that could not be read; the rest of the input is still graded."""

    source: str
    line: int
    message: str

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}"

    @property
    def key(self) -> str:
        return item_key(self.source, str(self.line), "\0problem", self.message)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


def item_key(source_id: str, locator: str, question: str, answer: str) -> str:
    """The stable key of an answer: a hash of where it is and what it says."""
    digest = hashlib.sha256()
    for part in (source_id, locator, question, answer):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]

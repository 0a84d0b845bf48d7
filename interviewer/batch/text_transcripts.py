"""Plain-text interview transcripts: speaker-labelled turns (Interviewer:/Candidate:, Q:/A:) into answers.

Labels are case-insensitive and may carry a timestamp, Markdown bold, a number ("Q1:") or a
name ("Candidate (Jane Doe):"). A turn runs until the next label, over any number of lines.
Each interviewer turn followed by candidate turns is one answer; interviewer turns with no
answer after them (greetings, "thanks, that's all") are dropped. The candidate's name comes
from a "Candidate: Name" header before the first question, else from the file name.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from interviewer.batch.items import NOT_UTF8, InputItem, InputProblem, item_key

_TIMESTAMP = r"(?:\[?\(?\d{1,2}:\d{2}(?::\d{2})?\)?\]?\s*)?"
_LABEL_RE = re.compile(
    r"^\s*" + _TIMESTAMP + r"(?:[*_]{1,2})?(?P<label>interviewer|candidate|interviewee|question|answer|q|a)"
    r"\s*\d*\.?(?:\s*\((?P<name>[^)]{1,60})\))?\s*(?:[*_]{1,2})?\s*:\s*(?:[*_]{1,2}(?!\S*[*_]))?(?P<text>.*)$",
    re.IGNORECASE,
)
_NAME_HEADER_RE = re.compile(r"^\s*(?:candidate|name|candidate name|interviewee)\s*:\s*(?P<name>.+?)\s*$", re.IGNORECASE)
_ASKING = {"interviewer", "question", "q"}
_NAME_WORD = re.compile(r"^[^\W\d_][\w.'-]*$")
_FILENAME_NOISE = {
    "transcript", "transcripts", "interview", "interviews", "mock", "session", "candidate", "answers",
    "notes", "call", "screen", "round", "final", "draft", "with", "and", "the",
}


def looks_like_name(text: str) -> bool:
    """Whether a short text reads as a person's name ("Jane Doe"), not a sentence."""
    words = text.split()
    return 1 <= len(words) <= 5 and all(_NAME_WORD.match(w) for w in words) and not text.rstrip().endswith((".", "?", "!"))


def candidate_from_filename(stem: str) -> str | None:
    """A candidate name from a file name: ``interview_jane-doe_2024-05-01`` gives "Jane Doe"."""
    words = [w for w in re.split(r"[\s_\-.]+", stem) if w]
    kept = [w for w in words if w.isalpha() and w.lower() not in _FILENAME_NOISE]
    return " ".join(w.capitalize() if w.islower() else w for w in kept) or None


def read_text_transcript(
    lines: Iterable[tuple[int, str | None]], source: str, source_id: str, file_candidate: str | None
) -> Iterator[InputItem | InputProblem]:
    """Answers in a transcript given as (line number, text or None when not UTF-8)."""
    reader = _TranscriptReader(source, source_id, file_candidate)
    for number, text in lines:
        if text is None:
            yield InputProblem(source, number, NOT_UTF8)
        else:
            yield from reader.line(number, text)
    yield from reader.close_turn()
    yield from reader.emit()


class _TranscriptReader:
    """The state of reading one transcript: who the candidate is, the question and answer so far."""

    def __init__(self, source: str, source_id: str, candidate: str | None):
        self.source, self.source_id, self.candidate = source, source_id, candidate
        self.seen_question = False
        self.question: tuple[int, list[str]] | None = None  # (line, text lines)
        self.answer: list[str] = []
        self.turn: tuple[str, int, list[str]] | None = None  # (role, line, text lines)

    def line(self, number: int, text: str) -> Iterator[InputItem | InputProblem]:
        match = _LABEL_RE.match(text)
        if match is None:
            if not self.seen_question and self.turn is None:
                header = _NAME_HEADER_RE.match(text)
                if header and looks_like_name(header["name"]):
                    self.candidate = header["name"]
            elif self.turn is not None:
                self.turn[2].append(text.rstrip())
            return
        role = "ask" if match["label"].lower() in _ASKING else "answer"
        content = match["text"].strip()
        name = (match["name"] or "").strip()
        if role == "answer" and not self.seen_question and self.turn is None and not name and looks_like_name(content):
            self.candidate = content  # a "Candidate: Jane Doe" header before the first question
            return
        if role == "answer" and name and looks_like_name(name):
            self.candidate = name
        yield from self.close_turn()
        self.turn = (role, number, [content] if content else [])

    def emit(self) -> Iterator[InputItem | InputProblem]:
        if self.question is not None and self.answer:
            q_text = _join(self.question[1])
            a_text = _join(self.answer)
            if a_text:
                yield InputItem(
                    key=item_key(self.source_id, f"line:{self.question[0]}", q_text, a_text),
                    source=self.source,
                    line=self.question[0],
                    question=q_text,
                    answer=a_text,
                    candidate=self.candidate,
                )
            self.question, self.answer = None, []

    def close_turn(self) -> Iterator[InputItem | InputProblem]:
        if self.turn is None:
            return
        role, line, parts = self.turn
        self.turn = None
        if role == "ask":
            yield from self.emit()
            self.question = (line, parts)
            self.seen_question = True
        elif self.question is not None:
            self.answer.extend(parts)
        elif _join(parts):
            yield InputProblem(self.source, line, "an answer with no question before it (ignored)")


def _join(parts: list[str]) -> str:
    return "\n".join(s.strip() for s in parts if s.strip())

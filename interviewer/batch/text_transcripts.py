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
    candidate = file_candidate
    seen_question = False
    question: tuple[int, list[str]] | None = None  # (line, text lines)
    answer: list[str] = []
    turn: tuple[str, int, list[str]] | None = None  # (role, line, text lines)

    def emit() -> Iterator[InputItem | InputProblem]:
        nonlocal question, answer
        if question is not None and answer:
            q_text = _join(question[1])
            a_text = _join(answer)
            if a_text:
                yield InputItem(
                    key=item_key(source_id, f"line:{question[0]}", q_text, a_text),
                    source=source,
                    line=question[0],
                    question=q_text,
                    answer=a_text,
                    candidate=candidate,
                )
            question, answer = None, []

    def close_turn() -> Iterator[InputItem | InputProblem]:
        nonlocal turn, question, seen_question
        if turn is None:
            return
        role, line, parts = turn
        turn = None
        if role == "ask":
            yield from emit()
            question = (line, parts)
            seen_question = True
        elif question is not None:
            answer.extend(parts)
        elif _join(parts):
            yield InputProblem(source, line, "an answer with no question before it (ignored)")

    for number, text in lines:
        if text is None:
            yield InputProblem(source, number, NOT_UTF8)
            continue
        match = _LABEL_RE.match(text)
        if match is None:
            if not seen_question and turn is None:
                header = _NAME_HEADER_RE.match(text)
                if header and looks_like_name(header["name"]):
                    candidate = header["name"]
                continue
            if turn is not None:
                turn[2].append(text.rstrip())
            continue
        role = "ask" if match["label"].lower() in _ASKING else "answer"
        content = match["text"].strip()
        name = (match["name"] or "").strip()
        if role == "answer" and not seen_question and turn is None and not name and looks_like_name(content):
            candidate = content  # a "Candidate: Jane Doe" header before the first question
            continue
        if role == "answer" and name and looks_like_name(name):
            candidate = name
        yield from close_turn()
        turn = (role, number, [content] if content else [])
    yield from close_turn()
    yield from emit()


def _join(parts: list[str]) -> str:
    return "\n".join(s.strip() for s in parts if s.strip())

"""Question banks: loading the enriched TOML format and the seed's Markdown layout, validating, selecting.

Two formats load into the same ``QuestionBank``:

* the project's enriched TOML (``data/deep_learning.toml``): ``[[question]]``
  tables with id, topic, difficulty, question, reference, key_points (core:
  what the reference states), depth_points (beyond it), model_answer, and a
  follow_up: a ``[question.follow_up]`` table (question, reference, 2-4
  key_points) or, in a custom bank, just the follow-up question as text;
* the seed's Markdown layout: ``### Q<n>. question``, the answer below, ``---``
  between questions. Key points are derived from the reference answer.

Every problem is a ``BankProblem`` (``bank_problems``) that prints as ``file:line: message``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from interviewer.bank_problems import BankError, BankProblem
from interviewer.errors import UserError
from interviewer.questions import TOPICS, Question, derive_key_points

__all__ = ["BankError", "BankProblem", "QuestionBank", "derive_key_points", "chosen_bank_path", "load_bank", "open_bank", "read_bank",
           "validate_bank"]

MARKDOWN_HEADING = re.compile(r"^#{2,4}\s*Q(?P<number>\d+)[.):]?\s*(?P<question>.*?)\s*$")
MARKDOWN_RULE = re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass
class QuestionBank:
    """An ordered set of questions with unique ids."""

    questions: list[Question]
    name: str = ""
    path: Path | None = None
    topics: tuple[str, ...] = TOPICS
    _by_id: dict[str, Question] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {q.id: q for q in self.questions}

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self):
        return iter(self.questions)

    def get(self, question_id: str) -> Question | None:
        """The question with this id (case-insensitive), or None."""
        found = self._by_id.get(question_id)
        if found is None:
            lowered = question_id.lower()
            found = next((q for q in self.questions if q.id.lower() == lowered), None)
        return found

    def used_topics(self) -> list[str]:
        """Topics that have questions, in the bank's topic order."""
        present = {q.topic for q in self.questions}
        ordered = [t for t in self.topics if t in present]
        return ordered + sorted(present - set(ordered))

    def filter(
        self, topics: Iterable[str] = (), difficulties: Iterable[int] = ()
    ) -> list[Question]:
        wanted_topics = {t.lower() for t in topics}
        wanted_levels = set(difficulties)
        return [
            q
            for q in self.questions
            if (not wanted_topics or q.topic.lower() in wanted_topics)
            and (not wanted_levels or q.difficulty in wanted_levels)
        ]

    def select(
        self,
        count: int,
        topics: Iterable[str] = (),
        difficulties: Iterable[int] = (),
        seed: int | None = None,
        order: str = "random",
    ) -> list[Question]:
        """Pick ``count`` questions: ``random`` (reproducible with ``seed``) or ``bank`` order."""
        topics = list(topics)
        unknown = [t for t in topics if t.lower() not in {u.lower() for u in self.used_topics()}]
        if unknown:
            raise UserError(
                f"unknown topic {', '.join(map(repr, unknown))}; "
                f"this bank has: {', '.join(self.used_topics())}"
            )
        pool = self.filter(topics, difficulties)
        if not pool:
            raise UserError("no question matches the chosen topics and difficulty")
        if order == "random":
            pool = random.Random(seed).sample(pool, len(pool))
        return pool[: max(0, count)]


# --------------------------------------------------------------------------- loading


def load_bank(path: Path | str) -> QuestionBank:
    """Load a bank file (``.toml`` or Markdown); raise ``BankError`` on any error."""
    bank, problems = read_bank(Path(path))
    if any(p.is_error for p in problems) or bank is None:
        raise BankError(problems)
    return bank


def validate_bank(path: Path | str) -> list[BankProblem]:
    """Every problem in a bank file (errors and warnings), in file order."""
    _, problems = read_bank(Path(path))
    return problems


def read_bank(path: Path) -> tuple[QuestionBank | None, list[BankProblem]]:
    """Parse a bank; return what could be loaded and every problem found."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [BankProblem(path, 0, "no such file")]
    except IsADirectoryError:
        return None, [BankProblem(path, 0, "is a folder, not a bank file")]
    except OSError as error:
        return None, [BankProblem(path, 0, f"cannot read: {error.strerror or error}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [BankProblem(path, line, f"not UTF-8 text (byte {error.start})")]
    text = text.removeprefix("\ufeff")
    is_toml = path.suffix.lower() == ".toml"
    if not text.strip():
        expected = "[[question]] tables" if is_toml else "'### Q<n>. question' headings"
        return None, [BankProblem(path, 1, f"the file is empty (expected {expected})")]
    if is_toml:
        from interviewer.bank_toml import parse_toml

        questions, topics, name, problems, field_lines = parse_toml(path, text)
    else:
        questions, topics, name, problems = _parse_markdown(path, text)
        field_lines = [{} for _ in questions]
    problems += _check_questions(path, questions, topics, field_lines)
    if not questions and not any(p.is_error for p in problems):
        problems.append(BankProblem(path, 1, "no questions found"))
    problems.sort(key=lambda p: p.line)
    bank = QuestionBank(questions, name=name or path.stem, path=path, topics=topics)
    return bank, problems


def _check_questions(
    path: Path, questions: list[Question], topics: tuple[str, ...], field_lines: list[dict[str, int]]
) -> list[BankProblem]:
    """Problems across questions; each is located at the line of the field at fault."""
    problems: list[BankProblem] = []
    first_line: dict[str, int] = {}
    known_topics = {t.lower() for t in topics}
    for q, lines in zip(questions, field_lines):
        start = _line_of(q)

        def at(key: str) -> int:
            return lines.get(key, start)

        line = at("id")
        if not q.id:
            problems.append(BankProblem(path, line, "question has no id"))
        elif not ID_PATTERN.match(q.id):
            problems.append(BankProblem(path, line, f"id {q.id!r} may use only letters, digits, '.', '_' and '-'"))
        elif q.id.lower() in first_line:
            problems.append(
                BankProblem(path, line, f"duplicate id {q.id!r} (first used on line {first_line[q.id.lower()]})")
            )
        else:
            first_line[q.id.lower()] = line
        if not q.question.strip():
            problems.append(BankProblem(path, at("question"), f"question {q.id!r} has an empty question"))
        if not q.reference.strip():
            problems.append(BankProblem(path, at("reference"), f"question {q.id!r} has an empty reference answer"))
        if q.topic.lower() not in known_topics:
            problems.append(
                BankProblem(path, at("topic"), f"unknown topic {q.topic!r} for {q.id!r}; known: {', '.join(topics)}")
            )
    return problems


def _line_of(question: Question) -> int:
    return int(question.source.rsplit(":", 1)[-1]) if ":" in question.source else 0


# --------------------------------------------------------------------------- Markdown


def _parse_markdown(path: Path, text: str):
    questions: list[Question] = []
    problems: list[BankProblem] = []
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "q"
    current: dict | None = None

    def finish() -> None:
        if current is None:
            return
        reference = "\n".join(current["answer"]).strip()
        questions.append(
            Question(
                id=f"{slug}-q{current['number']}",
                question=current["question"],
                reference=reference,
                topic="general",
                difficulty=2,
                key_points=derive_key_points(reference),
                source=f"{path}:{current['line']}",
            )
        )

    for number, line in enumerate(text.splitlines(), start=1):
        heading = MARKDOWN_HEADING.match(line)
        if heading:
            finish()
            current = {"number": int(heading["number"]), "question": heading["question"], "line": number, "answer": []}
        elif MARKDOWN_RULE.match(line):
            finish()
            current = None
        elif current is not None:
            current["answer"].append(line.rstrip())
        elif line.strip() and not line.lstrip().startswith("#"):
            problems.append(BankProblem(path, number, "text outside a question (expected '### Q<n>. question')", False))
    finish()
    return questions, TOPICS + ("general",), "", problems


def chosen_bank_path(path: Path | str | None = None, settings=None) -> Path:
    """``path`` if given, else ``INTERVIEWER_BANK``, else the shipped bank."""
    from interviewer.resources import default_bank_path

    return Path(path or (settings.bank_path if settings is not None else None) or default_bank_path())


def open_bank(path: Path | str | None = None, settings=None) -> QuestionBank:
    """The bank to use: ``path`` if given, else ``INTERVIEWER_BANK``, else the shipped bank."""
    return load_bank(chosen_bank_path(path, settings))
"""The enriched TOML bank format: ``[[question]]`` tables, their ``[question.follow_up]`` tables, located problems.

A question table holds id, topic, difficulty, question, reference, ``key_points``
(core: what the reference states), ``depth_points`` (what a strong answer adds
beyond it), ``model_answer`` and ``follow_up``. The follow-up is a table with its
own question, reference and 2-4 key points (a ``[question.follow_up]`` sub-table
or an inline table); a custom bank may give just the follow-up question as text.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from interviewer.bank_problems import BankProblem
from interviewer.questions import DIFFICULTIES, TOPICS, FollowUp, Question, derive_key_points

TOML_HEADER = re.compile(r"^\s*\[\[\s*question\s*\]\]\s*(#.*)?$")
FOLLOW_UP_HEADER = re.compile(r"^\s*\[\s*question\s*\.\s*follow_up\s*\]\s*(#.*)?$")
TOML_LINE_IN_ERROR = re.compile(r"line (\d+)")
KNOWN_FIELDS = {
    "id", "topic", "difficulty", "question", "reference", "key_points", "depth_points", "model_answer", "follow_up",
}
FOLLOW_UP_FIELDS = {"question", "reference", "key_points"}
#: The ``format = N`` values this version reads (a bank without one is format 1).
SUPPORTED_FORMATS = (1,)
#: At most this many core points, and this many depth points, are graded per question.
MAX_KEY_POINTS = 5
MAX_DEPTH_POINTS = 4
#: How many key points a follow-up table gives.
FOLLOW_UP_POINTS = (2, 4)
FOLLOW_UP_SHAPE = "a table with 'question', 'reference' and 2-4 'key_points', or the follow-up question as text"

Problem = Callable[..., None]


@dataclass(frozen=True)
class TableLines:
    """Where one ``[[question]]`` table sits in the file, to locate its problems."""

    lines: list[str]
    start: int
    #: The first line past the question's own keys: its follow-up table's header or the next question.
    end: int
    follow_start: int | None = None
    follow_end: int = 0

    def key(self, key: str) -> int:
        """The line of ``key = ...`` among the question's own keys (its header line when absent)."""
        if key == "follow_up" and self.follow_start is not None:
            return self.follow_start
        return key_line(self.lines, key, self.start, self.end)

    def follow_up_key(self, key: str) -> int:
        """The line of ``key`` inside the follow-up table (the table's line when absent)."""
        if self.follow_start is None:
            return self.key("follow_up")
        return key_line(self.lines, key, self.follow_start, self.follow_end)


def key_line(lines: list[str], key: str, start: int, end: int) -> int:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number in range(max(start, 1), min(end, len(lines) + 1)):
        if pattern.match(lines[number - 1]):
            return number
    return start


def parse_toml(path: Path, text: str):
    """Questions, topics, name, problems and each question's field lines from a TOML bank."""
    problems: list[BankProblem] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = TOML_LINE_IN_ERROR.search(str(error))
        line = int(match.group(1)) if match else 1
        return [], TOPICS, "", [BankProblem(path, line, f"TOML syntax error: {error}")], []
    lines = text.splitlines()
    bank_format = data.get("format", 1)
    if isinstance(bank_format, bool) or bank_format not in SUPPORTED_FORMATS:
        supported = ", ".join(map(str, SUPPORTED_FORMATS))
        problems.append(BankProblem(path, key_line(lines, "format", 1, len(lines) + 1),
                                    f"unknown bank format {bank_format!r}; this version reads format {supported}"))
    topics = data.get("topics")  # optional: without it, the topics are the questions' own
    if topics is not None and (not isinstance(topics, list) or not all(isinstance(t, str) and t for t in topics)):
        problems.append(BankProblem(path, key_line(lines, "topics", 1, len(lines) + 1),
                                    "'topics' must be a list of names"))
        topics = list(TOPICS)
    entries = data.get("question", [])
    if not isinstance(entries, list):
        return [], TOPICS, "", problems + [BankProblem(path, 1, "expected [[question]] tables")], []
    questions: list[Question] = []
    field_lines: list[dict[str, int]] = []
    for entry, where in zip(entries, _table_lines(lines, len(entries))):
        question, entry_problems = question_from_table(path, entry, where)
        problems += entry_problems
        questions.append(question)
        field_lines.append({key: where.key(key) for key in KNOWN_FIELDS})
    if topics is None:
        topics = list(dict.fromkeys(q.topic for q in questions))
    topics = tuple(topics) + (("general",) if "general" not in topics else ())
    return questions, topics, str(data.get("name", "")), problems, field_lines


def _table_lines(lines: list[str], count: int) -> list[TableLines]:
    headers = [i + 1 for i, line in enumerate(lines) if TOML_HEADER.match(line)]
    tables = []
    for index in range(count):
        start = headers[index] if index < len(headers) else 1
        end = headers[index + 1] if index + 1 < len(headers) else len(lines) + 1
        follow = next((n for n in range(start + 1, end) if FOLLOW_UP_HEADER.match(lines[n - 1])), None)
        tables.append(TableLines(lines, start, follow or end, follow, end))
    return tables


def question_from_table(path: Path, entry: dict, where: TableLines) -> tuple[Question, list[BankProblem]]:
    problems: list[BankProblem] = []

    def problem(key: str, message: str, is_error: bool = True) -> None:
        problems.append(BankProblem(path, where.key(key), message, is_error))

    def text_field(key: str, required: bool = True) -> str:
        value = entry.get(key, "")
        if not isinstance(value, str):
            problem(key, f"'{key}' must be text")
            return ""
        if required and key not in entry:
            problem(key, f"missing '{key}'")
        return value.strip()

    for key in sorted(set(entry) - KNOWN_FIELDS):
        problem(key, f"unknown field '{key}' (ignored)", False)
    question_id = entry.get("id", "")
    if isinstance(question_id, int):
        question_id = str(question_id)
    if not isinstance(question_id, str):
        problem("id", "'id' must be text")
        question_id = ""
    difficulty = entry.get("difficulty", 2)
    if isinstance(difficulty, bool) or difficulty not in DIFFICULTIES:
        problem("difficulty", f"bad difficulty {difficulty!r}: use 1 (easy), 2 (medium) or 3 (hard)")
        difficulty = 2
    reference = text_field("reference")
    core, depth = _points(entry, problem)
    follow_up, follow_problems = follow_up_from(path, entry.get("follow_up"), where)
    question = Question.with_points(
        core or derive_key_points(reference),
        depth,
        id=question_id.strip(),
        question=text_field("question"),
        reference=reference,
        topic=text_field("topic", required=False) or "general",
        difficulty=difficulty,
        model_answer=text_field("model_answer", required=False),
        follow_up=follow_up,
        source=f"{path}:{where.start}",
    )
    return question, problems + follow_problems


def point_list(table: dict, key: str, problem: Problem, what: str = "") -> list[str]:
    """The texts of a list of points, or [] with a problem when it is not a list of non-empty texts."""
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(k, str) and k.strip() for k in value):
        problem(key, f"{what}'{key}' must be a list of non-empty texts")
        return []
    return [k.strip() for k in value]


def _points(entry: dict, problem: Problem) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The core and depth points of a question table, checked."""
    core = point_list(entry, "key_points", problem)
    depth = point_list(entry, "depth_points", problem)
    if len(core) > MAX_KEY_POINTS:
        problem("key_points", f"{len(core)} key points; at most {MAX_KEY_POINTS} are graded", False)
    if len(depth) > MAX_DEPTH_POINTS:
        problem("depth_points", f"{len(depth)} depth points; at most {MAX_DEPTH_POINTS} are graded", False)
    if depth and not core:
        problem(
            "depth_points",
            "'depth_points' without 'key_points': the core points are derived from the reference; "
            "key_points are what the reference states, depth_points what a strong answer adds beyond it",
            False,
        )
    known = {p.lower() for p in core}
    for point in depth:
        if point.lower() in known:
            problem("depth_points", f"depth point {point!r} repeats a key point (a depth point goes beyond the reference)", False)
    return tuple(core[:MAX_KEY_POINTS]), tuple(p for p in depth[:MAX_DEPTH_POINTS] if p.lower() not in known)


def follow_up_from(path: Path, value, where: TableLines) -> tuple[FollowUp | None, list[BankProblem]]:
    """The follow-up of a question table: a table, a plain question text, or none."""
    if value is None:
        return None, []
    if isinstance(value, str):
        return (FollowUp(value.strip()) if value.strip() else None), []
    if not isinstance(value, dict):
        return None, [BankProblem(path, where.key("follow_up"), f"'follow_up' must be {FOLLOW_UP_SHAPE}")]
    problems: list[BankProblem] = []

    def problem(key: str, message: str, is_error: bool = True) -> None:
        problems.append(BankProblem(path, where.follow_up_key(key), message, is_error))

    for key in sorted(set(value) - FOLLOW_UP_FIELDS):
        problem(key, f"unknown follow-up field '{key}' (ignored)", False)
    texts = {}
    for key in ("question", "reference"):
        text = value.get(key, "")
        if not isinstance(text, str):
            problem(key, f"the follow-up's '{key}' must be text")
            text = ""
        elif not text.strip():
            problem(key, f"the follow-up table has no '{key}' ({FOLLOW_UP_SHAPE})")
        texts[key] = text.strip()
    points = point_list(value, "key_points", problem, "the follow-up's ")
    low, high = FOLLOW_UP_POINTS
    if "key_points" not in value:
        problem("key_points", f"the follow-up table has no 'key_points': give {low}-{high}, the points a good answer to it makes")
    elif points and not low <= len(points) <= high:
        problem("key_points", f"the follow-up has {len(points)} key points; give {low} to {high}")
    return FollowUp(texts["question"], texts["reference"], tuple(points[:high])), problems

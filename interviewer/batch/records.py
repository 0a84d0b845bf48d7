"""One line of a batch output file: an answer's ``AnswerRecord`` with where it came from, or why a part of the input could not be read.

Every line has a ``key`` (the input item's stable key; a resumed run skips keys already
written) and an ``input`` location (``file:line``). A record is written once, when it is
final: graded, or failed for good (no score, and the grade's ``error`` or the record's says why).
``read_output`` reads every version back (see ``interviewer.answer_record``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from interviewer.answer_record import RECORD_VERSION, UNMATCHED_ERROR, AnswerRecord, RecordError
from interviewer.batch.items import InputItem, InputProblem
from interviewer.batch.matching import Match
from interviewer.grading.interface import Grade, GradingItem
from interviewer.safe_text import without_credentials
from interviewer.text.delivery import DeliveryReport

__all__ = ["ANSWER", "INPUT_ERROR", "NO_REFERENCE_NOTE", "UNMATCHED_ERROR", "ProblemRecord", "answer_record", "problem_record",
           "dumps", "delivery_metrics", "read_output", "record_from_dict"]

#: The flag of an answer whose question matched nothing in the bank, graded without a reference.
NO_REFERENCE_NOTE = "graded without a reference answer"
#: ``kind`` of a line: an answer (graded or not), or a part of the input that could not be read.
ANSWER, INPUT_ERROR = "answer", "input-error"


@dataclass(frozen=True)
class ProblemRecord:
    """A line or file of the input that could not be read."""

    key: str
    input: str
    error: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "error", without_credentials(self.error))  # no URL password, no key

    @property
    def failure(self) -> str:
        """Why this part of the input has no grade (as ``AnswerRecord.failure``)."""
        return self.error

    def to_dict(self) -> dict[str, Any]:
        return {"v": RECORD_VERSION, "kind": INPUT_ERROR, "key": self.key, "input": self.input, "error": self.error}


OutputRecord = AnswerRecord | ProblemRecord


def answer_record(
    item: InputItem,
    match: Match,
    grading: GradingItem | None,
    grade: Grade | None,
    *,
    delivery: DeliveryReport | None = None,
    error: str | None = None,
    attempts: int | None = None,
    extra_flags: tuple[str, ...] = (),
) -> AnswerRecord:
    """The record for one answer: ``grade`` None means it was not graded (``error`` says why)."""
    reference = "none"
    if grading is not None and grading.has_reference:
        reference = "input" if item.reference else "bank"
    if grade is not None and extra_flags:
        grade = grade.with_flags(*extra_flags)
    return AnswerRecord(
        question=item.question or (grading.question if grading is not None else ""),
        answer=item.answer,
        question_id=grading.question_id if grading is not None else item.question_id,
        topic=grading.topic if grading is not None else item.topic,
        grade=grade,
        error=(error or "not graded") if grade is None else None,
        delivery=delivery,
        hints=item.hinted_points,
        follow_up_of=item.follow_up_of,
        candidate=item.candidate or "",
        key=item.key,
        input=item.location,
        item_id=item.item_id,
        match={**match.to_dict(), "reference": reference},
        attempts=attempts,
        spoken=_measured(item),
        audio=item.audio,
    )


def _measured(item: InputItem):
    """Delivery measured from the audio of a spoken answer; None for a typed one."""
    if item.spoken is None:
        return None
    from interviewer.voice.measured import measure_delivery

    return measure_delivery(item.spoken, item.answer)


def problem_record(problem: InputProblem) -> ProblemRecord:
    """The record for a line or file that could not be read."""
    return ProblemRecord(problem.key, problem.location, problem.message)


def dumps(record: OutputRecord) -> str:
    """The record as one output line (with its newline)."""
    data = record.to_dict()
    if isinstance(record, AnswerRecord):
        data = {"kind": ANSWER, **data}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def record_from_dict(data: dict[str, Any]) -> OutputRecord:
    """An output line of any version as its record. Raises RecordError."""
    if data.get("kind") == INPUT_ERROR:
        return ProblemRecord(str(data.get("key") or ""), str(data.get("input") or ""), str(data.get("error") or ""))
    return AnswerRecord.from_dict(data)


def read_output(path: Path | str) -> Iterator[OutputRecord]:
    """The records of an output file, each key once, unreadable lines skipped. The one kept is a
    key's first graded record, else its last (a rerun appends a new record for an answer that
    failed for a passing cause: its grade, or the newest reason it failed)."""
    chosen: dict[str, tuple[int, bool]] = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle):
            key, graded = _key_of(line)
            if key is not None and not chosen.get(key, (0, False))[1]:
                chosen[key] = (number, graded)
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle):
            try:
                data = json.loads(line)
                record = record_from_dict(data) if isinstance(data, dict) else None
            except (ValueError, RecordError):
                continue
            if record is None or (record.key is not None and chosen.get(record.key, (None,))[0] != number):
                continue
            yield record


def _key_of(line: str) -> tuple[str | None, bool]:
    """A line's key and whether it holds a grade (any record version)."""
    try:
        data = json.loads(line)
    except ValueError:
        return None, False
    key = data.get("key") if isinstance(data, dict) else None
    if not isinstance(key, str):
        return None, False
    grade = data.get("grade") if data.get("v", 1) != 1 else data
    return key, isinstance(grade, dict) and grade.get("score") is not None


def delivery_metrics(item: InputItem) -> DeliveryReport | None:
    """How the answer was said (length, fillers, pace), or None if that cannot be measured."""
    from interviewer.text.delivery import analyse_delivery

    try:
        return analyse_delivery(item.answer, item.question)
    except Exception:  # coaching extras never stop a batch
        return None

"""One line of a batch output file: an answer's grade with where it came from, or why it has none.

Every record has a ``key`` (the input item's stable key; a resumed run skips keys already
written) and an ``input`` location (``file:line``). A record is written once, when it is
final: graded, or failed for good (``score`` null and ``error`` set).
"""

from __future__ import annotations

import json
from typing import Any

from interviewer.batch.items import InputItem, InputProblem
from interviewer.batch.matching import Match
from interviewer.grading.interface import CRITERIA, Grade, GradingItem, score_band

RECORD_VERSION = 1
UNMATCHED_ERROR = "unmatched question"
#: ``kind`` of a record: an answer (graded or not), or a part of the input that could not be read.
ANSWER, INPUT_ERROR = "answer", "input-error"


def answer_record(
    item: InputItem,
    match: Match,
    grading: GradingItem | None,
    grade: Grade | None,
    *,
    delivery: dict[str, Any] | None = None,
    error: str | None = None,
    attempts: int | None = None,
    extra_flags: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The record for one answer: ``grade`` None means it was not graded (``error`` says why)."""
    reference = "none"
    if grading is not None and grading.has_reference:
        reference = "input" if item.reference else "bank"
    record: dict[str, Any] = {
        "v": RECORD_VERSION,
        "kind": ANSWER,
        "key": item.key,
        "input": item.location,
        "id": item.item_id,
        "candidate": item.candidate,
        "question_id": grading.question_id if grading is not None else item.question_id,
        "topic": grading.topic if grading is not None else item.topic,
        "question": item.question or (grading.question if grading is not None else ""),
        "match": {**match.to_dict(), "reference": reference},
    }
    if item.follow_up_of:
        record["follow_up_of"] = item.follow_up_of
    if grade is None:
        record.update(score=None, band=score_band(None), criteria={}, feedback="", key_points=[],
                      flags=list(extra_flags), notes=[], grader=None, model=None, prompt_hash=None,
                      tokens=None, cost_usd=None, error=error or "not graded")
    else:
        usage = grade.usage
        record.update(
            score=grade.score,
            band=grade.band,
            criteria={name: grade.criteria[name] for name in CRITERIA if name in grade.criteria},
            feedback=grade.feedback,
            key_points=[{"point": k.point, "verdict": k.verdict, "evidence": k.evidence} for k in grade.key_points],
            flags=list(dict.fromkeys((*grade.flags, *extra_flags))),
            notes=list(grade.notes),
            grader=f"{grade.grader}/{grade.grader_version}",
            model=grade.model,
            prompt_hash=grade.prompt_hash,
            tokens=None if usage is None else {
                "prompt": usage.prompt_tokens, "completion": usage.completion_tokens, "total": usage.total_tokens
            },
            cost_usd=None if grade.cost_usd is None else round(grade.cost_usd, 8),
            error=grade.error if grade.failed else None,
        )
        if grade.cached:
            record["cached"] = True
    record["delivery"] = delivery
    if attempts is not None:
        record["attempts"] = attempts
    return record


def problem_record(problem: InputProblem) -> dict[str, Any]:
    """The record for a line or file that could not be read."""
    return {
        "v": RECORD_VERSION,
        "kind": INPUT_ERROR,
        "key": problem.key,
        "input": problem.location,
        "candidate": None,
        "question_id": None,
        "topic": None,
        "score": None,
        "error": problem.message,
    }


def dumps(record: dict[str, Any]) -> str:
    """The record as one JSON line (with its newline)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def delivery_metrics(item: InputItem) -> dict[str, Any] | None:
    """How the answer was said (length, fillers, pace), or None if that cannot be measured."""
    try:
        from interviewer.text.delivery import analyse_delivery
    except ImportError:  # pragma: no cover - delivery ships with the package
        return None
    try:
        report = analyse_delivery(item.answer, item.question)
    except Exception:  # coaching extras never stop a batch
        return None
    return report.to_dict()

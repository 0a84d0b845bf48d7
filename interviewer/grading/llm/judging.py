"""The judge step: a model's reply becomes a ``Grade`` here, for every path, and the code-side checks run here.

Live grading (``grader.LLMGrader``), the Batch API (``batch.batch_api``) and the batch
answer checks (``batch.answer_checks``) all go through these functions, so a grade means
the same whichever way it was made:

* ``judge(item, reply, origin)``: refusals, content filters, cut-off replies and the
  reply's JSON (``judge.validate_judgement``) -> a ``Judged``: a grade, or a failed grade
  with the problems a repair request should name;
* ``check_grade(item, grade, offline_score)``: what code, not the model, says about an
  answer and its grade: injection flags on the answer and on the earlier answer a
  follow-up builds on, a score the checklist does not support, the offline cross-check,
  and the "hint used" note;
* ``cross_check(grade, offline_score)``: the part of ``check_grade`` that needs the offline
  score (the batch computes it in a helper process and applies it there).

Pure: no ``openai``, no network.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from interviewer.grading.interface import VERDICT_CREDIT, Grade, GradingItem, KeyPointResult, failed_grade
from interviewer.grading.llm.chat import ChatReply

GRADER_NAME = "llm"
GRADER_VERSION = "llm-1"
HINT_NOTE = "hint used"
#: A score this far above what the checklist supports is flagged for review.
CHECKLIST_SLACK = 4.5


@dataclass(frozen=True)
class GradeOrigin:
    """Who made a grade: stored with it."""

    model: str | None
    prompt_hash: str | None
    grader: str = GRADER_NAME
    version: str = GRADER_VERSION

    def failed(self, error: str, **extra) -> Grade:
        return failed_grade(self.grader, self.version, error, model=self.model, prompt_hash=self.prompt_hash, **extra)


@dataclass(frozen=True)
class Judged:
    """What one reply gave: a grade (failed when unusable), and what a repair request should name."""

    grade: Grade
    problems: tuple[str, ...] = ()

    @property
    def needs_repair(self) -> bool:
        """The reply was unusable in a way a second request can fix (not a refusal or a filter)."""
        return self.grade.failed and bool(self.problems)


def judge(item: GradingItem, reply: ChatReply, origin: GradeOrigin, *, repaired: bool = False) -> Judged:
    """The grade in ``reply`` to ``item``, checked in code; never invents a score.

    ``repaired``: ``reply`` answers a repair request (a failure then says so)."""
    from interviewer.grading.llm.judge import extract_json_object, validate_judgement

    if reply.refusal:
        return Judged(origin.failed(f"the model refused to grade this answer: {reply.refusal.strip()}"))
    if reply.finish_reason == "content_filter":
        return Judged(origin.failed("the server's content filter stopped the grade"))
    if reply.finish_reason == "length":
        problem = ("the reply was cut off at the output limit: reply with only the JSON, "
                   "evidence a few words, feedback 2-4 sentences")
        again = ", even after one repair request" if repaired else ""
        return Judged(origin.failed(f"the model's reply was cut off at its output limit{again}; "
                                    "raise INTERVIEWER_MAX_OUTPUT_TOKENS"), (problem,))
    judgement, problems = validate_judgement(extract_json_object(reply.text), item)
    if judgement is None:
        again = ", even after one repair request" if repaired else ""
        return Judged(origin.failed(f"the model's reply was not a valid grade{again}: " + "; ".join(problems)),
                      tuple(problems))
    return Judged(Grade(
        score=judgement.score,
        feedback=judgement.feedback,
        grader=origin.grader,
        grader_version=origin.version,
        criteria=judgement.criteria,
        key_points=judgement.key_points,
        model=origin.model,
        prompt_hash=origin.prompt_hash,
    ))


def checklist_flag(score: float, key_points: tuple[KeyPointResult, ...]) -> str | None:
    """A flag when the score is far above what the judge's own checklist supports."""
    if not key_points:
        return None
    covered = sum(VERDICT_CREDIT.get(k.verdict, 0.0) for k in key_points)
    supported = 10.0 * covered / len(key_points)
    if score > supported + CHECKLIST_SLACK:
        return (
            f"score {score:g} does not follow from the checklist "
            f"({covered:g} of {len(key_points)} key points covered); review this grade"
        )
    return None


def answer_flags(item: GradingItem) -> tuple[str, ...]:
    """What the deterministic checks find in the answer and in the earlier answer it builds on."""
    from interviewer.grading.injection import earlier_answer_flags, find_injection_flags

    return tuple(dict.fromkeys((*find_injection_flags(item.answer), *earlier_answer_flags(item))))


def cross_check(grade: Grade, offline_score: float | None) -> Grade:
    """The offline cross-check: a flag when the LLM's score is far above the offline grader's."""
    if grade.failed or offline_score is None:
        return grade
    from interviewer.grading.injection import score_divergence_flag

    flag = score_divergence_flag(grade.score, offline_score)
    return grade.with_flags(flag) if flag else grade


def check_grade(item: GradingItem, grade: Grade, offline_score: float | None = None) -> Grade:
    """Every code-side check on one grade (``offline_score``: the offline grader's, when known)."""
    grade = grade.with_flags(*answer_flags(item))
    if not grade.failed:
        flag = checklist_flag(grade.score, grade.key_points)
        if flag:
            grade = grade.with_flags(flag)
        grade = cross_check(grade, offline_score)
    return grade.with_notes(HINT_NOTE) if item.hinted_points else grade


def without_item_notes(grade: Grade) -> Grade:
    """The grade as the cache keeps it: notes that belong to this one answer (a hint) removed."""
    return replace(grade, notes=tuple(note for note in grade.notes if note != HINT_NOTE))

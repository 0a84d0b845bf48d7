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
  score (the batch computes it in a helper process and applies it there), including
  ``hold_down``: an answer that addresses the grader is marked ``needs review`` and scored
  the lower of the LLM's and the offline grader's score.

Pure: no ``openai``, no network.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from interviewer.grading.interface import NOT_JUDGED, VERDICT_CREDIT, Grade, GradingItem, KeyPointResult, failed_grade
from interviewer.grading.llm.chat import ChatReply

GRADER_NAME = "llm"
GRADER_VERSION = "llm-1"
HINT_NOTE = "hint used"
#: The note that says how the server was asked for JSON ("output mode: json_object_schema").
MODE_NOTE = "output mode: "
#: Grades of answers that address the grader carry this flag (and are listed apart in summaries).
NEEDS_REVIEW = "needs review"
#: Flags that mean the answer speaks to the grader (or hides words for it): its LLM score is held down.
HOLD_DOWN_PREFIXES = ("addresses the grader", "hidden text")
EARLIER_PREFIX = "earlier answer: "
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
    from interviewer.grading.llm.judge import PARTIAL_REPLY, extract_json_object, validate_judgement

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
    judgement, problems = validate_judgement(extract_json_object(reply.text), item, reply.text)
    if judgement is None:
        again = ", even after one repair request" if repaired else ""
        return Judged(origin.failed(f"the model's reply was not a valid grade{again}: " + "; ".join(problems)),
                      tuple(problems))
    grade = Grade(
        score=judgement.score,
        feedback=judgement.feedback,
        grader=origin.grader,
        grader_version=origin.version,
        criteria=judgement.criteria,
        key_points=judgement.key_points,
        model=origin.model,
        prompt_hash=origin.prompt_hash,
        notes=(f"{MODE_NOTE}{reply.output_mode}", *judgement.notes),
    )
    if judgement.partial:
        grade = grade.with_flags(f"{PARTIAL_REPLY}: " + "; ".join(judgement.partial))
    return Judged(grade)


def checklist_flag(score: float, key_points: tuple[KeyPointResult, ...]) -> str | None:
    """A flag when the score is far above what the judge's own checklist supports."""
    key_points = tuple(k for k in key_points if k.verdict != NOT_JUDGED)
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


def addresses_the_grader(grade: Grade) -> bool:
    """Whether the deterministic checks found the answer (or the earlier one) speaking to the grader."""
    return any(flag.removeprefix(EARLIER_PREFIX).startswith(HOLD_DOWN_PREFIXES) for flag in grade.flags)


def hold_down(grade: Grade, offline_score: float | None) -> Grade:
    """An answer that addresses the grader: its LLM score is not trusted. The grade needs review and
    its score is the lower of the LLM's and the offline grader's (the LLM's stands, still marked for
    review, when there is no offline score, e.g. without a reference answer)."""
    if grade.failed or not addresses_the_grader(grade):
        return grade
    flags = tuple(flag for flag in grade.flags if not flag.startswith(NEEDS_REVIEW))
    if offline_score is None and len(flags) < len(grade.flags):
        return grade  # already reviewed (a cached grade, or checked again)
    if offline_score is None:
        why = f"{NEEDS_REVIEW}: the answer addresses the grader; its LLM score {grade.score:g} is not trusted"
        return replace(grade, flags=(*flags, why + " (no offline score to hold it down)"))
    score = min(grade.score, round(offline_score, 1))
    why = (f"{NEEDS_REVIEW}: the answer addresses the grader; score is the lower of the LLM's "
           f"({grade.score:g}) and the offline grader's ({offline_score:.1f})")
    return replace(grade, score=score, flags=(*flags, why))


def cross_check(grade: Grade, offline_score: float | None) -> Grade:
    """The offline cross-check: a flag when the LLM's score is far above the offline grader's, and
    an answer that addresses the grader held down to the lower score (``hold_down``)."""
    if grade.failed:
        return grade
    if offline_score is not None:
        from interviewer.grading.injection import score_divergence_flag

        flag = score_divergence_flag(grade.score, offline_score)
        grade = grade.with_flags(flag) if flag else grade
    return hold_down(grade, offline_score)


def check_grade(item: GradingItem, grade: Grade, offline_score: float | None = None) -> Grade:
    """Every code-side check on one grade (``offline_score``: the offline grader's, when known)."""
    grade = grade.with_flags(*answer_flags(item))
    if not grade.failed:
        flag = checklist_flag(grade.score, grade.key_points)
        if flag:
            grade = grade.with_flags(flag)
        grade = cross_check(grade, offline_score)
    return grade.with_notes(HINT_NOTE) if item.hinted_points else grade


#: Samples of one grade further apart than this (max - min) are flagged.
INCONSISTENT_SPREAD = 2.0
INCONSISTENT = "inconsistent"


def combine_samples(grades: list[Grade]) -> Grade:
    """Several judge calls on one answer as one grade: the median sample (its feedback and
    checklist), the spread beside it in a note, flagged ``inconsistent`` above 2 points. Failed
    samples are left out (and noted); all failed: the first failure."""
    import statistics

    good = [g for g in grades if not g.failed]
    if not good:
        return grades[0]
    scores = [g.score for g in good]
    median = statistics.median_low(scores)
    chosen = next(g for g in good if g.score == median)
    spread = round(max(scores) - min(scores), 1)
    usage = None
    for grade in grades:
        if grade.usage is not None:
            usage = grade.usage if usage is None else usage + grade.usage
    costs = [g.cost_usd for g in grades if g.cost_usd is not None]
    shown = ", ".join(f"{s:g}" for s in scores)
    notes = [f"samples: {len(good)}, scores {shown}, median {median:g}, spread {spread:g}"]
    if len(good) < len(grades):
        notes.append(f"{len(grades) - len(good)} of {len(grades)} samples failed: {grades[0].error or 'see log'}"
                     if grades[0].failed else f"{len(grades) - len(good)} of {len(grades)} samples failed")
    combined = replace(chosen, usage=usage, cost_usd=sum(costs) if costs else None).with_notes(*notes)
    if spread > INCONSISTENT_SPREAD:
        combined = combined.with_flags(f"{INCONSISTENT}: {len(good)} judge calls spread {spread:g} points "
                                       f"({min(scores):g}-{max(scores):g}); review this grade")
    return combined


def without_item_notes(grade: Grade) -> Grade:
    """The grade as the cache keeps it: notes that belong to this one answer (a hint) removed."""
    return replace(grade, notes=tuple(note for note in grade.notes if note != HINT_NOTE))

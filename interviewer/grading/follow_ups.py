"""The one builder of the item a follow-up answer is graded, hinted and reviewed against.

The session (TUI), ``interviewer grade`` re-grading a transcript and the Batch API path
all build a follow-up's ``GradingItem`` here, so the same answer gets the same grade
wherever it is graded. A follow-up from the bank is a question of its own: its answer is
judged on the follow-up's reference and key points, with the first exchange as context.
Any other follow-up (one an LLM made up, or a bank's follow-up given as text alone) is
graded in context against nothing of the parent question's: the parent's key points are
what the first answer was judged on, not what the follow-up asks.
"""

from __future__ import annotations

import re

from interviewer.grading.interface import FollowUpContext, GradingItem
from interviewer.questions import FollowUp, Question

_SPACES = re.compile(r"\s+")


def _same_question(one: str, other: str) -> bool:
    return _SPACES.sub(" ", one).strip().casefold() == _SPACES.sub(" ", other).strip().casefold()


def bank_follow_up(parent: Question | None, asked: str) -> FollowUp | None:
    """The parent's bank follow-up when ``asked`` is it (spacing and case aside), else None."""
    follow_up = parent.follow_up if parent is not None else None
    if follow_up and (not asked.strip() or _same_question(follow_up.question, asked)):
        return follow_up
    return None


def follow_up_item(
    parent: Question | None,
    asked: str,
    *,
    first_question: str = "",
    first_answer: str = "",
    answer: str = "",
    hinted_points: tuple[str, ...] = (),
    question_id: str | None = None,
    topic: str | None = None,
) -> GradingItem:
    """The item for the answer to the follow-up ``asked`` after ``parent`` was answered ``first_answer``.

    ``first_question`` defaults to the parent's question. A follow-up is stored under its
    main question: the item carries the parent's id (``question_id`` when there is no
    parent) and ``topic``, else the parent's.
    """
    own = bank_follow_up(parent, asked)
    asked = asked.strip() or (own.question if own else "")
    first_question = first_question or (parent.question if parent is not None else "")
    return GradingItem(
        question=asked,
        answer=answer,
        reference=own.reference if own else "",
        key_points=own.key_points if own else (),
        question_id=parent.id if parent is not None else question_id,
        topic=topic or (parent.topic if parent is not None else None),
        context=FollowUpContext(question=first_question, answer=first_answer, follow_up=asked),
        hinted_points=hinted_points,
    )

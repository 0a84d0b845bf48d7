"""Counts and averages of answers, made in one place for the summary, its export, the history, review and stats.

Anything with ``score`` (None when not graded), ``skipped`` and ``follow_up_of`` can be
tallied: a summary row, a history attempt. A follow-up is counted as a follow-up, never as a
question; the average is over graded answers (follow-ups included), and beside it the average
that counts each skipped question as 0, so skipping never silently flatters the figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol


class Tallied(Protocol):
    @property
    def score(self) -> float | None: ...

    @property
    def skipped(self) -> bool: ...

    @property
    def follow_up_of(self) -> str | None: ...


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class Tally:
    #: Main questions answered, skipped or left ungraded (follow-ups not included).
    questions: int = 0
    #: Follow-up answers.
    follow_ups: int = 0
    #: Answers with a score, follow-ups included.
    graded: int = 0
    skipped: int = 0
    #: Answers the grader could not grade (not skipped, no score).
    failed: int = 0
    #: Over graded answers, follow-ups included; None when nothing was graded.
    average: float | None = None
    #: The same with each skipped answer counted as 0; None when nothing was graded or skipped.
    average_with_skipped: float | None = None

    @property
    def answers(self) -> int:
        return self.questions + self.follow_ups

    def counts(self) -> str:
        """``4 questions + 1 follow-up · 4 graded · 1 skipped``: the one wording of the counts."""
        asked = _plural(self.questions, "question")
        if self.follow_ups:
            asked += f" + {_plural(self.follow_ups, 'follow-up')}"
        parts = [asked, f"{self.graded} graded"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.failed:
            parts.append(f"{self.failed} not graded")
        return " · ".join(parts)

    def skipped_note(self) -> str:
        """``5.1 counting the 1 skipped as 0``, or nothing when nothing was skipped."""
        if not self.skipped or self.average_with_skipped is None or self.average is None:
            return ""
        return f"{self.average_with_skipped:.1f} counting the {self.skipped} skipped as 0"


def tally(entries: Iterable[Tallied]) -> Tally:
    scores: list[float] = []
    questions = follow_ups = skipped = failed = 0
    for entry in entries:
        if entry.follow_up_of:
            follow_ups += 1
        else:
            questions += 1
        if entry.score is not None:
            scores.append(entry.score)
        elif entry.skipped:
            skipped += 1
        else:
            failed += 1
    return Tally(
        questions=questions,
        follow_ups=follow_ups,
        graded=len(scores),
        skipped=skipped,
        failed=failed,
        average=mean(scores),
        average_with_skipped=mean(scores + [0.0] * skipped),
    )

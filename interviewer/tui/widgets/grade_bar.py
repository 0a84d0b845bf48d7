"""The grade bar: the score, band and criteria pinned below the conversation, or what to do next."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from interviewer.grading.interface import Grade
from interviewer.tui.widgets.feedback import criteria_line, grade_headline, key_point_tally


class GradeBar(Static):
    """Shown after an answer (graded, failed, or timed out empty), hidden while answering."""

    def show(self, state: str, grade: Grade | None, delta: float | None = None) -> None:
        if state == "feedback" and grade is not None and not grade.failed:
            tally = key_point_tally(grade)
            first = Content.assemble(grade_headline(grade, delta), (f"  {tally}" if tally else "", "$text-muted"))
            self.update(Content("\n").join([first, criteria_line(grade)]) if grade.criteria else first)
        elif state == "failed":
            self.update(Content.styled("✗ Not graded yet: r retry · o grade offline · your answer is kept", "bold $text-error"))
        elif state == "expired":
            self.update(Content.styled("Time's up — nothing was typed. Press n for the next question.", "bold $text-warning"))
        else:
            self.update("")
        self.display = state in ("feedback", "failed", "expired")

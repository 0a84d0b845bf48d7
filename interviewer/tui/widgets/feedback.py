"""The feedback panel: streamed feedback while grading, then the score, how sure it is, criteria, key points
(with the candidate's own marks), flags, delivery, and on request the reference and the model answer."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from interviewer.text.delivery import DeliveryReport
from interviewer.grading.interface import CRITERIA, Confidence, Grade
from interviewer.tui.widgets.score_chart import score_style

#: A criterion this far from the score gets a note saying why they differ.
CRITERIA_GAP = 1.5

MARKS = {"covered": ("✓", "$text-success"), "partial": ("~", "$text-warning"), "missed": ("✗", "$text-error"),
         "contradicted": ("✗", "$text-error")}
CONFIDENCE_STYLES = {"low": "$text-warning", "medium": "$text-muted", "high": "$text-success"}


class FeedbackPanel(Static):
    """What the interviewer thinks of one answer. Data down: the screen calls its methods."""

    def __init__(self, reference: str = "", model_answer: str = "", **kwargs):
        super().__init__("", **kwargs)
        self.reference = reference
        self.model_answer = model_answer
        self.show_model_answer = False
        #: The candidate's own verdicts: point -> "covered" | "missed" (the grade's stay as they are).
        self.self_marks: dict[str, str] = {}
        self.streamed = ""
        self.grade: Grade | None = None
        self.delivery: DeliveryReport | None = None
        #: Delivery measured from the audio of a spoken answer (``voice.measured.MeasuredDelivery``).
        self.spoken = None
        self.show_reference = False
        self.status = "Grading your answer…"
        #: The change from the previous attempt (a retry).
        self.delta: float | None = None

    def on_mount(self) -> None:
        self.update(self.build())

    def add_feedback(self, delta: str) -> None:
        """More feedback text, as it streams in."""
        self.streamed += delta
        self.update(self.build())

    def set_status(self, status: str) -> None:
        self.status = status
        self.update(self.build())

    def show_grade(self, grade: Grade, delivery: DeliveryReport | None = None, delta: float | None = None) -> None:
        self.grade, self.delivery, self.status, self.delta = grade, delivery, "", delta
        self.set_class(grade.failed, "-failed")
        self.update(self.build())

    def toggle_reference(self) -> bool:
        self.show_reference = not self.show_reference
        self.update(self.build())
        return self.show_reference

    def toggle_model_answer(self) -> bool:
        self.show_model_answer = not self.show_model_answer
        self.update(self.build())
        return self.show_model_answer

    def set_self_marks(self, marks: dict[str, str]) -> None:
        self.self_marks = dict(marks)
        self.update(self.build())

    # -- rendering ---------------------------------------------------------------------------

    def build(self) -> Content:
        grade = self.grade
        parts: list[Content] = []
        if grade is None:
            parts.append(Content.styled(self.status, "italic $text-muted"))
            if self.streamed.strip():
                parts.append(Content(self.streamed.strip()))
        elif grade.failed:
            parts += self._failure(grade)
        else:
            parts += self._graded(grade)
        if self.show_reference:
            parts.append(Content.styled("Reference answer", "bold $text-accent"))
            parts.append(Content(self.reference.strip() or "(this question has no reference answer)"))
        if self.show_model_answer:
            parts.append(Content.styled("Model answer (a strong spoken answer)", "bold $text-accent"))
            parts.append(Content(self.model_answer.strip() or "(this question has no model answer)"))
        return Content("\n").join(parts)

    def _key_point_line(self, number: int, point: str, verdict: str) -> Content:
        mark, style = MARKS.get(verdict, ("?", "$text-muted"))
        label = f"{number}. " if number <= 9 else "   "
        line = Content.assemble((f" {mark} ", f"bold {style}"), (label, "$text-muted"), point)
        own = self.self_marks.get(point)
        if own is None:
            return line
        own_mark, own_style = MARKS[own]
        return Content.assemble(line, ("  · you: ", "$text-muted"), (f"{own_mark} {own}", f"bold {own_style}"))

    def _failure(self, grade: Grade) -> list[Content]:
        lines = [Content.assemble(("✗ Could not grade this answer: ", "bold $text-error"), grade.error or "unknown error")]
        when = f" (the server asked to wait {grade.retry_after_s:.0f} s)" if grade.retry_after_s else ""
        advice = "It may work if you retry" + when + "." if grade.retryable else "Retrying may not help."
        lines.append(Content(f"Your answer is kept. {advice} Press r to retry or o to grade it offline."))
        return lines

    def _graded(self, grade: Grade) -> list[Content]:
        who = f"LLM {grade.model}" if grade.grader == "llm" and grade.model else f"{grade.grader} grader"
        lines = [Content.assemble(grade_headline(grade, self.delta), (f"   {who}{' (cached)' if grade.cached else ''}", "$text-muted"))]
        if grade.confidence is not None:
            lines.append(confidence_line(grade.confidence))
        if grade.criteria:
            lines.append(criteria_line(grade))
            if criteria_differ(grade):
                lines.append(Content.styled(criteria_note(grade), "$text-muted"))
        for number, result in enumerate(grade.key_points, 1):
            lines.append(self._key_point_line(number, result.point, result.verdict))
        feedback = grade.feedback.strip() or self.streamed.strip()
        if feedback:
            lines.append(Content(feedback))
        for flag in grade.flags:
            lines.append(Content.assemble(("⚠ Check this grade: ", "bold $text-warning"), flag))
        if grade.notes:
            lines.append(Content.styled("Notes: " + "; ".join(grade.notes), "$text-muted"))
        if grade.usage is not None or grade.cost_usd is not None:
            usage = f"{grade.usage.total_tokens:,} tokens" if grade.usage else ""
            cost = f"${grade.cost_usd:.4f}" if grade.cost_usd is not None else ""
            lines.append(Content.styled(" · ".join(p for p in (usage, cost) if p), "$text-muted"))
        if self.delivery is not None:
            lines.append(
                Content.assemble(("Delivery", "bold"), (" (not part of the score): ", "$text-muted"), self.delivery.headline())
            )
            lines += [Content(f"  • {tip}") for tip in self.delivery.tips]
        if self.spoken is not None:
            lines.append(
                Content.assemble(("Spoken", "bold"), (" (measured from your recording): ", "$text-muted"),
                                 self.spoken.headline())
            )
            lines += [Content(f"  • {tip}") for tip in self.spoken.tips()]
        return lines


CRITERIA_NOTE = "the criteria describe the answer and are not averaged into it."


def criteria_note(grade: Grade) -> str:
    """What the score follows, by grader: the offline score also weighs how much of the question's
    correct answers the answer says (``grading.offline.scoring``)."""
    if grade.grader == "offline":
        return "The score follows the key points and how much of the correct answers you said; " + CRITERIA_NOTE
    return "The score follows the key points covered; " + CRITERIA_NOTE


def grade_headline(grade: Grade, delta: float | None = None) -> Content:
    """``7.2/10 · good`` and, on a retry, the change from the last attempt."""
    style = f"bold {score_style(grade.score)}"
    pieces: list[tuple[str, str] | str] = [(f"{grade.score:.1f}/10", style), (f" · {grade.band}", style)]
    if delta is not None:
        pieces.append((f"  {'+' if delta >= 0 else ''}{delta:.1f} from the last attempt", "bold"))
    return Content.assemble(*pieces)


def confidence_line(confidence: Confidence) -> Content:
    """What an offline grade is and how sure it is: ``An estimate from the reference's wording · confidence low: ...``."""
    return Content.assemble(
        ("An estimate from the reference's wording · ", "$text-muted"),
        (f"confidence {confidence.level}", f"bold {CONFIDENCE_STYLES.get(confidence.level, '')}"),
        (f": {confidence.reason}", "$text-muted"),
    )


def criteria_line(grade: Grade) -> Content:
    names = [c for c in CRITERIA if c in grade.criteria] + [c for c in grade.criteria if c not in CRITERIA]
    return Content.assemble(
        *[piece for name in names for piece in ((f"{name} ", "$text-muted"), (f"{grade.criteria[name]:.0f}  ", "bold"))]
    )


def criteria_differ(grade: Grade) -> bool:
    """Whether a criterion is far enough from the overall score to need a word of explanation."""
    return grade.score is not None and any(abs(v - grade.score) > CRITERIA_GAP for v in grade.criteria.values())


def key_point_tally(grade: Grade) -> str:
    """``key points 2/3`` (covered of all; partial ones counted as half is not done: they are shown as ~)."""
    if not grade.key_points:
        return ""
    covered = sum(k.verdict == "covered" for k in grade.key_points)
    partial = sum(k.verdict == "partial" for k in grade.key_points)
    extra = f" (+{partial} partly)" if partial else ""
    return f"key points {covered}/{len(grade.key_points)}{extra}"

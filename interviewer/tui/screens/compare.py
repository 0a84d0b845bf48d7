"""Side by side: the answer with each key point's evidence highlighted, beside the reference and the key points marked."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from interviewer.tui.widgets.footer import Footer
from interviewer.grading.interface import Grade
from interviewer.text.evidence import evidence_spans
from interviewer.tui.widgets.feedback import MARKS, grade_headline

VERDICT_WORDS = {"covered": "covered", "partial": "partly covered", "missed": "missed", "contradicted": "contradicted"}


def marked_answer(answer: str, grade: Grade) -> Content:
    """The answer with the evidence of each key point in its verdict's colour, numbered after the point."""
    content = Content(answer.strip() or "(no answer)")
    for span in evidence_spans(answer.strip(), grade.key_points):
        style = MARKS.get(span.verdict, ("", "$text-muted"))[1]
        underline = " underline" if span.verdict == "contradicted" else ""
        content = content.stylize(f"bold {style}{underline}", span.start, span.end)
    return content


def key_point_list(grade: Grade) -> Content:
    lines = []
    for number, result in enumerate(grade.key_points, start=1):
        mark, style = MARKS.get(result.verdict, ("?", "$text-muted"))
        lines.append(Content.assemble((f"{mark} {number}. ", f"bold {style}"), result.point,
                                      (f"  {VERDICT_WORDS.get(result.verdict, result.verdict)}", style)))
        if result.evidence.strip() and result.verdict != "missed":
            lines.append(Content.styled(f"     your words: {result.evidence.strip()}", "$text-muted"))
    return Content("\n").join(lines) if lines else Content.styled("(this question has no key points)", "$text-muted")


class CompareScreen(Screen):
    """The answer on the left, the reference and key points on the right; escape goes back."""

    BINDINGS = [Binding("escape,v,q", "back", "Back", key_display="esc")]

    def __init__(self, question: str, answer: str, reference: str, grade: Grade):
        super().__init__()
        self.question, self.answer, self.reference, self.grade = question, answer, reference, grade

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble("Side by side · ", grade_headline(self.grade)), id="status-bar")
        yield Static(Content.assemble(("Q: ", "bold"), self.question), id="compare-question")
        with Horizontal(id="compare-body"):
            with VerticalScroll(id="compare-answer", classes="compare-pane"):
                yield Static(Content.styled("Your answer", "bold $text-accent"))
                yield Static(marked_answer(self.answer, self.grade), id="compare-answer-text")
            with VerticalScroll(id="compare-reference", classes="compare-pane"):
                yield Static(Content.styled("Key points", "bold $text-accent"))
                yield Static(key_point_list(self.grade), id="compare-points")
                yield Static(Content.styled("Reference answer", "bold $text-accent"), classes="section-title")
                yield Static(Content(self.reference.strip() or "(no reference answer)"), id="compare-reference-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#compare-answer").focus()

    def action_back(self) -> None:
        self.dismiss(None)

"""The summary screen: scores and times per question, averages and charts per topic, strengths, cost, export."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from interviewer.tui.widgets.footer import Footer
from interviewer.atomic_files import atomic_write_text
from interviewer.text.delivery import format_seconds
from interviewer.practice.session import PracticeSession
from interviewer.practice.summary import SessionSummary, summary_markdown
from interviewer.tui.widgets.score_chart import ScoreChart, score_style, shorten


def _time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def headline(summary: SessionSummary) -> Content:
    counts = summary.tally
    if summary.average is None:
        first = Content.styled("No answer was graded.", "bold")
    else:
        first = Content.styled(f"Average {summary.average:.1f}/10 · {summary.band}", f"bold {score_style(summary.average)}")
    note = counts.skipped_note()
    details = ([note] if note else []) + [counts.counts(), f"time used {format_seconds(summary.total_time_s)}"]
    if summary.words_per_minute is not None:
        details.append(f"spoken {summary.spoken_answers}× at {summary.words_per_minute:.0f} words/min")
    return Content.assemble(first, ("  " + " · ".join(details), "$text-muted"))


def strengths_text(summary: SessionSummary) -> Content:
    lines: list[Content] = []
    if summary.strongest_topic and summary.weakest_topic:
        lines.append(
            Content.assemble(
                ("Strongest topic: ", "bold"), (summary.strongest_topic, "$text-success"),
                ("   Weakest: ", "bold"), (summary.weakest_topic, "$text-error"),
            )
        )
    for row in summary.strengths[:3]:
        lines.append(Content.assemble(("✓ ", "$text-success"), f"{shorten(row.question, 60)} ({row.score:.1f})"))
    for row in summary.weaknesses[:3]:
        what = "skipped" if row.skipped else f"{row.score:.1f}"
        missed = f"; missed: {shorten(row.missed_points[0], 50)}" if row.missed_points else ""
        lines.append(Content.assemble(("✗ ", "$text-error"), f"{shorten(row.question, 50)} ({what}{missed})"))
    if not lines:
        lines.append(Content("Every graded answer was in the middle band (5 to 7): solid, with room to go deeper."))
    return Content("\n").join(lines)


def usage_text(summary: SessionSummary) -> str:
    parts = []
    if summary.usage is not None:
        u = summary.usage
        parts.append(f"Tokens: {u.total_tokens:,} ({u.prompt_tokens:,} prompt, {u.completion_tokens:,} completion)")
    if summary.cost_usd is not None:
        parts.append(f"cost ${summary.cost_usd:.4f}")
    if summary.fillers:
        top = ", ".join(f"{name} ×{count}" for name, count in list(summary.fillers.items())[:4])
        parts.append(f"fillers: {sum(summary.fillers.values())} ({top}); not part of the scores")
    return " · ".join(parts)


class SummaryScreen(Screen):
    """The end of a session (or of what was answered of it)."""

    BINDINGS = [
        Binding("e", "export", "Export"),
        Binding("h,f2", "app.history", "History", key_display="h"),
        Binding("n", "app.new_session", "New session"),
        Binding("q", "app.quit", "Quit", show=False),
        Binding("question_mark", "app.help", "Help", show=False),
    ]

    PALETTE_COMMANDS = (("export", "Export the report", "Markdown and HTML next to the transcript: every answer, feedback, key points, reference"),)

    def __init__(self, session: PracticeSession):
        super().__init__()
        self.session = session
        self.summary = session.summary()
        self.exported: Path | None = None

    def compose(self) -> ComposeResult:
        summary = self.summary
        name = f" · {self.session.candidate}" if self.session.candidate else ""
        yield Static(f"Session summary{name}", id="status-bar")
        with VerticalScroll(id="summary-body"):
            yield Static(headline(summary), id="headline")
            table = DataTable(id="summary-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("#", "Question", "Topic", "Score", "Time", "Hint")
            # Rich Text cells: plain strings would be read as markup (a question may hold "[CLS]").
            width = max(20, self.app.size.width - 50)
            for row in summary.rows:
                if row.skipped:
                    score = Text("skipped", style="dim")
                elif row.score is None:
                    score = Text("not graded", style="bold")
                else:
                    score = Text(f"{row.score:.1f} {row.band}", style="bold")
                question = ("↳ " if row.follow_up_of else "") + shorten(row.question, width)
                cells = (row.number, question, row.topic, score, _time(row.time_taken_s), "yes" if row.hint_used else "")
                table.add_row(*(c if isinstance(c, Text) else Text(c) for c in cells))
            yield table
            yield Static("Score per question", classes="section-title")
            yield ScoreChart([(f"{r.number}. {r.question}", r.score) for r in summary.rows], id="question-chart")
            yield Static("Average per topic", classes="section-title")
            yield ScoreChart([(t.topic, t.average) for t in summary.topics], id="topic-chart")
            yield Static("Strengths and weaknesses", classes="section-title")
            yield Static(strengths_text(summary), id="strengths")
            usage = usage_text(summary)
            if usage:
                yield Static(Content.styled(usage, "$text-muted"), id="usage")
            yield Static(Content.styled(f"Transcript: {self.session.transcript_path}", "$text-muted"), id="transcript-path")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#summary-body").focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row: that answer side by side with its reference."""
        from interviewer.tui.screens.compare import CompareScreen

        if event.data_table.id != "summary-table" or not 0 <= event.cursor_row < len(self.summary.rows):
            return
        row = self.summary.rows[event.cursor_row]
        record = self.session.record_for(row.question_id, row.follow_up_of)
        if record is None or record.grade is None or record.grade.failed:
            self.notify("No graded answer to compare for this row.", timeout=3)
            return
        self.app.push_screen(CompareScreen(record.question, record.answer, self.session.reference_for(record), record.grade))

    def action_export(self) -> None:
        """The full report beside the transcript: Markdown, and the same as one HTML page."""
        from interviewer.practice.report import session_report_html, session_report_markdown

        session = self.session
        path = session.transcript_path.with_suffix(".md")
        title = f"Practice interview {session.session_id}"
        report = (self.summary, session.records, session.reference_for, title, session.candidate)
        try:
            # Each replaces the old file whole: a kill part-way keeps the previous export.
            atomic_write_text(path, session_report_markdown(*report))
            atomic_write_text(path.with_suffix(".html"), session_report_html(*report))
        except OSError as error:
            self.notify(f"Could not write {path}: {error.strerror or error}", severity="error")
            return
        self.exported = path
        self.notify(f"Report written to {path} (and .html)", title="Exported", timeout=8)

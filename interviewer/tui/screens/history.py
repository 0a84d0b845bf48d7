"""The history screen: how each topic has gone over past sessions, with a chart and what is due for review."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from interviewer.tui.widgets.footer import Footer
from interviewer.history.stats import HistoryStats, local_day
from interviewer.tui.widgets.score_chart import ScoreChart, score_style

RECENT_SESSIONS = 8


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _trend(value: float | None) -> str:
    if value is None:
        return "-"
    arrow = "↑" if value > 0 else "↓" if value < 0 else "→"
    return f"{arrow} {value:+.1f}"


class HistoryScreen(Screen):
    """Stats per topic from the history file; escape goes back."""

    BINDINGS = [
        Binding("escape,q,h,f2", "back", "Back", key_display="esc"),
        Binding("question_mark", "app.help", "Help", show=False),
    ]

    def __init__(self, stats: HistoryStats, due: int | None = None, error: str | None = None):
        super().__init__()
        self.stats = stats
        self.due = due
        self.error = error

    def compose(self) -> ComposeResult:
        stats = self.stats
        yield Static("Your practice history", id="status-bar")
        with VerticalScroll(id="history-body"):
            if self.error:
                yield Static(Content.styled(self.error, "$text-error"))
            if stats.empty:
                yield Static("No history yet: answer a few questions and it will show here.", id="history-empty")
            else:
                average = "-" if stats.average is None else f"{stats.average:.1f}"
                counts = stats.tally
                note = counts.skipped_note()
                yield Static(
                    Content.assemble(
                        (f"Average {average}/10", f"bold {score_style(stats.average)}"),
                        (f" ({note})" if note else "", "$text-muted"),
                        f"  {counts.counts()} · {_count(stats.sessions, 'session')}  ",
                        (_trend(stats.trend) if stats.trend is not None else "", "bold"),
                    ),
                    id="history-headline",
                )
                if self.due:
                    yield Static(f"{self.due} question(s) due for review: interviewer practice --review")
                yield Static("Average per topic", classes="section-title")
                yield ScoreChart([(t.topic, t.average) for t in stats.topics], id="history-topic-chart")
                table = DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
                table.add_columns("Topic", "Graded", "Skipped", "Questions", "Average", "Trend", "Last")
                for topic in stats.topics:
                    average = "-" if topic.average is None else f"{topic.average:.1f}"
                    last = local_day(topic.last_practised) if topic.last_practised else "-"
                    cells = (topic.topic, str(topic.graded), str(topic.skipped), str(topic.questions), average,
                             _trend(topic.trend), last)
                    table.add_row(*(Text(c) for c in cells))  # Text: a topic name is not markup
                yield table
                recent = stats.by_session[-RECENT_SESSIONS:]
                if recent:
                    yield Static("Recent sessions", classes="section-title")
                    yield ScoreChart(
                        [(local_day(p.started_at) + f" ({p.graded})", p.average) for p in recent], id="history-session-chart"
                    )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#history-body").focus()

    def action_back(self) -> None:
        self.dismiss(None)

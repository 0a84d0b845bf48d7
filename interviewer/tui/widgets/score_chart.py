"""Horizontal unicode bar charts of 0-10 scores: one labelled bar per question, topic or session."""

from __future__ import annotations

from typing import Sequence

from textual.content import Content
from textual.widgets import Static

from interviewer.grading.interface import SCORE_MAX

EIGHTHS = " ▏▎▍▌▋▊▉"
MIN_BAR_CELLS = 6


def score_bar(score: float | None, cells: int) -> str:
    """A bar ``cells`` wide filled in proportion to ``score``/10, to an eighth of a cell."""
    if score is None or cells <= 0:
        return ""
    eighths = round(max(0.0, min(SCORE_MAX, score)) / SCORE_MAX * cells * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[rest] if rest else "")


def score_style(score: float | None) -> str:
    """The theme colour for a score: strong, adequate, weak (readable in light and dark themes)."""
    if score is None:
        return "$text-muted"
    if score >= 7.0:
        return "$text-success"
    if score >= 5.0:
        return "$text-warning"
    return "$text-error"


def shorten(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: max(1, width - 1)] + "…"


class ScoreChart(Static):
    """``rows`` of (label, score or None); a None score shows its ``note`` (e.g. "skipped")."""

    def __init__(self, rows: Sequence[tuple[str, float | None]] = (), *, empty: str = "Nothing to chart yet.", **kwargs):
        super().__init__("", **kwargs)
        self.rows: list[tuple[str, float | None]] = list(rows)
        self.empty = empty

    def render(self) -> Content:
        if not self.rows:
            return Content.styled(self.empty, "$text-muted")
        width = max(self.size.width, 30)
        label_width = min(max(len(label) for label, _ in self.rows), max(10, width // 3))
        cells = max(MIN_BAR_CELLS, width - label_width - 8)
        lines = []
        for label, score in self.rows:
            value = "  —" if score is None else f"{score:4.1f}"
            bar = score_bar(score, cells)
            lines.append(
                Content.assemble(
                    f"{shorten(label, label_width):<{label_width}} ",
                    (bar, score_style(score)),
                    " " * (cells - len(bar)),
                    (f" {value}", "bold"),
                )
            )
        return Content("\n").join(lines)

"""The HTML batch report: one self-contained page with inline CSS and inline SVG charts.

No scripts, no external styles, fonts or images: the file opens anywhere, offline, and
prints. Charts: mean score per candidate, mean score per topic, and the score distribution.
"""

from __future__ import annotations

from html import escape
from typing import IO, Iterable

from interviewer.answer_record import AnswerRecord
from interviewer.batch.records import OutputRecord, ProblemRecord
from interviewer.batch.reports import Group, Summary, _mean, _ranked, _short, note_of
from interviewer.grading.interface import score_band

#: At most this many answers are listed in the page's table (all are in the CSV and JSONL).
MAX_ROWS = 5000
MAX_BARS = 60
BAND_COLOURS = {
    "excellent": "#1a7f37",
    "strong": "#57a83a",
    "adequate": "#d4a72c",
    "weak": "#e16f24",
    "poor": "#cf222e",
    "not graded": "#8c959f",
}

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;
padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #d0d7de;border-radius:8px;padding:.6rem 1rem;min-width:8rem}
.card b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #eaeef2;
padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}.n{text-align:right}
.band{display:inline-block;width:.7rem;height:.7rem;border-radius:2px;margin-right:.3rem}
svg text{font:12px system-ui,sans-serif;fill:#1f2328}.muted{color:#656d76}
@media print{.card{break-inside:avoid}}
"""


def bar_chart(groups: dict[str, Group], title: str) -> str:
    """Horizontal bars: the mean score (0-10) of each group, coloured by band."""
    ranked = [(name, g) for name, g in _ranked(groups)][:MAX_BARS]
    label_w, bar_w, row_h, top = 210, 460, 24, 22
    width, height = label_w + bar_w + 70, top + row_h * len(ranked) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for tick in range(0, 11, 2):
        x = label_w + bar_w * tick / 10
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 8}" stroke="#eaeef2"/>'
                     f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" fill="#656d76">{tick}</text>')
    for index, (name, group) in enumerate(ranked):
        y = top + index * row_h
        mean = group.mean
        colour = BAND_COLOURS[score_band(mean)]
        bar = 0 if mean is None else bar_w * mean / 10
        tip = f"{name}: mean {_mean(mean)} over {group.graded} graded of {group.answers} answers"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(_short(name, 30))}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="{row_h - 8}" rx="3" '
            f'fill="{colour}"><title>{escape(tip)}</title></rect>'
            f'<text x="{label_w + bar + 6:.1f}" y="{y + 15}">{_mean(mean)} '
            f'<tspan fill="#656d76">({group.answers})</tspan></text>'
        )
    parts.append("</svg>")
    more = len(groups) - len(ranked)
    note = f'<p class="muted">{more} more not drawn; see the table.</p>' if more > 0 else ""
    return "".join(parts) + note


def histogram(counts: list[int], title: str = "Score distribution") -> str:
    """Vertical bars: how many answers scored 0-1, 1-2, ... 9-10."""
    width, height, left, bottom, top = 520, 220, 40, 30, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(counts) or 1
    step = plot_w / len(counts)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#8c959f"/>']
    for index, count in enumerate(counts):
        h = plot_h * count / peak
        x = left + index * step
        colour = BAND_COLOURS[score_band(index + 0.5)]
        parts.append(
            f'<rect class="bar" x="{x + 3:.1f}" y="{top + plot_h - h:.1f}" width="{step - 6:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{index}-{index + 1}: {count} answer(s)</title></rect>'
            f'<text x="{x + step / 2:.1f}" y="{height - 12}" text-anchor="middle">{index}</text>'
        )
        if count:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{top + plot_h - h - 3:.1f}" '
                         f'text-anchor="middle" fill="#656d76">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _group_table(groups: dict[str, Group], title: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td class=n>{g.answers}</td><td class=n>{g.graded}</td>"
        f"<td class=n>{_mean(g.mean)}</td></tr>"
        for name, g in _ranked(groups)
    )
    return (f"<table><thead><tr><th>{escape(title)}</th><th class=n>Answers</th><th class=n>Graded</th>"
            f"<th class=n>Mean</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>")


def _answer_row(record: AnswerRecord) -> str:
    score = record.score
    band = "not graded" if score is None else record.band
    colour = BAND_COLOURS.get(band, BAND_COLOURS["not graded"])
    question = f"{record.question_id or ''} {_short(record.question, 70)}".strip()
    feedback = _short(record.grade.feedback if record.grade is not None else "", 220)
    return (
        f"<tr><td>{escape(record.input or '')}</td><td>{escape(record.candidate)}</td>"
        f"<td>{escape(question)}</td><td class=n>{'' if score is None else score}</td>"
        f'<td><span class="band" style="background:{colour}"></span>{escape(band)}</td>'
        f"<td>{escape(feedback)}</td><td>{escape(_short(note_of(record), 140))}</td></tr>"
    )


def write_html(summary: Summary, records: Iterable[OutputRecord], out: IO[str]) -> None:
    cost = f"${summary.cost_usd:.4f}" if summary.priced else "–"
    cards = [("Answers", summary.answers), ("Graded", summary.graded), ("Mean score", _mean(summary.mean)),
             ("Not graded", summary.errors)]
    if summary.tokens:
        cards += [("Tokens", f"{summary.tokens:,}"), ("Cost", cost)]
    out.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
              '<meta name="viewport" content="width=device-width,initial-scale=1">'
              f"<title>Batch grading report</title><style>{STYLE}</style></head><body>\n")
    out.write("<h1>Batch grading report</h1>")
    if summary.input_problems:
        out.write(f'<p class="muted">{summary.input_problems} unreadable input line(s) or file(s).</p>')
    out.write('<div class="cards">' + "".join(
        f'<div class="card"><span class="muted">{escape(label)}</span><b>{escape(str(value))}</b></div>'
        for label, value in cards) + "</div>\n")
    out.write(f'<h2>Score distribution</h2><figure id="chart-distribution">{histogram(summary.histogram)}</figure>\n')
    out.write(f'<h2>Candidates</h2><figure id="chart-candidates">'
              f'{bar_chart(summary.candidates, "Mean score per candidate")}</figure>\n')
    out.write(_group_table(summary.candidates, "Candidate") + "\n")
    out.write(f'<h2>Topics</h2><figure id="chart-topics">{bar_chart(summary.topics, "Mean score per topic")}</figure>\n')
    out.write(_group_table(summary.topics, "Topic") + "\n")
    if summary.flags:
        out.write("<h2>Flags</h2><ul>" + "".join(
            f"<li>{escape(name)}: {count}</li>" for name, count in summary.flags.most_common()) + "</ul>\n")
    if summary.error_examples:
        out.write("<h2>Errors</h2><ul>" + "".join(
            f"<li><code>{escape(example)}</code></li>" for example in summary.error_examples) + "</ul>\n")
    out.write("<h2>Answers</h2><table><thead><tr><th>Input</th><th>Candidate</th><th>Question</th><th class=n>Score</th>"
              "<th>Band</th><th>Feedback</th><th>Flags / error</th></tr></thead><tbody>\n")
    shown = 0
    for record in records:
        if isinstance(record, ProblemRecord):
            continue
        if shown >= MAX_ROWS:
            shown += 1
            continue
        out.write(_answer_row(record) + "\n")
        shown += 1
    out.write("</tbody></table>\n")
    if shown > MAX_ROWS:
        out.write(f'<p class="muted">{shown - MAX_ROWS} more answers are in the JSONL and CSV outputs.</p>\n')
    out.write("</body></html>\n")

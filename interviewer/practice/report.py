"""The full session report (the summary's export): every answer with its score, feedback, key points, reference
and delivery notes, as Markdown and as one self-contained HTML page drawn by the batch report's renderer.
"""

from __future__ import annotations

from html import escape
from typing import Callable, Sequence

from interviewer.answer_record import AnswerRecord
from interviewer.practice.summary import SessionSummary, summary_headline, summary_markdown

#: How the checklist marks each verdict, in both formats.
MARKS = {"covered": "✓", "partial": "~", "missed": "✗", "contradicted": "✗ contradicted:"}

ReferenceFor = Callable[[AnswerRecord], str]


def _numbers(summary: SessionSummary, records: Sequence[AnswerRecord]) -> list[str]:
    """Each record's number as the summary table shows it ("2", "2a"), with the attempt when retried."""
    by_identity = {(r.question_id, r.follow_up_of or ""): r.number for r in summary.rows}
    return [
        by_identity.get((r.question_id or "", r.follow_up_of or ""), "?") + (f" (attempt {r.attempt})" if r.attempt > 1 else "")
        for r in records
    ]


def _score_text(record: AnswerRecord) -> str:
    if record.counts_as_skipped:
        return "skipped" + (" (time ran out)" if record.timed_out else "")
    if record.score is None:
        return f"not graded ({record.failure})"
    return f"{record.score:.1f}/10 ({record.band})"


def _quote(text: str) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in (text.strip() or "(no answer)").splitlines()]


def _answer_markdown(number: str, record: AnswerRecord, reference: str) -> list[str]:
    kind = "Follow-up " if record.is_follow_up else ""
    out = [f"### {kind}{number}. {record.question.strip()}", ""]
    facts = [f"**{_score_text(record)}**", record.topic or "general"]
    if record.time_taken_s is not None:
        facts.append(f"{int(round(record.time_taken_s)) // 60}:{int(round(record.time_taken_s)) % 60:02d}")
    if record.hint_used:
        facts.append("hint used")
    out += [" · ".join(facts), "", "**Your answer**", "", *_quote(record.answer), ""]
    grade = record.grade
    if grade is not None and not grade.failed:
        if grade.criteria:
            out += [" · ".join(f"{name} {value:.0f}" for name, value in grade.criteria.items()), ""]
        if grade.key_points:
            out += ["**Key points**", ""]
            for point in grade.key_points:
                evidence = f" (your words: {point.evidence.strip()})" if point.evidence.strip() and point.verdict != "missed" else ""
                out.append(f"- {MARKS.get(point.verdict, '?')} {point.point}{evidence}")
            out.append("")
        if grade.feedback.strip():
            out += ["**Feedback**", "", grade.feedback.strip(), ""]
        out += [f"- ⚠ {flag}" for flag in grade.flags] + ([""] if grade.flags else [])
    out += ["**Reference answer**", "", reference.strip() or "(no reference answer)", ""]
    if record.delivery is not None and not record.counts_as_skipped:
        out += [f"**Delivery** (not part of the score): {record.delivery.headline()}", ""]
        out += [f"- {tip}" for tip in record.delivery.tips] + ([""] if record.delivery.tips else [])
    return out


def session_report_markdown(
    summary: SessionSummary, records: Sequence[AnswerRecord], reference_for: ReferenceFor,
    title: str = "Practice interview", candidate: str = "",
) -> str:
    """The summary's tables, then every answer in the order given (retries included)."""
    out = [summary_markdown(summary, title, candidate).rstrip(), "", "## Answers", ""]
    for number, record in zip(_numbers(summary, records), records):
        out += _answer_markdown(number, record, reference_for(record))
    return "\n".join(out).rstrip() + "\n"


def _answer_html(number: str, record: AnswerRecord, reference: str) -> str:
    from interviewer.batch.html_report import BAND_COLOURS

    band = "not graded" if record.score is None else record.band
    colour = BAND_COLOURS.get(band, BAND_COLOURS["not graded"])
    kind = "Follow-up " if record.is_follow_up else ""
    parts = [f'<section class="answer"><h3>{kind}{escape(number)}. {escape(record.question.strip())}</h3>',
             f'<p><span class="band" style="background:{colour}"></span><b>{escape(_score_text(record))}</b>'
             f' <span class="muted">· {escape(record.topic or "general")}</span></p>',
             f"<blockquote>{escape(record.answer.strip() or '(no answer)')}</blockquote>"]
    grade = record.grade
    if grade is not None and not grade.failed:
        if grade.key_points:
            items = "".join(
                f"<li>{escape(MARKS.get(p.verdict, '?'))} {escape(p.point)}"
                + (f' <span class="muted">(your words: {escape(p.evidence.strip())})</span>'
                   if p.evidence.strip() and p.verdict != "missed" else "") + "</li>"
                for p in grade.key_points
            )
            parts.append(f"<h4>Key points</h4><ul>{items}</ul>")
        if grade.feedback.strip():
            parts.append(f"<h4>Feedback</h4><p>{escape(grade.feedback.strip())}</p>")
    parts.append(f"<h4>Reference answer</h4><p>{escape(reference.strip() or '(no reference answer)')}</p>")
    if record.delivery is not None and not record.counts_as_skipped:
        tips = "".join(f"<li>{escape(t)}</li>" for t in record.delivery.tips)
        parts.append(f'<p class="muted">Delivery (not part of the score): {escape(record.delivery.headline())}</p>'
                     + (f"<ul>{tips}</ul>" if tips else ""))
    return "".join(parts) + "</section>"


def session_report_html(
    summary: SessionSummary, records: Sequence[AnswerRecord], reference_for: ReferenceFor,
    title: str = "Practice interview", candidate: str = "",
) -> str:
    """One self-contained page: the batch report's style and charts, then every answer."""
    from interviewer.batch.html_report import STYLE, bar_chart, histogram
    from interviewer.batch.reports import summarise

    batch = summarise(records)
    headline = summary_headline(summary).replace("**", "")
    page = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}blockquote{{border-left:3px solid #d0d7de;margin:.5rem 0;"
        "padding:.2rem .8rem;white-space:pre-wrap}.answer{margin:1.5rem 0}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">Candidate: {escape(candidate)}</p>' if candidate else "",
        f"<p>{escape(headline)}</p>",
        f'<h2>Score distribution</h2><figure id="chart-distribution">{histogram(batch.histogram)}</figure>',
        f'<h2>Topics</h2><figure id="chart-topics">{bar_chart(batch.topics, "Mean score per topic")}</figure>',
        "<h2>Answers</h2>",
    ]
    page += [_answer_html(n, r, reference_for(r)) for n, r in zip(_numbers(summary, records), records)]
    page.append("</body></html>\n")
    return "\n".join(p for p in page if p)

"""Reading a batch output file back: the closing summary, and reports as CSV or Markdown.

Everything streams over the JSONL output (twice for Markdown and HTML: summary first, then
rows), so a report of a large run needs little memory. ``html_report`` draws the HTML page
from the same summary; ``report_files.write_report`` writes any format.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from interviewer.answer_record import AnswerRecord
from interviewer.batch.records import UNMATCHED_ERROR, OutputRecord, ProblemRecord, read_output
from interviewer.grading.interface import CONFIDENCE_LEVELS, CRITERIA
from interviewer.grading.llm.judging import NEEDS_REVIEW
from interviewer.safe_text import for_terminal, spreadsheet_cell

UNKNOWN_CANDIDATE = "(unnamed)"
#: Error messages are counted (and shown) by their first characters; the first one is also shown in full.
ERROR_SHOWN_CHARS = 120
UNKNOWN_TOPIC = "(no topic)"
DELIVERY_COLUMNS = ("words", "speaking_seconds", "pace_verdict", "filler_count", "filler_rate",
                    "hedge_count", "long_sentences", "direct_opening")


def read_records(path: Path | str) -> Iterator[OutputRecord]:
    """The records of an output file (any version), each key once (the first), unreadable lines skipped."""
    return read_output(path)


@dataclass
class Group:
    """Answers of one candidate or topic."""

    answers: int = 0
    graded: int = 0
    total: float = 0.0

    @property
    def mean(self) -> float | None:
        return self.total / self.graded if self.graded else None

    def add(self, score: float | None) -> None:
        self.answers += 1
        if score is not None:
            self.graded += 1
            self.total += score


@dataclass
class Summary:
    answers: int = 0
    graded: int = 0
    score_total: float = 0.0
    errors: int = 0
    unmatched: int = 0
    input_problems: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    priced: int = 0
    candidates: dict[str, Group] = field(default_factory=dict)
    topics: dict[str, Group] = field(default_factory=dict)
    flags: Counter = field(default_factory=Counter)
    error_messages: Counter = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    match_kinds: Counter = field(default_factory=Counter)
    models: Counter = field(default_factory=Counter)
    histogram: list[int] = field(default_factory=lambda: [0] * 10)
    #: Graded answers that address the grader: listed apart, out of the mean and the rankings.
    needs_review: int = 0
    review_examples: list[str] = field(default_factory=list)
    first_error: str | None = None
    #: Grades that say how sure they are (offline ones), by level.
    confidence: Counter = field(default_factory=Counter)

    @property
    def mean(self) -> float | None:
        trusted = self.graded - self.needs_review
        return self.score_total / trusted if trusted else None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, record: OutputRecord) -> None:
        if isinstance(record, ProblemRecord):
            self.input_problems += 1
            self._error(record.input, record.error)
            return
        self.answers += 1
        score = record.score
        failure = record.failure
        if score is not None and record.grade is not None and any(
                flag.startswith(NEEDS_REVIEW) for flag in record.grade.flags):
            self.graded += 1
            self.needs_review += 1
            if len(self.review_examples) < 10:
                self.review_examples.append(f"{record.input} ({score:g}/10)")
            score = None  # not in the mean, the histogram or any ranking
        elif score is not None:
            self.graded += 1
            self.score_total += score
            self.histogram[min(9, max(0, int(score)))] += 1
        elif failure:
            self.errors += 1
            if failure == UNMATCHED_ERROR:
                self.unmatched += 1
            self._error(record.input, failure)
        self.candidates.setdefault(record.candidate or UNKNOWN_CANDIDATE, Group()).add(score)
        self.topics.setdefault(record.topic or UNKNOWN_TOPIC, Group()).add(score)
        self.match_kinds[(record.match or {}).get("kind", "none")] += 1
        grade = record.grade
        if grade is None:
            return
        self.flags.update(f.split(":")[0].split(" (")[0] for f in grade.flags)
        if grade.usage is not None:
            self.prompt_tokens += grade.usage.prompt_tokens
            self.completion_tokens += grade.usage.completion_tokens
        if grade.cost_usd is not None:
            self.cost_usd += round(grade.cost_usd, 8)
            self.priced += 1
        if grade.model:
            self.models[grade.model] += 1
        if grade.confidence is not None and score is not None:
            self.confidence[grade.confidence.level] += 1

    def _error(self, where: str | None, message: str) -> None:
        self.first_error = self.first_error or f"{where}: {message}"
        self.error_messages[message[:ERROR_SHOWN_CHARS]] += 1
        if len(self.error_examples) < 10:
            self.error_examples.append(f"{where}: {message}")


def summarise(records: Iterable[OutputRecord]) -> Summary:
    summary = Summary()
    for record in records:
        summary.add(record)
    return summary


def _mean(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _ranked(groups: dict[str, Group]) -> list[tuple[str, Group]]:
    return sorted(groups.items(), key=lambda kv: (-(kv[1].mean or -1), kv[0]))


def format_summary(summary: Summary, out_path: Path | str | None = None, limit: int = 8) -> str:
    """The closing summary for the terminal."""
    lines = [
        f"{summary.answers} answer(s): {summary.graded} graded, mean score {_mean(summary.mean)}/10"
        + (f"; {summary.errors} not graded ({summary.unmatched} unmatched)" if summary.errors else "")
    ]
    if summary.input_problems:
        lines.append(f"{summary.input_problems} unreadable input line(s) or file(s)")
    for title, groups in (("candidates", summary.candidates), ("topics", summary.topics)):
        if len(groups) > 1 or (groups and title == "candidates" and UNKNOWN_CANDIDATE not in groups):
            ranked = _ranked(groups)
            shown = ", ".join(f"{name} {_mean(g.mean)} ({g.answers})" for name, g in ranked[:limit])
            more = f", ... {len(ranked) - limit} more" if len(ranked) > limit else ""
            lines.append(f"{title}: {shown}{more}")
    if summary.needs_review:
        more = ", ..." if summary.needs_review > len(summary.review_examples) else ""
        lines.append(f"needs review: {summary.needs_review} answer(s) address the grader, left out of the mean "
                     f"and rankings: {', '.join(summary.review_examples)}{more}")
    if summary.confidence:
        levels = ", ".join(f"{level} {summary.confidence[level]}" for level in CONFIDENCE_LEVELS[::-1]
                           if summary.confidence[level])
        check = "; check the low ones yourself" if summary.confidence["low"] else ""
        lines.append(f"offline estimates from the reference's wording, confidence: {levels}{check}")
    if summary.flags:
        lines.append("flags: " + ", ".join(f"{name} x{count}" for name, count in summary.flags.most_common(5)))
    if summary.error_messages:
        lines.append("errors: " + "; ".join(f"{m} x{c}" for m, c in summary.error_messages.most_common(3)))
        if summary.first_error and len(summary.first_error) > ERROR_SHOWN_CHARS:  # shown cut above
            lines.append(f"first error in full: {summary.first_error}")
    if summary.tokens:
        cost = f", cost ${summary.cost_usd:.4f}" if summary.priced else ", cost unknown"
        lines.append(f"tokens: {summary.tokens:,} ({summary.prompt_tokens:,} prompt, "
                     f"{summary.completion_tokens:,} completion){cost}")
    if out_path is not None:
        lines.append(f"output: {out_path}")
    # Names, topics and messages come from the input: no escape sequence or bidi override acts.
    return "\n".join(for_terminal(line) for line in lines)


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = (
    "input", "id", "candidate", "question_id", "topic", "question", "match_kind", "match_confidence",
    "score", "band", *CRITERIA, "covered", "missed", "flags", "error", "grader", "model", "prompt_hash",
    "prompt_tokens", "completion_tokens", "cost_usd", "feedback", *(f"delivery_{c}" for c in DELIVERY_COLUMNS),
)


def csv_row(record: OutputRecord) -> list[Any]:
    if isinstance(record, ProblemRecord):
        values: dict[str, Any] = {"input": record.input, "error": record.error}
        return ["" if values.get(c) is None else values.get(c) for c in CSV_COLUMNS]
    grade = record.grade
    delivery = record.delivery.to_dict() if record.delivery is not None else {}
    match = record.match or {}
    values = {
        "input": record.input, "id": record.item_id, "candidate": record.candidate or None,
        "question_id": record.question_id, "topic": record.topic, "question": record.question,
        "match_kind": match.get("kind", ""),
        "match_confidence": match.get("confidence", ""),
        "score": record.score,
        "band": record.band,
        "covered": "; ".join(grade.covered) if grade is not None else "",
        "missed": "; ".join(record.missed),
        "error": record.failure,
        **{f"delivery_{c}": delivery.get(c, "") for c in DELIVERY_COLUMNS},
    }
    if grade is not None:
        values.update(
            {name: grade.criteria.get(name, "") for name in CRITERIA},
            flags="; ".join(grade.flags),
            grader=f"{grade.grader}/{grade.grader_version}",
            model=grade.model,
            prompt_hash=grade.prompt_hash,
            prompt_tokens=grade.usage.prompt_tokens if grade.usage is not None else "",
            completion_tokens=grade.usage.completion_tokens if grade.usage is not None else "",
            cost_usd=None if grade.cost_usd is None else round(grade.cost_usd, 8),
            feedback=grade.feedback,
        )
    return ["" if values.get(c) is None else values.get(c) for c in CSV_COLUMNS]


def write_csv(records: Iterable[OutputRecord], out: IO[str]) -> None:
    """One row per record; a text cell a spreadsheet would run as a formula is neutralised."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerow([spreadsheet_cell(cell) for cell in csv_row(record)])


# --------------------------------------------------------------------------- Markdown


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.split()).replace("|", "\\|")


def _short(text: str | None, width: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def write_markdown(summary: Summary, records: Iterable[OutputRecord], out: IO[str]) -> None:
    out.write("# Batch grading report\n\n")
    out.write(f"**{summary.answers}** answers, **{summary.graded}** graded, mean score "
              f"**{_mean(summary.mean)}**/10")
    if summary.errors:
        out.write(f", {summary.errors} not graded ({summary.unmatched} unmatched)")
    if summary.input_problems:
        out.write(f", {summary.input_problems} unreadable input line(s)")
    out.write(".\n\n")
    if summary.tokens:
        cost = f"${summary.cost_usd:.4f}" if summary.priced else "unknown"
        out.write(f"Tokens: {summary.tokens:,} ({summary.prompt_tokens:,} prompt, "
                  f"{summary.completion_tokens:,} completion). Cost: {cost}.\n\n")
    for title, groups in (("Candidates", summary.candidates), ("Topics", summary.topics)):
        out.write(f"## {title}\n\n| {title[:-1]} | Answers | Graded | Mean |\n|---|---:|---:|---:|\n")
        for name, group in _ranked(groups):
            out.write(f"| {_cell(name)} | {group.answers} | {group.graded} | {_mean(group.mean)} |\n")
        out.write("\n")
    if summary.flags:
        out.write("## Flags\n\n" + "".join(f"- {_cell(n)}: {c}\n" for n, c in summary.flags.most_common()) + "\n")
    if summary.error_examples:
        out.write("## Errors\n\n" + "".join(f"- `{_cell(e)}`\n" for e in summary.error_examples) + "\n")
    out.write("## Answers\n\n| Input | Candidate | Question | Score | Band | Flags / error |\n"
              "|---|---|---|---:|---|---|\n")
    for r in records:
        if isinstance(r, ProblemRecord):
            out.write(f"| {_cell(r.input)} |  |  |  |  | {_cell(_short(r.error, 100))} |\n")
            continue
        question = f"{r.question_id or ''} {_short(r.question, 60)}".strip()
        score = r.score
        band = "not graded" if score is None else r.band
        if score is not None and r.grade is not None and r.grade.confidence is not None:
            band += f", {r.grade.confidence.level} confidence"
        out.write(f"| {_cell(r.input)} | {_cell(r.candidate or None)} | {_cell(question)} | "
                  f"{'' if score is None else score} | {_cell(band)} | {_cell(_short(note_of(r), 100))} |\n")


def note_of(record: AnswerRecord) -> str:
    """What a report shows beside a score: why it has none, or the grade's flags."""
    return record.failure or ("; ".join(record.grade.flags) if record.grade is not None else "")

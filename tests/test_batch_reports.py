"""Batch reports from the output JSONL: the summary, CSV, Markdown, and the self-contained HTML page."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from interviewer.batch.report_files import format_for, write_report
from interviewer.batch.reports import CSV_COLUMNS, format_summary, read_records, summarise


def record(key, candidate, topic, score, **extra):
    base = {"v": 1, "kind": "answer", "key": key, "input": f"in.jsonl:{key}", "candidate": candidate,
            "question_id": "dl-021", "topic": topic, "question": "What is dropout?",
            "match": {"kind": "exact", "confidence": 1.0, "reference": "bank"}, "score": score,
            "band": "strong", "criteria": {"correctness": 7, "completeness": 6, "depth": 5, "communication": 8},
            "feedback": "Good | solid.", "key_points": [{"point": "Drops units", "verdict": "covered", "evidence": ""},
                                                         {"point": "Off at test", "verdict": "missed", "evidence": ""}],
            "flags": [], "error": None, "model": "gpt-4o-mini", "tokens": {"prompt": 100, "completion": 20, "total": 120},
            "cost_usd": 0.001, "delivery": {"words": 40, "filler_count": 2, "pace_verdict": "too short"}}
    base.update(extra)
    return base


@pytest.fixture
def output(tmp_path):
    path = tmp_path / "grades.jsonl"
    records = [
        record("1", "Ann", "regularisation", 8.0),
        record("2", "Ann", "optimisation", 6.0, flags=["addresses-grader"]),
        record("3", "<script>alert(1)</script>", "regularisation", 2.0),
        record("4", "Bob", None, None, error="unmatched question", tokens=None, cost_usd=None),
        {"v": 1, "kind": "input-error", "key": "p", "input": "in.jsonl:9", "score": None, "error": "not valid JSON"},
        record("1", "Ann", "regularisation", 1.0),  # a duplicate key: the first one counts
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + '{"torn": ')
    return path


def test_summary_counts_means_groups_tokens_and_cost(output):
    summary = summarise(read_records(output))
    assert (summary.answers, summary.graded, summary.errors, summary.unmatched, summary.input_problems) == (4, 3, 1, 1, 1)
    assert summary.mean == pytest.approx(16 / 3)
    assert summary.candidates["Ann"].mean == 7.0 and summary.candidates["Bob"].mean is None
    assert summary.topics["regularisation"].mean == 5.0 and summary.topics["(no topic)"].answers == 1
    assert summary.flags["addresses-grader"] == 1 and summary.tokens == 360
    assert summary.cost_usd == pytest.approx(0.003) and summary.histogram[8] == 1 and summary.histogram[2] == 1
    text = format_summary(summary, output)
    assert "4 answer(s): 3 graded, mean score 5.3/10; 1 not graded (1 unmatched)" in text
    assert "Ann 7.0 (2)" in text and "cost $0.0030" in text and f"output: {output}" in text


def test_csv_has_one_row_per_record_with_criteria_and_delivery(output):
    buffer = io.StringIO()
    write_report(output, buffer, "csv")
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert len(rows) == 5 and list(rows[0]) == list(CSV_COLUMNS)
    assert rows[0]["score"] == "8.0" and rows[0]["correctness"] == "7.0" and rows[0]["missed"] == "Off at test"
    assert rows[0]["delivery_filler_count"] == "2" and rows[0]["match_kind"] == "exact"
    assert rows[3]["error"] == "unmatched question" and rows[3]["score"] == ""


def test_markdown_tables_escape_pipes(output):
    buffer = io.StringIO()
    write_report(output, buffer, "md")
    text = buffer.getvalue()
    assert text.startswith("# Batch grading report")
    assert "| Ann | 2 | 2 | 7.0 |" in text and "| regularisation | 2 | 2 | 5.0 |" in text
    assert "Good \\| solid" not in text  # feedback is not in the answers table
    assert "`in.jsonl:9: not valid JSON`" in text


def test_html_is_self_contained_with_charts_and_escaped_text(output):
    buffer = io.StringIO()
    write_report(output, buffer, "html")
    page = buffer.getvalue()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page.replace("&lt;script&gt;", "")  # the candidate's name is escaped, no script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched
    assert "<link" not in page and "@import" not in page
    for chart in ("chart-candidates", "chart-topics", "chart-distribution"):
        figure = page.split(f'id="{chart}"', 1)[1].split("</figure>", 1)[0]
        assert "<svg" in figure and figure.count('class="bar"') >= 2
    assert 'aria-label="Mean score per candidate"' in page


def test_report_format_from_the_file_name():
    assert [format_for(n) for n in ("r.html", "r.HTM", "r.csv", "r.md", "r.jsonl", "r.txt")] == [
        "html", "html", "csv", "md", "jsonl", "md"]


@pytest.mark.parametrize("leader", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(tmp_path, leader):
    hostile = f'{leader}HYPERLINK("http://x","click")'
    path = tmp_path / "grades.jsonl"
    path.write_text(json.dumps(record("1", hostile, "regularisation", 7.0, feedback=hostile,
                                      question=f"{leader}1+2", flags=[hostile])) + "\n")
    buffer = io.StringIO()
    write_report(path, buffer, "csv")
    row = next(csv.DictReader(io.StringIO(buffer.getvalue(), newline="")))
    assert row["candidate"] == "'" + hostile and row["feedback"] == "'" + hostile
    assert row["question"] == f"'{leader}1+2" and row["flags"] == "'" + hostile
    assert row["score"] == "7.0"  # numbers are left alone


def test_csv_leaves_ordinary_text_and_inner_formula_characters_alone(tmp_path):
    path = tmp_path / "grades.jsonl"
    path.write_text(json.dumps(record("1", "Ann = Bob", "regularisation", 7.0, feedback="a-b +c @d")) + "\n")
    buffer = io.StringIO()
    write_report(path, buffer, "csv")
    row = next(csv.DictReader(io.StringIO(buffer.getvalue(), newline="")))
    assert row["candidate"] == "Ann = Bob" and row["feedback"] == "a-b +c @d"

"""Writing the report of a batch output file in one format: JSONL, CSV, Markdown, or the HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Iterable

from interviewer.batch.html_report import write_html
from interviewer.batch.records import OutputRecord, dumps
from interviewer.batch.reports import Summary, read_records, summarise, write_csv, write_markdown

REPORT_FORMATS = ("jsonl", "csv", "md", "html")


def write_jsonl(records: Iterable[OutputRecord], out: IO[str]) -> None:
    for record in records:
        out.write(dumps(record))


def write_report(output_path: Path | str, out: IO[str], fmt: str, summary: Summary | None = None) -> Summary:
    """Write the report of an output file in ``fmt`` (``jsonl``, ``csv``, ``md`` or ``html``);
    ``summary``: the file's summary when the caller has it already (else it is read)."""
    if summary is None:
        summary = summarise(read_records(output_path))
    if fmt == "csv":
        write_csv(read_records(output_path), out)
    elif fmt == "md":
        write_markdown(summary, read_records(output_path), out)
    elif fmt == "html":
        write_html(summary, read_records(output_path), out)
    elif fmt == "jsonl":
        write_jsonl(read_records(output_path), out)
    else:
        raise ValueError(f"unknown report format {fmt!r}")
    return summary


def format_for(path: Path | str, default: str = "md") -> str:
    """The report format a file name implies (``.csv``, ``.md``, ``.html``, ``.jsonl``)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"htm": "html", "markdown": "md", "json": "jsonl", "ndjson": "jsonl"}.get(suffix, suffix) \
        if suffix in (*REPORT_FORMATS, "htm", "markdown", "json", "ndjson") else default

"""``interviewer grade``: grade answers from files in one batch, resumably, with a closing summary and reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from interviewer.commands.arguments import positive_int
from interviewer.errors import EXIT_FAILURES, EXIT_OK

DEFAULT_OUT = "grades.jsonl"
FORMATS = ("jsonl", "csv", "md", "html")
#: Unreadable input lines printed one by one before the rest are only counted.
MAX_PROBLEMS_SHOWN = 20

DESCRIPTION = """\
Grade many answers at once. INPUT is any mix of session transcripts, JSONL or CSV files
with "question" and "answer" (optional: id, question_id, reference, candidate), plain-text
transcripts with Interviewer:/Candidate: (or Q:/A:) turns, folders (searched recursively),
globs, or - for stdin. Spoken answers (the voice extra): audio files (wav, flac, mp3, m4a,
ogg, ...) with the question in a sidecar .txt or .json of the same name, or a bank id in the
file name, or an "audio" column instead of "answer"; they are transcribed, then graded with
their delivery measured from the audio. Each answer is matched to the bank by question id, exact text, or
a close enough wording; an answer with its own reference is graded against that.

Results are appended to --out (JSONL, one record per answer) as they come, so a run that
stops can be continued: run the same command again (or add --resume) and answers already
in the output are skipped, never sent again. Answers that failed for a passing cause
(timeout, lost connection, rate limit, server error) are graded again by a rerun, and
their new record supersedes the failure; --retry-failed also regrades the others."""

EPILOG = """\
examples:
  interviewer grade answers.jsonl --offline
  interviewer grade transcripts/ --out grades.jsonl --report report.html
  interviewer grade 'sessions/*.jsonl' --concurrency 16 --model gpt-4o-mini
  interviewer grade big.csv --batch-api            # OpenAI Batch API: half price, within 24 h
  interviewer grade big.csv --batch-api --resume   # collect the results later

exit codes: 0 all graded; 1 finished, but some answers were not graded or some input lines
were unreadable (see the output); 2 bad input; 3 LLM not usable; 4 nothing to grade (no
answer found: empty input, no answer files, every line unreadable); 130 interrupted."""


def register(subparsers) -> None:
    grade = subparsers.add_parser(
        "grade",
        help="grade answers from files in one batch (JSONL output, reports)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, globs, or - for stdin")
    grade.add_argument("--offline", action="store_true", help="grade offline from the reference answers (no LLM)")
    grade.add_argument("--out", metavar="PATH", default=DEFAULT_OUT,
                       help=f"the JSONL results file, appended to and resumed (default: {DEFAULT_OUT})")
    grade.add_argument("--format", choices=FORMATS,
                       help="report format: for --report (default: from its extension), else printed to stdout")
    grade.add_argument("--report", metavar="PATH", help="also write a report (.csv, .md or a self-contained .html)")
    grade.add_argument("--samples", type=positive_int, default=None, metavar="N",
                       help="judge calls per LLM grade: the median score, the spread stored beside it, flagged inconsistent above 2 points (default: INTERVIEWER_SAMPLES or 1)")
    grade.add_argument("--concurrency", type=positive_int, default=None, metavar="N",
                       help="LLM requests in flight at once (default 8)")
    grade.add_argument("--model", metavar="M", help="LLM model (default: INTERVIEWER_MODEL or gpt-4o-mini)")
    grade.add_argument("--bank", metavar="FILE", help="question bank to match against (default: the shipped bank)")
    grade.add_argument("--resume", action="store_true",
                       help="continue an earlier run into the same --out (also implied when --out exists); "
                       "with --batch-api, pick up the submitted batch")
    grade.add_argument("--batch-api", action="store_true",
                       help="grade through the OpenAI Batch API (half price, results within 24 h)")
    grade.add_argument("--match-threshold", type=float, default=None, metavar="X",
                       help="how close (0-1) a question's wording must be to a bank question (default 0.6)")
    grade.add_argument("--workers", type=positive_int, default=None, metavar="N",
                       help="offline grading processes (default: one per spare CPU, at most 4, none on 1-2 CPUs; "
                       "1 = grade in this process)")
    grade.add_argument("--retry-failed", action="store_true",
                       help="also grade again answers whose earlier failure was permanent "
                       "(e.g. an invalid reply after the repair request)")
    grade.add_argument("--max-attempts", type=positive_int, default=None, metavar="N",
                       help="tries per answer on rate limits and server errors (default 6)")
    grade.set_defaults(run=run)


class _Console:
    """Progress on stderr when it is a terminal (rich), silence when piped; messages either way."""

    def __init__(self, total: int | None, enabled: bool):
        self.progress = None
        self.problems = 0
        self.notices = 0
        if enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self.progress = Progress(
                TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[note]}"),
                TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True), transient=True,
            )
            self.task = self.progress.add_task("grade", total=total, note="")
            self.failed = 0

    def __enter__(self) -> "_Console":
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self.progress is not None:
            self.progress.stop()

    def transcribing(self, item, fraction: float) -> None:
        if self.progress is not None:
            done = "" if fraction >= 1 else f" {fraction:.0%}"
            self.progress.update(self.task, note=f"transcribing {Path(item.audio).name}{done}")

    def say(self, message: str) -> None:
        from interviewer.safe_text import for_terminal

        message = for_terminal(message, multiline=True)  # names, ids and file names come from the input
        if self.progress is not None:
            self.progress.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr)

    def record(self, record) -> None:
        if self.progress is not None:
            if record.failure:
                self.failed += 1
                self.progress.update(self.task, advance=1, note=f"{self.failed} not graded")
            else:
                self.progress.update(self.task, advance=1)

    def problem(self, problem) -> None:
        self.problems += 1
        if self.problems <= MAX_PROBLEMS_SHOWN:
            self.say(f"interviewer: {problem}")
        elif self.problems == MAX_PROBLEMS_SHOWN + 1:
            self.say("interviewer: more unreadable lines; see the output file")

    def notice(self, message: str) -> None:
        self.notices += 1
        if self.notices <= MAX_PROBLEMS_SHOWN:
            self.say(f"interviewer: {message}")
        elif self.notices == MAX_PROBLEMS_SHOWN + 1:
            self.say("interviewer: more duplicate ids (not listed)")


def run(args: argparse.Namespace, settings) -> int:
    from interviewer.bank import open_bank
    from interviewer.batch.inputs import STDIN, iter_inputs
    from interviewer.batch.items import InputItem
    from interviewer.batch.matching import BankMatcher
    from interviewer.batch.reports import Summary, read_records, summarise
    from interviewer.batch.runner import BatchRun, scan_output
    from interviewer.errors import NothingToGrade, UserError

    if args.model:
        settings = settings.with_changes(model=args.model)
    if args.samples:
        settings = settings.with_changes(samples=args.samples)
    mode = settings.grading_mode("offline" if args.offline else "auto")
    if args.batch_api and mode == "offline":
        raise UserError("--batch-api needs an LLM: set OPENAI_API_KEY (see .env.example), or drop --batch-api")
    threshold, out_path, report_path, exclude, names = _checked_arguments(args)
    bank = open_bank(args.bank, settings)
    matcher = BankMatcher(bank, threshold)

    existed = out_path.exists() and out_path.stat().st_size > 0
    done = scan_output(out_path, retry_failed=args.retry_failed)
    _say_how(args, settings, mode, out_path, len(done) if existed else None)

    interactive = sys.stderr.isatty()
    total = None
    if interactive and STDIN not in names:
        total = sum(1 for e in iter_inputs(names) if isinstance(e, InputItem) and e.key not in done)

    # A fresh output holds only this run's records: they are summarised as they are written
    # (each key once, as ``read_records`` does). A resumed one also holds earlier runs': read back.
    running = None if existed else Summary()
    summarised: set[str] = set()

    def on_record(record) -> None:
        console.record(record)
        if running is not None and record.key not in summarised:
            summarised.add(record.key)
            running.add(record)

    with _Console(total, interactive) as console:
        batch = BatchRun(out_path, matcher, done=done, on_record=on_record, on_problem=console.problem,
                         on_notice=console.notice)
        entries = _with_transcripts(iter_inputs(names, exclude=exclude), settings, matcher, done, console)
        _grade(args, batch, entries, settings, mode, console.say)

    if running is not None:
        summary = running
    else:
        summary = summarise(read_records(out_path)) if out_path.exists() else summarise(())
    if summary.answers == 0:
        if not existed and out_path.exists() and out_path.stat().st_size == 0:
            out_path.unlink()  # an empty output this run created is not worth keeping
        raise NothingToGrade(_nothing_found(summary, args.inputs))
    return _report(args, summary, batch.stats.duplicates, out_path, report_path)


def _say_how(args: argparse.Namespace, settings, mode: str, out_path: Path, resumed: int | None) -> None:
    """Say why grading is offline when nobody asked, and whether the output is resumed (``resumed``
    records already in it) or started."""
    if mode == "offline" and not args.offline:
        print(f"interviewer: {settings.offline_reason}", file=sys.stderr)
    if resumed is not None:
        print(f"interviewer: resuming {out_path}: {resumed} record(s) already there are skipped; "
              f"failures from passing causes{' and --retry-failed ones' if args.retry_failed else ''} "
              "are graded again", file=sys.stderr)
    elif args.resume and not args.batch_api:
        print(f"interviewer: nothing to resume in {out_path}; starting", file=sys.stderr)


def _checked_arguments(args: argparse.Namespace):
    """The match threshold, output and report paths, paths not to read, and the input names;
    raises UserError (exit 2) or NothingToGrade (exit 4) for arguments that cannot work."""
    from interviewer.batch.inputs import KNOWN_EXTENSIONS, STDIN, resolve_inputs
    from interviewer.batch.matching import DEFAULT_THRESHOLD
    from interviewer.errors import NothingToGrade, UserError

    threshold = DEFAULT_THRESHOLD if args.match_threshold is None else args.match_threshold
    if not 0 < threshold <= 1:
        raise UserError("--match-threshold must be between 0 and 1")
    out_path = Path(args.out)
    report_path = Path(args.report) if args.report else None
    if report_path is not None and report_path.resolve() == out_path.resolve():
        raise UserError("--report must be a different file from --out")
    exclude = [out_path] + ([report_path] if report_path else [])
    names = resolve_inputs(args.inputs, exclude=exclude)
    if names.count(STDIN) > 1:
        raise UserError("'-' (stdin) may be given only once")
    if not names:
        raise NothingToGrade(f"nothing to grade: no answer file in {', '.join(args.inputs)} "
                             f"(files read from a folder: {', '.join(KNOWN_EXTENSIONS)})")
    return threshold, out_path, report_path, exclude, names


def _grade(args: argparse.Namespace, batch, entries, settings, mode: str, say) -> None:
    """Grade ``entries`` into the batch's output: Batch API, offline, or the LLM run loop."""
    from interviewer.batch.runner import DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS, default_workers

    if args.batch_api:
        from interviewer.batch.batch_api import run_batch_api

        run_batch_api(batch, entries, settings, resume=args.resume, say=say)
    elif mode == "offline":
        from interviewer.grading.choose import make_grader

        batch.run_offline(entries, make_grader(settings, "offline"), workers=args.workers or default_workers())
    else:
        from interviewer.batch.runner import AnswerChecks
        from interviewer.grading.llm.grader import make_llm_grader

        # The scheduler retries (and honours any Retry-After) without holding a request slot,
        # and the offline cross-check runs beside the requests (AnswerChecks), not inside them.
        checks = AnswerChecks()
        try:
            grader = make_llm_grader(settings.with_changes(max_retries=0), fallback=None, batch=True)
            attempts = args.max_attempts or max(DEFAULT_MAX_ATTEMPTS, settings.max_retries + 1)
            batch.run_llm(entries, grader, concurrency=args.concurrency or DEFAULT_CONCURRENCY,
                          max_attempts=attempts, max_output_tokens=settings.max_output_tokens, checks=checks)
        finally:
            checks.close()


def _report(args: argparse.Namespace, summary, duplicates: int, out_path: Path, report_path: Path | None) -> int:
    """The closing summary on stderr, the report asked for, and the exit code."""
    from interviewer.atomic_files import atomic_write
    from interviewer.batch.report_files import format_for, write_report
    from interviewer.batch.reports import format_summary

    print(format_summary(summary, out_path), file=sys.stderr)
    if duplicates:
        print(f"{duplicates} repeated answer(s) (same id, question and answer) merged", file=sys.stderr)
    if report_path is not None:
        fmt = args.format or format_for(report_path)
        with atomic_write(report_path, newline="") as handle:  # a kill part-way keeps the old report
            write_report(out_path, handle, fmt, summary)
        print(f"report: {report_path}", file=sys.stderr)
    elif args.format and out_path.exists():
        write_report(out_path, sys.stdout, args.format, summary)
    return EXIT_FAILURES if summary.errors or summary.input_problems else EXIT_OK


def _with_transcripts(entries, settings, matcher, done, console):
    """The entries with spoken answers transcribed (a model is loaded only when an audio file comes)."""
    from interviewer.batch.audio_answers import ItemTranscriber, transcribe_items

    return transcribe_items(entries, ItemTranscriber(settings.home, matcher, console.transcribing), done)


def _nothing_found(summary, inputs: list[str]) -> str:
    """Why a run found no answer, for the message that goes with exit code 4."""
    where = ", ".join(inputs)
    if summary.input_problems:
        return (f"nothing to grade: every part of {where} that could hold an answer was unreadable "
                f"({summary.input_problems} problem(s), listed above)")
    return (f"nothing to grade: no answer found in {where} (expected JSONL or CSV with 'question' and "
            "'answer', a session transcript, or a transcript with Interviewer:/Candidate: turns, "
            "each question followed by an answer)")

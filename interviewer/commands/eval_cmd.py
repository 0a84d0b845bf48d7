"""``interviewer eval``: how well a grader agrees with human grades on a JSONL file of graded answers."""

from __future__ import annotations

import argparse
import sys

from interviewer.commands.arguments import positive_int

HELP = "check a grader against human-graded answers (JSONL)"
DESCRIPTION = """\
Grade every answer in DATASET and compare with the human scores.

DATASET is JSONL, one graded answer a line, with the fields question, reference,
answer, score and scale_max (qid, when present, gives per-question figures; other
fields are ignored). Our 0-10 scores are mapped onto each line's 0..scale_max.

Reports n, Pearson r, Spearman rho, quadratic weighted kappa (on the file's score
steps), RMSE, MAE, share within 1 point, mean predicted vs human, the median
per-question Pearson r and answers per second, with a 95% confidence interval
beside Pearson r. Malformed lines (bad JSON, missing fields, bytes that are not
UTF-8) are reported as file:line: message and skipped; failed grades are counted
and left out. Fewer than 10 usable answers, or more malformed lines than usable
ones, give no figures and exit code 4.

--grader llm needs OPENAI_API_KEY (and OPENAI_BASE_URL for a local server). Its
grades are cached under INTERVIEWER_HOME, so a second run over the same file
sends no requests ("cached" in the report counts grades served from the cache).
If the server rejects the key or the model, the run stops with exit code 3."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dataset", metavar="DATASET", help="JSONL file of human-graded answers")
    parser.add_argument("--grader", choices=("offline", "llm"), default="offline",
                        help="which grader to check (default: offline)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="grade only the first N answers")
    parser.add_argument("--samples", type=positive_int, default=None, metavar="N",
                        help="judge calls per LLM grade: the median score, the spread stored beside it, flagged inconsistent above 2 points (default: INTERVIEWER_SAMPLES or 1)")
    parser.add_argument("--concurrency", type=positive_int, default=8, metavar="N",
                        help="LLM requests in flight at once (default: 8)")
    parser.set_defaults(run=run)


def _progress_printer():
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\rgraded {done}/{total}", end=end, file=sys.stderr, flush=True)

    return show


NO_KEY_MESSAGE = (
    "--grader llm needs an API key: set OPENAI_API_KEY in the environment or .env "
    "(and OPENAI_BASE_URL for a local server), or use --grader offline."
)


async def _evaluate_llm(answers, grader, concurrency: int, progress):
    """Grade with the LLM grader, closing its connections (and grade cache) before the loop ends."""
    from interviewer.eval.evaluation import evaluate_async
    from interviewer.grading.interface import close_grader

    try:
        return await evaluate_async(answers, grader, concurrency, progress)
    finally:
        await close_grader(grader)


#: Figures left out when too few answers were graded for them to mean anything.
CORRELATIONS = ("pearson", "pearson_ci95", "spearman", "qwk", "per_question_pearson_median")


def run(args: argparse.Namespace, settings) -> int:
    import asyncio
    import json

    from interviewer.errors import EXIT_FAILURES, EXIT_NOTHING_TO_GRADE, EXIT_OK, LLMConfigError, NothingToGrade
    from interviewer.eval.evaluation import evaluate_sync, format_report, read_dataset, too_little_to_evaluate
    from interviewer.grading.choose import make_grader
    from interviewer.grading.interface import GradesNow
    from interviewer.safe_text import for_terminal

    if args.samples:
        settings = settings.with_changes(samples=args.samples)
    answers, problems = read_dataset(args.dataset)
    for problem in problems:
        print(for_terminal(problem), file=sys.stderr)
    in_file = len(answers)
    if args.limit is not None:
        answers = answers[: args.limit]
    if not answers:
        raise NothingToGrade(f"{args.dataset}: no graded answers to evaluate")
    reason = too_little_to_evaluate(in_file, len(problems)) or too_little_to_evaluate(len(answers), 0)
    if reason:
        raise NothingToGrade(f"{args.dataset}: {reason}; no figures computed")
    try:
        grader = make_grader(settings, args.grader)
    except LLMConfigError:
        if settings.api_key:
            raise
        raise LLMConfigError(NO_KEY_MESSAGE) from None  # say the eval flag, not practice's --offline
    progress = _progress_printer()
    if isinstance(grader, GradesNow):
        report = evaluate_sync(answers, grader.grade_now, grader.name, grader.version, progress)
    else:
        report = asyncio.run(_evaluate_llm(answers, grader, args.concurrency, progress))
    report.skipped_lines = len(problems)

    data = report.to_dict()
    data["dataset"] = str(args.dataset)
    too_few = too_little_to_evaluate(data["n"], 0)
    if too_few:  # failed grades left too few pairs
        data.update(dict.fromkeys(CORRELATIONS))
    if args.json:
        print(json.dumps(data))
    else:
        print(format_report(data, str(args.dataset)))
    if report.failed:
        print(f"interviewer: {report.failed} answer(s) could not be graded; left out of the figures. "
              f"First reason: {report.first_error}", file=sys.stderr)
    if too_few:
        print(f"interviewer: {too_few}: no correlation reported", file=sys.stderr)
        return EXIT_NOTHING_TO_GRADE
    return EXIT_FAILURES if report.failed else EXIT_OK

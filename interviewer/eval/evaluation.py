"""Checking a grader against human grades: the dataset reader, the agreement metrics, the run.

A dataset is JSONL, one graded answer a line: ``question``, ``reference``, ``answer``,
``score`` and ``scale_max`` (``qid`` optional, other fields ignored). Our 0-10 scores are
mapped linearly onto each line's scale before comparing.
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Sequence

from interviewer.errors import UserError
from interviewer.grading.interface import SCORE_MAX, Grade, GradingItem

REQUIRED_TEXT = ("question", "reference", "answer")


@dataclass(frozen=True)
class GradedAnswer:
    """One line of a dataset: an answer with the human score it got."""

    line: int
    question: str
    reference: str
    answer: str
    score: float
    scale_max: float
    qid: str | None = None

    def item(self) -> GradingItem:
        return GradingItem(
            question=self.question, answer=self.answer, reference=self.reference, question_id=self.qid
        )


def _parse_line(data: Any) -> tuple[dict[str, Any] | None, str | None]:
    if not isinstance(data, dict):
        return None, "expected a JSON object"
    for name in REQUIRED_TEXT:
        if not isinstance(data.get(name), str):
            return None, f"missing or non-text field {name!r}"
    for name in ("score", "scale_max"):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return None, f"missing or non-numeric field {name!r}"
    if data["scale_max"] <= 0:
        return None, "'scale_max' must be positive"
    if not 0 <= data["score"] <= data["scale_max"]:
        return None, f"'score' {data['score']} is outside 0..{data['scale_max']}"
    return data, None


def read_dataset(path: Path | str) -> tuple[list[GradedAnswer], list[str]]:
    """The dataset's answers and a ``file:line: message`` for every line that was skipped
    (a line that is not UTF-8 among them: the rest of the file is still read)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a JSONL file") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read: {error.strerror or error}") from None
    records: list[GradedAnswer] = []
    problems: list[str] = []
    for number, line_bytes in enumerate(raw.split(b"\n"), 1):
        try:
            line = line_bytes.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(f"{path}:{number}: not UTF-8 text (byte {error.start + 1} of the line)")
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        try:
            raw_record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{path}:{number}: not valid JSON ({error.msg})")
            continue
        data, message = _parse_line(raw_record)
        if data is None:
            problems.append(f"{path}:{number}: {message}")
            continue
        qid = data.get("qid")
        records.append(
            GradedAnswer(
                line=number,
                question=data["question"],
                reference=data["reference"],
                answer=data["answer"],
                score=float(data["score"]),
                scale_max=float(data["scale_max"]),
                qid=None if qid is None else str(qid),
            )
        )
    return records, problems


#: Fewer graded pairs than this give no agreement figures: a correlation of 2 points is noise.
MIN_EVAL_ANSWERS = 10


def too_little_to_evaluate(valid: int, malformed: int) -> str | None:
    """Why ``valid`` usable lines (beside ``malformed`` skipped ones) give no figures, or None."""
    if valid < MIN_EVAL_ANSWERS:
        return f"only {valid} usable answer(s); agreement figures need at least {MIN_EVAL_ANSWERS}"
    if malformed > valid:
        return (f"{malformed} of {valid + malformed} lines are malformed; with most of the file unusable "
                "the figures would not describe it (fix the lines listed above)")
    return None


# ----------------------------------------------------------------------------- metrics


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or None when it is undefined (fewer than 2 pairs, or a constant side)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-15 or syy <= 1e-15:
        return None
    return sxy / math.sqrt(sxx * syy)


def pearson_ci95(r: float | None, n: int) -> tuple[float, float] | None:
    """The 95% confidence interval of a Pearson r from ``n`` pairs (Fisher's z), or None."""
    if r is None or n <= 3:
        return None
    z = math.atanh(max(-0.999999, min(0.999999, r)))
    half = 1.959964 / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    return pearson(ranks(xs), ranks(ys))


def rmse(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if not xs:
        return None
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(xs, ys)) / len(xs))


def mae(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if not xs:
        return None
    return sum(abs(x - y) for x, y in zip(xs, ys)) / len(xs)


def score_step(scores: Sequence[float]) -> float:
    """The coarsest step every human score is a multiple of (1, 0.5, 0.25, ... 0.01)."""
    for step in (1.0, 0.5, 0.25, 0.2, 0.1, 0.05, 0.01):
        if all(abs(s / step - round(s / step)) < 1e-6 for s in scores):
            return step
    return 0.01


def quadratic_weighted_kappa(predicted: Sequence[float], human: Sequence[float], step: float) -> float | None:
    """Cohen's kappa with quadratic weights, predictions rounded to the human score steps."""
    if not human:
        return None
    a = [round(p / step) for p in predicted]
    b = [round(h / step) for h in human]
    low, high = min(a + b), max(a + b)
    size = high - low + 1
    if size < 2:
        return None
    observed = [[0] * size for _ in range(size)]
    for x, y in zip(a, b):
        observed[x - low][y - low] += 1
    n = len(a)
    hist_a = [sum(row) for row in observed]
    hist_b = [sum(observed[i][j] for i in range(size)) for j in range(size)]
    num = den = 0.0
    for i in range(size):
        for j in range(size):
            weight = (i - j) ** 2 / (size - 1) ** 2
            num += weight * observed[i][j]
            den += weight * hist_a[i] * hist_b[j] / n
    return None if den == 0 else 1.0 - num / den


def per_question_pearson(
    predicted: Sequence[float], human: Sequence[float], groups: Sequence[str | None]
) -> list[float]:
    """Pearson r within each question (by ``qid``) that has at least 3 answers and varied scores."""
    by_group: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        if group is not None:
            by_group.setdefault(group, []).append(i)
    values = []
    for indices in by_group.values():
        if len(indices) >= 3:
            r = pearson([predicted[i] for i in indices], [human[i] for i in indices])
            if r is not None:
                values.append(r)
    return values


# ----------------------------------------------------------------------------- the run


@dataclass
class EvalReport:
    grader: str
    grader_version: str
    predicted: list[float] = field(default_factory=list)
    human: list[float] = field(default_factory=list)
    groups: list[str | None] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)
    failed: int = 0
    #: Grades served from the LLM grade cache (no request sent).
    cached: int = 0
    skipped_lines: int = 0
    seconds: float = 0.0
    #: Why the first failed grade failed, in full; every reason with its count.
    first_error: str | None = None
    errors: Counter = field(default_factory=Counter)
    #: Grades from a partial reply (a score without checklist or feedback), and grades held
    #: down because the answer addresses the grader.
    degraded: int = 0
    needs_review: int = 0
    #: How the server was asked for JSON, per grade ("output mode: ..." notes).
    output_modes: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        p, h = self.predicted, self.human
        step = score_step(h) if h else 1.0
        per_question = per_question_pearson(p, h, self.groups)
        graded = len(p) + self.failed

        def rounded(value: float | None, digits: int = 4) -> float | None:
            return None if value is None else round(value, digits)

        r = pearson(p, h)
        interval = pearson_ci95(r, len(p))
        return {
            "n": len(p),
            "pearson": rounded(r),
            "pearson_ci95": None if interval is None else [rounded(interval[0]), rounded(interval[1])],
            "spearman": rounded(spearman(p, h)),
            "qwk": rounded(quadratic_weighted_kappa(p, h, step)),
            "rmse": rounded(rmse(p, h)),
            "mae": rounded(mae(p, h)),
            "within1": rounded(sum(1 for a, b in zip(p, h) if abs(a - b) <= 1.0 + 1e-9) / len(p)) if p else None,
            "mean_predicted": rounded(statistics.fmean(p)) if p else None,
            "mean_human": rounded(statistics.fmean(h)) if h else None,
            "per_question_pearson_median": rounded(statistics.median(per_question)) if per_question else None,
            "questions": len(per_question),
            "failed": self.failed,
            "cached": self.cached,
            "skipped_lines": self.skipped_lines,
            "answers_per_s": round(graded / self.seconds, 1) if self.seconds > 0 else None,
            "grader": self.grader,
            "grader_version": self.grader_version,
            "degraded": self.degraded,
            "needs_review": self.needs_review,
            "output_modes": dict(self.output_modes),
            "first_error": self.first_error,
            "errors": dict(self.errors.most_common(5)),
        }


Progress = Callable[[int, int], None]


def _record(report: EvalReport, answer: GradedAnswer, grade: Grade) -> None:
    report.cached += bool(grade.cached)
    for note in grade.notes:
        if note.startswith("output mode: "):
            report.output_modes[note.removeprefix("output mode: ")] += 1
    if grade.score is None:
        report.failed += 1
        report.first_error = report.first_error or grade.error
        report.errors[(grade.error or "no reason given")[:160]] += 1
        return
    report.degraded += any(flag.startswith("partial-reply") for flag in grade.flags)
    report.needs_review += any(flag.startswith("needs review") for flag in grade.flags)
    report.predicted.append(grade.score / SCORE_MAX * answer.scale_max)
    report.human.append(answer.score)
    report.groups.append(answer.qid)


def evaluate_sync(answers: Sequence[GradedAnswer], grade_now: Callable[[GradingItem], Grade],
                  grader: str, version: str, progress: Progress | None = None) -> EvalReport:
    """Grade every answer with a synchronous grader (the offline one) and collect the pairs."""
    report = EvalReport(grader, version)
    items = [a.item() for a in answers]
    start = time.perf_counter()
    for done, (answer, item) in enumerate(zip(answers, items), 1):
        _record(report, answer, grade_now(item))
        if progress and (done % 100 == 0 or done == len(answers)):
            progress(done, len(answers))
    report.seconds = time.perf_counter() - start
    return report


#: Tries per answer in an evaluation: a rate limit or a server fault is retried after its
#: Retry-After (or a back-off) before the answer counts as failed.
EVAL_MAX_ATTEMPTS = 3


async def evaluate_async(answers: Sequence[GradedAnswer], grader: Any, concurrency: int = 8,
                         progress: Progress | None = None, *, max_attempts: int = EVAL_MAX_ATTEMPTS,
                         clock: Callable[[], float] = time.monotonic,
                         sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> EvalReport:
    """Grade every answer with an async grader in the one run loop (``batch.scheduler``): at
    most ``concurrency`` at a time, paced by the server's rate limits, retryable failures
    requeued; the pairs are collected in file order.

    If a grade raises (``LLMConfigError``: the key or model is refused), the grades still
    running are cancelled before the error is passed on, so the caller can close the grader."""
    from interviewer.batch.scheduler import GradingScheduler

    grades: list[Grade | None] = [None] * len(answers)
    done = 0

    def finish(job, grade: Grade) -> None:
        nonlocal done
        grades[job.work] = grade
        done += 1
        if progress:
            progress(done, len(answers))

    scheduler = GradingScheduler(grader, concurrency=concurrency, max_attempts=max_attempts, clock=clock, sleep=sleep)
    start = clock()
    await scheduler.run(((index, answer.item()) for index, answer in enumerate(answers)), finish)
    report = EvalReport(grader.name, grader.version)
    report.seconds = clock() - start
    for answer, grade in zip(answers, grades):
        if grade is not None:
            _record(report, answer, grade)
    return report


def format_report(data: dict[str, Any], dataset: str) -> str:
    """The report as a small table for people."""

    def show(value: Any, digits: int = 3) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:.{digits}f}"
        return str(value)

    rows = [
        ("answers graded", show(data["n"])),
        ("Pearson r", show(data["pearson"]) + (
            f" (95% CI {show(data['pearson_ci95'][0])} to {show(data['pearson_ci95'][1])})"
            if data.get("pearson_ci95") else "")),
        ("Spearman rho", show(data["spearman"])),
        ("quadratic weighted kappa", show(data["qwk"])),
        ("RMSE", show(data["rmse"])),
        ("MAE", show(data["mae"])),
        ("within 1 point", "-" if data["within1"] is None else f"{data['within1']:.1%}"),
        ("mean predicted / human", f"{show(data['mean_predicted'], 2)} / {show(data['mean_human'], 2)}"),
        ("per-question Pearson (median)",
         f"{show(data['per_question_pearson_median'])} over {data['questions']} questions"),
        ("answers per second", show(data["answers_per_s"], 1)),
        ("failed grades", show(data["failed"])),
        *([("served from cache", show(data["cached"]))] if data.get("cached") else []),
        *([("degraded (partial reply)", show(data["degraded"]))] if data.get("degraded") else []),
        *([("needs review (held down)", show(data["needs_review"]))] if data.get("needs_review") else []),
        *([("output modes", ", ".join(f"{m} {c}" for m, c in data["output_modes"].items()))]
          if data.get("output_modes") else []),
        ("skipped lines", show(data["skipped_lines"])),
    ]
    width = max(len(name) for name, _ in rows)
    head = f"{dataset}: grader {data['grader']} ({data['grader_version']})"
    return "\n".join([head, *(f"  {name:<{width}}  {value}" for name, value in rows)])

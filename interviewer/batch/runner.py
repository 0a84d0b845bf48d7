"""Running a batch: grade every input answer once, append each final record to the output, resumably.

* The output is JSONL, one record per answer, appended and flushed as each becomes final.
* Resuming: the existing output is read first (a torn last line from a kill is cut off) and
  every key already there is skipped, so a finished answer is never sent again nor written twice.
* Offline: a plain loop over the input stream (no asyncio, nothing held in memory), or chunks
  graded in a few processes (``offline_pool``) with records still written in input order.
* LLM: the one run loop, ``scheduler.GradingScheduler``: at most ``concurrency`` requests in
  flight, paced by the server's rate-limit headers, retryable failures requeued after their
  Retry-After; this module says what is pending and writes each final grade.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable, Iterator

from interviewer.batch.items import InputItem, InputProblem
from interviewer.batch.matching import BankMatcher, Match, grading_item
from interviewer.batch.answer_checks import AnswerChecks
from interviewer.batch.offline_pool import default_workers, grade_chunk, init_worker
from interviewer.batch.records import (INPUT_ERROR, NO_REFERENCE_NOTE, UNMATCHED_ERROR, OutputRecord, answer_record,
                                      delivery_metrics, dumps, problem_record)
from interviewer.batch.scheduler import GradingScheduler, Job, default_estimate
from interviewer.grading.interface import CachesGrades, Grade, GradingItem, close_grader
from interviewer.text.delivery import DeliveryReport

__all__ = ["AnswerChecks", "BatchRun", "BatchStats", "OutputWriter", "default_workers", "scan_output"]

DEFAULT_CONCURRENCY = 8
DEFAULT_MAX_ATTEMPTS = 6

Entry = InputItem | InputProblem


@dataclass
class BatchStats:
    """What one run did (the output file may hold more, from earlier runs)."""

    written: int = 0
    graded: int = 0
    failed: int = 0
    unmatched: int = 0
    input_problems: int = 0
    skipped_done: int = 0
    duplicates: int = 0  # answers repeated in the input under the same id, merged into the first
    attempts: int = 0  # grading calls made in LLM mode (a cached grade or a repair counts once)
    requeued: int = 0
    rate_wait_s: float = 0.0
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --------------------------------------------------------------------------- the output file


def needs_regrading(record: dict[str, Any], retry_failed: bool = False) -> bool:
    """Whether an output line is a failed grade to try again: a failure from a passing cause
    (timeout, lost connection, 408/409/429/5xx: the grade says ``retryable``) always, any other
    failed answer only with ``retry_failed``. Input problems never."""
    if record.get("kind") == INPUT_ERROR:
        return False
    grade = record.get("grade") if record.get("v", 1) != 1 else record
    grade = grade if isinstance(grade, dict) else {}
    score = grade.get("score") if grade else record.get("score")
    if score is not None or not (record.get("error") or grade.get("error")):
        return False
    return bool(grade.get("retryable")) or retry_failed


def scan_output(path: Path, retry_failed: bool = False) -> set[str]:
    """Keys already in an output file whose last record is final (see ``needs_regrading``: a key
    that failed for a passing cause is graded again, and appended; its newer record wins).

    A torn last line (a kill mid-write) is cut off the file; a last record that lacks only its
    newline keeps its place and gets the newline."""
    done: set[str] = set()
    path = Path(path)
    if not path.exists():
        return done
    good_end = 0
    needs_newline = False
    with open(path, "rb") as handle:
        offset = 0
        for raw in handle:
            offset += len(raw)
            complete = raw.endswith(b"\n")
            try:
                record = json.loads(raw)
            except ValueError:
                record = None
            if isinstance(record, dict) and isinstance(record.get("key"), str):
                if needs_regrading(record, retry_failed):
                    done.discard(record["key"])
                else:
                    done.add(record["key"])
                good_end, needs_newline = offset, not complete
            elif complete:
                good_end = offset  # an unreadable line in the middle is left as it is
    if good_end < path.stat().st_size or needs_newline:
        with open(path, "r+b") as handle:
            handle.truncate(good_end)
            if needs_newline:
                handle.seek(good_end)
                handle.write(b"\n")
    return done


class OutputWriter:
    """Appends records to the output, flushing each so a kill loses at most the line being written."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self.path, "a", encoding="utf-8")

    def write(self, record: OutputRecord) -> None:
        self._handle.write(dumps(record))
        self._handle.flush()

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()

    def __enter__(self) -> "OutputWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


# --------------------------------------------------------------------------- shared steps


class BatchRun:
    """One run over an input stream into one output file."""

    def __init__(
        self,
        out_path: Path,
        matcher: BankMatcher,
        *,
        done: set[str] | None = None,
        on_record: Callable[[OutputRecord], None] | None = None,
        on_problem: Callable[[InputProblem], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
        with_delivery: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        self.out_path = Path(out_path)
        self.matcher = matcher
        self.done = scan_output(self.out_path) if done is None else done
        self.on_record = on_record
        self.on_problem = on_problem
        self.on_notice = on_notice
        #: (source, id) -> (location, key) of the first answer of this run with that id.
        self._first_with_id: dict[tuple[str, str], tuple[str, str]] = {}
        self.with_delivery = with_delivery
        #: Time for the LLM run loop (pacing, requeue delays, elapsed): injected by tests.
        self.clock = clock
        self.sleep = sleep
        self.stats = BatchStats()

    def write_record(self, writer: OutputWriter, record: OutputRecord) -> None:
        writer.write(record)
        self.done.add(record.key)
        self.stats.written += 1
        if record.failure is not None:
            self.stats.failed += 1
            if record.failure == UNMATCHED_ERROR:
                self.stats.unmatched += 1
        else:
            self.stats.graded += 1
        if self.on_record is not None:
            self.on_record(record)

    def pending(self, entries: Iterable[Entry], writer: OutputWriter) -> Iterator[tuple[InputItem, Match, GradingItem]]:
        """The answers still to grade; problems are written (once) and reported on the way."""
        for entry in entries:
            if isinstance(entry, InputItem) and entry.item_id and self._repeats_an_id(entry):
                continue
            if entry.key in self.done:
                self.stats.skipped_done += 1
                continue
            if isinstance(entry, InputProblem):
                self.stats.input_problems += 1
                if self.on_problem is not None:
                    self.on_problem(entry)
                self.write_record(writer, problem_record(entry))
                continue
            match = self.matcher.match(entry)
            yield entry, match, grading_item(entry, match)

    def _repeats_an_id(self, item: InputItem) -> bool:
        """Whether ``item`` repeats an earlier answer of this run (same id, question and answer),
        to be merged into it; a notice names the id either way (another answer under a used id
        is still graded)."""
        first = self._first_with_id.setdefault((item.source, item.item_id), (item.location, item.key))
        if first[0] == item.location:
            return False
        same = first[1] == item.key
        self.stats.duplicates += same
        if self.on_notice is not None:
            outcome = "the same answer: merged, graded once" if same else "a different answer: both graded"
            self.on_notice(f"{item.location}: duplicate id {item.item_id!r} (first at {first[0]}), {outcome}")
        return same

    def delivery(self, item: InputItem) -> DeliveryReport | None:
        return delivery_metrics(item) if self.with_delivery else None

    # -- offline ---------------------------------------------------------------------------

    def run_offline(self, entries: Iterable[Entry], grader, *, workers: int = 1, chunk: int = 128) -> BatchStats:
        """Grade with the offline grader's synchronous ``grade_now``: no event loop, flat memory.

        With ``workers`` > 1, chunks of ``chunk`` answers are graded in that many processes
        (started only once a first chunk is full, so a small input never pays for them), a
        bounded number of chunks in flight, and records are written in input order.
        """
        started = time.perf_counter()
        with OutputWriter(self.out_path) as writer:
            if workers <= 1:
                for triple in self.pending(entries, writer):
                    grade = grader.grade_now(triple[2]) if triple[2].has_reference else None
                    self._write_offline(writer, triple, grade)
            else:
                self._offline_pool(entries, grader, writer, workers, chunk)
        self.stats.elapsed_s = time.perf_counter() - started
        return self.stats

    def _write_offline(self, writer: OutputWriter, triple: tuple[InputItem, Match, GradingItem],
                       grade: Grade | None) -> None:
        item, match, grading = triple
        if grade is None:
            error = "follow-up question has no reference answer" if item.follow_up_of else UNMATCHED_ERROR
            record = answer_record(item, match, grading, None, delivery=self.delivery(item), error=error)
        else:
            record = answer_record(item, match, grading, grade, delivery=self.delivery(item))
        self.write_record(writer, record)

    def _offline_pool(self, entries: Iterable[Entry], grader, writer: OutputWriter, workers: int, chunk: int) -> None:
        from collections import deque
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        executor = None
        in_flight: deque = deque()
        batch: list[tuple[InputItem, Match, GradingItem]] = []

        def write(triples, future) -> None:
            grades = iter(future.result() if future is not None else [])
            for triple in triples:
                self._write_offline(writer, triple, next(grades) if triple[2].has_reference else None)

        def submit() -> None:
            nonlocal executor, batch
            if executor is None:
                executor = ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=init_worker)
            to_grade = [t[2] for t in batch if t[2].has_reference]
            in_flight.append((batch, executor.submit(grade_chunk, to_grade) if to_grade else None))
            batch = []
            while len(in_flight) > 2 * workers:
                write(*in_flight.popleft())

        try:
            for triple in self.pending(entries, writer):
                batch.append(triple)
                if len(batch) >= chunk:
                    submit()
            if executor is None:  # a small input: grade here, no processes started
                for triple in batch:
                    self._write_offline(writer, triple, grader.grade_now(triple[2]) if triple[2].has_reference else None)
            elif batch:
                submit()
            while in_flight:
                write(*in_flight.popleft())
        finally:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)

    # -- LLM -------------------------------------------------------------------------------

    def run_llm(self, entries: Iterable[Entry], grader, **options: Any) -> BatchStats:
        """``run_llm_async`` in its own event loop, closing the grader's connections before it ends."""
        async def run_and_close() -> BatchStats:
            try:
                return await self.run_llm_async(entries, grader, **options)
            finally:
                await close_grader(grader)  # the HTTP connections belong to this event loop

        return asyncio.run(run_and_close())

    async def run_llm_async(self, entries: Iterable[Entry], grader, *, concurrency: int = DEFAULT_CONCURRENCY,
                            max_attempts: int = DEFAULT_MAX_ATTEMPTS,
                            estimate_tokens: Callable[[str], int] | None = None,
                            max_output_tokens: int = 900, seed: int | None = None,
                            checks: AnswerChecks | None = None) -> BatchStats:
        """Grade through ``grader`` (an LLM grader) in the one run loop (``scheduler``);
        ``checks`` moves the cross-check and the delivery metrics to a helper process
        (``answer_checks.AnswerChecks``). The grader's grade cache is turned off: the output
        file is this run's resume store."""
        if isinstance(grader, CachesGrades):
            grader.disable_cache()
        scheduler = GradingScheduler(
            grader, concurrency=concurrency, max_attempts=max_attempts, estimate=estimate_tokens or default_estimate,
            max_output_tokens=max_output_tokens, rng=random.Random(seed), clock=self.clock, sleep=self.sleep,
            notice=self.on_notice)
        started = self.clock()
        with OutputWriter(self.out_path) as writer:
            pending = (((item, match), grading) for item, match, grading in self.pending(entries, writer))

            def finish(job: Job, grade: Grade) -> "asyncio.Future | None":
                if checks is None:
                    self._write_llm(writer, job, grade, self.delivery(job.work[0]))
                    return None
                checked = checks.submit(job.work[0], job.grading, grade)  # now: a flush sends it
                return asyncio.ensure_future(self._write_when_checked(writer, job, grade, checked))

            try:
                await scheduler.run(pending, finish, flush=checks.flush if checks is not None else None)
            finally:
                self.stats.elapsed_s = self.clock() - started
                self.stats.rate_wait_s = scheduler.limiter.waited_s
                self.stats.attempts += scheduler.attempts
                self.stats.requeued += scheduler.requeued
        return self.stats

    async def _write_when_checked(self, writer: OutputWriter, job: Job, grade: Grade, checked: asyncio.Future) -> None:
        delivery = None
        try:
            grade, delivery = await checked
        except Exception:  # the extras are lost, never the answer's grade
            pass
        self._write_llm(writer, job, grade, delivery)

    def _write_llm(self, writer: OutputWriter, job: Job, grade: Grade, delivery: DeliveryReport | None) -> None:
        item, match = job.work
        flags = () if job.grading.has_reference else (NO_REFERENCE_NOTE,)
        self.write_record(writer, answer_record(item, match, job.grading, grade, delivery=delivery,
                                                attempts=job.attempts, extra_flags=flags))

"""The LLM batch scheduler: bounded workers, delayed requeues for retryable failures, paced requests.

``LLMScheduler.run`` pulls answers from the run's input stream (at most ``4 x concurrency``
held in memory), sends at most ``concurrency`` at once, waits on the rate limiter before each
request, feeds it the server's headers after each reply, and puts a retryable failure back in
the queue after the server's Retry-After (any length, 300 s included) or an exponential
back-off, up to ``max_attempts`` tries. Only the final outcome of an answer is written.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from interviewer.batch.items import InputItem
from interviewer.batch.matching import Match
from interviewer.batch.pacing import RateLimiter, backoff_delay
from interviewer.batch.records import answer_record
from interviewer.grading.interface import Grade, GradingItem, ReportsRateLimit
from interviewer.text.delivery import DeliveryReport

if TYPE_CHECKING:
    from interviewer.batch.runner import BatchRun, Entry, OutputWriter

#: Tokens a grading prompt adds around the question, reference and answer (system prompt, rubric).
PROMPT_OVERHEAD_TOKENS = 700
NO_REFERENCE_NOTE = "graded without a reference answer"
RETRY, FRESH, STOP = 0, 1, 2


def default_estimate(text: str) -> int:
    try:
        from interviewer.grading.llm.tokens import estimate_tokens
    except ImportError:
        return len(text) // 4 + 1
    return estimate_tokens(text)


@dataclass
class _Job:
    item: InputItem
    match: Match
    grading: GradingItem
    tokens: float
    attempts: int = 0


class LLMScheduler:
    """Workers, a work queue, delayed requeues and a bound on answers held in memory."""

    def __init__(self, run: "BatchRun", grader, concurrency: int, max_attempts: int,
                 estimate: Callable[[str], int], max_output_tokens: int, rng: random.Random, checks=None):
        self.run_ = run
        self.grader = grader
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.estimate = estimate
        self.max_output_tokens = max_output_tokens
        self.rng = rng
        self.limiter = RateLimiter()
        #: (priority, order, job): a retry due now goes before answers not tried yet, so a
        #: requeued answer does not wait behind the whole window; None (stop) goes last.
        self.queue: asyncio.PriorityQueue[tuple[int, int, _Job | None]] = asyncio.PriorityQueue()
        self.order = 0
        #: Answers taken from the input but not yet written (queued, in flight or waiting to retry).
        self.window = asyncio.Semaphore(concurrency * 4)
        self.outstanding = 0
        self.idle = asyncio.Event()
        self.idle.set()
        self.fatal: BaseException | None = None
        self.timers: set[asyncio.TimerHandle] = set()
        #: ``answer_checks.AnswerChecks`` (cross-check and delivery in a helper process), or None.
        self.checks = checks
        #: Graded answers waiting for their checks before they are written.
        self.checking: set[asyncio.Future] = set()
        self.produced_all = False

    def _tokens(self, grading: GradingItem) -> float:
        text = "\n".join((grading.question, grading.reference, "\n".join(grading.key_points), grading.answer))
        return float(self.estimate(text) + PROMPT_OVERHEAD_TOKENS + self.max_output_tokens)

    async def run(self, entries: Iterable["Entry"], writer: "OutputWriter") -> None:
        self.writer = writer
        workers = [asyncio.create_task(self._worker()) for _ in range(self.concurrency)]
        stopped = False
        try:
            await self._produce(entries)
            self.produced_all = True
            self._flush_checks_if_last()
            await self.idle.wait()
        except BaseException:  # Ctrl+C (cancelled): requests in flight are dropped, not waited for
            stopped = True
            raise
        finally:
            for timer in self.timers:
                timer.cancel()
            for _ in workers:
                self._put(STOP, None)
            if self.fatal is not None or stopped:
                for task in workers:
                    task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            if self.checking:  # keep what is graded: its checks take a few ms
                self.checks.flush()
                await asyncio.gather(*self.checking, return_exceptions=True)
        if self.fatal is not None:
            raise self.fatal

    async def _produce(self, entries: Iterable["Entry"]) -> None:
        for number, (item, match, grading) in enumerate(self.run_.pending(entries, self.writer)):
            if self.fatal is not None:
                return
            await self.window.acquire()
            if self.fatal is not None:
                return
            self.outstanding += 1
            self.idle.clear()
            self._put(FRESH, _Job(item, match, grading, self._tokens(grading)))
            if number % 64 == 63:
                await asyncio.sleep(0)  # let the workers run while a large input is read

    async def _worker(self) -> None:
        while True:
            _, _, job = await self.queue.get()
            if job is None or self.fatal is not None:
                return
            await self.limiter.acquire(job.tokens)
            job.attempts += 1
            self.run_.stats.attempts += 1
            try:
                grade = await self.grader.grade(job.grading)
            except asyncio.CancelledError:
                raise
            except BaseException as error:  # LLMConfigError and bugs stop the run
                self.limiter.release(job.tokens)
                self.fatal = error
                self.idle.set()
                self.window.release()
                return
            used = grade.usage.total_tokens if grade.usage is not None else None
            self.limiter.release(job.tokens, used)
            self.limiter.observe(self.grader.rate_limit if isinstance(self.grader, ReportsRateLimit) else None)
            if grade.failed and grade.retryable and job.attempts < self.max_attempts:
                self._requeue(job, grade)
                continue
            self._finish(job, grade)

    def _requeue(self, job: _Job, grade: Grade) -> None:
        """Back in the queue after the server's Retry-After (however long), else a back-off."""
        delay = grade.retry_after_s if grade.retry_after_s is not None else backoff_delay(job.attempts, self.rng)
        self.run_.stats.requeued += 1

        def put_back() -> None:
            self.timers.discard(timer)
            self._put(RETRY, job)

        timer = self._schedule(max(0.0, delay), put_back)
        self.timers.add(timer)

    def _put(self, priority: int, job: _Job | None) -> None:
        self.order += 1
        self.queue.put_nowait((priority, self.order, job))

    def _schedule(self, delay: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        return asyncio.get_running_loop().call_later(delay, callback)

    def _finish(self, job: _Job, grade: Grade) -> None:
        """Write the final outcome; with ``checks``, once they ran (the worker moves on at once)."""
        if self.checks is None:
            self._write(job, grade, self.run_.delivery(job.item))
            return
        future = self.checks.submit(job.item, job.grading, grade)
        self.checking.add(future)
        future.add_done_callback(lambda done: self._write_checked(job, grade, done))
        self._flush_checks_if_last()

    def _write_checked(self, job: _Job, grade: Grade, done: asyncio.Future) -> None:
        self.checking.discard(done)
        delivery = None
        if not done.cancelled() and done.exception() is None:
            grade, delivery = done.result()  # else the extras are lost, never the answer's grade
        try:
            self._write(job, grade, delivery)
        except Exception as error:  # e.g. a full disk: stop the run with it rather than wait forever
            self.fatal = error
            self.idle.set()

    def _flush_checks_if_last(self) -> None:
        """At the end of the input, once every answer left is waiting for its checks, send them
        now rather than after the checks' linger time."""
        if self.checks is not None and self.produced_all and self.checking and self.outstanding == len(self.checking):
            self.checks.flush()

    def _write(self, job: _Job, grade: Grade, delivery: DeliveryReport | None) -> None:
        flags = () if job.grading.has_reference else (NO_REFERENCE_NOTE,)
        record = answer_record(job.item, job.match, job.grading, grade, delivery=delivery,
                               attempts=job.attempts, extra_flags=flags)
        self.run_.write_record(self.writer, record)
        self.outstanding -= 1
        self.window.release()
        if self.outstanding == 0:
            self.idle.set()

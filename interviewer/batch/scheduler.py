"""The one run loop for grading many answers with an async grader (batch runs and evaluation).

``GradingScheduler.run`` pulls work from the caller's ``pending`` stream (at most
``4 x concurrency`` held in memory), sends at most ``concurrency`` grades at once, waits on the
rate limiter before each request, feeds it the grader's rate-limit facts after each reply, and
puts a retryable failure back in the queue after the server's Retry-After (any length, 300 s
included) or an exponential back-off, up to ``max_attempts`` tries. Only the final outcome of
each piece of work goes to the caller's ``finish`` callback.

The loop knows nothing of files or records: the caller says what is pending and what to do
with a final grade. Time is injected (``clock`` and ``sleep``), so a test needs no patching.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Generic, Iterable, TypeVar

from interviewer.batch.pacing import RateLimiter, backoff_delay
from interviewer.grading.interface import Grade, Grader, GradingItem, ReportsRateLimit

#: Tokens a grading prompt adds around the question, reference and answer (system prompt, rubric).
PROMPT_OVERHEAD_TOKENS = 700
RETRY, FRESH, STOP = 0, 1, 2
#: A requeue at least this long is announced (``notice``).
LONG_WAIT_S = 10.0

Work = TypeVar("Work")
Sleep = Callable[[float], Awaitable[Any]]


def default_estimate(text: str) -> int:
    try:
        from interviewer.grading.llm.tokens import estimate_tokens
    except ImportError:
        return len(text) // 4 + 1
    return estimate_tokens(text)


@dataclass
class Job(Generic[Work]):
    """One piece of work: what the caller gave with it, the item to grade, and its tries."""

    work: Work
    grading: GradingItem
    tokens: float
    attempts: int = 0


#: What to do with a final grade: done at once (None), or when the returned future completes.
Finish = Callable[[Job, Grade], "asyncio.Future | None"]


class GradingScheduler:
    """Workers, a work queue, delayed requeues and a bound on work held in memory."""

    def __init__(self, grader: Grader, *, concurrency: int = 8, max_attempts: int = 6,
                 estimate: Callable[[str], int] = default_estimate, max_output_tokens: int = 900,
                 rng: random.Random | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Sleep = asyncio.sleep, notice: Callable[[str], None] | None = None):
        self.grader = grader
        self.concurrency = max(1, concurrency)
        self.max_attempts = max(1, max_attempts)
        self.estimate = estimate
        self.max_output_tokens = max_output_tokens
        self.rng = rng or random.Random()
        self.sleep = sleep
        self.limiter = RateLimiter(clock=clock, sleep=sleep)
        #: Grading calls made (a cached grade or a repair counts once) and failures requeued.
        self.attempts = 0
        self.requeued = 0
        self.clock = clock
        #: Called with one line when the server asks for a long wait (``LONG_WAIT_S`` or more).
        self.notice = notice
        #: Clock time until which the last long wait was announced.
        self.waiting_until = float("-inf")

    def say_long_wait(self, delay: float, grade: Grade) -> None:
        """One visible line when a requeue waits long (not one per waiting answer)."""
        if delay < LONG_WAIT_S or self.notice is None:
            return
        now = self.clock()
        if now + delay <= self.waiting_until + 1.0:
            return
        self.waiting_until = now + delay
        asked = "as the server asked (Retry-After)" if grade.retry_after_s is not None else "before trying again"
        self.notice(f"waiting {delay:.0f}s {asked}: {grade.error}")

    def _tokens(self, grading: GradingItem) -> float:
        text = "\n".join((grading.question, grading.reference, "\n".join(grading.key_points), grading.answer))
        return float(self.estimate(text) + PROMPT_OVERHEAD_TOKENS + self.max_output_tokens)

    async def run(self, pending: Iterable[tuple[Work, GradingItem]], finish: Finish,
                  flush: Callable[[], None] | None = None) -> None:
        """Grade every (work, item) of ``pending``; ``finish(job, grade)`` gets each final grade.

        ``finish`` may return a future (extra checks before a write): the work is done when it
        completes. ``flush`` is called once everything left is waiting on such futures, so
        they need not wait for more work to batch with. The first error a grade raises
        (``LLMConfigError``, a bug) or a finishing future fails with stops the run: grades in
        flight are cancelled and the error is raised here.
        """
        loop = _Loop(self, finish, flush)
        await loop.run(pending)


class _Loop:
    """The state of one ``GradingScheduler.run``."""

    def __init__(self, scheduler: GradingScheduler, finish: Finish, flush: Callable[[], None] | None):
        self.s = scheduler
        self.finish = finish
        self.flush = flush
        #: (priority, order, job): a retry due now goes before work not tried yet, so a
        #: requeued job does not wait behind the whole window; None (stop) goes last.
        self.queue: asyncio.PriorityQueue[tuple[int, int, Job | None]] = asyncio.PriorityQueue()
        self.order = 0
        #: Work taken from ``pending`` but not done (queued, in flight, waiting to retry or finishing).
        self.window = asyncio.Semaphore(scheduler.concurrency * 4)
        self.outstanding = 0
        self.idle = asyncio.Event()
        self.idle.set()
        self.fatal: BaseException | None = None
        self.timers: set[asyncio.Task] = set()
        self.finishing: set[asyncio.Future] = set()
        self.produced_all = False

    async def run(self, pending: Iterable[tuple[Any, GradingItem]]) -> None:
        workers = [asyncio.create_task(self._worker()) for _ in range(self.s.concurrency)]
        stopped = False
        try:
            await self._produce(pending)
            self.produced_all = True
            self._flush_if_only_finishing()
            await self.idle.wait()
        except BaseException:  # Ctrl+C (cancelled): grades in flight are dropped, not waited for
            stopped = True
            raise
        finally:
            await self._shut_down(workers, cancel=stopped or self.fatal is not None)
        if self.fatal is not None:
            raise self.fatal

    async def _shut_down(self, workers: list[asyncio.Task], cancel: bool) -> None:
        for timer in self.timers:
            timer.cancel()
        for _ in workers:
            self._put(STOP, None)
        if cancel:
            for task in workers:
                task.cancel()
        await asyncio.gather(*workers, *self.timers, return_exceptions=True)
        if self.finishing:  # keep what is graded: its checks take a few ms
            if self.flush is not None:
                self.flush()
            await asyncio.gather(*self.finishing, return_exceptions=True)

    async def _produce(self, pending: Iterable[tuple[Any, GradingItem]]) -> None:
        for number, (work, grading) in enumerate(pending):
            if self.fatal is not None:
                return
            await self.window.acquire()
            if self.fatal is not None:
                return
            self.outstanding += 1
            self.idle.clear()
            self._put(FRESH, Job(work, grading, self.s._tokens(grading)))
            if number % 64 == 63:
                await asyncio.sleep(0)  # let the workers run while a large input is read

    async def _worker(self) -> None:
        limiter, grader = self.s.limiter, self.s.grader
        while True:
            _, _, job = await self.queue.get()
            if job is None or self.fatal is not None:
                return
            await limiter.acquire(job.tokens)
            job.attempts += 1
            self.s.attempts += 1
            try:
                grade = await grader.grade(job.grading)
            except asyncio.CancelledError:
                raise
            except BaseException as error:  # LLMConfigError and bugs stop the run
                limiter.release(job.tokens)
                self._stop(error)
                self.window.release()
                return
            limiter.release(job.tokens, grade.usage.total_tokens if grade.usage is not None else None)
            limiter.observe(grader.rate_limit if isinstance(grader, ReportsRateLimit) else None)
            if grade.failed and grade.retryable and job.attempts < self.s.max_attempts:
                self._requeue(job, grade)
                continue
            self._finish(job, grade)

    def _stop(self, error: BaseException) -> None:
        if self.fatal is None:
            self.fatal = error
        self.idle.set()

    def _requeue(self, job: Job, grade: Grade) -> None:
        """Back in the queue after the server's Retry-After (however long), else a back-off."""
        delay = grade.retry_after_s if grade.retry_after_s is not None else backoff_delay(job.attempts, self.s.rng)
        self.s.requeued += 1
        self.s.say_long_wait(delay, grade)

        async def put_back() -> None:
            await self.s.sleep(max(0.0, delay))
            self._put(RETRY, job)

        timer = asyncio.ensure_future(put_back())
        self.timers.add(timer)
        timer.add_done_callback(self.timers.discard)

    def _put(self, priority: int, job: Job | None) -> None:
        self.order += 1
        self.queue.put_nowait((priority, self.order, job))

    def _finish(self, job: Job, grade: Grade) -> None:
        try:
            later = self.finish(job, grade)
        except Exception as error:  # e.g. a full disk: stop the run with it rather than wait forever
            self._stop(error)
            return
        if later is None:
            self._done()
            return
        self.finishing.add(later)
        later.add_done_callback(self._finished)
        self._flush_if_only_finishing()

    def _finished(self, later: asyncio.Future) -> None:
        self.finishing.discard(later)
        if not later.cancelled() and later.exception() is not None:
            self._stop(later.exception())
            return
        self._done()

    def _done(self) -> None:
        self.outstanding -= 1
        self.window.release()
        if self.outstanding == 0:
            self.idle.set()

    def _flush_if_only_finishing(self) -> None:
        """At the end of the input, once all the work left is finishing, let it go now."""
        if self.flush is not None and self.produced_all and self.finishing and self.outstanding == len(self.finishing):
            self.flush()

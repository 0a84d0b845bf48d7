"""The per-answer extras of an LLM batch, in one helper process, sent over in batches: the cross-check and delivery.

For each LLM grade, the same cross-check live grading does (``judging.cross_check``: a flag
when the LLM's score is far above the offline grader's) and the answer's delivery metrics. In the event loop they
would delay every response behind them; in a helper process a second CPU does them while
the loop sends the next requests. Answers go over in batches (``BATCH_SIZE``, or whatever
has waited ``LINGER_S``): one hand-over per answer would cost the loop more than the
checks themselves.
"""

from __future__ import annotations

import asyncio
from typing import Any

from interviewer.batch.items import InputItem
from interviewer.batch.offline_pool import grade_chunk, init_worker
from interviewer.batch.records import delivery_metrics
from interviewer.grading.interface import Grade, GradingItem
from interviewer.text.delivery import DeliveryReport

#: Answers sent to the helper process at once, at most ...
BATCH_SIZE = 32
#: ... and the longest an answer waits for others before its batch goes anyway.
LINGER_S = 0.1

Checked = tuple[float | None, DeliveryReport | None]


def check_answers(batch: list[tuple[InputItem, GradingItem | None]], with_delivery: bool) -> list[Checked]:
    """In the helper process: for each answer, the offline score (for the cross-check; None
    without a reference or without a grading item) and the delivery metrics."""
    wanted = [grading for _, grading in batch if grading is not None and grading.has_reference]
    scores = iter(grade_chunk(wanted) if wanted else ())
    results: list[Checked] = []
    for item, grading in batch:
        score = None
        if grading is not None and grading.has_reference:
            offline = next(scores)
            score = None if offline.failed else offline.score
        results.append((score, delivery_metrics(item) if with_delivery else None))
    return results


class AnswerChecks:
    """Cross-check and delivery metrics for an LLM batch, in a helper process; ``close()`` stops it."""

    def __init__(self, with_delivery: bool = True, *, batch_size: int = BATCH_SIZE, linger_s: float = LINGER_S):
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        self.with_delivery = with_delivery
        self.batch_size = max(1, batch_size)
        self.linger_s = linger_s
        self.executor = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=init_worker)
        self.executor.submit(grade_chunk, [])  # start the process (and its imports) now, in the background
        self._waiting: list[tuple[InputItem, GradingItem | None, Grade, asyncio.Future]] = []
        self._timer: asyncio.TimerHandle | None = None

    def submit(self, item: InputItem, grading: GradingItem, grade: Grade) -> "asyncio.Future[tuple[Grade, DeliveryReport | None]]":
        """A future of the grade with the cross-check's flag (if any) and the answer's delivery
        metrics; it fails only if the helper process does (the caller keeps the bare grade)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._waiting.append((item, None if grade.failed else grading, grade, future))
        if len(self._waiting) >= self.batch_size:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.linger_s, self.flush)
        return future

    async def check(self, item: InputItem, grading: GradingItem, grade: Grade) -> tuple[Grade, DeliveryReport | None]:
        """``submit``, awaited."""
        return await self.submit(item, grading, grade)

    def flush(self) -> None:
        """Send what is waiting now (the run calls this when nothing else is left to do)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting = self._waiting, []
        if not batch:
            return
        try:
            done = asyncio.wrap_future(self.executor.submit(
                check_answers, [(item, grading) for item, grading, _, _ in batch], self.with_delivery))
        except Exception as error:  # the process is gone (or shut down): each answer keeps its bare grade
            _settle(batch, None, error)
            return
        done.add_done_callback(lambda finished: _settle(batch, finished, None))

    def close(self, wait: bool = False) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.executor.shutdown(wait=wait, cancel_futures=True)


def _settle(batch: list, finished: "asyncio.Future | None", error: BaseException | None) -> None:
    from interviewer.grading.llm.judging import cross_check

    results: Any = None
    if finished is not None and not finished.cancelled():
        error = finished.exception()
        results = finished.result() if error is None else None
    for index, (_, _, grade, future) in enumerate(batch):
        if future.done():
            continue
        if results is None:
            future.set_exception(error or RuntimeError("the answer checks were cancelled"))
            continue
        offline_score, delivery = results[index]
        future.set_result((cross_check(grade, offline_score), delivery))

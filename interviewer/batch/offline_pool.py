"""Offline work in helper processes: a grading pool for big offline batches, and one process for LLM batches.

Both use "spawn" processes that ignore Ctrl+C (the parent stops them) and exit by themselves
when the parent dies, even by kill -9, so nothing is left behind.
"""

from __future__ import annotations

import asyncio
import os
import time

from interviewer.batch.items import InputItem
from interviewer.batch.records import delivery_metrics
from interviewer.grading import Grade, GradingItem


def init_worker() -> None:
    """In a pool process: leave Ctrl+C to the parent, and exit when the parent is gone (even
    after a kill -9, when nobody is left to shut the pool down)."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


_worker_grader = None


def grade_chunk(items: list[GradingItem]) -> list[Grade]:
    """Grade a chunk offline in a pool process (one offline grader per process)."""
    global _worker_grader
    if _worker_grader is None:
        from interviewer.graders import make_offline_grader

        _worker_grader = make_offline_grader()
    return [_worker_grader.grade_now(item) for item in items]


def check_answer(item: InputItem, grading: GradingItem, with_delivery: bool) -> tuple[float | None, dict | None]:
    """In the helper process: the offline score (for the cross-check; None without a reference)
    and the delivery metrics of one answer."""
    score = None
    if grading.has_reference:
        offline = grade_chunk([grading])[0]
        score = None if offline.failed else offline.score
    return score, delivery_metrics(item) if with_delivery else None


class AnswerChecks:
    """The per-answer work besides the LLM request, in a helper process, off the request path.

    For each LLM grade, the same cross-check live grading does (a flag when the LLM's score is
    far above the offline grader's) and the delivery metrics. In the event loop they would
    cost more CPU than the HTTP client does per request, and delay every response behind
    them; here a second CPU does them while the loop sends the next requests. ``close()``
    stops the process.
    """

    def __init__(self, with_delivery: bool = True) -> None:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        self.with_delivery = with_delivery
        self.executor = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=init_worker)
        self.executor.submit(grade_chunk, [])  # start the process (and its imports) now, in the background

    async def check(self, item: InputItem, grading: GradingItem, grade: Grade) -> tuple[Grade, dict | None]:
        """The grade with the cross-check's flag (if any), and the answer's delivery metrics."""
        from interviewer.injection import score_divergence_flag

        loop = asyncio.get_running_loop()
        wanted = grading if not grade.failed else GradingItem(question="", answer="")
        offline_score, delivery = await loop.run_in_executor(
            self.executor, check_answer, item, wanted, self.with_delivery)
        flag = None if grade.failed else score_divergence_flag(grade.score, offline_score)
        return (grade.with_flags(flag) if flag else grade), delivery

    def close(self, wait: bool = False) -> None:
        self.executor.shutdown(wait=wait, cancel_futures=True)


def default_workers() -> int:
    """Offline grading processes: none on one or two CPUs (the parent needs one, and two
    processes fighting over one CPU are slower than one), else one per spare CPU, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return 1 if cpus < 3 else min(4, cpus - 1)

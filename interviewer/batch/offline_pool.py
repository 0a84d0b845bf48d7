"""Offline work in helper processes: the grading pool of big offline batches (and of an LLM batch's checks, ``answer_checks``).

They use "spawn" processes that ignore Ctrl+C (the parent stops them) and exit by themselves
when the parent dies, even by kill -9, so nothing is left behind.
"""

from __future__ import annotations

import os
import time

from interviewer.grading.interface import Grade, GradingItem


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
        from interviewer.grading.choose import make_offline_grader

        _worker_grader = make_offline_grader()
    return [_worker_grader.grade_now(item) for item in items]


def default_workers() -> int:
    """Offline grading processes: none on one or two CPUs (the parent needs one, and two
    processes fighting over one CPU are slower than one), else one per spare CPU, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return 1 if cpus < 3 else min(4, cpus - 1)

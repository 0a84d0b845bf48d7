"""A fake clock for tests: time moves only when told to, or when something sleeps on it.

``FakeClock()`` is a ``clock`` (call it for the time) and its ``sleep`` is an async ``sleep``:
pass both wherever the code takes them (``PracticeSession(clock=...)``, ``BatchRun(clock=...,
sleep=...)``, ``GradingScheduler``, ``RateLimiter``). A sleep returns at once, moves the
clock on by what was asked and records it in ``slept``, so a test of a 300 s Retry-After
takes no time and can assert what was waited for.
"""

from __future__ import annotations

import asyncio


class FakeClock:
    def __init__(self, start: float = 1000.0):
        self.now = float(start)
        #: Every sleep asked for, in order.
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)  # still let other tasks run, as a real sleep would

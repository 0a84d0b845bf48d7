"""The answer countdown: time left (or time taken when untimed), a warning style near the end, a message on expiry."""

from __future__ import annotations

import time
from typing import Callable

from textual.message import Message
from textual.widgets import Static

#: From this many seconds left, the countdown takes the ``-warning`` style.
WARN_AT_S = 15.0
TICK_S = 0.25


def clock_face(seconds: float) -> str:
    whole = max(0, int(seconds + 0.999))  # 0.2 s left still shows 0:01
    return f"{whole // 60}:{whole % 60:02d}"


class Countdown(Static):
    """Counts down from ``start(limit_s, started_at)`` on a clock; posts ``Expired`` once at zero.

    With ``limit_s=None`` it counts up (time taken). ``stop()`` freezes it.
    The clock is injectable so a test can move time instead of waiting.
    """

    class Expired(Message):
        """The time for this answer is up."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, **kwargs):
        super().__init__("", **kwargs)
        self.clock = clock
        self.limit_s: float | None = None
        self.started_at: float | None = None
        self.stopped_at: float | None = None
        #: The time taken to show once stopped (the session's figure, capped at the limit).
        self.taken: float | None = None
        self._expired = False

    def on_mount(self) -> None:
        self.set_interval(TICK_S, self.tick)

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.stopped_at is None

    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        end = self.stopped_at if self.stopped_at is not None else self.clock()
        return max(0.0, end - self.started_at)

    def remaining(self) -> float | None:
        return None if self.limit_s is None else max(0.0, self.limit_s - self.elapsed())

    def start(self, limit_s: float | None, started_at: float | None = None) -> None:
        self.limit_s = float(limit_s) if limit_s else None
        self.started_at = self.clock() if started_at is None else started_at
        self.stopped_at = None
        self.taken = None
        self._expired = False
        self.tick()

    def stop(self, taken: float | None = None) -> None:
        """Freeze the countdown; show ``taken`` seconds (default: the time it ran)."""
        if self.running:
            self.stopped_at = self.clock()
        self.taken = taken
        self.tick()

    def tick(self) -> None:
        remaining = self.remaining()
        if self.started_at is None:
            text = ""
        elif not self.running:
            text = f"took {clock_face(self.elapsed() if self.taken is None else self.taken)}"
        elif remaining is None:
            text = clock_face(self.elapsed())
        else:
            text = f"{clock_face(remaining)} left"
        warning = self.running and remaining is not None and remaining <= WARN_AT_S
        self.set_class(warning, "-warning")
        self.set_class(warning and remaining <= 0, "-expired")
        self.update(text)
        if self.running and remaining is not None and remaining <= 0 and not self._expired:
            self._expired = True
            self.post_message(self.Expired())

"""The graders of a practice session: its own, made once off the event loop, and the offline one for a fallback."""

from __future__ import annotations

import asyncio

from interviewer.grading.interface import Grader
from interviewer.settings import Settings


class SessionGraders:
    """Makes the session's grader on first use, in a thread (the LLM one imports openai).

    A warm-up and a first grade may ask at the same time: both await the one making; a
    making that failed (a wrong key) is tried again on the next ask.
    """

    def __init__(self, settings: Settings, mode: str, grader: Grader | None = None):
        self.settings = settings
        self.mode = mode
        self._grader = grader
        self._making: asyncio.Future | None = None
        self._offline: Grader | None = None

    async def grader(self) -> Grader:
        if self._grader is None:
            from interviewer.grading.choose import make_grader

            making = self._making
            if making is None or (making.done() and making.exception() is not None):
                making = self._making = asyncio.ensure_future(asyncio.to_thread(make_grader, self.settings, self.mode))
            self._grader = await asyncio.shield(making)
        return self._grader

    def offline(self) -> Grader:
        """The offline grader ("grade this answer offline" after an LLM failure)."""
        if self._offline is None:
            from interviewer.grading.choose import make_offline_grader

            self._offline = make_offline_grader()
        return self._offline

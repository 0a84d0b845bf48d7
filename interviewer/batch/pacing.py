"""Pacing LLM requests: token buckets for requests and tokens per minute, fed by x-ratelimit-* headers.

The server's headers say how much is left (``remaining``) and how long until the bucket is
full again (``reset``). From them each bucket learns its capacity (the most ever seen
remaining, plus one) and its refill rate ((capacity - remaining) / reset), and a request
waits until both buckets hold what it will spend: one request, and its estimated tokens
(prompt plus the output bound, which is what OpenAI counts against the limit).

Before any header arrives the buckets are unknown and nothing waits; a server that sends
no headers is never slowed down here (429s are still honoured per item by the scheduler).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass

from interviewer.grading.llm.chat import RateLimitInfo

#: Never sleep longer than this in one go before checking the buckets again, nor shorter.
MAX_SLEEP_S = 5.0
MIN_SLEEP_S = 0.001
#: Rounding slack: a bucket this close to the cost counts as holding it.
EPSILON = 1e-6
#: Back-off for a retryable failure that did not say how long to wait.
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 30.0


def backoff_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds before try ``attempt + 1`` after ``attempt`` failures: exponential with jitter."""
    base = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, attempt - 1))
    return base * (0.5 + 0.5 * (rng or random).random())


@dataclass
class TokenBucket:
    """One limit (requests or tokens); ``level`` None means unknown, so nothing waits."""

    level: float | None = None
    capacity: float | None = None
    rate: float | None = None  # refill per second
    at: float = 0.0

    def refill(self, now: float) -> None:
        if self.level is not None and self.rate and self.capacity is not None:
            self.level = min(self.capacity, self.level + (now - self.at) * self.rate)
        self.at = now

    def observe(self, remaining: int | None, reset_s: float | None, pending: float, now: float) -> None:
        """What the server said: ``remaining`` now, full again in ``reset_s``; ``pending`` is
        what we have in flight that the server may not have counted yet."""
        if remaining is None:
            return
        self.capacity = max(self.capacity or 0.0, remaining + 1.0)
        if reset_s is not None and reset_s > 0 and self.capacity > remaining:
            self.rate = (self.capacity - remaining) / reset_s
        elif reset_s == 0:
            remaining = int(self.capacity)
        self.level = max(0.0, remaining - pending)
        self.at = now

    def wait_for(self, cost: float) -> float:
        """Seconds until ``cost`` is available (0 when it is, or when the limit is unknown)."""
        if self.level is None:
            return 0.0
        cost = min(cost, self.capacity or cost)  # a request bigger than the bucket waits for a full one
        if self.level + EPSILON >= cost:
            return 0.0
        if not self.rate:
            return 1.0  # no refill rate known yet: look again after the next header
        return (cost - self.level) / self.rate

    def spend(self, cost: float) -> None:
        if self.level is not None:
            self.level -= cost

    def give_back(self, cost: float) -> None:
        if self.level is not None:
            self.level = min(self.capacity or self.level + cost, self.level + cost)


class RateLimiter:
    """Waits before each request until the request and token buckets allow it."""

    def __init__(self, clock=time.monotonic, sleep=asyncio.sleep):
        self.clock = clock
        self.sleep = sleep
        self.requests = TokenBucket()
        self.tokens = TokenBucket()
        self.pending_requests = 0
        self.pending_tokens = 0.0
        self.waited_s = 0.0
        self._last_seen = -1.0

    def delay(self, tokens: float) -> float:
        now = self.clock()
        self.requests.refill(now)
        self.tokens.refill(now)
        return max(self.requests.wait_for(1), self.tokens.wait_for(tokens))

    async def acquire(self, tokens: float) -> None:
        """Wait until one request of ``tokens`` estimated tokens may go; then count it as pending."""
        while True:
            wait = self.delay(tokens)
            if wait <= 0:
                break
            pause = min(max(wait, MIN_SLEEP_S), MAX_SLEEP_S)
            self.waited_s += pause
            await self.sleep(pause)
        self.requests.spend(1)
        self.tokens.spend(tokens)
        self.pending_requests += 1
        self.pending_tokens += tokens

    def release(self, tokens: float, used_tokens: int | None = None) -> None:
        """A request finished; tokens estimated above what it really used go back to the bucket."""
        self.pending_requests = max(0, self.pending_requests - 1)
        self.pending_tokens = max(0.0, self.pending_tokens - tokens)
        if used_tokens is not None and used_tokens < tokens:
            self.tokens.give_back(tokens - used_tokens)

    def observe(self, info: RateLimitInfo | None) -> None:
        """Feed the latest rate-limit headers (each set of headers is used once)."""
        if info is None or info.observed_at <= self._last_seen:
            return
        self._last_seen = info.observed_at
        now = self.clock()
        self.requests.observe(info.remaining_requests, info.reset_requests_s, self.pending_requests, now)
        self.tokens.observe(info.remaining_tokens, info.reset_tokens_s, self.pending_tokens, now)

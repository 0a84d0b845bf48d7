"""The contract between the LLM grader and a chat server adapter: replies, rate-limit facts, faults.

Pure (no ``openai``): the grader codes against ``ChatClient``; the one real
implementation is ``interviewer.grading.llm.adapter.OpenAIChatClient``, and tests
may pass any object with the same ``complete`` method.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Literal, Mapping, Protocol

from interviewer.grading.interface import TokenUsage

#: How a server is asked for JSON, best first. Remembered per server.
#: ``json_object_schema`` is llama.cpp's ``{"type": "json_object", "schema": ...}`` (see ``server_profile``).
OutputMode = Literal["json_schema", "json_object_schema", "json_object", "text"]
OUTPUT_MODES: tuple[OutputMode, ...] = ("json_schema", "json_object_schema", "json_object", "text")
#: The sampling seed of every grading request (live and Batch API): the same answer, the same grade.
SEED = 7
#: With several samples per grade (``--samples``), sample ``i`` uses this temperature and seed SEED + i.
SAMPLE_TEMPERATURE = 0.7

DeltaListener = Callable[[str], Any]


@dataclass(frozen=True)
class RateLimitInfo:
    """What the server said about its limits on the last response (None where it said nothing).

    The batch scheduler reads this to slow down before it hits 429s:
    ``remaining_requests``/``remaining_tokens`` from ``x-ratelimit-remaining-*``,
    ``reset_*_s`` from ``x-ratelimit-reset-*`` ("1s", "6m0s", "20ms"), and
    ``retry_after_s`` from ``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date).
    """

    remaining_requests: int | None = None
    remaining_tokens: int | None = None
    reset_requests_s: float | None = None
    reset_tokens_s: float | None = None
    retry_after_s: float | None = None
    #: ``time.monotonic()`` when the headers were read.
    observed_at: float = 0.0

    @property
    def empty(self) -> bool:
        return all(
            value is None
            for value in (
                self.remaining_requests,
                self.remaining_tokens,
                self.reset_requests_s,
                self.reset_tokens_s,
                self.retry_after_s,
            )
        )


@dataclass(frozen=True)
class ChatReply:
    """One completed chat response."""

    text: str
    finish_reason: str | None = None
    usage: TokenUsage | None = None
    refusal: str | None = None
    rate_limit: RateLimitInfo | None = None
    #: How JSON was asked for in the request that produced this reply.
    output_mode: OutputMode = "text"


class ChatUnavailable(Exception):
    """The server could not answer this request (after the client's own bounded retries).

    ``retryable``: trying again later may work (429, 5xx, timeout, dropped
    connection, malformed body). ``retry_after_s``: how long the server asked us to wait.
    ``cause``: "timeout" or "connection" when the server may be down (the grader's circuit
    breaker counts those), else "status", "malformed" or "rejected".
    """

    def __init__(self, message: str, *, retryable: bool = True, retry_after_s: float | None = None,
                 cause: str = "status"):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        self.cause = cause

    @property
    def server_down(self) -> bool:
        return self.cause in ("timeout", "connection")


class ChatClient(Protocol):
    """What the LLM grader needs from a server adapter."""

    model: str
    base_url: str
    #: The rate-limit facts of the most recent response (None before any).
    rate_limit: RateLimitInfo | None

    async def complete(
        self,
        messages: list[dict[str, str]],
        *,
        json_schema: dict | None = None,
        max_tokens: int | None = None,
        on_delta: DeltaListener | None = None,
        sample: int | None = None,
    ) -> ChatReply:
        """Send one chat request. ``json_schema`` asks for JSON (the adapter picks how the server
        supports it); ``on_delta`` streams the reply text; ``sample`` (several judge calls for one
        grade): sample ``i`` at ``SAMPLE_TEMPERATURE`` with seed ``SEED + i``, else temperature 0. Raises ``ChatUnavailable`` for server
        faults and ``LLMConfigError`` when the configuration cannot work (key, model, URL)."""
        ...


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: str | None) -> float | None:
    """Seconds in an OpenAI reset header: "1s", "6m0s", "20ms", "1h2m3.5s", or a bare number."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value.replace(" ", ""):
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or HTTP date)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except ValueError:
        return None


def parse_rate_limit_headers(headers: Mapping[str, str]) -> RateLimitInfo:
    lowered = {k.lower(): v for k, v in headers.items()}
    return RateLimitInfo(
        remaining_requests=_int(lowered.get("x-ratelimit-remaining-requests")),
        remaining_tokens=_int(lowered.get("x-ratelimit-remaining-tokens")),
        reset_requests_s=parse_duration(lowered.get("x-ratelimit-reset-requests")),
        reset_tokens_s=parse_duration(lowered.get("x-ratelimit-reset-tokens")),
        retry_after_s=parse_retry_after(lowered),
        observed_at=time.monotonic(),
    )


class MalformedReply(Exception):
    """The server answered 200 with a body that is not a chat completion."""


def usage_of(usage: Any) -> TokenUsage | None:
    """Token usage from a completion's ``usage`` (a dict, or the SDK's object in a stream)."""
    if usage is None:
        return None
    if isinstance(usage, dict):
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    else:
        prompt, completion = getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", None)
    if prompt is None and completion is None:
        return None
    try:
        return TokenUsage(int(prompt or 0), int(completion or 0))
    except (TypeError, ValueError):
        return None  # nonsense counts: the grader estimates instead


def reply_from_completion(data: Any, info: RateLimitInfo | None = None, mode: OutputMode = "text") -> ChatReply:
    """A chat completion (decoded JSON) as a ``ChatReply``; ``MalformedReply`` if it is not one.

    The one reader of completions: live requests (``adapter``) and Batch API results both use it."""
    choices = data.get("choices") if isinstance(data, dict) else None
    if not choices or not isinstance(choices, list):
        raise MalformedReply("the server sent a response without choices")
    choice = choices[0]
    message = choice.get("message") if isinstance(choice, dict) else None
    if not isinstance(message, dict):
        raise MalformedReply("the server sent a choice without a message")
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        raise MalformedReply("the server sent a message whose content is not text")
    refusal = message.get("refusal")
    usage = data.get("usage")
    return ChatReply(
        text=content or "",
        finish_reason=choice.get("finish_reason"),
        usage=usage_of(usage if isinstance(usage, dict) else None),
        refusal=refusal if isinstance(refusal, str) and refusal else None,
        rate_limit=info,
        output_mode=mode,
    )


def parse_completion(body: bytes, info: RateLimitInfo | None = None, mode: OutputMode = "text") -> ChatReply:
    """A chat completion's JSON body as a ``ChatReply``; ``MalformedReply`` if it is not one."""
    import json

    try:
        data = json.loads(body)
    except ValueError as error:
        raise MalformedReply(f"the server sent a malformed response ({error.__class__.__name__})") from None
    return reply_from_completion(data, info, mode)

"""One overall deadline per HTTP request to the LLM server: connect, first byte and the whole reply.

httpx's timeouts bound each read, so a server that trickles one byte a second never
times out (473 s for one request under a 5 s timeout). ``DeadlineTransport`` wraps the
real transport: the request and every read of the body share one deadline; when it
passes, the body stream is closed (the server sees the connection go and can stop
generating) and ``httpx.ReadTimeout`` is raised, which the SDK treats as any timeout.
Imported only by the adapter (it needs httpx).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, AsyncIterator, Callable

import httpx

#: The SDK's own pool limits (openai._constants.DEFAULT_CONNECTION_LIMITS).
CONNECTION_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


def _timeout(request: httpx.Request, seconds: float) -> httpx.ReadTimeout:
    return httpx.ReadTimeout(f"the reply did not finish within the {seconds:g}s deadline", request=request)


class _DeadlineStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, deadline: float, seconds: float, request: httpx.Request,
                 clock: Callable[[], float]):
        self.inner, self.deadline, self.seconds, self.request, self.clock = inner, deadline, seconds, request, clock

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self.inner.__aiter__()
        while True:
            remaining = self.deadline - self.clock()
            try:
                if remaining <= 0:
                    raise TimeoutError
                async with asyncio.timeout(remaining):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError:
                await self.aclose()  # drop the connection: the server can stop generating
                raise _timeout(self.request, self.seconds) from None
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class DeadlineTransport(httpx.AsyncBaseTransport):
    """``inner`` with one deadline of ``seconds`` per request, body included."""

    def __init__(self, inner: httpx.AsyncBaseTransport, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.inner, self.seconds, self.clock = inner, seconds, clock

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        deadline = self.clock() + self.seconds
        try:
            async with asyncio.timeout(self.seconds):
                response = await self.inner.handle_async_request(request)
        except TimeoutError:
            raise _timeout(request, self.seconds) from None
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_DeadlineStream(response.stream, deadline, self.seconds, request, self.clock),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


def deadline_client(seconds: float, verify: Any = True) -> httpx.AsyncClient:
    """An HTTP client (the SDK's pool limits, redirects followed) whose requests end by ``seconds``."""
    inner = httpx.AsyncHTTPTransport(limits=CONNECTION_LIMITS, verify=verify)
    transport: httpx.AsyncBaseTransport = DeadlineTransport(inner, seconds) if seconds > 0 else inner
    return httpx.AsyncClient(transport=transport, timeout=seconds or None, follow_redirects=True)

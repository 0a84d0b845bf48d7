"""A small HTTP/1.1 JSON POST client on asyncio streams, for a batch's many short chat requests.

httpx (with httpcore and anyio under it) costs a few milliseconds of CPU per request and
about 0.3 s to import; at 16 requests in flight that is the client's whole budget. This
client does one thing: POST a JSON body over kept-alive connections (http or https) and read
a reply with Content-Length, chunked encoding, or close-delimited. It is used only where it
can stand in for httpx exactly: no proxy in the environment, no user:password in the URL
(``usable_for``). Faults raise ``PlainHTTPError`` (``timeout`` says which kind) and the
caller turns them into the SDK's own errors.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")
#: Idle connections kept per server (as many as requests in flight are reused).
MAX_IDLE = 100
MAX_HEADER_BYTES = 64 * 1024


class PlainHTTPError(Exception):
    """The request did not get a reply: connection refused or dropped, or a timeout."""

    def __init__(self, message: str, *, timeout: bool = False, connect: bool = False):
        super().__init__(message)
        self.timeout = timeout
        #: The connection could not be opened (refused, unknown host): nothing was sent.
        self.connect = connect


@dataclass(frozen=True)
class Reply:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def header_map(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.headers}


def usable_for(url: str) -> bool:
    """Whether this client reaches ``url`` as httpx would: http(s), no credentials in the URL,
    no proxy configured in the environment (httpx would honour it)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "@" in parts.netloc or not parts.hostname:
        return False
    return not any(os.environ.get(name) or os.environ.get(name.upper()) for name in PROXY_VARIABLES)


class PlainHTTPClient:
    """POSTs JSON to one server, reusing idle connections; ``aclose()`` closes them."""

    def __init__(self, url: str, headers: dict[str, str], timeout_s: float):
        parts = urlsplit(url)
        self.host = parts.hostname or ""
        self.tls = parts.scheme == "https"
        self.port = parts.port or (443 if self.tls else 80)
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = self.port == (443 if self.tls else 80)
        host_header = self.host if ":" not in self.host else f"[{self.host}]"
        self.head = "".join(
            f"{name}: {value}\r\n" for name, value in {
                "Host": host_header if default_port else f"{host_header}:{self.port}",
                "Content-Type": "application/json", "Accept": "application/json", "Connection": "keep-alive",
                **headers,
            }.items()
        )
        self.timeout_s = timeout_s
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._tls_context: ssl.SSLContext | None = None

    async def post_json(self, payload: dict) -> Reply:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        request = (f"POST {self.target} HTTP/1.1\r\n{self.head}Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
        request += body
        try:
            async with asyncio.timeout(self.timeout_s):  # one deadline: connect, send, the whole reply
                while self._idle:  # a kept-alive connection the server may have closed meanwhile
                    reader, writer = self._idle.pop()
                    try:
                        return await self._exchange(reader, writer, request)
                    except _Closed:  # nothing of a reply came: the request can be sent again
                        pass
                reader, writer = await self._connect()
                try:
                    return await self._exchange(reader, writer, request)
                except _Closed:
                    raise PlainHTTPError("the server closed the connection before replying") from None
        except TimeoutError:
            raise PlainHTTPError(f"no reply within {self.timeout_s:g}s", timeout=True) from None
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            raise PlainHTTPError(f"{error.__class__.__name__}: {error}") from None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        context = None
        if self.tls:
            if self._tls_context is None:
                self._tls_context = _default_tls_context()
            context = self._tls_context
        try:
            return await asyncio.open_connection(self.host, self.port, ssl=context, limit=MAX_HEADER_BYTES)
        except OSError as error:
            raise PlainHTTPError(f"cannot connect to {self.host}:{self.port} ({error.strerror or error})",
                                 connect=True) from None

    async def _exchange(self, reader, writer, request: bytes) -> Reply:
        """Send ``request`` and read its reply; the connection goes back to the idle list, or is
        closed (on any error or cancellation too)."""
        kept = False
        try:
            reply, kept = await self._send_and_read(reader, writer, request)
            return reply
        finally:
            if kept and len(self._idle) < MAX_IDLE:
                self._idle.append((reader, writer))
            else:
                writer.close()

    async def _send_and_read(self, reader, writer, request: bytes) -> tuple[Reply, bool]:
        try:
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
        except ConnectionError:
            raise _Closed() from None
        if not status_line:
            raise _Closed()
        version, status, reason = _status(status_line)
        headers: list[tuple[str, str]] = []
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip(), value.strip()))
        fields = {name.lower(): value for name, value in headers}
        keep = version == "HTTP/1.1" and fields.get("connection", "").lower() != "close"
        if "chunked" in fields.get("transfer-encoding", "").lower():
            body = await _read_chunked(reader)
        elif "content-length" in fields:
            body = await reader.readexactly(int(fields["content-length"]))
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:
            body, keep = await reader.read(), False
        return Reply(status, reason, headers, body), keep

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for _, writer in idle:
            writer.close()
        for _, writer in idle:
            try:
                await writer.wait_closed()
            except OSError:
                pass


class _Closed(Exception):
    """A kept-alive connection was closed by the server before this request's reply began."""


def _status(line: bytes) -> tuple[str, int, str]:
    version, _, rest = line.decode("latin-1").strip().partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/") or not code.isdigit():
        raise ValueError(f"not an HTTP reply: {line[:80]!r}")
    return version, int(code), reason


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size_line = await reader.readline()
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):  # trailers
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)  # the CRLF after each chunk


def _default_tls_context() -> ssl.SSLContext:
    """Verified TLS with the CA bundle httpx uses (certifi's), else the system's."""
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        return ssl.create_default_context()

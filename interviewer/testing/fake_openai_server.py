"""A small OpenAI-compatible chat server on 127.0.0.1 for tests and benchmarks (stdlib only).

Real HTTP/1.1 with keep-alive, real SSE streaming (chunked) for ``stream=True``,
``POST /v1/chat/completions`` and ``GET /v1/models``, scripted replies and faults,
and a record of every request. It runs in a background thread on a free port::

    from interviewer.testing.fake_openai_server import FakeOpenAIServer, Reply, FaultMix

    with FakeOpenAIServer() as server:                # or FakeOpenAIServer(latency_s=0.1)
        settings = server.settings(home=tmp_path)     # key, base_url, model; max_retries=0, timeout 15 s
        grader = make_llm_grader(settings, fallback=make_offline_grader())
        grade = await grader.grade(item)              # answered with a valid grade JSON
        await grader.aclose()                         # close the client before the event loop ends
        server.chat_requests[-1].body["messages"]     # every request: .method .path .headers .body .time
        server.env(home)                              # OPENAI_* / INTERVIEWER_* variables for a CLI run

In pytest, ``tests/conftest.py`` has a ``fake_server`` fixture and a
``closing`` fixture that closes graders at teardown. The HTTP side is ``fake_http``.

What it answers (first match wins, per chat request):

1. ``server.api_key`` set and the Authorization header differs: 401.
   ``server.known_models`` set and the model is not in it: 404.
2. ``server.reject_json_schema`` / ``server.reject_json_object``: 400 for that
   ``response_format`` (as LM Studio and older servers do).
3. ``server.script(reply, ...)``: queued replies, used in order, one per request.
4. ``server.faults = FaultMix(rate_limit=0.1, server_error=0.05, malformed=0.02,
   drop=0.02, retry_after=0.05, seed=1)``: random faults, reproducible by seed; the
   429s and 500s carry ``Retry-After: retry_after`` so the SDK's back-off stays short.
5. ``server.responder = fn``: ``fn(request) -> Reply | str | dict | None``
   (a str is the reply text, a dict is sent as JSON text, None falls through).
   ``server.obey_injections = True``: an answer that tells the grader what to do gets
   full marks, every key point covered (a model that obeys every injection).
   ``server.dialect = "llama.cpp" | "vllm"``: those servers' error shapes (see ``_dialect_reply``);
   ``server.stream_usage = False``: no usage chunk in streams.
6. The default: a grading request (its user message has "Key points:" and a
   ``<candidate_answer>`` block) gets a valid grade JSON built from the key points
   the answer mentions; a follow-up request ("Key point to probe: X") gets a
   question about X; a repair request gets the grade again; anything else "OK".

``Reply`` holds the text and how to send it: ``Reply.text("...")``,
``Reply.grade_json({...})``, ``Reply(content, finish_reason="length")``,
``Reply(refusal="I can't")``, ``Reply.rate_limited(retry_after=0.01)``,
``Reply.server_error(500)``, ``Reply.malformed()``, ``Reply.dropped()``,
``Reply.dropped_mid_stream()``, ``Reply.bad_request("msg", param="seed")``;
``delay_s`` adds latency, ``chunk_chars``/``chunk_delay_s`` shape the stream, ``trickle_s``
sends a plain reply a byte at a time (``server.hung_up`` counts replies the client left),
``usage=(prompt, completion)`` overrides the counted usage, ``headers`` adds headers.
Every response carries ``x-ratelimit-*`` headers (``server.rate_limit_headers``).
``server.latency_s`` delays every chat reply (set it any time). The server is a
``ThreadingHTTPServer`` (a thread per connection, keep-alive, backlog 256, TCP_NODELAY,
each plain reply in one write): 400 grades at 100 ms latency and 16 at once take about
3 s with the real client (the floor is 2.5 s).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any, Callable

from interviewer.testing.fake_http import ChatHandler, LoopbackHTTPServer
from interviewer.testing.fake_replies import (  # noqa: F401  (part of this module's API)
    DEFAULT_MODEL,
    FaultMix,
    RecordedRequest,
    Reply,
    default_grade,
    default_reply,
    grading_key_points,
    obeying_reply,
)

class FakeOpenAIServer:
    """The loopback server; use as a context manager (or ``start()``/``stop()``)."""

    def __init__(self, *, model: str = DEFAULT_MODEL, latency_s: float = 0.0,
                 responder: Callable[[RecordedRequest], Any] | None = None):
        self.model = model
        self.latency_s = latency_s
        self.responder = responder
        self.faults: FaultMix | None = None
        self.reject_json_schema = False
        self.reject_json_object = False
        #: "openai" (default), "llama.cpp" (json_schema -> HTTP 500 naming response_format; the
        #: ``{"type": "json_object", "schema": ...}`` form works), "vllm" (errors as a top-level
        #: object, ``{"object": "error", "message": ..., "code": 400}``).
        self.dialect = "openai"
        #: False: streams carry no usage chunk even when asked (older Ollama, some proxies).
        self.stream_usage = True
        #: True: a model that obeys any answer that tells it what to do (full marks, all covered).
        self.obey_injections = False
        self.api_key: str | None = None
        self.known_models: tuple[str, ...] | None = None
        self.rate_limit_headers: dict[str, str] = {
            "x-ratelimit-limit-requests": "10000",
            "x-ratelimit-remaining-requests": "9999",
            "x-ratelimit-remaining-tokens": "1999000",
            "x-ratelimit-reset-requests": "6ms",
            "x-ratelimit-reset-tokens": "1s",
        }
        self.requests: list[RecordedRequest] = []
        #: Replies the client hung up on before they were sent in full.
        self.hung_up = 0
        self._queue: list[Reply] = []
        self._lock = threading.Lock()
        self._connections: set = set()
        self._server: LoopbackHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> "FakeOpenAIServer":
        server = LoopbackHTTPServer(("127.0.0.1", 0), ChatHandler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-openai-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        with self._lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> "FakeOpenAIServer":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- addresses and settings ------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "the server is not running"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def settings(self, home: Path, **changes: Any):
        """Settings that point at this server (no real back-off: max_retries=0, timeout 15 s)."""
        from interviewer.settings import Settings

        values = dict(api_key=self.api_key or "test-key", base_url=self.base_url, model=self.model,
                      home=Path(home), timeout_s=15.0, max_retries=0)
        values.update(changes)
        return Settings(**values)

    def env(self, home: Path | None = None) -> dict[str, str]:
        """Environment variables that point the CLI at this server."""
        env = {"OPENAI_API_KEY": self.api_key or "test-key", "OPENAI_BASE_URL": self.base_url,
               "INTERVIEWER_MODEL": self.model, "INTERVIEWER_MAX_RETRIES": "0", "INTERVIEWER_TIMEOUT": "15"}
        if home is not None:
            env["INTERVIEWER_HOME"] = str(home)
        return env

    # -- scripting -------------------------------------------------------------------------------

    def script(self, *replies: Reply | str | dict) -> None:
        """Queue replies for the next chat requests, in order."""
        with self._lock:
            self._queue.extend(_as_reply(r) for r in replies)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path.rstrip("/").endswith("/chat/completions")]

    def _record(self, handler: ChatHandler, body: Any) -> RecordedRequest:
        request = RecordedRequest(handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()},
                                  body, time.monotonic())
        with self._lock:
            self.requests.append(request)
        return request

    def _decide(self, request: RecordedRequest) -> Reply:
        if self.latency_s:
            time.sleep(self.latency_s)
        body = request.body if isinstance(request.body, dict) else {}
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Reply.error(401, "Incorrect API key provided.", code="invalid_api_key")
        if self.known_models is not None and body.get("model") not in self.known_models:
            return Reply.error(404, f"The model `{body.get('model')}` does not exist.", code="model_not_found")
        dialect = self._dialect_reply(request)
        if dialect is not None:
            return dialect
        if self.reject_json_schema and request.response_format == "json_schema":
            return Reply.bad_request("'response_format.type' json_schema is not supported by this server",
                                     param="response_format")
        if self.reject_json_object and request.response_format == "json_object":
            return Reply.bad_request("'response_format.type' must be 'json_schema' or 'text'",
                                     param="response_format")
        with self._lock:
            scripted = self._queue.pop(0) if self._queue else None
        if scripted is not None:
            return scripted
        if self.faults is not None:
            fault = self.faults.pick()
            if fault is not None:
                return fault
        if self.responder is not None:
            answered = self.responder(request)
            if answered is not None:
                return _as_reply(answered)
        if self.obey_injections:
            obeyed = obeying_reply(request)
            if obeyed is not None:
                return obeyed
        return default_reply(request)

    def _dialect_reply(self, request: RecordedRequest) -> Reply | None:
        """What llama-cpp-python or vLLM answer where they differ from OpenAI (None: no difference)."""
        if self.dialect == "llama.cpp" and request.output_mode == "json_schema":
            # llama-cpp-python 0.3.x: its route error handler turns the validation error into a 500.
            detail = ("[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
                      "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}]")
            return Reply.error(500, detail, kind="internal_server_error")
        if self.dialect == "vllm" and request.output_mode == "json_schema" and self.reject_json_schema:
            body = {"object": "error", "message": "response_format json_schema is not supported",
                    "type": "BadRequestError", "param": None, "code": 400}
            return Reply(status=400, body=json.dumps(body).encode())
        return None


def _as_reply(value: Reply | str | dict) -> Reply:
    if isinstance(value, Reply):
        return value
    if isinstance(value, dict):
        return Reply.grade_json(value)
    return Reply.text(str(value))

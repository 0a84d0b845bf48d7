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

In pytest, ``tests/llm_fixtures.py`` has a ``fake_server`` fixture and a
``closing`` fixture that closes graders at teardown.

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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

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

# -- the server ---------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    #: TCP_NODELAY, as real servers set it: with Nagle on, a response sent in two writes waits
    #: for the client's delayed ACK (up to 40 ms on loopback) before its second part goes out.
    disable_nagle_algorithm = True
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**self.server.owner.rate_limit_headers, **(headers or {})}.items():
            self.send_header(name, value)
        # Headers and body in one write (one TCP segment for a small reply), as end_headers
        # would send them, with the body joined on.
        self._headers_buffer.append(b"\r\n" + body)
        self.flush_headers()

    def do_GET(self) -> None:
        self.server.owner._record(self, None)
        if self.path.rstrip("/").endswith("/models"):
            owner = self.server.owner
            models = owner.known_models or (owner.model,)
            data = {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "fake"} for m in models]}
            self._send(200, json.dumps(data).encode())
        else:
            self._send(404, b'{"error": {"message": "not found", "type": "invalid_request_error"}}')

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        request = self.server.owner._record(self, body)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, b'{"error": {"message": "not found", "type": "invalid_request_error"}}')
            return
        reply = self.server.owner._decide(request)
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.drop:
            self._drop()
        elif reply.body is not None:
            self._send(reply.status, reply.body, reply.headers)
        elif request.streamed:
            self._stream(request, reply)
        elif reply.trickle_s:
            self._trickle(json.dumps(self._completion(request, reply)).encode(), reply)
        else:
            self._send(200, json.dumps(self._completion(request, reply)).encode(), reply.headers)

    def _trickle(self, body: bytes, reply: Reply) -> None:
        """Headers at once, then the body a byte at a time; a client that hangs up is counted."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for index in range(len(body)):
                self.wfile.write(body[index:index + 1])
                self.wfile.flush()
                time.sleep(reply.trickle_s)
        except OSError:
            self.close_connection = True
            with self.server.owner._lock:
                self.server.owner.hung_up += 1

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _usage(self, request: RecordedRequest, reply: Reply) -> dict:
        if reply.usage is not None:
            prompt, completion = reply.usage
        else:
            prompt = sum(len(m.get("content") or "") for m in request.messages) // 4 + 1
            completion = len(reply.content) // 4 + 1
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def _completion(self, request: RecordedRequest, reply: Reply) -> dict:
        message = {"role": "assistant", "content": None if reply.refusal else reply.content, "refusal": reply.refusal}
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": (request.body or {}).get("model", self.server.owner.model),
            "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason, "logprobs": None}],
            "usage": self._usage(request, reply),
        }

    def _stream(self, request: RecordedRequest, reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in {**self.server.owner.rate_limit_headers, **reply.headers}.items():
            self.send_header(name, value)
        self.end_headers()
        model = (request.body or {}).get("model", self.server.owner.model)

        def event(delta: dict, finish: str | None = None, usage: dict | None = None, choices: bool = True) -> None:
            chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                     "model": model,
                     "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if choices else []}
            if usage is not None:
                chunk["usage"] = usage
            self._chunk(b"data: " + json.dumps(chunk).encode() + b"\n\n")

        event({"role": "assistant", "content": ""})
        text = reply.refusal or reply.content
        key = "refusal" if reply.refusal else "content"
        step = max(1, reply.chunk_chars)
        pieces = [text[i:i + step] for i in range(0, len(text), step)]
        for index, piece in enumerate(pieces):
            if reply.drop_mid_stream and index >= max(1, len(pieces) // 2):
                self._drop()
                return
            try:
                event({key: piece})
            except OSError:  # the client hung up (its deadline): stop generating, as real servers do
                self.close_connection = True
                with self.server.owner._lock:
                    self.server.owner.hung_up += 1
                return
            if reply.chunk_delay_s:
                time.sleep(reply.chunk_delay_s)
        if reply.drop_mid_stream:
            self._drop()
            return
        event({}, finish=reply.finish_reason)
        options = (request.body or {}).get("stream_options") or {}
        if options.get("include_usage") and self.server.owner.stream_usage:
            event({}, usage=self._usage(request, reply), choices=False)
        self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    #: The default backlog of 5 drops connections when many clients open at once (1 s SYN retry).
    request_queue_size = 256
    owner: "FakeOpenAIServer"

    def process_request(self, request, client_address):
        with self.owner._lock:
            self.owner._connections.add(request)
        super().process_request(request, client_address)

    def handle_error(self, request, client_address):
        """Quiet: clients closing keep-alive connections (or tests dropping them) are normal here."""

    def shutdown_request(self, request):
        with self.owner._lock:
            self.owner._connections.discard(request)
        super().shutdown_request(request)


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
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> "FakeOpenAIServer":
        server = _Server(("127.0.0.1", 0), _Handler)
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

    def _record(self, handler: _Handler, body: Any) -> RecordedRequest:
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

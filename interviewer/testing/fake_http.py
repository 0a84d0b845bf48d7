"""The HTTP side of the loopback OpenAI-compatible server: one handler per request, SSE streaming, faults on the wire.

``FakeOpenAIServer`` (``fake_openai_server``) owns the script and decides each reply; the
handler here sends it: a JSON body in one write, a stream of chunks, a trickle, a dropped
connection. The handler reaches its owner as ``self.server.owner``.
"""

from __future__ import annotations

import json
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from interviewer.testing.fake_replies import RecordedRequest, Reply


class ChatHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    #: TCP_NODELAY, as real servers set it: with Nagle on, a response sent in two writes waits
    #: for the client's delayed ACK (up to 40 ms on loopback) before its second part goes out.
    disable_nagle_algorithm = True
    server: "LoopbackHTTPServer"

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


class LoopbackHTTPServer(ThreadingHTTPServer):
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

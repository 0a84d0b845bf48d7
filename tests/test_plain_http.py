"""The plain HTTP/1.1 client a batch posts its requests with: replies, keep-alive, chunks, faults."""

from __future__ import annotations

import asyncio
import json

import pytest

from interviewer.errors import LLMConfigError
from interviewer.grading.llm.adapter import OpenAIChatClient
from interviewer.grading.llm.plain_http import PlainHTTPClient, PlainHTTPError, usable_for
from interviewer.testing.fake_openai_server import FakeOpenAIServer

BODY = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def server():
    with FakeOpenAIServer() as running:
        yield running


async def test_replies_come_back_over_one_kept_alive_connection(server):
    client = PlainHTTPClient(server.base_url + "/chat/completions", {"Authorization": "Bearer k"}, 10)
    try:
        replies = [await client.post_json(BODY) for _ in range(3)]
    finally:
        idle = len(client._idle)
        await client.aclose()
    assert [r.status for r in replies] == [200, 200, 200] and idle == 1
    assert json.loads(replies[0].body)["object"] == "chat.completion"
    assert "x-ratelimit-remaining-requests" in replies[0].header_map
    assert server.chat_requests[0].headers["authorization"] == "Bearer k"
    assert server.chat_requests[0].body == BODY


async def test_a_chunked_reply_is_read_whole(server):
    client = PlainHTTPClient(server.base_url + "/chat/completions", {}, 10)
    try:
        reply = await client.post_json({**BODY, "stream": True})
    finally:
        await client.aclose()
    assert reply.status == 200 and "chunked" in reply.header_map.get("transfer-encoding", "")
    assert reply.body.startswith(b"data: ") and reply.body.rstrip().endswith(b"data: [DONE]")


async def serve_once_then_close(reader, writer):
    await reader.readuntil(b"\r\n\r\n")  # the small JSON body that follows is left unread
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    await writer.drain()
    writer.close()


async def test_a_kept_alive_connection_the_server_closed_is_replaced():
    server = await asyncio.start_server(serve_once_then_close, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = PlainHTTPClient(f"http://127.0.0.1:{port}/v1/chat/completions", {}, 10)
    try:
        first = await client.post_json(BODY)
        await asyncio.sleep(0.05)  # the server's close reaches us
        second = await client.post_json(BODY)
    finally:
        await client.aclose()
        server.close()
    assert (first.status, first.body, second.status, second.body) == (200, b"{}", 200, b"{}")


async def test_no_reply_in_time_is_a_timeout_and_a_closed_port_a_connect_error():
    async def silent(reader, writer):
        await reader.read()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(PlainHTTPError) as waited:
            await PlainHTTPClient(f"http://127.0.0.1:{port}/v1/x", {}, 0.05).post_json(BODY)
    finally:
        server.close()
    assert waited.value.timeout and not waited.value.connect
    with pytest.raises(PlainHTTPError) as refused:
        await PlainHTTPClient(f"http://127.0.0.1:{port}/v1/x", {}, 5).post_json(BODY)
    assert refused.value.connect and not refused.value.timeout


def test_used_only_where_httpx_would_connect_the_same_way(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert usable_for("http://127.0.0.1:8/v1/chat/completions") and usable_for("https://api.openai.com/v1/x")
    assert not usable_for("http://user:key@127.0.0.1:8/v1/x") and not usable_for("ftp://h/x")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    assert not usable_for("https://api.openai.com/v1/x")


async def test_the_adapter_over_the_plain_client_says_a_closed_port_is_unreachable(tmp_path):
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    with FakeOpenAIServer() as fake:
        settings = fake.settings(home=tmp_path, base_url=f"http://127.0.0.1:{port}/v1")
    client = OpenAIChatClient(settings, plain_http=True)
    assert client._plain is not None
    with pytest.raises(LLMConfigError, match="cannot reach"):
        await client.complete([{"role": "user", "content": "hi"}])
    await client.aclose()

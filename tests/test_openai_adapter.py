"""The OpenAI adapter over respx: the output-mode chain, parameters, streaming, rate limits, and faults."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from interviewer.errors import LLMConfigError
from interviewer.grading.llm.chat import ChatUnavailable, parse_duration, parse_rate_limit_headers, parse_retry_after
from interviewer.grading.llm.adapter import OpenAIChatClient
from tests.llm_fixtures import BASE_URL, completion_body, error_body

SCHEMA = {"name": "t", "strict": True, "schema": {"type": "object", "properties": {}, "required": [],
                                                   "additionalProperties": False}}
MESSAGES = [{"role": "system", "content": "grade"}, {"role": "user", "content": "answer"}]
URL = f"{BASE_URL}/chat/completions"


def sent(route, index: int = -1) -> dict:
    return json.loads(route.calls[index].request.content)


def sse(*chunks: dict) -> bytes:
    return b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"


def chunk(content=None, finish=None, refusal=None, usage=None, choices=True) -> dict:
    delta = {}
    if content is not None:
        delta["content"] = content
    if refusal is not None:
        delta["refusal"] = refusal
    body = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if choices else []}
    if usage:
        body["usage"] = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}
    return body


@respx.mock
async def test_request_carries_schema_temperature_seed_and_output_bound(llm_settings):
    route = respx.post(URL).mock(return_value=httpx.Response(200, json=completion_body('{"a": 1}')))
    reply = await OpenAIChatClient(llm_settings).complete(MESSAGES, json_schema=SCHEMA, max_tokens=321)
    body = sent(route)
    assert body["response_format"] == {"type": "json_schema", "json_schema": SCHEMA}
    assert body["temperature"] == 0 and isinstance(body["seed"], int)
    assert body["max_tokens"] == 321
    assert body["model"] == "gpt-4o-mini"
    assert route.calls[0].request.headers["authorization"] == "Bearer sk-test"
    assert reply.text == '{"a": 1}' and reply.finish_reason == "stop"
    assert reply.usage.prompt_tokens == 500 and reply.usage.completion_tokens == 120
    assert reply.output_mode == "json_schema"


@respx.mock
async def test_400_steps_down_json_schema_then_json_object_then_text_and_is_remembered(llm_settings):
    rejected = httpx.Response(400, json=error_body("response_format is not supported", param="response_format"))
    route = respx.post(URL).mock(
        side_effect=[rejected, rejected, rejected, httpx.Response(200, json=completion_body("{}"))]
    )
    client = OpenAIChatClient(llm_settings)
    reply = await client.complete(MESSAGES, json_schema=SCHEMA)
    formats = [sent(route, i).get("response_format", {}) for i in range(4)]
    assert [f.get("type") for f in formats] == ["json_schema", "json_object", "json_object", None]
    assert formats[1]["schema"] == SCHEMA["schema"] and "schema" not in formats[2]  # llama.cpp's form first
    assert reply.output_mode == "text"

    route.side_effect = None
    route.return_value = httpx.Response(200, json=completion_body("{}"))
    await client.complete(MESSAGES, json_schema=SCHEMA)
    assert "response_format" not in sent(route)  # remembered in memory: straight to text
    stored = json.loads((llm_settings.home / "server_modes.json").read_text())
    assert stored[BASE_URL]["output_mode"] == "text"
    await OpenAIChatClient(llm_settings).complete(MESSAGES, json_schema=SCHEMA)
    assert "response_format" not in sent(route)  # and by a new client from the file
    assert route.call_count == 6


@respx.mock
async def test_400_naming_a_parameter_drops_only_that_parameter(llm_settings):
    route = respx.post(URL).mock(side_effect=[
        httpx.Response(400, json=error_body("Unsupported parameter: 'seed'", param="seed")),
        httpx.Response(400, json=error_body(
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.", param="max_tokens")),
        httpx.Response(200, json=completion_body("{}")),
    ])
    reply = await OpenAIChatClient(llm_settings).complete(MESSAGES, json_schema=SCHEMA, max_tokens=50)
    last = sent(route)
    assert "seed" not in last and last["max_completion_tokens"] == 50 and "max_tokens" not in last
    assert last["response_format"]["type"] == "json_schema"
    assert reply.output_mode == "json_schema"


@respx.mock
async def test_context_length_400_fails_without_downgrading(llm_settings):
    route = respx.post(URL).mock(return_value=httpx.Response(400, json=error_body(
        "This model's maximum context length is 8192 tokens.", code="context_length_exceeded")))
    client = OpenAIChatClient(llm_settings)
    with pytest.raises(ChatUnavailable) as caught:
        await client.complete(MESSAGES, json_schema=SCHEMA)
    assert not caught.value.retryable and "maximum context length" in caught.value.message
    assert route.call_count == 1 and client.profile.output_mode == "json_schema"


@respx.mock
async def test_429_with_retry_after_is_retryable_and_carries_the_wait(llm_settings):
    respx.post(URL).mock(return_value=httpx.Response(
        429, headers={"retry-after": "7", "x-ratelimit-remaining-requests": "0"},
        json=error_body("Rate limit reached", code="rate_limit_exceeded", kind="requests")))
    client = OpenAIChatClient(llm_settings)
    with pytest.raises(ChatUnavailable) as caught:
        await client.complete(MESSAGES)
    assert caught.value.retryable and caught.value.retry_after_s == 7
    assert "429" in caught.value.message
    assert client.rate_limit.remaining_requests == 0 and client.rate_limit.retry_after_s == 7


@respx.mock
async def test_sdk_retries_a_429_within_bounds_then_succeeds(llm_settings):
    route = respx.post(URL).mock(side_effect=[
        httpx.Response(429, headers={"retry-after-ms": "10"}, json=error_body("slow down")),
        httpx.Response(200, json=completion_body("hi")),
    ])
    client = OpenAIChatClient(llm_settings.with_changes(max_retries=1))
    reply = await client.complete(MESSAGES)
    assert reply.text == "hi" and route.call_count == 2


@respx.mock
async def test_quota_exhausted_is_a_configuration_error(llm_settings):
    respx.post(URL).mock(return_value=httpx.Response(
        429, json=error_body("You exceeded your current quota", code="insufficient_quota")))
    with pytest.raises(LLMConfigError, match="quota"):
        await OpenAIChatClient(llm_settings).complete(MESSAGES)


@respx.mock
async def test_500_is_retryable_after_the_bounded_retries(llm_settings):
    route = respx.post(URL).mock(return_value=httpx.Response(500, json=error_body("boom", kind="server_error")))
    with pytest.raises(ChatUnavailable) as caught:
        await OpenAIChatClient(llm_settings).complete(MESSAGES)
    assert caught.value.retryable and "HTTP 500" in caught.value.message
    assert route.call_count == 1  # max_retries=0: no real back-off in tests


@respx.mock
async def test_timeout_is_retryable(llm_settings):
    respx.post(URL).mock(side_effect=httpx.ReadTimeout("read timed out"))
    with pytest.raises(ChatUnavailable) as caught:
        await OpenAIChatClient(llm_settings).complete(MESSAGES)
    assert caught.value.retryable and "timeout" in caught.value.message


@respx.mock
async def test_dropped_connection_is_retryable(llm_settings):
    respx.post(URL).mock(side_effect=httpx.RemoteProtocolError("Server disconnected without sending a response."))
    with pytest.raises(ChatUnavailable) as caught:
        await OpenAIChatClient(llm_settings).complete(MESSAGES)
    assert caught.value.retryable and "RemoteProtocolError" in caught.value.message


@respx.mock
async def test_connection_refused_at_start_says_how_to_fix_it(llm_settings):
    respx.post(URL).mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(LLMConfigError) as caught:
        await OpenAIChatClient(llm_settings).complete(MESSAGES)
    message = str(caught.value)
    assert "OPENAI_BASE_URL" in message and "--offline" in message and BASE_URL in message


@respx.mock
async def test_connection_refused_after_the_server_answered_is_retryable(llm_settings):
    respx.post(URL).mock(side_effect=[
        httpx.Response(200, json=completion_body("hi")),
        httpx.ConnectError("[Errno 111] Connection refused"),
    ])
    client = OpenAIChatClient(llm_settings)
    await client.complete(MESSAGES)
    with pytest.raises(ChatUnavailable) as caught:
        await client.complete(MESSAGES)
    assert caught.value.retryable


@pytest.mark.parametrize(
    ("status", "needle"),
    [(401, "OPENAI_API_KEY"), (403, "OPENAI_API_KEY"), (404, "INTERVIEWER_MODEL")],
)
@respx.mock
async def test_key_and_model_errors_are_one_clear_config_error(llm_settings, status, needle):
    respx.post(URL).mock(return_value=httpx.Response(status, json=error_body("nope")))
    with pytest.raises(LLMConfigError) as caught:
        await OpenAIChatClient(llm_settings).complete(MESSAGES)
    assert needle in str(caught.value) and "--offline" in str(caught.value)
    assert caught.value.exit_code == 3


@respx.mock
async def test_malformed_body_is_retried_within_bounds(llm_settings):
    broken = httpx.Response(200, headers={"content-type": "application/json"}, content=b'{"choices": [')
    route = respx.post(URL).mock(side_effect=[broken, httpx.Response(200, json=completion_body("ok"))])
    reply = await OpenAIChatClient(llm_settings.with_changes(max_retries=1)).complete(MESSAGES)
    assert reply.text == "ok" and route.call_count == 2

    route.side_effect = [broken]
    with pytest.raises(ChatUnavailable) as caught:
        await OpenAIChatClient(llm_settings).complete(MESSAGES)
    assert caught.value.retryable and "malformed" in caught.value.message


@pytest.mark.parametrize("body, needle", [
    (b"[1, 2]", "without choices"),
    (b"null", "without choices"),
    (b'{"choices": []}', "without choices"),
    (b'{"choices": ["text"]}', "without a message"),
    (b'{"choices": [{"index": 0, "finish_reason": "stop"}]}', "without a message"),
    (b'{"choices": [{"message": {"content": {"score": 7}}}]}', "not text"),
])
@respx.mock
async def test_json_that_is_not_a_completion_is_a_retryable_malformed_reply(llm_settings, body, needle):
    respx.post(URL).mock(return_value=httpx.Response(200, headers={"content-type": "application/json"}, content=body))
    with pytest.raises(ChatUnavailable) as caught:
        await OpenAIChatClient(llm_settings).complete(MESSAGES)
    assert caught.value.retryable and needle in caught.value.message


@respx.mock
async def test_a_completion_is_read_from_its_json_refusal_usage_and_all(llm_settings):
    body = completion_body(None, refusal="I can't grade that.", finish_reason="stop", usage=(321, 12))
    respx.post(URL).mock(return_value=httpx.Response(200, json=body))
    reply = await OpenAIChatClient(llm_settings).complete(MESSAGES)
    assert (reply.text, reply.refusal, reply.finish_reason) == ("", "I can't grade that.", "stop")
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (321, 12)

    body = completion_body("ok")
    body["usage"] = {"prompt_tokens": "many", "completion_tokens": None}
    respx.post(URL).mock(return_value=httpx.Response(200, json=body))
    reply = await OpenAIChatClient(llm_settings).complete(MESSAGES)
    assert reply.text == "ok" and reply.usage is None  # nonsense counts: the grader estimates instead


@respx.mock
async def test_rate_limit_headers_are_exposed_for_the_scheduler(llm_settings):
    respx.post(URL).mock(return_value=httpx.Response(200, json=completion_body("x"), headers={
        "x-ratelimit-remaining-requests": "42", "x-ratelimit-remaining-tokens": "9000",
        "x-ratelimit-reset-requests": "1m30s", "x-ratelimit-reset-tokens": "250ms"}))
    client = OpenAIChatClient(llm_settings)
    assert client.rate_limit is None
    reply = await client.complete(MESSAGES)
    info = client.rate_limit
    assert (info.remaining_requests, info.remaining_tokens) == (42, 9000)
    assert info.reset_requests_s == 90 and info.reset_tokens_s == pytest.approx(0.25)
    assert reply.rate_limit == info


@respx.mock
async def test_streaming_calls_back_each_delta_and_reads_usage(llm_settings):
    route = respx.post(URL).mock(return_value=httpx.Response(
        200, headers={"content-type": "text/event-stream", "x-ratelimit-remaining-tokens": "5"},
        content=sse(chunk("Hel"), chunk("lo"), chunk(finish="stop"), chunk(usage=(11, 2), choices=False))))
    deltas: list[str] = []
    client = OpenAIChatClient(llm_settings)
    reply = await client.complete(MESSAGES, on_delta=deltas.append)
    assert deltas == ["Hel", "lo"] and reply.text == "Hello"
    assert reply.finish_reason == "stop" and (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (11, 2)
    body = sent(route)
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert client.rate_limit.remaining_tokens == 5


@respx.mock
async def test_streaming_refusal_and_async_listener(llm_settings):
    respx.post(URL).mock(return_value=httpx.Response(
        200, headers={"content-type": "text/event-stream"},
        content=sse(chunk(refusal="I can't "), chunk(refusal="help."), chunk(finish="stop"))))
    seen = []

    async def listener(text):
        seen.append(text)

    reply = await OpenAIChatClient(llm_settings).complete(MESSAGES, on_delta=listener)
    assert reply.refusal == "I can't help." and reply.text == "" and seen == []


@respx.mock
async def test_stream_dropped_midway_is_retried_without_streaming(llm_settings):
    class Dropping(httpx.AsyncByteStream):
        async def __aiter__(self):
            yield b"data: " + json.dumps(chunk("par")).encode() + b"\n\n"
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    route = respx.post(URL).mock(side_effect=[
        httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Dropping()),
        httpx.Response(200, json=completion_body("full reply")),
    ])
    deltas: list[str] = []
    reply = await OpenAIChatClient(llm_settings.with_changes(max_retries=1)).complete(MESSAGES, on_delta=deltas.append)
    assert reply.text == "full reply" and deltas == ["par"]
    assert sent(route, 1).get("stream") is not True


def test_rate_limit_header_parsing():
    assert parse_duration("6m0s") == 360 and parse_duration("20ms") == pytest.approx(0.02)
    assert parse_duration("1h2m3.5s") == pytest.approx(3723.5) and parse_duration("2") == 2
    assert parse_duration("soon") is None and parse_duration(None) is None
    assert parse_retry_after({"Retry-After": "3"}) == 3
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0
    info = parse_rate_limit_headers({"X-RateLimit-Remaining-Requests": "3"})
    assert info.remaining_requests == 3 and info.remaining_tokens is None and not info.empty
    assert parse_rate_limit_headers({}).empty


@respx.mock
async def test_a_key_placed_in_the_base_url_is_not_echoed_in_messages(llm_settings):
    settings = llm_settings.with_changes(base_url="http://alice:sk-secret@127.0.0.1:9/v1")
    respx.route(path__regex=r"/chat/completions$").mock(side_effect=httpx.ConnectError("Connection refused"))
    client = OpenAIChatClient(settings)
    with pytest.raises(LLMConfigError) as caught:
        await client.complete(MESSAGES)
    message = str(caught.value)
    assert "http://***@127.0.0.1:9/v1" in message and "sk-secret" not in message and "alice" not in message
    assert client.base_url == "http://alice:sk-secret@127.0.0.1:9/v1"  # still used to connect

"""End to end over real HTTP: the real OpenAI client and LLM grader against the loopback fake server."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace

import pytest

from interviewer.errors import LLMConfigError
from interviewer.grading.choose import make_grader
from interviewer.grading.follow_ups import follow_up_item
from interviewer.grading.llm.grader import make_llm_grader
from interviewer.questions import Question
from interviewer.testing.fake_openai_server import FakeOpenAIServer, FaultMix, Reply
from tests.llm_fixtures import ITEM, grade_json

pytestmark = pytest.mark.usefixtures("estimated_tokens")

GOOD = replace(ITEM, answer=(
    "Dropout randomly drops units during training so neurons cannot co-adapt; this prevents "
    "co-adaptation of neurons. At inference it is disabled and activations are scaled."))


@pytest.fixture
def grader_for(closing):
    """``grader_for(server, tmp_path, **setting_changes)``: an LLM grader for the server, closed after the test."""

    def make(server, tmp_path, **changes):
        return closing(make_llm_grader(server.settings(tmp_path / "home", **changes)))

    return make


async def test_make_grader_picks_the_llm_and_it_grades_over_http(fake_server, tmp_path, closing):
    grader = closing(make_grader(fake_server.settings(tmp_path), "auto"))
    weak = await grader.grade(replace(ITEM, answer="It is a regularisation trick, I think."))
    strong = await grader.grade(GOOD)
    assert grader.name == "llm" and not weak.failed and not strong.failed
    assert strong.score > weak.score and strong.usage.prompt_tokens > 0
    request = fake_server.chat_requests[-1]
    assert request.response_format == "json_schema" and request.body["temperature"] == 0
    assert request.headers["authorization"] == "Bearer test-key"


async def test_feedback_streams_in_order_and_the_grade_replaces_it(fake_server, tmp_path, grader_for):
    fake_server.responder = lambda request: Reply.grade_json(
        grade_json(feedback="First the mechanism, then the inference behaviour, then scaling."),
        chunk_chars=7, chunk_delay_s=0.002)
    deltas: list[tuple[float, str]] = []
    grade = await grader_for(fake_server, tmp_path).grade(ITEM, on_feedback=lambda d: deltas.append((time.monotonic(), d)))
    assert len(deltas) >= 5
    assert "".join(d for _, d in deltas) == grade.feedback
    assert [t for t, _ in deltas] == sorted(t for t, _ in deltas)
    request = fake_server.chat_requests[-1]
    assert request.streamed and request.body["stream_options"] == {"include_usage": True}
    assert "token usage estimated" not in grade.notes  # usage came from the stream


async def test_a_server_that_rejects_json_schema_still_grades_and_is_remembered(fake_server, tmp_path, grader_for):
    fake_server.reject_json_schema = True
    grader = grader_for(fake_server, tmp_path)
    first = await grader.grade(ITEM)
    second = await grader.grade(GOOD)
    assert not first.failed and not second.failed
    modes = [r.output_mode for r in fake_server.chat_requests]
    assert modes == ["json_schema", "json_object_schema", "json_object_schema"]
    again = grader_for(fake_server, tmp_path)  # a new run reads what worked from the home folder
    await again.grade(replace(GOOD, answer=GOOD.answer + " Also like an ensemble."))
    assert fake_server.chat_requests[-1].output_mode == "json_object_schema"
    assert "output mode: json_object_schema" in second.notes


async def test_a_server_without_json_modes_grades_from_plain_text(fake_server, tmp_path, grader_for):
    fake_server.reject_json_schema = fake_server.reject_json_object = True
    fake_server.responder = lambda request: "Sure.\n```json\n" + Reply.grade_json(grade_json(score=6.5)).content + "\n```"
    grade = await grader_for(fake_server, tmp_path).grade(ITEM, on_feedback=lambda d: None)
    assert grade.score == 6.5
    modes = [r.output_mode for r in fake_server.chat_requests]
    assert modes == ["json_schema", "json_object_schema", "json_object", "text"]


async def test_follow_up_question_and_its_answer_graded_in_context(fake_server, tmp_path, grader_for):
    grader = grader_for(fake_server, tmp_path)
    grade = await grader.grade(ITEM)
    question = await grader.follow_up(ITEM, grade)
    assert question and question.endswith("?") and "inference" in question.lower()
    parent = Question("q", ITEM.question, ITEM.reference, key_points=ITEM.key_points)
    item = follow_up_item(parent, question, first_answer=ITEM.answer,
                          answer="At inference dropout is disabled and activations scaled.")
    follow_grade = await grader.grade(item)
    assert not follow_grade.failed and follow_grade.score >= 5
    user = fake_server.chat_requests[-1].messages[1]["content"]
    assert "Earlier exchange" in user and ITEM.question in user and question in user


async def test_a_429_with_retry_after_is_retried_by_the_client_then_grades(fake_server, tmp_path, grader_for):
    fake_server.script(Reply.rate_limited(retry_after=0.02))
    grade = await grader_for(fake_server, tmp_path, max_retries=1).grade(ITEM)
    assert not grade.failed and len(fake_server.chat_requests) == 2


@pytest.mark.parametrize(
    ("reply", "needle"),
    [
        (Reply.rate_limited(retry_after=4), "429"),
        (Reply.server_error(503), "HTTP 503"),
        (Reply.dropped(), "connection"),
        (Reply.malformed(), "malformed"),
    ],
)
async def test_faults_become_failed_retryable_grades(fake_server, tmp_path, reply, needle, grader_for):
    grader = grader_for(fake_server, tmp_path)
    await grader.grade(GOOD)  # the server has answered once: a later drop is a fault, not a config error
    fake_server.script(reply)
    grade = await grader.grade(ITEM)
    assert grade.failed and grade.retryable and needle in grade.error
    if reply.status == 429:
        assert grade.retry_after_s == 4


async def test_a_stream_dropped_midway_is_asked_again_and_grades(fake_server, tmp_path, grader_for):
    fake_server.script(Reply.dropped_mid_stream())
    deltas: list[str] = []
    grade = await grader_for(fake_server, tmp_path, max_retries=1).grade(ITEM, on_feedback=deltas.append)
    assert not grade.failed and len(fake_server.chat_requests) == 2
    assert not fake_server.chat_requests[1].streamed


async def test_slow_server_times_out_as_a_retryable_grade(fake_server, tmp_path, grader_for):
    fake_server.script(Reply.grade_json(grade_json(), delay_s=1.0))
    grade = await grader_for(fake_server, tmp_path, timeout_s=0.2).grade(ITEM)
    assert grade.failed and grade.retryable and "timeout" in grade.error


async def test_a_wrong_key_or_model_or_address_is_one_config_error(tmp_path, grader_for, closing):
    with FakeOpenAIServer() as server:
        server.api_key = "the-right-key"
        with pytest.raises(LLMConfigError, match="rejected the API key"):
            await grader_for(server, tmp_path, api_key="wrong").grade(ITEM)
        server.api_key, server.known_models = None, ("other-model",)
        with pytest.raises(LLMConfigError, match="INTERVIEWER_MODEL"):
            await grader_for(server, tmp_path).grade(ITEM)
        settings = server.settings(tmp_path)
    with pytest.raises(LLMConfigError, match="OPENAI_BASE_URL"):  # the server is gone: connection refused
        await closing(make_llm_grader(settings)).grade(ITEM)


async def test_many_concurrent_grades_with_latency_and_faults(tmp_path, grader_for):
    with FakeOpenAIServer(latency_s=0.05) as server:
        server.faults = FaultMix(rate_limit=0.1, server_error=0.1, retry_after=0.01, seed=3)
        grader = grader_for(server, tmp_path, max_retries=3)
        limit = asyncio.Semaphore(16)

        async def one(n: int):
            async with limit:
                return await grader.grade(replace(GOOD, answer=f"{GOOD.answer} Variant {n}."))

        started = time.monotonic()
        grades = await asyncio.gather(*(one(n) for n in range(48)))
        elapsed = time.monotonic() - started
    assert sum(not g.failed for g in grades) >= 46
    assert elapsed < 5  # 48 answers x 50 ms at 16 at once is ~0.15 s of latency plus retries
    assert grader.rate_limit is not None and grader.rate_limit.remaining_requests == 9999


def test_models_endpoint_and_request_recording(fake_server):
    import httpx

    response = httpx.get(fake_server.base_url + "/models")
    assert response.json()["data"][0]["id"] == "fake-model"
    assert fake_server.requests[-1].method == "GET" and fake_server.requests[-1].path == "/v1/models"


def test_the_server_answers_a_keep_alive_connection_without_delayed_ack_stalls(fake_server):
    """Each reply leaves in one write with TCP_NODELAY: with the headers and body in two writes
    and Nagle on, every reply waited ~40 ms for the client's delayed ACK (1.2 s for these 30)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", fake_server.port, timeout=5)
    body = json.dumps({"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]})
    started = time.monotonic()
    for _ in range(30):
        connection.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())["choices"][0]["message"]["content"] == "OK"
    elapsed = time.monotonic() - started
    connection.close()
    assert elapsed < 0.6

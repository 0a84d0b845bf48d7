"""The LLM grader above the adapter, with ScriptedChatClient (interviewer/testing): no HTTP at all."""

import json

import pytest

from interviewer.grading.llm.chat import ChatUnavailable
from interviewer.grading.llm.grader import LLMGrader
from interviewer.testing.scripted_chat import ScriptedChatClient
from tests.llm_fixtures import ITEM, grade_json

pytestmark = pytest.mark.usefixtures("estimated_tokens")


async def test_a_scripted_reply_becomes_a_grade_and_the_request_is_kept(llm_settings):
    client = ScriptedChatClient(json.dumps(grade_json(score=7.0)))
    grader = LLMGrader(llm_settings, client, cache=None)
    streamed: list[str] = []
    grade = await grader.grade(ITEM, streamed.append)
    assert not grade.failed and grade.grader == "llm" and grade.model == "scripted-model"
    assert grade.missed == (ITEM.key_points[2],) and grade.usage.prompt_tokens == 500
    [request] = client.requests
    assert request.json_schema is not None and request.streamed
    assert ITEM.question in json.dumps(request.messages)
    await grader.aclose()
    assert client.closed


async def test_a_server_fault_is_a_failed_retryable_grade_never_an_invented_score(llm_settings):
    client = ScriptedChatClient(ChatUnavailable("HTTP 503: overloaded", retryable=True, retry_after_s=2.0))
    grade = await LLMGrader(llm_settings, client, cache=None).grade(ITEM)
    assert grade.failed and grade.score is None and grade.retryable and grade.retry_after_s == 2.0


async def test_steps_go_in_order_and_the_last_repeats():
    client = ScriptedChatClient("one", lambda messages: f"two for {len(messages)}")
    first = await client.complete([{"role": "user", "content": "a"}])
    second = await client.complete([{"role": "user", "content": "b"}])
    third = await client.complete([])
    assert (first.text, second.text, third.text) == ("one", "two for 1", "two for 0")

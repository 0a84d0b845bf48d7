"""What a server accepts is remembered only once a request succeeds; the benchmark's token helpers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest
import respx

from interviewer.grading.llm import tokens
from interviewer.bank import open_bank
from interviewer.grading.llm.chat import ChatUnavailable
from interviewer.grading.llm.adapter import OpenAIChatClient
from tests.llm_fixtures import BASE_URL, completion_body, error_body

URL = f"{BASE_URL}/chat/completions"
MESSAGES = [{"role": "system", "content": "grade"}, {"role": "user", "content": "answer"}]
SCHEMA = {"name": "t", "strict": True, "schema": {"type": "object", "properties": {}, "required": [],
                                                   "additionalProperties": False}}


@respx.mock
async def test_a_400_that_no_change_fixes_leaves_the_server_profile_as_it_was(llm_settings):
    respx.post(URL).mock(return_value=httpx.Response(400, json=error_body("messages[1]: invalid content")))
    client = OpenAIChatClient(llm_settings)
    with pytest.raises(ChatUnavailable):
        await client.complete(MESSAGES, json_schema=SCHEMA)
    assert not (llm_settings.home / "server_modes.json").exists()
    assert client.profile.output_mode == "json_schema" and not client.profile.dropped

    route = respx.post(URL).mock(return_value=httpx.Response(200, json=completion_body("{}")))
    await OpenAIChatClient(llm_settings).complete(MESSAGES, json_schema=SCHEMA)
    assert json.loads(route.calls[-1].request.content)["response_format"]["type"] == "json_schema"


@respx.mock
async def test_the_step_that_worked_is_stored_once_it_worked(llm_settings):
    respx.post(URL).mock(side_effect=[
        httpx.Response(400, json=error_body("response_format json_schema is not supported", param="response_format")),
        httpx.Response(200, json=completion_body("{}")),
    ])
    await OpenAIChatClient(llm_settings).complete(MESSAGES, json_schema=SCHEMA)
    stored = json.loads((llm_settings.home / "server_modes.json").read_text())
    assert stored[BASE_URL]["output_mode"] == "json_object_schema"


def test_message_tokens_uses_the_given_counter_with_openai_overheads():
    messages = [{"role": "system", "content": "a b"}, {"role": "user", "content": "c d e", "name": "x"}]
    words = lambda text: len(text.split())  # noqa: E731
    # reply 3; per message 3; role 1 each; contents 2 and 3; name 1 + 1
    assert tokens.message_tokens(messages, words) == 3 + (3 + 1 + 2) + (3 + 1 + 3 + 1 + 1)


def test_encoding_name_needs_no_download():
    assert tokens.encoding_name("gpt-4o-mini") == "o200k_base"
    assert tokens.encoding_name("a-local-llama") == tokens.FALLBACK_ENCODINGS[0]


def test_benchmark_answers_are_exactly_the_asked_length_and_deterministic():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from prompt_tokens import spoken_answer

    bank = open_bank()
    answers = [spoken_answer(q, i, 150) for i, q in enumerate(bank)]
    assert all(len(a.split()) == 150 for a in answers)
    assert answers == [spoken_answer(q, i, 150) for i, q in enumerate(bank)]
    assert len(set(answers)) == len(answers)
    assert bank.questions[0].key_points[0].split()[-1].lower() in answers[0].lower()

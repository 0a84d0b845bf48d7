"""Shared data for the LLM grading tests: a grading item, grade JSON, and server response bodies.

The fixtures (``llm_settings``, ``estimated_tokens``, ``fake_server``, ``closing``, ``clock``) live
in ``conftest.py``: a test names them as arguments, nothing to import.
"""

from __future__ import annotations

import json

import httpx

from interviewer.grading.interface import GradingItem

BASE_URL = "http://llm.test/v1"

ITEM = GradingItem(
    question="What is dropout and why does it help?",
    answer=(
        "Dropout randomly zeroes activations during training, um, so the network cannot rely on "
        "co-adapted neurons. It acts like training an ensemble of thinned networks."
    ),
    reference="Dropout randomly drops units during training to prevent co-adaptation; it is off at inference.",
    key_points=(
        "Randomly drops units during training",
        "Prevents co-adaptation of neurons",
        "Disabled at inference, with activations scaled",
    ),
    question_id="dl-test",
    topic="regularisation",
)


def grade_json(score: float = 7.0, feedback: str = "Good on the mechanism; mention inference.", **changes) -> dict:
    data = {
        "key_points": [
            {"point": ITEM.key_points[0], "verdict": "covered", "evidence": "randomly zeroes activations"},
            {"point": ITEM.key_points[1], "verdict": "covered", "evidence": "co-adapted neurons"},
            {"point": ITEM.key_points[2], "verdict": "missed", "evidence": ""},
        ],
        "feedback": feedback,
        "criteria": {"correctness": 9, "completeness": 6.5, "depth": 6, "communication": 8},
        "score": score,
    }
    data.update(changes)
    return data


def completion_body(content: str | None, *, finish_reason: str = "stop", refusal: str | None = None,
                    usage: tuple[int, int] = (500, 120)) -> dict:
    """A chat.completion JSON body as an OpenAI server sends it."""
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


def error_body(message: str, *, code: str | None = None, param: str | None = None, kind: str = "invalid_request_error"):
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def as_stream(response: httpx.Response) -> httpx.Response:
    """A chat.completion response sent as the SSE stream a server gives to ``stream: true``."""
    body = json.loads(response.content)
    choice = body["choices"][0]
    message = choice["message"]
    key = "refusal" if message.get("refusal") else "content"
    events = [{"choices": [{"index": 0, "delta": {"role": "assistant", key: message.get(key) or ""},
                            "finish_reason": None}]},
              {"choices": [{"index": 0, "delta": {}, "finish_reason": choice.get("finish_reason")}]},
              {"choices": [], "usage": body.get("usage")}]
    common = {"id": body.get("id", "c"), "object": "chat.completion.chunk", "created": 1, "model": body.get("model")}
    text = "".join(f"data: {json.dumps({**common, **event})}\n\n" for event in events) + "data: [DONE]\n\n"
    return httpx.Response(200, content=text.encode(), headers={"content-type": "text/event-stream"})


def serve(*responses: httpx.Response):
    """A respx side effect: ``responses`` in order (the last one repeats), each sent as SSE when the
    request streams, so a test does not care which requests stream (a repair does)."""
    queue = list(responses)

    def answer(request: httpx.Request) -> httpx.Response:
        response = queue.pop(0) if len(queue) > 1 else queue[0]
        streamed = json.loads(request.content).get("stream")
        if streamed and response.status_code == 200 and response.headers.get("content-type") == "application/json":
            return as_stream(response)
        return response

    return answer

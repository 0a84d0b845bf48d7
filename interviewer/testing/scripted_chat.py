"""A ``ChatClient`` test double that answers from a script: no HTTP, no event-loop resources.

Beside the loopback server (``fake_openai_server``), which tests the real adapter end to end,
``ScriptedChatClient`` tests what sits above the adapter (the grader, the judge step,
follow-ups) in microseconds::

    client = ScriptedChatClient(json.dumps(grade), ChatUnavailable("HTTP 500"), "not JSON")
    grader = LLMGrader(settings, client, cache=None)

Each ``complete`` call takes the next step of the script: a string is the reply text, a
``ChatReply`` is returned as it is, an exception is raised (``ChatUnavailable``,
``LLMConfigError``), a callable gets the request's messages and returns any of those. The last
step repeats once the script runs out. ``requests`` keeps every request, for assertions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from interviewer.grading.interface import TokenUsage
from interviewer.grading.llm.chat import ChatReply, DeltaListener, RateLimitInfo

Step = str | ChatReply | BaseException | Callable[[list[dict[str, str]]], Any]


@dataclass
class ScriptedRequest:
    """What one ``complete`` call asked for."""

    messages: list[dict[str, str]]
    json_schema: dict | None
    max_tokens: int | None
    streamed: bool
    sample: int | None


class ScriptedChatClient:
    """Replies from ``steps``, in order (the last repeats); records every request in ``requests``."""

    def __init__(self, *steps: Step, model: str = "scripted-model", usage: TokenUsage | None = None):
        self.steps = list(steps)
        self.model = model
        self.base_url = "scripted://"
        self.rate_limit = None
        #: Usage reported with a reply given as text.
        self.usage = usage or TokenUsage(500, 120)
        self.requests: list[ScriptedRequest] = []
        self.closed = False

    async def complete(self, messages: list[dict[str, str]], *, json_schema: dict | None = None,
                       max_tokens: int | None = None, on_delta: DeltaListener | None = None,
                       sample: int | None = None) -> ChatReply:
        self.requests.append(ScriptedRequest(list(messages), json_schema, max_tokens, on_delta is not None, sample))
        if not self.steps:
            raise AssertionError("ScriptedChatClient: no reply scripted")
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if callable(step) and not isinstance(step, BaseException):
            step = step(messages)
        if isinstance(step, BaseException):
            raise step
        reply = step if isinstance(step, ChatReply) else ChatReply(
            text=str(step), finish_reason="stop", usage=self.usage,
            output_mode="json_schema" if json_schema is not None else "text")
        if on_delta is not None and reply.text:
            on_delta(reply.text)
        return reply

    async def aclose(self) -> None:
        self.closed = True

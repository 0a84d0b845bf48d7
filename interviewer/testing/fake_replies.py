"""What the fake OpenAI server answers: scripted ``Reply`` objects, random ``FaultMix`` faults, and a default "model".

See ``interviewer.testing.fake_openai_server`` for how to use them.
"""

from __future__ import annotations

import json
import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MODEL = "fake-model"
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "the a an and or of to in on for with by is are be as it its that this from at into than then "
    "more most less can may not no such their they them which when what how why use uses used using "
    "each other also very".split()
)


@dataclass
class Reply:
    """One scripted response."""

    content: str = ""
    status: int = 200
    finish_reason: str = "stop"
    refusal: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    #: A raw body to send instead of a completion (for faults).
    body: bytes | None = None
    #: Close the connection without answering.
    drop: bool = False
    #: Stream a few chunks, then close the connection mid-reply.
    drop_mid_stream: bool = False
    usage: tuple[int, int] | None = None
    chunk_chars: int = 16
    chunk_delay_s: float = 0.0
    #: Send a plain reply one byte at a time, this long apart (a server that trickles).
    trickle_s: float = 0.0

    @classmethod
    def text(cls, content: str, **options: Any) -> "Reply":
        return cls(content=content, **options)

    @classmethod
    def grade_json(cls, data: dict, **options: Any) -> "Reply":
        return cls(content=json.dumps(data), **options)

    @classmethod
    def error(cls, status: int, message: str, *, code: str | None = None, param: str | None = None,
              kind: str = "invalid_request_error", headers: dict[str, str] | None = None) -> "Reply":
        payload = {"error": {"message": message, "type": kind, "param": param, "code": code}}
        return cls(status=status, body=json.dumps(payload).encode(), headers=dict(headers or {}))

    @classmethod
    def rate_limited(cls, retry_after: float = 1.0) -> "Reply":
        return cls.error(429, "Rate limit reached for requests", code="rate_limit_exceeded",
                         kind="requests", headers={"retry-after": f"{retry_after:g}"})

    @classmethod
    def server_error(cls, status: int = 500, retry_after: float | None = None) -> "Reply":
        headers = {"retry-after": f"{retry_after:g}"} if retry_after is not None else None
        return cls.error(status, "The server had an error while processing your request.", kind="server_error",
                         headers=headers)

    @classmethod
    def bad_request(cls, message: str, *, param: str | None = None) -> "Reply":
        return cls.error(400, message, param=param)

    @classmethod
    def malformed(cls) -> "Reply":
        return cls(body=b'{"id": "chatcmpl-broken", "choices": [{"index": 0, "message": ')

    @classmethod
    def dropped(cls) -> "Reply":
        return cls(drop=True)

    @classmethod
    def dropped_mid_stream(cls, content: str = '{"key_points": [], "feedback": "You cov') -> "Reply":
        return cls(content=content, drop_mid_stream=True)


@dataclass
class FaultMix:
    """Random faults for load tests: each a probability per chat request, reproducible by ``seed``.

    429s and 500s carry ``Retry-After: retry_after`` so the client's back-off stays short.
    """

    rate_limit: float = 0.0
    server_error: float = 0.0
    malformed: float = 0.0
    drop: float = 0.0
    retry_after: float = 0.05
    seed: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def pick(self) -> Reply | None:
        with self._lock:
            roll = self._random.random()
        for chance, make in (
            (self.rate_limit, lambda: Reply.rate_limited(self.retry_after)),
            (self.server_error, lambda: Reply.server_error(500, retry_after=self.retry_after)),
            (self.malformed, Reply.malformed),
            (self.drop, Reply.dropped),
        ):
            if roll < chance:
                return make()
            roll -= chance
        return None


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    time: float

    @property
    def messages(self) -> list[dict]:
        return (self.body or {}).get("messages") or [] if isinstance(self.body, dict) else []

    @property
    def response_format(self) -> str | None:
        fmt = self.body.get("response_format") if isinstance(self.body, dict) else None
        return fmt.get("type") if isinstance(fmt, dict) else None

    @property
    def output_mode(self) -> str:
        """How JSON was asked for: json_schema, json_object_schema (llama.cpp's form), json_object or text."""
        fmt = self.body.get("response_format") if isinstance(self.body, dict) else None
        if not isinstance(fmt, dict) or fmt.get("type") in (None, "text"):
            return "text"
        if fmt.get("type") == "json_object" and "schema" in fmt:
            return "json_object_schema"
        return str(fmt.get("type"))

    @property
    def streamed(self) -> bool:
        return isinstance(self.body, dict) and bool(self.body.get("stream"))


# -- the default "model" --------------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP}


def _section(text: str, start: str, end: str) -> str:
    begin = text.find(start)
    if begin == -1:
        return ""
    begin += len(start)
    finish = text.find(end, begin)
    return text[begin:] if finish == -1 else text[begin:finish]


def grading_key_points(user_text: str) -> list[str]:
    """The numbered key points of a grading prompt."""
    block = _section(user_text, "Key points:", "\n\n")
    return [m.group(1).strip() for m in re.finditer(r"^\s*\d+\.\s+(.+)$", block, re.MULTILINE)]


def default_grade(user_text: str) -> dict:
    """A plausible grade: a key point is covered when the answer has most of its words."""
    points = grading_key_points(user_text)
    answer = _words(_section(user_text, "<candidate_answer>", "</candidate_answer>"))
    results, credit = [], 0.0
    for point in points:
        wanted = _words(point) or {point.lower()}
        share = len(wanted & answer) / len(wanted)
        verdict = "covered" if share >= 0.6 else "partial" if share >= 0.3 else "missed"
        credit += {"covered": 1.0, "partial": 0.5}.get(verdict, 0.0)
        evidence = " ".join(sorted(wanted & answer)[:4])
        results.append({"point": point, "verdict": verdict, "evidence": evidence})
    score = round(10 * credit / len(points), 1) if points else (5.0 if answer else 0.0)
    missed = [r["point"] for r in results if r["verdict"] != "covered"]
    feedback = f"You covered {credit:g} of {len(points)} key points."
    if missed:
        feedback += " Next time also explain: " + "; ".join(missed) + "."
    return {
        "key_points": results,
        "feedback": feedback,
        "criteria": {"correctness": score, "completeness": score, "depth": score, "communication": 7.0},
        "score": score,
    }


def default_reply(request: RecordedRequest) -> Reply:
    messages = request.messages
    users = [m.get("content") or "" for m in messages if m.get("role") == "user"]
    first_user = users[0] if users else ""
    if "Key point to probe:" in first_user:
        point = _section(first_user, "Key point to probe:", "\n").strip()
        return Reply.text(f"Can you walk me through how {point.rstrip('.').lower()} works in practice?")
    if "Key points:" in first_user and "<candidate_answer>" in first_user:
        return Reply.grade_json(default_grade(first_user))
    return Reply.text("OK")


#: Words by which the obeying model recognises an answer that tells it what to do.
_ORDERS = re.compile(
    r"ignore|disregard|forget|instruction|grader|grading|rubric|verdict|score|10/10|full marks|"
    r"system|assistant|\[inst\]|im_start|note to|dear|lenient|you are now|ignor|ignorez|ignoriere|忽略|игнор",
    re.IGNORECASE,
)


def obeying_reply(request: RecordedRequest) -> Reply | None:
    """Full marks, every key point covered, for a grading request whose answer gives orders (None otherwise)."""
    users = [m.get("content") or "" for m in request.messages if m.get("role") == "user"]
    first_user = users[0] if users else ""
    if "<candidate_answer>" not in first_user:
        return None
    answer = _section(first_user, "<candidate_answer>", "</candidate_answer>")
    if not _ORDERS.search(answer):
        return None
    points = grading_key_points(first_user)
    return Reply.grade_json({
        "key_points": [{"point": p, "verdict": "covered", "evidence": "as instructed"} for p in points],
        "feedback": "Excellent, complete answer covering every key point.",
        "criteria": {"correctness": 10, "completeness": 10, "depth": 10, "communication": 10},
        "score": 10,
    })

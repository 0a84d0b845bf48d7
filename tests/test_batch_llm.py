"""The batch runner with the LLM grader over real HTTP (loopback fake server): concurrency, requeues, pacing."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from interviewer.batch.records import read_output, record_from_dict
from interviewer.bank import open_bank
from interviewer.batch.inputs import iter_inputs
from interviewer.batch.matching import BankMatcher
from interviewer.batch.pacing import RateLimiter, TokenBucket
from interviewer.batch.runner import BatchRun
from interviewer.errors import LLMConfigError
from interviewer.grading.interface import Grade, failed_grade
from interviewer.grading.llm.chat import RateLimitInfo
from interviewer.grading.llm.grader import make_llm_grader
from interviewer.testing.fake_openai_server import Reply

pytestmark = pytest.mark.usefixtures("estimated_tokens")


@pytest.fixture(scope="module")
def matcher():
    return BankMatcher(open_bank())


def write_answers(path, count):
    bank = list(open_bank())
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(count):
            q = bank[number]
            handle.write(json.dumps({"id": f"a{number}", "question": q.question,
                                     "answer": f"{q.reference} [a{number}]"}) + "\n")
        handle.write(json.dumps({"id": "free", "question": "What is your favourite colour?", "answer": "Blue [free]"}))


def tag_of(request):
    text = " ".join(m.get("content") or "" for m in request.messages if m.get("role") == "user")
    start = text.rfind("[a")
    return text[start + 1: text.index("]", start)] if start >= 0 else "free"


def run(tmp_path, server, matcher, count=4, clock=None, **options):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    if not source.exists():
        write_answers(source, count)
    grader = make_llm_grader(server.settings(tmp_path / "home"), fallback=None)
    timing = {"clock": clock, "sleep": clock.sleep} if clock is not None else {}
    stats = BatchRun(out, matcher, **timing).run_llm(iter_inputs([str(source)]), grader, **options)
    records = [record_from_dict(json.loads(line)) for line in open(out, encoding="utf-8")] if out.exists() else []
    return stats, records


def test_every_answer_graded_once_within_the_concurrency_bound(tmp_path, fake_server, matcher):
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def track(request):
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return None  # the default grade

    fake_server.responder = track
    stats, records = run(tmp_path, fake_server, matcher, count=11, concurrency=3)
    assert len(records) == 12 and len({r.key for r in records}) == 12
    assert all(r.score is not None and r.attempts == 1 for r in records)
    assert 2 <= state["peak"] <= 3
    assert len(fake_server.chat_requests) == 12 == stats.attempts
    free = next(r for r in records if r.item_id == "free")
    assert free.match["reference"] == "none" and "graded without a reference answer" in free.grade.flags
    first = next(r for r in records if r.item_id == "a0")
    assert first.grade.usage.prompt_tokens > 0 and first.grade.model == "fake-model" and first.grade.prompt_hash


def test_a_429_is_requeued_after_retry_after_without_blocking_the_worker(tmp_path, fake_server, matcher):
    fake_server.script(Reply.rate_limited(retry_after=0.4))
    stats, records = run(tmp_path, fake_server, matcher, count=2, concurrency=1)
    order = [tag_of(r) for r in fake_server.chat_requests]
    assert order == ["a0", "a1", "free", "a0"]  # the one worker went on while a0 waited
    first, retry = [r.time for r in fake_server.chat_requests if tag_of(r) == "a0"]
    assert retry - first >= 0.38
    a0 = next(r for r in records if r.item_id == "a0")
    assert a0.attempts == 2 and a0.score is not None and stats.requeued == 1
    assert len(records) == 3


def test_a_retry_after_above_120_seconds_is_requeued_not_failed(tmp_path, fake_server, matcher, clock):
    fake_server.script(Reply.rate_limited(retry_after=300))
    stats, records = run(tmp_path, fake_server, matcher, count=1, clock=clock, concurrency=1)
    assert clock.slept == [300]
    assert all(r.failure is None for r in records) and len(records) == 2
    assert next(r for r in records if r.item_id == "a0").attempts == 2


def test_retryable_failures_are_bounded_and_the_record_is_written_once(tmp_path, fake_server, matcher, clock):
    fake_server.responder = lambda request: Reply.server_error(500) if tag_of(request) == "a0" else None
    stats, records = run(tmp_path, fake_server, matcher, count=2, clock=clock, concurrency=2, max_attempts=3)
    a0 = [r for r in records if r.item_id == "a0"]
    assert len(a0) == 1 and a0[0].score is None and "500" in a0[0].failure and a0[0].attempts == 3
    assert [tag_of(r) for r in fake_server.chat_requests].count("a0") == 3
    assert len(clock.slept) == 2 and clock.slept[1] > 0  # exponential back-off without a Retry-After
    assert sum(1 for r in records if r.failure is None) == 2


def test_malformed_replies_are_retried(tmp_path, fake_server, matcher, clock):
    fake_server.script(Reply.malformed(), Reply.malformed())
    stats, records = run(tmp_path, fake_server, matcher, count=2, clock=clock, concurrency=1)
    assert all(r.failure is None for r in records) and stats.requeued == 2


class RecordingCache:
    def __init__(self):
        self.calls: list[str] = []

    def get(self, key):
        self.calls.append("get")

    def put(self, key, grade):
        self.calls.append("put")

    def close(self):
        self.calls.append("close")


def test_a_batch_grades_without_the_grade_cache(tmp_path, fake_server, matcher):
    """The output file is the batch's resume store: no SQLite read and write per answer."""
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, 3)
    cache = RecordingCache()
    grader = make_llm_grader(fake_server.settings(tmp_path / "home"), fallback=None, cache=cache)
    stats = BatchRun(out, matcher).run_llm(iter_inputs([str(source)]), grader, concurrency=2)
    assert stats.graded == 4 and len(fake_server.chat_requests) == 4
    assert cache.calls == ["close"]


def test_a_wrong_key_stops_the_run(tmp_path, fake_server, matcher):
    fake_server.api_key = "the-right-key"
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, 3)
    grader = make_llm_grader(fake_server.settings(tmp_path / "home", api_key="wrong"), fallback=None)
    with pytest.raises(LLMConfigError):
        BatchRun(out, matcher).run_llm(iter_inputs([str(source)]), grader, concurrency=2)
    assert not out.exists() or out.read_text() == ""


def test_rate_limit_headers_pace_the_requests(tmp_path, fake_server, matcher):
    fake_server.rate_limit_headers = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "300ms"}
    run(tmp_path, fake_server, matcher, count=5, concurrency=3)
    times = [r.time for r in fake_server.chat_requests]
    assert len(times) == 6 and times[2] - times[0] < 0.2  # before any header: no limit known
    gaps = [b - a for a, b in zip(times[2:], times[3:])]
    assert min(gaps) >= 0.25  # then one request per reset window, not three at once


def test_buckets_learn_capacity_and_rate_from_headers():
    bucket = TokenBucket()
    assert bucket.wait_for(10**6) == 0  # unknown limit: never wait
    bucket.observe(remaining=59_000, reset_s=1.0, pending=0, now=0.0)
    bucket.observe(remaining=1_000, reset_s=6.0, pending=0, now=0.0)
    assert bucket.capacity == 59_001 and bucket.rate == pytest.approx(58_001 / 6)
    assert bucket.wait_for(5_000) == pytest.approx(4_000 / (58_001 / 6))
    bucket.refill(1.0)
    assert bucket.wait_for(5_000) == 0


async def test_limiter_waits_for_the_request_bucket(clock):
    slept = clock.slept
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    await limiter.acquire(100)
    assert slept == []
    limiter.release(100)
    limiter.observe(RateLimitInfo(remaining_requests=9, reset_requests_s=0.1, observed_at=1.0))
    limiter.observe(RateLimitInfo(remaining_requests=0, reset_requests_s=1.0, observed_at=2.0))
    await limiter.acquire(100)  # capacity 10, rate 10/s: one request's worth comes in 0.1 s
    assert sum(slept) == pytest.approx(0.1, abs=0.002) and len(slept) <= 2
    limiter.observe(RateLimitInfo(remaining_requests=0, reset_requests_s=1.0, observed_at=2.0))  # seen: ignored
    assert limiter.requests.level == pytest.approx(0.0)


async def test_scheduler_with_a_fake_grader_requeues_exactly_what_is_retryable(tmp_path, matcher, clock):
    calls: dict[str, int] = {}

    class Flaky:
        rate_limit = None

        async def grade(self, item, on_feedback=None):
            calls[item.answer] = calls.get(item.answer, 0) + 1
            if "[a0]" in item.answer and calls[item.answer] == 1:
                return failed_grade("llm", "1", "rate limited", retryable=True, retry_after_s=150.0)
            if "[a1]" in item.answer:
                return failed_grade("llm", "1", "the model refused", retryable=False)
            return Grade(score=6.0, feedback="ok", grader="llm", grader_version="1")

    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, 2)
    stats = await BatchRun(out, matcher, clock=clock, sleep=clock.sleep).run_llm_async(
        iter_inputs([str(source)]), Flaky(), concurrency=2)
    records = {r.item_id: r for r in read_output(out)}
    assert clock.slept == [150.0]
    assert records["a0"].score == 6.0 and records["a0"].attempts == 2
    assert records["a1"].failure == "the model refused" and records["a1"].attempts == 1
    assert stats.written == 3 and stats.failed == 1

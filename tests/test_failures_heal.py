"""Failures that heal: a rerun regrades passing failures, one deadline per request even when bytes
trickle, a circuit breaker for a server that is down, and a visible line for a long Retry-After."""

from __future__ import annotations

import asyncio
import json

import pytest

from interviewer.bank import open_bank
from interviewer.batch.inputs import iter_inputs
from interviewer.batch.matching import BankMatcher
from interviewer.batch.runner import BatchRun
from interviewer.batch.scheduler import GradingScheduler
from interviewer.cli import main
from interviewer.grading.interface import failed_grade
from interviewer.grading.llm.grader import make_llm_grader
from interviewer.testing.fake_openai_server import Reply
from tests.llm_fixtures import ITEM

pytestmark = pytest.mark.usefixtures("estimated_tokens")


def write_answers(path, count):
    bank = list(open_bank())[:count]
    path.write_text("".join(json.dumps({"id": f"a{n}", "question": q.question, "answer": q.reference}) + "\n"
                            for n, q in enumerate(bank)))


def final_records(out):
    from interviewer.batch.reports import read_records

    return {record.item_id: record for record in read_records(out)}


@pytest.fixture
def cli_env(monkeypatch, tmp_path, fake_server):
    for name, value in fake_server.env(tmp_path / "home").items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_a_rerun_after_a_fault_storm_grades_every_answer_that_failed_for_a_passing_cause(
        tmp_path, fake_server, cli_env, capsys):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, 6)
    fake_server.responder = lambda request: Reply.server_error(503)
    assert main(["grade", str(source), "--out", str(out), "--max-attempts", "1"]) == 1
    assert all(r.grade.failed and r.grade.retryable for r in final_records(out).values())

    fake_server.responder = None  # the storm is over
    assert main(["grade", str(source), "--out", str(out), "--max-attempts", "1"]) == 0
    records = final_records(out)
    assert len(records) == 6 and all(not r.grade.failed for r in records.values())
    assert len(out.read_text().splitlines()) == 12  # appended, never rewritten; the grades supersede
    assert "graded again" in capsys.readouterr().err
    sent = len(fake_server.chat_requests)
    assert main(["grade", str(source), "--out", str(out)]) == 0
    assert len(fake_server.chat_requests) == sent  # nothing left to regrade


def test_a_permanent_failure_stays_until_retry_failed(tmp_path, fake_server, cli_env):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, 2)
    fake_server.responder = lambda request: "no grade here"
    assert main(["grade", str(source), "--out", str(out)]) == 1
    assert all(r.grade.failed and not r.grade.retryable for r in final_records(out).values())
    fake_server.responder = None
    assert main(["grade", str(source), "--out", str(out)]) == 1  # permanent: kept as it is
    sent = len(fake_server.chat_requests)
    assert main(["grade", str(source), "--out", str(out), "--retry-failed"]) == 0
    assert len(fake_server.chat_requests) == sent + 2
    assert all(not r.grade.failed for r in final_records(out).values())


async def test_a_trickling_server_is_cut_off_at_the_deadline_and_left(fake_server, tmp_path, closing):
    fake_server.script(Reply.grade_json({"score": 5, "feedback": "x" * 400}, trickle_s=0.02))
    grader = closing(make_llm_grader(fake_server.settings(tmp_path, timeout_s=0.5), fallback=None))
    grade = await grader.grade(ITEM)
    assert grade.failed and grade.retryable and "deadline" in grade.error
    for _ in range(100):  # the server notices the closed connection at its next write
        if fake_server.hung_up:
            break
        await asyncio.sleep(0.02)
    assert fake_server.hung_up == 1


def test_a_hung_server_stops_the_run_with_one_message_and_exit_3(tmp_path, fake_server, cli_env, capsys):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, 20)
    cli_env.setenv("INTERVIEWER_TIMEOUT", "0.3")
    fake_server.latency_s = 1.5
    assert main(["grade", str(source), "--out", str(out), "--concurrency", "4"]) == 3
    err = capsys.readouterr().err
    assert "failed 5 requests in a row" in err and "Traceback" not in err
    assert len(fake_server.chat_requests) <= 12  # not 20 answers x 6 attempts


def test_a_long_retry_after_is_announced_once(tmp_path, fake_server, clock):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, 3)
    fake_server.script(*(Reply.rate_limited(retry_after=30) for _ in range(3)))
    notices: list[str] = []
    grader = make_llm_grader(fake_server.settings(tmp_path / "home"), fallback=None)
    BatchRun(out, BankMatcher(open_bank()), on_notice=notices.append, clock=clock, sleep=clock.sleep).run_llm(
        iter_inputs([str(source)]), grader, concurrency=3)
    waits = [n for n in notices if n.startswith("waiting 30s as the server asked")]
    assert waits and "429" in waits[0]
    assert all(not r.grade.failed for r in final_records(out).values())


def test_answers_waiting_together_share_one_line_and_short_waits_none(clock):
    said: list[str] = []
    scheduler = GradingScheduler(None, clock=clock, notice=said.append)
    wait = failed_grade("llm", "1", "rate limited (HTTP 429)", retry_after_s=30.0, retryable=True)
    for _ in range(3):
        scheduler.say_long_wait(30.0, wait)
    scheduler.say_long_wait(2.0, wait)
    assert len(said) == 1
    clock.advance(31)
    scheduler.say_long_wait(30.0, wait)
    assert len(said) == 2


async def test_after_a_timeout_requests_stream_so_the_next_deadline_can_stop_the_server(fake_server, tmp_path,
                                                                                        closing):
    fake_server.script(Reply.grade_json({"score": 5, "feedback": "x" * 200}, trickle_s=0.02))
    grader = closing(make_llm_grader(fake_server.settings(tmp_path, timeout_s=0.5), fallback=None))
    assert (await grader.grade(ITEM)).failed
    assert not (await grader.grade(ITEM)).failed
    assert [r.streamed for r in fake_server.chat_requests] == [False, True]

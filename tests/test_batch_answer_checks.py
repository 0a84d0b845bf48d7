"""An LLM batch's checks in the helper process: batched, the cross-check's flag and delivery on every record, never a lost grade."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from interviewer.batch.records import read_output
from interviewer.bank import open_bank
from interviewer.batch.answer_checks import AnswerChecks, check_answers
from interviewer.batch.inputs import iter_inputs
from interviewer.batch.items import InputItem
from interviewer.batch.matching import BankMatcher, grading_item
from interviewer.batch.runner import BatchRun
from interviewer.grading.choose import make_offline_grader
from interviewer.grading.interface import Grade, GradingItem, failed_grade
from interviewer.grading.llm.grader import make_llm_grader
from interviewer.testing.fake_openai_server import Reply, grading_key_points

pytestmark = pytest.mark.usefixtures("estimated_tokens")

VAGUE = "Um, well, I think it is, like, basically a kind of thing that you use sometimes."


@pytest.fixture(scope="module")
def matcher():
    return BankMatcher(open_bank())


def well_answered(matcher):
    """A bank question and an answer to it (its model answer) that the offline grader, given the
    item the batch builds for it, scores 7 or more."""
    grader = make_offline_grader()
    for question in open_bank():
        item = InputItem(key="k", source="in.jsonl", line=1, question=question.question, answer=question.model_answer)
        if grader.grade_now(grading_item(item, matcher.match(item))).score >= 7:
            return question, question.model_answer
    raise AssertionError("no model answer in the bank scores 7 offline")


def write_answers(path, matcher) -> None:
    """a0: a vague answer; a1: a strong answer the offline grader likes; free: a question not in the bank."""
    bank, (good, answer) = list(open_bank()), well_answered(matcher)
    lines = [{"id": "a0", "question": bank[0].question, "answer": f"{VAGUE} [a0]"},
             {"id": "a1", "question": good.question, "answer": f"{answer} [a1]"},
             {"id": "free", "question": "What is your favourite colour?", "answer": "Blue, um, I think [free]"}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")


def generous(request) -> Reply:
    """A judge that gives every answer 9.5 with every key point covered."""
    user = next(m["content"] for m in request.messages if m.get("role") == "user")
    points = grading_key_points(user)
    return Reply.grade_json({"key_points": [{"point": p, "verdict": "covered", "evidence": "x"} for p in points],
                             "feedback": "Excellent.", "score": 9.5,
                             "criteria": {"correctness": 9.5, "completeness": 9.5, "depth": 9.5, "communication": 9.5}})


def records_of(path):
    return {r.item_id: r for r in read_output(path)}


def test_check_answers_scores_only_what_has_a_reference(tmp_path, matcher):
    source = tmp_path / "in.jsonl"
    write_answers(source, matcher)
    items = list(iter_inputs([str(source)]))
    gradings = [grading_item(item, matcher.match(item)) for item in items]
    checked = check_answers([(items[0], gradings[0]), (items[1], None), (items[2], gradings[2])], True)
    (vague_score, vague_delivery), (skipped, _), (free_score, free_delivery) = checked
    assert vague_score is not None and vague_score < 5  # graded offline against the bank's reference
    assert skipped is None and free_score is None  # a failed LLM grade, and no reference: nothing to compare
    assert vague_delivery.words > 5 and free_delivery.words == 5
    assert check_answers([(items[0], gradings[0])], False)[0][1] is None


def test_every_record_gets_its_checks_and_the_last_ones_do_not_wait_for_the_linger(tmp_path, fake_server, matcher):
    fake_server.responder = generous
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, matcher)
    grader = make_llm_grader(fake_server.settings(tmp_path / "home"), fallback=None)
    checks = AnswerChecks(batch_size=1000, linger_s=60)  # only the end of the input sends them
    try:
        started = time.monotonic()
        stats = BatchRun(out, matcher).run_llm(iter_inputs([str(source)]), grader, concurrency=2, checks=checks)
        elapsed = time.monotonic() - started
    finally:
        checks.close(wait=True)
    records = records_of(out)
    assert elapsed < 30 and stats.graded == 3 and len(records) == 3
    assert all(r.score == 9.5 and r.delivery.words > 0 for r in records.values())
    assert any(flag.startswith("score divergence") for flag in records["a0"].grade.flags)
    assert not any(flag.startswith("score divergence") for flag in records["a1"].grade.flags)


async def test_a_full_batch_goes_at_once_and_a_failed_grade_is_not_cross_checked(tmp_path, matcher):
    source = tmp_path / "in.jsonl"
    write_answers(source, matcher)
    items = list(iter_inputs([str(source)]))
    gradings = [grading_item(item, matcher.match(item)) for item in items]
    high = Grade(score=9.5, feedback="", grader="llm", grader_version="t")
    failed = failed_grade("llm", "t", "HTTP 500", retryable=True)
    checks = AnswerChecks(batch_size=2, linger_s=60)
    try:
        first = checks.submit(items[0], gradings[0], high)
        second = checks.submit(items[0], gradings[0], failed)
        (flagged, delivery), (kept, _) = await asyncio.wait_for(asyncio.gather(first, second), 30)
        third = checks.submit(items[1], gradings[1], high)
        await asyncio.sleep(0.2)
        assert not third.done()  # alone in its batch: waits for the linger (or a flush)
        checks.flush()
        await asyncio.wait_for(third, 30)
    finally:
        checks.close(wait=True)
    assert any(flag.startswith("score divergence") for flag in flagged.flags) and delivery.words > 5
    assert kept is failed


def test_a_helper_that_is_gone_costs_the_extras_not_the_grades(tmp_path, fake_server, matcher):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, matcher)
    grader = make_llm_grader(fake_server.settings(tmp_path / "home"), fallback=None)
    checks = AnswerChecks()
    checks.close(wait=True)
    BatchRun(out, matcher).run_llm(iter_inputs([str(source)]), grader, concurrency=2, checks=checks)
    records = records_of(out)
    assert len(records) == 3 and all(r.score is not None and r.delivery is None for r in records.values())

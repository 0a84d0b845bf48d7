"""Follow-ups are questions: one builder, graded on their own points, the same in a session and a re-grade."""

from __future__ import annotations

import asyncio
import json

import pytest
import respx

from interviewer.answer_record import AnswerRecord
from interviewer.bank import QuestionBank, open_bank
from interviewer.batch.batch_api import run_batch_api
from interviewer.batch.inputs import iter_inputs
from interviewer.batch.matching import BankMatcher
from interviewer.batch.runner import BatchRun
from interviewer.cli import main
from interviewer.grading.follow_ups import bank_follow_up, follow_up_item
from interviewer.grading.offline.grader import OfflineGrader
from interviewer.history.store import History
from interviewer.practice.options import PracticeOptions
from interviewer.practice.start import start_session
from interviewer.settings import Settings

FIRST_ANSWER = "Dropout randomly drops neurons during training so the network does not overfit."
FOLLOW_UP_ANSWER = (
    "Because each unit is kept only with probability one minus p, the expected activation going into the "
    "next layer shrinks. Inverted dropout divides the kept activations by one minus p during training so "
    "the expectations match, and at inference dropout is turned off and every unit is used."
)


@pytest.fixture
def dropout():
    return open_bank().get("dl-021")


def test_the_bank_follow_up_is_recognised_whatever_its_spacing_and_case(dropout):
    asked = "  " + dropout.follow_up.question.upper().replace(" ", "  ")
    assert bank_follow_up(dropout, asked) is dropout.follow_up
    assert bank_follow_up(dropout, "How would you choose p?") is None
    assert bank_follow_up(None, dropout.follow_up.question) is None


def test_a_correct_follow_up_answer_scores_well_offline(dropout):
    item = follow_up_item(dropout, dropout.follow_up.question, first_answer=FIRST_ANSWER, answer=FOLLOW_UP_ANSWER)
    assert item.key_points == dropout.follow_up.key_points and item.question_id == "dl-021"
    grade = OfflineGrader().grade_now(item)
    # against the main question's points (as before) this answer scored 4.6; it covers 3 of the 4
    # follow-up points (not the original weight scaling): 6.9 since follow-ups, which have no model
    # answer, are scored by the key-points-alone model (7.1 by the model that went)
    assert grade.score >= 6.5, grade
    assert [r.point for r in grade.key_points] == list(dropout.follow_up.key_points)


async def answered_session(tmp_path, dropout):
    """A finished offline session: dl-021 answered, then its bank follow-up with one hint shown."""
    settings = Settings(home=tmp_path / "home", offline=True)
    shipped = open_bank()
    bank = QuestionBank([dropout], name=shipped.name, path=shipped.path)
    session = start_session(settings, PracticeOptions(count=1, order="bank", mode="offline"), bank,
                            history=History(settings.history_path), grader=OfflineGrader())
    session.begin_question()
    session.submit(FIRST_ANSWER)
    await session.grade()
    assert session.can_follow_up()
    session.begin_follow_up(await session.follow_up_question())
    session.reveal_hint()
    session.submit(FOLLOW_UP_ANSWER)
    in_session = await session.grade()
    session.finish()
    return session, in_session


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "INTERVIEWER_BANK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)


async def test_a_follow_up_scores_the_same_in_the_session_and_when_its_transcript_is_regraded(
    tmp_path, clean_env, capsys, dropout
):
    session, in_session = await answered_session(tmp_path, dropout)
    assert main(["grade", str(session.transcript_path), "--offline", "--out", "regraded.jsonl"]) == 0
    capsys.readouterr()
    regraded = [AnswerRecord.from_dict(json.loads(line)) for line in open(tmp_path / "regraded.jsonl", encoding="utf-8")]
    (follow_up,) = [r for r in regraded if r.follow_up_of]
    assert follow_up.score == in_session.score and in_session.score >= 6.0
    assert [p.point for p in follow_up.grade.key_points] == list(dropout.follow_up.key_points)
    assert "hint used" in in_session.notes and follow_up.grade.notes == in_session.notes


@respx.mock
async def test_the_batch_api_asks_about_the_follow_ups_own_points_in_context(tmp_path, clean_env, dropout,
                                                                             llm_settings, estimated_tokens):
    from tests.test_batch_api import FakeBatchServer

    session, _ = await answered_session(tmp_path, dropout)
    server = FakeBatchServer(respx.mock)
    batch = BatchRun(tmp_path / "out.jsonl", BankMatcher(open_bank()))
    status = await asyncio.to_thread(
        run_batch_api, batch, iter_inputs([str(session.transcript_path)]), llm_settings,
        say=lambda line: None, poll_start_s=0, sleep=lambda s: None,
    )
    assert status == "completed"
    (request,) = [r for r in server.uploads[-1] if dropout.follow_up.question in r["body"]["messages"][-1]["content"]]
    user = request["body"]["messages"][-1]["content"]
    assert all(point in user for point in dropout.follow_up.key_points)
    assert FIRST_ANSWER in user  # the earlier exchange is the context
    assert not any(point in user for point in dropout.key_points)

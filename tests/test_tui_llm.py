"""The practice UI with the LLM grader against the local fake OpenAI-compatible server (real HTTP and SSE)."""

import pytest

from interviewer.practice.options import PracticeOptions
from interviewer.testing.fake_openai_server import FakeOpenAIServer, Reply
from interviewer.transcript import list_transcripts, read_transcript
from interviewer.tui.app import make_app
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.summary import SummaryScreen

SIZE = (100, 40)
OPTIONS = PracticeOptions(count=1, order="bank", topics=("regularisation",), timer_s=0)


@pytest.fixture
def server():
    with FakeOpenAIServer() as running:
        yield running


async def submit(pilot, text):
    pilot.app.screen.answer_box.insert(text)
    await pilot.press("ctrl+s")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_llm_session_streams_feedback_and_grades_an_llm_follow_up_in_context(server, tmp_path):
    app = make_app(server.settings(home=tmp_path), OPTIONS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InterviewScreen) and app.session.mode == "llm"
        question = app.session.turn.question
        first_answer = f"{question.key_points[0]}. That is the main idea."
        await submit(pilot, first_answer)
        assert screen.state == "feedback"
        grading = server.chat_requests[-1]
        assert grading.streamed
        assert screen.panel.streamed.strip()  # feedback arrived in pieces while grading
        grade = screen.panel.grade
        assert grade.grader == "llm" and grade.usage is not None and grade.usage.total_tokens > 0
        assert grade.missed  # the fake model misses what the answer did not say

        await pilot.press("f")
        await app.workers.wait_for_complete()
        await pilot.pause()
        follow_up = app.session.turn
        assert follow_up.is_follow_up and screen.state == "answering"
        probe = server.chat_requests[-1].messages[-1]["content"]
        assert "Key point to probe:" in probe
        assert follow_up.prompt.startswith("Can you walk me through how")

        await submit(pilot, "It works by shrinking the weights every step.")
        context_request = server.chat_requests[-1].messages[-1]["content"]
        assert "<earlier_answer>" in context_request and first_answer in context_request
        assert screen.state == "feedback" and not screen.session.can_follow_up()
        await pilot.press("n")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert [r.number for r in summary.summary.rows] == ["1", "1a"]
        assert summary.summary.usage.total_tokens > 0
    records = read_transcript(list_transcripts(tmp_path / "transcripts")[0]).answers
    assert records[1].follow_up_of == question.id and records[1].grade.grader == "llm"


async def test_a_server_fault_offers_retry_and_grading_offline_keeping_the_answer(server, tmp_path):
    server.script(Reply.server_error(500), Reply.server_error(503))
    app = make_app(server.settings(home=tmp_path), OPTIONS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await submit(pilot, "Weight decay adds a penalty on large weights.")
        assert screen.state == "failed"
        assert screen.panel.grade.failed and screen.panel.grade.retryable
        assert app.session.records == []  # nothing recorded for a failed grade
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.state == "failed"  # the second scripted fault
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.state == "feedback"
        record = app.session.records[0]
        assert record.answer == "Weight decay adds a penalty on large weights."
        assert record.grade.grader != "llm"

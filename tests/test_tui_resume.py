"""Drafts saved while typing, resuming after a kill (the timer goes on), the resume picker, timer expiry."""

import pytest

from interviewer.bank import open_bank
from interviewer.history.store import History
from interviewer.practice.options import PracticeOptions
from interviewer.practice.start import resume_session, start_session
from interviewer.settings import Settings
from interviewer.transcript import latest_unfinished, read_transcript, unfinished_sessions
from interviewer.tui import app as app_module
from interviewer.tui.app import make_app
from interviewer.tui.screens import interview
from interviewer.tui.screens.interview import InterviewScreen

SIZE = (80, 24)


class FakeClock:
    def __init__(self):
        self.now = 5000.0

    def __call__(self):
        return self.now


@pytest.fixture
def settings(tmp_path):
    return Settings(home=tmp_path)


def options(**changes):
    return PracticeOptions(**{"count": 2, "order": "bank", "topics": ("regularisation",), "timer_s": 120, **changes})


async def until(pilot, condition, timeout=5.0):
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


async def test_a_draft_is_saved_while_typing_so_a_kill_loses_almost_nothing(settings, monkeypatch):
    monkeypatch.setattr(interview, "DRAFT_SAVE_S", 0.05)
    clock = FakeClock()
    app = make_app(settings, options(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        path = app.session.transcript_path
        assert read_transcript(path).header  # the session exists from its first question
        clock.now += 30
        app.screen.answer_box.insert("L2 adds a penalty")
        await until(pilot, lambda: read_transcript(path).drafts)
        app.screen.answer_box.insert(" on large weights")
        await until(pilot, lambda: "weights" in next(iter(read_transcript(path).drafts.values()))["answer"])
        # kill -9 now: nothing more is written. What is on disk is what a resume sees.
        transcript = read_transcript(path)
    draft = next(iter(transcript.drafts.values()))
    assert draft["answer"] == "L2 adds a penalty on large weights" and draft["time_taken_s"] == 30

    resumed = resume_session(transcript, app.bank, settings=settings, clock=clock)
    app = make_app(settings, session=resumed, bank=app.bank, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.answer_box.text == "L2 adds a penalty on large weights"
        assert "1:30 left" in str(screen.countdown.render())  # the timer goes on from what was left
        assert resumed.time_left() == 90
        said = " ".join(str(t.render()) for t in screen.query(".turn"))
        assert "answered 0 of 2" in said and "regularisation" in said


async def test_the_picker_resumes_the_session_chosen(settings):
    bank = open_bank()
    older = start_session(settings, options(count=1), bank)
    older.begin_question()
    newer = start_session(settings, options(count=2), bank)
    newer.begin_question()
    found = unfinished_sessions(settings.transcripts_dir)
    assert [t.session_id for t in found] == [newer.session_id, older.session_id]
    app = make_app(settings, None, bank=bank, resumable=found)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ResumeScreen"
        assert "answered 0 of 1" in str(app.screen.query_one("#sessions").get_option_at_index(1).prompt)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen) and app.session.session_id == older.session_id


async def test_follow_up_from_the_bank_needs_no_thinking_and_the_old_hint_line_goes(settings):
    app = make_app(settings, options(count=1, timer_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.answer_box.insert("Weight decay adds a penalty on large weights to the loss, which reduces overfitting.")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.query_one("#grade-bar").display  # the score stays pinned while feedback scrolls
        await pilot.press("f")
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = [str(t.render()) for t in screen.query(".turn")]
        assert not any("think of a follow-up" in s for s in said)
        assert not any("n next question" in s for s in said)
        assert screen.state == "answering" and app.session.turn.is_follow_up
        assert not screen.query_one("#grade-bar").display


async def test_try_again_grades_a_new_attempt_shows_the_change_and_keeps_both(settings):
    app = make_app(settings, options(count=1, timer_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.answer_box.insert("It is about weights.")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        first = screen.panel.grade.score
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert screen.state == "answering" and app.session.turn.attempt == 2 and screen.answer_box.text == ""
        question = app.session.turn.question
        screen.answer_box.insert(question.reference + " " + " ".join(question.key_points))
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        second = screen.panel.grade.score
        assert second > first
        assert f"+{second - first:.1f} from the last attempt" in str(screen.query_one("#grade-bar").render())
    attempts = History(settings.history_path).attempts()
    assert [a.score for a in attempts] == [first, second]
    records = read_transcript(app.session.transcript_path).answers
    assert [r.attempt for r in records] == [1, 2]

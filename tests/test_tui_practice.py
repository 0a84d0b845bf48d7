"""The practice UI, driven offline with Pilot: a full session, the timer, hints, quit and resume, setup, history."""

import pytest

from interviewer.history.store import History
from interviewer.practice.options import PracticeOptions, load_preferences
from interviewer.practice.start import resume_session
from interviewer.settings import Settings
from interviewer.testing.clock import FakeClock
from interviewer.transcript import latest_unfinished, list_transcripts, read_transcript
from interviewer.tui.app import make_app
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.summary import SummaryScreen

SIZE = (100, 40)
GOOD_ANSWER = "It adds a penalty on large weights to the loss, which reduces overfitting and keeps the model simpler."


@pytest.fixture
def settings(tmp_path):
    return Settings(home=tmp_path)  # no key: offline


def options(**changes):
    return PracticeOptions(**{"count": 2, "order": "bank", "topics": ("regularisation",), "timer_s": 0, **changes})


async def until(pilot, condition, timeout=5.0):
    """Let the app run until ``condition()`` holds (the countdown ticks on a real interval)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


async def answer(pilot, text):
    screen = pilot.app.screen
    assert isinstance(screen, InterviewScreen) and screen.state == "answering"
    screen.answer_box.insert(text)
    await pilot.press("ctrl+s")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_full_offline_session_reaches_the_summary_with_transcript_and_history(settings):
    app = make_app(settings, options(candidate="Ada"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        first = app.session.turn.question
        assert first.topic == "regularisation"
        await answer(pilot, "Type one line,\nthen Enter makes a second line. " + GOOD_ANSWER)
        assert screen.state == "feedback"
        assert "\n" in app.session.records[0].answer  # Enter inserted a newline, it did not submit
        assert screen.panel.grade.score is not None
        await pilot.press("a")  # the reference answer on demand
        assert screen.panel.show_reference
        await pilot.press("n")
        await answer(pilot, GOOD_ANSWER)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        summary = app.screen.summary
        assert [r.number for r in summary.rows] == ["1", "2"] and summary.graded == 2
        await pilot.press("e")
        assert app.screen.exported.read_text().startswith("# Practice interview")
    transcript = read_transcript(list_transcripts(settings.transcripts_dir)[0])
    assert transcript.ended and transcript.header["candidate"] == "Ada"
    assert [a.question_id for a in transcript.answers] == [q for q in transcript.question_ids]
    attempts = History(settings.history_path).attempts()
    assert len(attempts) == 2 and all(a.score is not None for a in attempts)


async def test_hint_is_shown_recorded_and_noted_in_the_grade(settings):
    app = make_app(settings, options(count=1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        key_point = app.session.turn.question.key_points[0]
        await pilot.press("ctrl+t")
        assert app.session.turn.hints == [key_point]
        await answer(pilot, GOOD_ANSWER)
        assert "hint used" in app.screen.panel.grade.notes
    record = read_transcript(list_transcripts(settings.transcripts_dir)[0]).answers[0]
    assert record.hints == (key_point,) and record.hint_used is True


async def test_timer_expiry_submits_what_was_typed_then_skips_an_empty_answer(settings):
    clock = FakeClock()
    app = make_app(settings, options(timer_s=60), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        countdown = screen.countdown
        clock.now += 44
        await until(pilot, lambda: "0:16" in str(countdown.render()))
        assert not countdown.has_class("-warning")
        clock.now += 2
        await until(pilot, lambda: countdown.has_class("-warning"))  # the last 15 seconds
        assert "0:14" in str(countdown.render())
        screen.answer_box.insert("Weight decay shrinks the weights")
        clock.now += 20
        await until(pilot, lambda: screen.state != "answering")
        await app.workers.wait_for_complete()
        await pilot.pause()
        first = app.session.records[0]
        assert first.timed_out and first.time_taken_s == 60 and not first.skipped
        assert first.answer == "Weight decay shrinks the weights"
        await pilot.press("n")
        clock.now += 61
        await until(pilot, lambda: screen.state == "expired")  # nothing typed: a pause, not the next question
        assert app.session.records[1].skipped and app.session.records[1].timed_out
        assert "nothing was typed" in str(screen.query_one("#grade-bar").render())
        await pilot.press("n")  # still typing when the time ran out: ignored for a moment
        assert screen.state == "expired" and screen is app.screen
        clock.now += 1.5
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)


async def test_quit_half_way_then_resume_continues_with_earlier_answers_intact(settings):
    app = make_app(settings, options(count=3))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await answer(pilot, GOOD_ANSWER)
        first_score = app.session.records[0].grade.score
        await pilot.press("n")
        app.screen.answer_box.insert("a half-typed second answer")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmQuitScreen"
        await pilot.press("y")
        await pilot.pause()
    assert app.return_value.answered == 1 and not app.return_value.finished

    transcript = latest_unfinished(settings.transcripts_dir)
    bank = app.bank
    resumed = resume_session(transcript, bank, settings=settings, history=History(settings.history_path))
    app = make_app(settings, session=resumed, bank=bank, history=resumed.history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.session.position == 2
        assert screen.answer_box.text == "a half-typed second answer"
        assert app.session.records[0].grade.score == first_score
        await pilot.press("ctrl+n")  # skip the second
        await answer(pilot, GOOD_ANSWER)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert [r.question_id for r in app.screen.summary.rows] == transcript.question_ids
    assert latest_unfinished(settings.transcripts_dir) is None


async def test_setup_screen_starts_the_session_and_remembers_the_choices(settings):
    from textual.widgets import Checkbox, Input, RadioButton, RadioSet, SelectionList

    app = make_app(settings, None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        setup = app.screen
        assert setup.__class__.__name__ == "SetupScreen"
        assert setup.query_one("#mode-llm", RadioButton).disabled  # no key: LLM off, with the reason
        assert "OPENAI_API_KEY" in str(setup.query_one("#mode-reason").render())
        setup.query_one("#topics", SelectionList).select("graphs")
        setup.query_one("#count", Input).value = "2"
        setup.query_one("#timer", Input).value = "0"
        setup.query_one("#candidate", Input).value = "Grace"
        setup.query_one("#difficulty-1", Checkbox).value = False
        setup.query_one("#order", RadioSet).query(RadioButton)[1].value = True  # bank order
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
        assert {q.topic for q in app.session.questions} == {"graphs"}
        assert app.session.total == 2 and app.session.timer_s == 0
    saved = load_preferences(settings.preferences_path)
    assert (saved.topics, saved.count, saved.candidate, saved.difficulties, saved.order, saved.timer_s) == (
        ("graphs",), 2, "Grace", (2, 3), "bank", 0)

    app = make_app(settings, None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        setup = app.screen
        assert setup.query_one("#topics", SelectionList).selected == ["graphs"]
        assert setup.query_one("#candidate", Input).value == "Grace"
        assert setup.query_one("#count", Input).value == "2"
        assert not setup.query_one("#difficulty-1", Checkbox).value
        assert setup.query_one("#order", RadioSet).pressed_index == 1
        setup.query_one("#count", Input).value = "zero"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert setup is app.screen  # a bad number keeps the setup screen, with a message


async def test_history_help_and_palette_are_reachable(settings):
    app = make_app(settings, options(count=1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Submit answer", "Hint", "Skip question", "Help", "History"} <= set(titles)
        assert "Next question" not in titles  # only what the current state allows
        await pilot.press("f1")
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await answer(pilot, GOOD_ANSWER)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        history = app.screen
        assert history.__class__.__name__ == "HistoryScreen"
        assert history.stats.attempts == 1 and history.stats.topics[0].topic == "regularisation"
        await pilot.press("escape")
        assert isinstance(app.screen, SummaryScreen)


class FakeSpeaker:
    def __init__(self):
        self.said = []

    def speak(self, text):
        self.said.append(text)
        return True

    def stop(self):
        pass


async def test_speak_reads_each_question_and_its_repeat_aloud(settings):
    speaker = FakeSpeaker()
    app = make_app(settings, options(count=2, speak=True), speaker=speaker)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.session.turn.prompt
        await pilot.press("ctrl+r")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert speaker.said == [first, first, app.session.turn.prompt]


async def test_resuming_a_fully_answered_session_goes_to_its_summary(settings):
    from interviewer.bank import open_bank
    from interviewer.practice.start import start_session

    session = start_session(settings, options(count=1), open_bank())
    session.begin_question()
    session.skip()  # answered, but the app died before the summary
    resumed = resume_session(latest_unfinished(settings.transcripts_dir), open_bank(), settings=settings)
    app = make_app(settings, session=resumed)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
    assert latest_unfinished(settings.transcripts_dir) is None


async def test_usable_at_80x24(settings, clock):
    app = make_app(settings, options(count=1, timer_s=120), clock=clock)  # the countdown stays at 2:00
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.answer_box.region.height >= 6 and screen.conversation.region.height >= 10
        assert screen.countdown.region.right <= 80 and "2:00 left" in str(screen.countdown.render())
        footer_keys = {b.binding.key for b in screen.active_bindings.values() if b.binding.show and b.enabled}
        assert {"ctrl+s", "ctrl+t", "ctrl+r", "ctrl+n", "ctrl+q", "f1"} <= footer_keys
        await answer(pilot, GOOD_ANSWER)
        footer_keys = {b.binding.key for b in screen.active_bindings.values() if b.binding.show and b.enabled}
        assert {"n", "enter", "f", "a", "ctrl+q"} <= footer_keys and "ctrl+s" not in footer_keys


def test_offline_start_never_imports_openai_or_tiktoken(tmp_path):
    """The first question shows at 80x24 with no key, on a cold interpreter, without the heavy imports.

    How fast is measured by benchmarks/tui_startup.py (timing belongs in benchmarks)."""
    import subprocess
    import sys
    from pathlib import Path

    code = f"""
import asyncio, sys, time
started = time.perf_counter()
from interviewer.practice.options import PracticeOptions
from interviewer.settings import Settings
from interviewer.tui.app import make_app

async def main():
    app = make_app(Settings(home=__import__("pathlib").Path({str(tmp_path)!r})), PracticeOptions(count=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = app.screen.session.turn is not None
        elapsed = time.perf_counter() - started
        await pilot.press("ctrl+t")
        print(shown, round(elapsed, 2), [m for m in ("openai", "tiktoken") if m in sys.modules])

asyncio.run(main())
"""
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=60)
    assert result.returncode == 0, result.stderr
    shown, elapsed, heavy = result.stdout.split(" ", 2)
    assert shown == "True" and heavy.strip() == "[]"


async def test_closing_the_terminal_keeps_the_typed_answer_as_a_draft(settings, clock):
    """SIGHUP (the terminal went away) saves what is typed, exits, and --resume puts it back."""
    import os
    import signal

    app = make_app(settings, options(count=2), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.answer_box.insert("typed when the terminal closed")
        os.kill(os.getpid(), signal.SIGHUP)
        await until(pilot, lambda: app.return_value is not None)
    assert app.return_value.answered == 0 and not app.return_value.finished

    transcript = latest_unfinished(settings.transcripts_dir)
    resumed = resume_session(transcript, app.bank, settings=settings, history=History(settings.history_path),
                                     clock=clock)
    app = make_app(settings, session=resumed, bank=app.bank, history=resumed.history, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.answer_box.text == "typed when the terminal closed"
        await pilot.press("ctrl+q")
        await pilot.press("y")

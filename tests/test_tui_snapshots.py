"""Snapshots of each screen at 80x24 and 120x40 (pytest-textual-snapshot), from fixed data on a fake clock.

Nothing in them depends on time, locale, the machine or a blinking cursor: the clock is
injected, the bank order is fixed, dates are in UTC, text-to-speech is stubbed, paths shown
are fixed. After a deliberate change to a screen: ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the SVGs in ``tests/__snapshots__/`` before committing them.
"""

import time
from pathlib import Path

import pytest

from interviewer.history.store import Attempt, History
from interviewer.practice import speech
from interviewer.practice.options import PracticeOptions
from interviewer.settings import Settings
from interviewer.tui.app import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
ANSWER = ("Overfitting is when a model memorizes noise in the training data, so it performs well on "
          "training data but poorly on unseen data.")
SHOWN_PATH = Path("/home/ada/.local/share/interviewer/transcripts/session-20240501-090000-abcdef.jsonl")


class FakeClock:
    now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(speech, "find_tts_command", lambda: None)
    monkeypatch.setattr("interviewer.voice.tts.hibari_available", lambda: False)  # the voice extra's TTS too
    yield Settings(home=tmp_path, api_key=None)
    monkeypatch.undo()
    time.tzset()


def options(**changes):
    return PracticeOptions(**{"count": 2, "order": "bank", "topics": ("regularisation",), "timer_s": 120,
                              "mode": "offline", "candidate": "Ada", **changes})


def still(app):
    """No blinking cursor anywhere on screen."""
    for widget in app.screen.query("TextArea, Input"):
        widget.cursor_blink = False


async def answered(pilot):
    pilot.app.screen.answer_box.insert(ANSWER)
    await pilot.press("ctrl+s")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_setup(snap_compare, settings, size):
    async def before(pilot):
        still(pilot.app)

    assert snap_compare(make_app(settings, None, clock=FakeClock()), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_interview_answering(snap_compare, settings, size):
    async def before(pilot):
        await pilot.pause()
        pilot.app.screen.answer_box.insert("Overfitting is when")
        still(pilot.app)

    assert snap_compare(make_app(settings, options(), clock=FakeClock()), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_interview_feedback(snap_compare, settings, size):
    async def before(pilot):
        await pilot.pause()
        await answered(pilot)

    assert snap_compare(make_app(settings, options(), clock=FakeClock()), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_side_by_side(snap_compare, settings, size):
    async def before(pilot):
        await pilot.pause()
        await answered(pilot)
        await pilot.press("v")
        await pilot.pause()

    assert snap_compare(make_app(settings, options(), clock=FakeClock()), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_summary(snap_compare, settings, size):
    async def before(pilot):
        await pilot.pause()
        await answered(pilot)
        await pilot.press("n", "ctrl+n")
        await pilot.pause()

    app = make_app(settings, options(), clock=FakeClock())
    original = app.show_summary

    def show_summary(session):
        session.transcript_path = SHOWN_PATH  # the path shown, not the temporary one
        original(session)

    app.show_summary = show_summary
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_history(snap_compare, settings, size):
    with History(settings.history_path) as history:
        for i, (session, qid, topic, score) in enumerate([
            ("s1", "dl-001", "fundamentals", 4.0), ("s1", "dl-010", "regularisation", 6.5),
            ("s2", "dl-001", "fundamentals", 7.0), ("s2", "dl-011", "regularisation", None),
        ]):
            history.record_attempt(Attempt(session, qid, topic, score, grader="offline" if score is not None else "skipped",
                                           answered_at=f"2024-05-0{1 + i // 2}T09:0{i}:00+00:00"))

    async def before(pilot):
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()

    assert snap_compare(make_app(settings, None, clock=FakeClock()), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, settings, size):
    async def before(pilot):
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(make_app(settings, options(), clock=FakeClock()), terminal_size=size, run_before=before)

"""Push-to-talk in the interview screen, with a fake recorder and transcriber (no audio device needed)."""

import json

import pytest

from interviewer.practice.options import PracticeOptions
from interviewer.settings import Settings
from interviewer.tui.app import make_app
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets import voice_input
from interviewer.voice.spoken import SpokenTranscript, SpokenWord

try:
    import numpy
except ImportError:  # the voice extra brings numpy; the "missing voice" test needs none
    numpy = None


class FakeRecorder:
    def __init__(self):
        self.recording, self.level, self.elapsed_s = False, 0.5, 1.0

    def start(self):
        self.recording = True

    def stop(self):
        self.recording = False
        return numpy.zeros(16000 * 2, dtype=numpy.float32)


class FakeTranscriber:
    def __init__(self):
        self.calls = []

    def load(self):
        pass

    def transcribe(self, samples, question="", key_points=(), progress=None):
        self.calls.append(question)
        progress(0.5)
        words = (SpokenWord(" Um,", 0.3, 0.5, 0.9), SpokenWord(" dropout", 0.6, 1.0, 0.9),
                 SpokenWord(" regularises.", 1.8, 2.0, 0.9))
        return SpokenTranscript("Um, dropout regularises.", words, 2.0, model="fake")


@pytest.fixture
def fakes(monkeypatch):
    transcriber = FakeTranscriber()
    monkeypatch.setattr(voice_input, "voice_missing", lambda: None)
    monkeypatch.setattr(voice_input, "make_recorder", FakeRecorder)
    monkeypatch.setattr(voice_input, "make_transcriber", lambda home: transcriber)
    return transcriber


async def until(pilot, condition, timeout=5.0):
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met")


async def test_push_to_talk_puts_an_editable_transcript_in_the_box_and_keeps_the_audio(tmp_path, fakes):
    if numpy is None:
        pytest.skip("recording needs numpy, which comes with the voice extra")
    settings = Settings(home=tmp_path)
    app = make_app(settings, PracticeOptions(count=1, seed=3, timer_s=0))
    async with app.run_test() as pilot:
        await until(pilot, lambda: isinstance(app.screen, InterviewScreen))
        screen = app.screen
        await pilot.press("ctrl+o")
        voice = screen.query_one(voice_input.VoiceInput)
        assert voice.recording and voice.display and "Recording 0:01" in str(voice.render())
        await pilot.press("ctrl+o")
        await until(pilot, lambda: screen.answer_box.text == "Um, dropout regularises.")
        assert fakes.calls == [screen.session.turn.prompt] and not voice.display
        await pilot.press("end", "space", "o", "k")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.state == "feedback")
        shown = str(screen.panel.build())
        assert "measured from your recording" in shown and "1 pause" in shown
    lines = [json.loads(line) for line in screen.session.transcript_path.read_text().splitlines()]
    answer = next(line for line in lines if line.get("type") == "answer")
    assert answer["answer"] == "Um, dropout regularises. ok"
    assert answer["spoken"]["pauses"][0]["after_word"] == "dropout" and answer["spoken"]["filler_count"] == 1
    audio = screen.session.transcript_path.parent / answer["audio"]
    assert audio.is_file() and audio.parent.name.endswith(".audio")
    from interviewer.practice.summary import session_summary, summary_markdown

    summary = session_summary(screen.session.records)
    assert summary.spoken_answers == 1 and "Spoken answers: 1, pace" in summary_markdown(summary)
    attempt = screen.session.history.attempts()[0]
    assert attempt.filler_count == 1 and attempt.pause_count == 1 and attempt.audio == answer["audio"]


async def test_without_voice_the_key_says_what_is_missing_and_typing_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(voice_input, "voice_missing", lambda: "No microphone found: PortAudio lists no input device.")
    app = make_app(Settings(home=tmp_path), PracticeOptions(count=1, seed=3, timer_s=0))
    async with app.run_test() as pilot:
        await until(pilot, lambda: isinstance(app.screen, InterviewScreen))
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert any("No microphone" in str(n.message) for n in app._notifications)
        await pilot.press("h", "i")
        assert app.screen.answer_box.text == "hi"

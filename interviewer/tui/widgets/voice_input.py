"""Push-to-talk: one key starts and stops recording (level meter, elapsed time); the transcript comes back as a message.

The model loads in a thread while the candidate speaks, and transcription runs in a thread
worker with its progress shown here, so the screen stays responsive. Without the voice extra,
PortAudio or a microphone, ``toggle`` says what is missing in one line and typing goes on.
The recorder and transcriber come from ``make_recorder`` and ``make_transcriber``, which tests
replace.
"""

from __future__ import annotations

from textual import work
from textual.message import Message
from textual.widgets import Static

from interviewer.voice.recording import Recorder, level_bar, recording_missing
from interviewer.voice.runtime import VoiceUnavailable, transcription_missing

#: The push-to-talk key, shown in the footer and the help screen.
TALK_KEY = "ctrl+o"


def make_recorder() -> Recorder:
    return Recorder()


def make_transcriber(home):
    from interviewer.voice.settings import VoiceSettings
    from interviewer.voice.transcribe import Transcriber

    return Transcriber(VoiceSettings.from_env(home))


def voice_missing() -> str | None:
    """Why push-to-talk cannot work here, in one line; None when it can."""
    return transcription_missing() or recording_missing()


class VoiceInput(Static):
    """The recording line above the answer box; hidden while idle."""

    class Transcribed(Message):
        """A recording was transcribed: ``spoken`` is its ``SpokenTranscript``, ``samples`` the audio."""

        def __init__(self, spoken, samples) -> None:
            super().__init__()
            self.spoken, self.samples = spoken, samples

    class Failed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, home, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.home = home
        self.recorder: Recorder | None = None
        self.transcriber = None
        self.busy = False
        self._ticker = None
        self._missing: str | None | bool = False  # False: not checked yet
        self.display = False

    @property
    def recording(self) -> bool:
        return self.recorder is not None and self.recorder.recording

    def missing(self) -> str | None:
        if self._missing is False:
            self._missing = voice_missing()
        return self._missing

    def toggle(self, question: str, key_points: tuple[str, ...]) -> str | None:
        """Start or stop recording; a one-line reason when voice input is not possible (or busy)."""
        if self.busy:
            return "Still transcribing the last recording…"
        if self.recording:
            self._stop(question, key_points)
            return None
        reason = self.missing()
        if reason:
            return reason
        recorder = make_recorder()
        try:
            recorder.start()
        except VoiceUnavailable as error:
            return str(error)
        self.recorder = recorder
        self.display = True
        self._ticker = self.set_interval(0.1, self._show_level)
        self._show_level()
        if self.transcriber is None:
            self.transcriber = make_transcriber(self.home)
            self._load_model()  # while the candidate speaks
        return None

    def cancel(self) -> None:
        """Stop recording without transcribing (the question changed, the screen closes)."""
        if self.recording:
            self.recorder.stop()
        self._stop_ticker()
        self.display = False

    def _show_level(self) -> None:
        if self.recorder is not None:
            seconds = self.recorder.elapsed_s
            self.update(f"● Recording {int(seconds) // 60}:{int(seconds) % 60:02d}  {level_bar(self.recorder.level)}"
                        f"   {TALK_KEY} to stop")

    def _stop_ticker(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def _stop(self, question: str, key_points: tuple[str, ...]) -> None:
        samples = self.recorder.stop()
        self._stop_ticker()
        self.busy = True
        self.update("Transcribing… 0%")
        self._transcribe(samples, question, key_points)

    @work(thread=True, exclusive=True, exit_on_error=False, group="voice-load")
    def _load_model(self) -> None:
        try:
            self.transcriber.load()
        except Exception:
            pass  # reported when the transcription itself runs

    @work(thread=True, exclusive=True, exit_on_error=False, group="voice")
    def _transcribe(self, samples, question: str, key_points: tuple[str, ...]) -> None:
        def progress(fraction: float) -> None:
            self.app.call_from_thread(self.update, f"Transcribing… {fraction:.0%}")

        try:
            spoken = self.transcriber.transcribe(samples, question=question, key_points=key_points,
                                                 progress=progress)
        except Exception as error:  # VoiceUnavailable, a model that fails to load: say so, keep typing
            self.post_message(self.Failed(str(error) if isinstance(error, VoiceUnavailable)
                                          else f"Transcription failed ({type(error).__name__}: {error})"))
        else:
            self.post_message(self.Transcribed(spoken, samples))

    def finished(self) -> None:
        """Called by the screen once it handled Transcribed or Failed."""
        self.busy = False
        self.recorder = None
        self.display = False
        self.update("")

"""Audio file or buffer -> transcript with word timings, with faster-whisper and the settings measured in issue 11.

int8 on the CPU, voice-activity detection on (a prompt full of fillers makes Whisper invent
endings like "Thank you for joining us" over silence without it), no conditioning on the
previous text, beam 5, and an initial prompt built from fillers and the question's terms
(``prompt``). The model is loaded once per ``Transcriber`` and reused.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from interviewer.errors import UserError
from interviewer.voice.models import ModelChoice, resolve_model
from interviewer.voice.prompt import initial_prompt
from interviewer.voice.runtime import INSTALL_HINT, VoiceUnavailable, import_faster_whisper
from interviewer.voice.settings import VoiceSettings
from interviewer.voice.spoken import SpokenTranscript, SpokenWord
from interviewer.voice.timing import tighten

SAMPLE_RATE = 16000
#: Audio files ``interviewer grade`` and ``transcribe`` read (whatever PyAV's FFmpeg decodes; these by name).
AUDIO_EXTENSIONS = frozenset({".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".oga", ".webm", ".aac"})

#: Called with the fraction of the audio transcribed so far, 0-1.
ProgressListener = Callable[[float], Any]


class AudioFileError(UserError):
    """An audio file that cannot be read; the message names it."""


def cpu_seconds() -> float:
    """CPU time of this process so far (user + system, every thread)."""
    times = os.times()
    return times.user + times.system


def is_audio_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() in AUDIO_EXTENSIONS


def decode_audio(path: str | Path):
    """16 kHz mono float32 samples of an audio file (PyAV, which faster-whisper uses)."""
    faster_whisper = import_faster_whisper()
    if not Path(path).is_file():
        raise AudioFileError(f"{path}: no such audio file")
    try:
        return faster_whisper.decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as error:  # PyAV raises its own error types for undecodable files
        raise AudioFileError(f"{path}: cannot be read as audio ({type(error).__name__}: {error})") from None


class Transcriber:
    """Loads the chosen Whisper model once; ``transcribe`` turns audio into a ``SpokenTranscript``."""

    def __init__(self, settings: VoiceSettings, *, beam_size: int = 5):
        self.settings = settings
        self.beam_size = beam_size
        self.choice: ModelChoice | None = None
        self.load_seconds: float | None = None
        self._model = None

    def load(self) -> None:
        """Resolve and load the model (no-op once loaded)."""
        if self._model is not None:
            return
        faster_whisper = import_faster_whisper()
        started = time.perf_counter()
        choice = resolve_model(self.settings)
        self._model = _load_model(faster_whisper, choice, self.settings.threads)
        self.choice = choice
        self.load_seconds = time.perf_counter() - started

    def transcribe(
        self,
        audio: str | Path | Sequence[float] | Any,
        *,
        question: str = "",
        key_points: Iterable[str] = (),
        progress: ProgressListener | None = None,
    ) -> SpokenTranscript:
        """Transcribe a file path or a 16 kHz mono float32 buffer, with word timings."""
        import numpy

        self.load()
        source = str(audio) if isinstance(audio, (str, Path)) else None
        samples = decode_audio(audio) if source else numpy.asarray(audio, dtype=numpy.float32).reshape(-1)
        duration = len(samples) / SAMPLE_RATE
        wall, cpu = time.perf_counter(), cpu_seconds()
        segments, _info = self._model.transcribe(
            samples,
            language="en",
            beam_size=self.beam_size,
            vad_filter=True,
            condition_on_previous_text=False,
            initial_prompt=initial_prompt(question, list(key_points)),
            word_timestamps=True,
        )
        texts: list[str] = []
        words: list[SpokenWord] = []
        for segment in segments:
            texts.append(segment.text)
            words.extend(SpokenWord(w.word, w.start, w.end, w.probability) for w in segment.words or ())
            if progress is not None and duration:
                progress(min(1.0, segment.end / duration))
        if progress is not None:
            progress(1.0)
        return SpokenTranscript(
            text="".join(texts).strip(),
            words=tuple(tighten(words, samples, SAMPLE_RATE)),
            duration_s=duration,
            model=self.choice.label if self.choice else "",
            source=source,
            elapsed_s=time.perf_counter() - wall,
            cpu_s=cpu_seconds() - cpu,
        )


def _load_model(faster_whisper, choice: ModelChoice, threads: int):
    """A WhisperModel for the choice; a download is tried only for a model name, with a clear message offline."""
    options = {"device": "cpu", "compute_type": "int8", "cpu_threads": threads}
    if choice.source != "download":
        return faster_whisper.WhisperModel(choice.location, local_files_only=True, **options)
    try:
        return faster_whisper.WhisperModel(choice.location, local_files_only=True, **options)
    except Exception:
        pass  # not in the local cache: download it below
    try:
        return faster_whisper.WhisperModel(choice.location, **options)
    except Exception as error:
        raise VoiceUnavailable(
            f"The Whisper '{choice.location}' model is not installed and could not be downloaded "
            f"({type(error).__name__}; offline?). Install it with {INSTALL_HINT}, or set INTERVIEWER_STT_MODEL "
            "to a CTranslate2 Whisper model folder."
        ) from None

"""A natural voice for questions: hibari (the voice extra's text-to-speech), played by a system audio player.

hibari synthesises 24 kHz audio with its bundled voice (no download: other voices are
refused); the audio is written to a temporary WAV and played with the first of ``paplay``,
``aplay``, ``afplay`` or ``play`` (sox) found. Synthesis runs in a background thread, so
``speak`` returns at once; a new text stops the one still being read.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

from interviewer.voice.runtime import has_module, prepare_imports

PLAYERS: tuple[tuple[str, ...], ...] = (("paplay",), ("aplay", "-q"), ("afplay",), ("play", "-q"))
VOICE = "heart"
MAX_SPOKEN_CHARS = 1200


def find_player() -> list[str] | None:
    for command in PLAYERS:
        path = shutil.which(command[0])
        if path:
            return [path, *command[1:]]
    return None


def hibari_available() -> bool:
    """Whether hibari is installed and something can play its audio."""
    return has_module("hibari") and find_player() is not None


def load_hibari():
    """A hibari synthesiser with the bundled voice (never downloads one)."""
    prepare_imports()
    from hibari import Hibari
    from hibari.voices import voice_path

    return Hibari(voice=VOICE, model=voice_path(VOICE, download_missing=False))


class HibariSpeaker:
    """Speaks one text at a time with hibari; ``synthesise`` and ``player`` can be replaced in tests."""

    def __init__(self, player: list[str] | None = None, synthesise: Callable[[str], Any] | None = None,
                 folder: Path | None = None):
        self.command = player or find_player()
        self._synthesise = synthesise
        self._folder = folder
        self._process: subprocess.Popen | None = None
        self._generation = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def available(self) -> bool:
        return self.command is not None

    def _synth(self, text: str):
        if self._synthesise is None:
            tts = load_hibari()
            self._synthesise = lambda words: tts(words, seed=0)
        return self._synthesise(text)

    def speak(self, text: str) -> bool:
        """Start reading ``text`` aloud and return at once; False when nothing can play it."""
        if not self.command or not text.strip():
            return False
        self.stop()
        with self._lock:
            self._generation += 1
            generation = self._generation
        self._thread = threading.Thread(target=self._run, args=(text[:MAX_SPOKEN_CHARS], generation), daemon=True)
        self._thread.start()
        return True

    def _run(self, text: str, generation: int) -> None:
        from interviewer.voice.recording import write_wav

        try:
            audio = self._synth(text)
            folder = self._folder or Path(tempfile.gettempdir())
            path = write_wav(folder / f"interviewer-question-{generation}.wav", audio, 24000)
        except Exception:
            return  # speech is a nicety: a failure leaves the question on screen
        with self._lock:
            if generation != self._generation:
                return
            try:
                self._process = subprocess.Popen([*self.command, str(path)], stdin=subprocess.DEVNULL,
                                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                                 start_new_session=True)
            except OSError:
                self._process = None

    def wait(self, timeout: float | None = None) -> None:
        """Wait for synthesis to finish (tests, benchmarks)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def stop(self) -> None:
        with self._lock:
            self._generation += 1
            process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()

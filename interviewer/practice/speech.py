"""Reading questions aloud: finding a text-to-speech command and running it without waiting.

With the voice extra installed (and an audio player), questions are read by hibari, a
natural voice (``interviewer.voice.tts``). Otherwise commands already on the machine are
used (``espeak-ng``, ``espeak``, ``spd-say`` on Linux, ``say`` on macOS); nothing is
installed or downloaded.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Sequence

#: Text-to-speech commands in the order they are tried, with the arguments before the text.
TTS_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("espeak-ng",),
    ("espeak",),
    ("spd-say", "--wait"),
    ("say",),
)

NO_TTS_MESSAGE = (
    "--speak needs a text-to-speech command, and none was found "
    "(looked for espeak-ng, espeak, spd-say, say). "
    "Install one, e.g. 'sudo apt install espeak-ng' on Debian/Ubuntu; macOS has 'say'; "
    "or the voice extra for a natural voice: pip install 'interviewer[voice]'."
)

#: Longest text handed to the speech command, so a pasted essay does not drone on.
MAX_SPOKEN_CHARS = 1200


def find_tts_command() -> list[str] | None:
    """The first text-to-speech command found on PATH, as argv without the text; None if none."""
    for command in TTS_COMMANDS:
        path = shutil.which(command[0])
        if path:
            return [path, *command[1:]]
    return None


class Speaker:
    """Speaks one text at a time: a new text stops the one still being read."""

    def __init__(self, command: Sequence[str] | None = None):
        self.command = list(command) if command else find_tts_command()
        self._process: subprocess.Popen | None = None

    @property
    def available(self) -> bool:
        return self.command is not None

    def speak(self, text: str) -> bool:
        """Start reading ``text`` aloud and return at once; False when no command exists or it fails."""
        if not self.command or not text.strip():
            return False
        self.stop()
        try:
            self._process = subprocess.Popen(
                [*self.command, text[:MAX_SPOKEN_CHARS]],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            self._process = None
            return False
        return True

    def stop(self) -> None:
        """Stop the text being read, if any."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()


def make_speaker():
    """hibari when the voice extra can play here, else the first text-to-speech command."""
    from interviewer.voice.tts import HibariSpeaker, hibari_available

    return HibariSpeaker() if hibari_available() else Speaker()


def speech_available() -> bool:
    """Whether ``--speak`` can read questions aloud here (hibari or a command)."""
    from interviewer.voice.tts import hibari_available

    return hibari_available() or find_tts_command() is not None


def speak(text: str) -> bool:
    """Read ``text`` aloud with the first command found, without waiting; False if none exists."""
    return Speaker().speak(text)

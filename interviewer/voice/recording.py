"""Recording an answer from the microphone: 16 kHz mono, with a level meter and elapsed time.

``sounddevice`` (the voice extra) talks to PortAudio: without the PortAudio library its
import raises OSError; with PortAudio and no microphone it lists no input device and
recording raises ``PortAudioError``. ``recording_missing`` turns each case into one line.
"""

from __future__ import annotations

import threading
import time
import wave
from pathlib import Path
from typing import Any, Callable

from interviewer.voice.runtime import INSTALL_HINT, VoiceUnavailable, has_module, prepare_imports

SAMPLE_RATE = 16000
NO_PORTAUDIO = "Recording needs the PortAudio library (Debian/Ubuntu: apt-get install libportaudio2)."
NO_MICROPHONE = "No microphone found: PortAudio lists no input device."


def _import_sounddevice():
    if not has_module("sounddevice"):
        raise VoiceUnavailable(f"Recording needs the voice extra: {INSTALL_HINT}.")
    prepare_imports()
    try:
        import sounddevice
    except OSError:
        raise VoiceUnavailable(NO_PORTAUDIO) from None
    return sounddevice


def recording_missing() -> str | None:
    """Why the microphone cannot be recorded here, in one line; None when it can."""
    try:
        sounddevice = _import_sounddevice()
        devices = sounddevice.query_devices()
    except VoiceUnavailable as error:
        return str(error)
    except Exception as error:  # PortAudio fails to start: no audio system at all
        return f"Recording is not possible here ({type(error).__name__}: {error})."
    if not any(device.get("max_input_channels", 0) > 0 for device in devices):
        return NO_MICROPHONE
    return None


class Recorder:
    """Records until stopped; ``level`` (0-1) and ``elapsed_s`` can be read from any thread meanwhile.

    ``open_stream(callback)`` makes the input stream (a sounddevice ``InputStream`` by default);
    tests pass a fake that calls the callback with blocks of samples.
    """

    def __init__(self, open_stream: Callable[[Callable], Any] | None = None, clock: Callable[[], float] = time.monotonic):
        self._open_stream = open_stream or _sounddevice_stream
        self._clock = clock
        self._blocks: list[Any] = []
        self._lock = threading.Lock()
        self._stream = None
        self._started_at: float | None = None
        self._stopped_at: float | None = None
        self.level = 0.0

    @property
    def recording(self) -> bool:
        return self._stream is not None

    @property
    def elapsed_s(self) -> float:
        if self._started_at is None:
            return 0.0
        return (self._stopped_at or self._clock()) - self._started_at

    def start(self) -> None:
        """Open the microphone and start collecting samples; ``VoiceUnavailable`` says why it cannot."""
        self._blocks, self.level = [], 0.0
        try:
            stream = self._open_stream(self._on_block)
            stream.start()
        except VoiceUnavailable:
            raise
        except Exception as error:  # PortAudioError and friends: no device, device busy
            raise VoiceUnavailable(f"Could not start recording ({type(error).__name__}: {error}).") from None
        self._stream, self._started_at, self._stopped_at = stream, self._clock(), None

    def _on_block(self, block, frames=None, time_info=None, status=None) -> None:
        import numpy

        samples = numpy.asarray(block, dtype=numpy.float32).reshape(-1).copy()
        with self._lock:
            self._blocks.append(samples)
        self.level = min(1.0, float(numpy.sqrt(numpy.mean(samples ** 2))) * 4.0) if len(samples) else 0.0

    def stop(self):
        """Stop recording; the samples recorded (16 kHz mono float32)."""
        import numpy

        stream, self._stream = self._stream, None
        if stream is not None:
            self._stopped_at = self._clock()
            stream.stop()
            stream.close()
        with self._lock:
            blocks, self._blocks = self._blocks, []
        self.level = 0.0
        return numpy.concatenate(blocks) if blocks else numpy.zeros(0, dtype=numpy.float32)


def _sounddevice_stream(callback):
    sounddevice = _import_sounddevice()
    return sounddevice.InputStream(samplerate=SAMPLE_RATE, channels=1, dtype="float32", callback=callback)


def write_wav(path: Path, samples, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write float samples as a 16-bit mono WAV file (the folder is created)."""
    import numpy

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (numpy.clip(numpy.asarray(samples, dtype=numpy.float32), -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(sample_rate)
        handle.writeframes(pcm.tobytes())
    return path


def level_bar(level: float, width: int = 12) -> str:
    """A text level meter: ``▮▮▮▮▯▯▯▯``."""
    filled = max(0, min(width, round(level * width)))
    return "▮" * filled + "▯" * (width - filled)

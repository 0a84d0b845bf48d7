"""The voice extra at run time: whether it is installed, and the environment set before its libraries load.

onnxruntime (pulled in by faster-whisper and hibari) tries to send telemetry unless
``ORT_DISABLE_TELEMETRY=1`` is set before it is imported; huggingface_hub likewise has
``HF_HUB_DISABLE_TELEMETRY``. ``prepare_imports`` sets both (without overriding a value the
user chose) and is called by every function here that imports one of those libraries.
"""

from __future__ import annotations

import importlib.util
import os

from interviewer.errors import UserError

INSTALL_HINT = "pip install 'interviewer[voice]'"


class VoiceUnavailable(UserError):
    """Voice input or output cannot be used here; the message says what is missing, in one line."""


def prepare_imports() -> None:
    """Set the environment the voice libraries read at import time (telemetry off)."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def has_module(name: str) -> bool:
    """Whether a module can be imported, without importing it."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def transcription_missing() -> str | None:
    """Why speech cannot be transcribed here, in one line; None when it can."""
    if not has_module("faster_whisper"):
        return f"Speech-to-text needs the voice extra: {INSTALL_HINT}."
    return None


def import_faster_whisper():
    """The faster_whisper module, with telemetry off; ``VoiceUnavailable`` when the extra is missing."""
    reason = transcription_missing()
    if reason:
        raise VoiceUnavailable(reason)
    prepare_imports()
    import faster_whisper

    return faster_whisper

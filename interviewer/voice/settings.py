"""Voice settings: one typed object from ``INTERVIEWER_STT_*`` and ``INTERVIEWER_KEEP_AUDIO``, read when asked."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from interviewer.settings import SettingsError

SIZES = ("base", "tiny")
_OFF_WORDS = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class VoiceSettings:
    """How speech is transcribed and kept."""

    home: Path
    #: A CTranslate2 Whisper model folder that overrides every other choice.
    model_path: Path | None = None
    #: "base" or "tiny"; None picks base where its package is installed.
    size: str | None = None
    #: Keep each recorded answer's audio beside the session transcript.
    keep_audio: bool = True
    #: CPU threads for the model; 0 lets CTranslate2 choose.
    threads: int = 0

    @classmethod
    def from_env(cls, home: Path, env: Mapping[str, str] | None = None) -> "VoiceSettings":
        env = os.environ if env is None else env
        raw_path = env.get("INTERVIEWER_STT_MODEL", "").strip()
        size = env.get("INTERVIEWER_STT_SIZE", "").strip().lower() or None
        if size is not None and size not in SIZES:
            raise SettingsError(f"INTERVIEWER_STT_SIZE={size!r}: use one of {', '.join(SIZES)}")
        threads_raw = env.get("INTERVIEWER_STT_THREADS", "").strip() or "0"
        if not threads_raw.isdigit():
            raise SettingsError(f"INTERVIEWER_STT_THREADS={threads_raw!r} is not a whole number")
        return cls(
            home=Path(home),
            model_path=Path(raw_path).expanduser() if raw_path else None,
            size=size,
            keep_audio=env.get("INTERVIEWER_KEEP_AUDIO", "1").strip().lower() not in _OFF_WORDS,
            threads=int(threads_raw),
        )

    @property
    def models_dir(self) -> Path:
        """Where split model packages are joined, once (resolved when used, never created on import)."""
        return self.home / "models"

"""Where the shipped bank and prompts are found: the source tree or an installed share/ folder."""

from __future__ import annotations

import sys
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def _find(kind: str) -> Path:
    candidates = [
        _SOURCE_ROOT / kind,
        Path(sys.prefix) / "share" / "interviewer" / kind,
    ]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def data_dir() -> Path:
    """The folder holding the shipped question bank(s)."""
    return _find("data")


def prompts_dir() -> Path:
    """The folder holding the shipped, versioned prompts."""
    return _find("prompts")


def default_bank_path() -> Path:
    """The 100 deep-learning questions shipped with interviewer."""
    return data_dir() / "deep_learning.toml"

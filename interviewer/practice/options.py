"""Practice choices (``PracticeOptions``) and remembering the setup screen's last ones as JSON.

The file is ``settings.preferences_path``. A missing, unreadable or hand-broken
file is never an error: the defaults are used and the next save rewrites it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

ORDERS: tuple[str, ...] = ("random", "bank", "review")
MODES: tuple[str, ...] = ("auto", "llm", "offline")
DEFAULT_COUNT = 5
DEFAULT_TIMER_S = 120
MAX_COUNT = 100


@dataclass(frozen=True)
class PracticeOptions:
    """What a practice session asks: which questions, how many, graded how, timed how."""

    count: int = DEFAULT_COUNT
    topics: tuple[str, ...] = ()
    #: 1 easy, 2 medium, 3 hard; empty means all.
    difficulties: tuple[int, ...] = ()
    #: ``random``, ``bank`` (the bank's order) or ``review`` (what is due, weakest first).
    order: str = "random"
    seed: int | None = None
    #: A bank file; None means the settings' bank (INTERVIEWER_BANK or the shipped one).
    bank: str | None = None
    #: ``auto`` grades with the LLM when a key is set, else offline.
    mode: str = "auto"
    #: Seconds per answer; 0 means no timer.
    timer_s: int = DEFAULT_TIMER_S
    candidate: str = ""
    speak: bool = False

    def with_changes(self, **changes: Any) -> "PracticeOptions":
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["topics"] = list(self.topics)
        data["difficulties"] = list(self.difficulties)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PracticeOptions":
        """Options from saved JSON; a value of the wrong kind falls back to its default."""
        default = cls()
        known = {f.name for f in fields(cls)}
        clean: dict[str, Any] = {}
        for name, value in data.items():
            if name not in known:
                continue
            checked = _checked(name, value)
            if checked is not _INVALID:
                clean[name] = checked
        return replace(default, **clean)


_INVALID = object()


def _checked(name: str, value: Any) -> Any:
    def is_int(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    if name == "count":
        return value if is_int(value) and 1 <= value <= MAX_COUNT else _INVALID
    if name == "timer_s":
        return value if is_int(value) and 0 <= value <= 3600 else _INVALID
    if name == "topics":
        ok = isinstance(value, list) and all(isinstance(t, str) and t for t in value)
        return tuple(value) if ok else _INVALID
    if name == "difficulties":
        ok = isinstance(value, list) and all(is_int(d) and d in (1, 2, 3) for d in value)
        return tuple(sorted(set(value))) if ok else _INVALID
    if name == "order":
        return value if value in ORDERS else _INVALID
    if name == "mode":
        return value if value in MODES else _INVALID
    if name == "seed":
        return value if value is None or is_int(value) else _INVALID
    if name in ("bank",):
        return value if value is None or (isinstance(value, str) and value) else _INVALID
    if name == "candidate":
        return value.strip()[:80] if isinstance(value, str) else _INVALID
    if name == "speak":
        return value if isinstance(value, bool) else _INVALID
    return _INVALID


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_preferences(path: Path) -> PracticeOptions:
    """The last saved choices, or the defaults when there are none or the file is broken."""
    return PracticeOptions.from_dict(_read(path))


def load_theme(path: Path) -> str | None:
    """The theme chosen last time (the command palette), if any."""
    theme = _read(path).get("theme")
    return theme if isinstance(theme, str) and theme else None


def save_preferences(path: Path, options: PracticeOptions) -> None:
    """Remember ``options``, less the seed (each session draws anew) and the bank (a flag or
    INTERVIEWER_BANK chooses it; a remembered file that later moves must not stop start-up).
    The remembered theme is kept."""
    data = options.with_changes(seed=None, bank=None).to_dict()
    theme = load_theme(path)
    _write(path, {**data, "theme": theme} if theme else data)


def save_theme(path: Path, theme: str) -> None:
    """Remember the theme beside the other preferences."""
    _write(path, {**_read(path), "theme": theme})


def _write(path: Path, data: dict[str, Any]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)

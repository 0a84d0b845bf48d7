"""Settings: one typed object built from the environment, passed to whatever needs it.

Nothing here reads files or creates directories at import time. ``.env`` is
loaded by the CLI (once) before ``Settings.from_env`` is called.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, Mapping

DEFAULT_MODEL = "gpt-4o-mini"
TRUE_WORDS = {"1", "true", "yes", "on"}


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message says which and how to fix it."""


def default_home() -> Path:
    """The per-user data directory (e.g. ~/.local/share/interviewer on Linux)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("interviewer", appauthor=False))


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE_WORDS


def _number(env: Mapping[str, str], name: str, default: float, kind=float):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if value < 0:
        raise SettingsError(f"{name}={raw!r} must not be negative")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable, from ``INTERVIEWER_*`` and ``OPENAI_*`` variables."""

    api_key: str | None = None
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    home: Path = field(default_factory=default_home)
    offline: bool = False
    #: A folder of the user's own prompts that replace the shipped ones by file name.
    prompts_dir: Path | None = None
    bank_path: Path | None = None
    timeout_s: float = 60.0
    max_retries: int = 2
    #: Answers longer than this many tokens are cut before an LLM sees them.
    answer_token_budget: int = 1500
    max_output_tokens: int = 900
    #: Judge calls per LLM grade (``--samples``): the median score, the spread stored beside it.
    samples: int = 1
    #: JSON file of {"model": {"input": $/1M tokens, "output": $/1M tokens}}.
    prices_path: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env

        def path(name: str) -> Path | None:
            raw = env.get(name, "").strip()
            return Path(raw).expanduser() if raw else None

        return cls(
            api_key=env.get("OPENAI_API_KEY", "").strip() or None,
            base_url=env.get("OPENAI_BASE_URL", "").strip() or None,
            model=env.get("INTERVIEWER_MODEL", "").strip() or DEFAULT_MODEL,
            home=path("INTERVIEWER_HOME") or default_home(),
            offline=_flag(env.get("INTERVIEWER_OFFLINE")),
            prompts_dir=path("INTERVIEWER_PROMPTS_DIR"),
            bank_path=path("INTERVIEWER_BANK"),
            timeout_s=_number(env, "INTERVIEWER_TIMEOUT", 60.0),
            max_retries=_number(env, "INTERVIEWER_MAX_RETRIES", 2, int),
            answer_token_budget=_number(env, "INTERVIEWER_ANSWER_TOKEN_BUDGET", 1500, int),
            max_output_tokens=_number(env, "INTERVIEWER_MAX_OUTPUT_TOKENS", 900, int),
            samples=max(1, _number(env, "INTERVIEWER_SAMPLES", 1, int)),
            prices_path=path("INTERVIEWER_PRICES"),
        )

    def with_changes(self, **changes) -> "Settings":
        return replace(self, **changes)

    def grading_mode(self, requested: str = "auto") -> Literal["llm", "offline"]:
        """The one decision of how answers are graded: offline when asked for (``requested``
        ``offline``: a command's ``--offline`` or the setup screen; or INTERVIEWER_OFFLINE) or when
        no key is set; otherwise LLM. ``auto`` and ``llm`` both mean "LLM if it can be"."""
        return "llm" if (self.api_key and not self.offline and requested != "offline") else "offline"

    @property
    def mode(self) -> Literal["llm", "offline"]:
        """The grading mode when nothing else is asked for (``grading_mode("auto")``)."""
        return self.grading_mode()

    @property
    def offline_reason(self) -> str | None:
        """Why grading is offline, in one line for a notice; None in LLM mode."""
        if self.mode == "llm":
            return None
        if self.offline:
            return "Offline mode: grading from the reference answers (no LLM)."
        return (
            "No OPENAI_API_KEY set: grading offline from the reference answers. "
            "Set a key (see .env.example) to grade with an LLM."
        )

    # Paths are resolved when used, never created at import time.
    @property
    def transcripts_dir(self) -> Path:
        return self.home / "transcripts"

    @property
    def history_path(self) -> Path:
        return self.home / "history.sqlite3"

    @property
    def cache_path(self) -> Path:
        return self.home / "grade_cache.sqlite3"

    @property
    def tiktoken_cache_dir(self) -> Path:
        """Where tiktoken's files go unless TIKTOKEN_CACHE_DIR says otherwise (``tokens`` decides)."""
        return self.home / "tiktoken"

    @property
    def bank_cache_dir(self) -> Path:
        """Parsed banks kept as JSON, so the practice UI starts without parsing TOML (``bank_cache``)."""
        return self.home / "bank-cache"

    @property
    def preferences_path(self) -> Path:
        return self.home / "preferences.json"

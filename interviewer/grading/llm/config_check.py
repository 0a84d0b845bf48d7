"""LLM settings checked before any request: a mistake is one line naming the setting and the fix.

A malformed value (a key with a non-ASCII character or a space, a base URL that is not a
URL, an unsupported scheme, a port that is not a number) is a ``UserError`` (exit 2); a
missing key is an ``LLMConfigError`` (exit 3), as are the server's own refusals (wrong key,
unknown model), which the adapter maps. Pure: no ``openai``, no network.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from interviewer.errors import LLMConfigError, UserError
from interviewer.safe_text import without_credentials
from interviewer.settings import Settings

NO_KEY_MESSAGE = (
    "No OPENAI_API_KEY set: set OPENAI_API_KEY in the environment or .env "
    "(and OPENAI_BASE_URL for a local server), or run with --offline."
)
EXAMPLE_URL = "http://127.0.0.1:8000/v1"


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be sent in an HTTP header, or None."""
    for position, char in enumerate(key, 1):
        if not char.isascii():
            return f"a non-ASCII character ({char!r}) at position {position}"
        if char.isspace() or ord(char) < 32 or ord(char) == 127:
            return f"a space or control character at position {position}"
    return None


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an OpenAI-compatible base URL, or None."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port that is not a number
    except ValueError as error:
        return f"it is not a valid URL ({error})"
    if parts.scheme.lower() not in ("http", "https"):
        scheme = parts.scheme or "none"
        return f"its scheme is {scheme!r}; only http:// and https:// are supported"
    if not parts.hostname:
        return "it has no host name"
    if port is not None and not 0 < port < 65536:
        return f"its port {port} is out of range"
    return None


def check_llm_settings(settings: Settings) -> None:
    """Raise, with one line naming the setting and the fix, when the LLM settings cannot work."""
    if not settings.api_key or not settings.api_key.strip():
        raise LLMConfigError(NO_KEY_MESSAGE)
    problem = key_problem(settings.api_key)
    if problem:
        raise UserError(f"OPENAI_API_KEY has {problem}: API keys are plain ASCII; copy the key again "
                        "(without quotes or spaces) into the environment or .env")
    if settings.base_url:
        problem = base_url_problem(settings.base_url)
        if problem:
            raise UserError(f"OPENAI_BASE_URL={without_credentials(settings.base_url)!r} cannot be used: {problem}. "
                            f"Set it to the server's address ending in /v1, e.g. {EXAMPLE_URL}")
    if not settings.model.strip():
        raise LLMConfigError("INTERVIEWER_MODEL is empty: set it to a model the server serves (or unset it)")

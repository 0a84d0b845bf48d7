"""Token counts for LLM requests: exact with tiktoken when its files are at hand, estimated otherwise.

tiktoken downloads its encoding files on first use, with no timeout. So the
encoding is loaded in a background daemon thread and waited for only briefly
(``LOAD_WAIT_S``); if it is not ready, or failed, counts fall back to
``estimate_tokens`` for the rest of the process and nobody waits again (a load
that finishes later is used from then on). tiktoken is imported only inside
these functions, never when this module is imported.
"""

from __future__ import annotations

import math
import os
import re
import threading
from typing import Any, Callable, Mapping, Sequence

#: How long a caller waits for an encoding to load before estimating instead.
LOAD_WAIT_S = 0.5
#: OpenAI's chat format: each message costs this many tokens on top of its text ...
TOKENS_PER_MESSAGE = 3
#: ... and every reply is primed with this many.
TOKENS_PER_REPLY = 3
#: Encodings tried, in order, for a model tiktoken does not know (e.g. a local llama3).
FALLBACK_ENCODINGS = ("o200k_base", "cl100k_base")

_lock = threading.Lock()
#: encoding name -> loader state; shared by every caller in the process.
_loads: dict[str, "_Load"] = {}


class _Load:
    """One background load of one encoding: done is set when it succeeded or failed."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.encoding: Any = None
        self.error: BaseException | None = None
        self.gave_up = False  # a caller timed out: later callers do not wait


def estimate_tokens(text: str) -> int:
    """A pure, tiktoken-free token estimate: about 4 ASCII characters or 0.77 words per token.

    Non-ASCII characters count one token each (CJK text is close to that; for
    accented Latin text it over-counts, which is the safe side for a budget).
    """
    if not text:
        return 0
    non_ascii = 0 if text.isascii() else len(text) - len(text.encode("ascii", "ignore"))
    by_chars = (len(text) - non_ascii) / 4 + non_ascii
    by_words = len(text.split()) * 1.3
    return max(1, math.ceil(max(by_chars, by_words)))


def _cache_dir(settings: Any) -> None:
    """Point tiktoken at the per-user cache unless TIKTOKEN_CACHE_DIR is set to a folder.

    An empty TIKTOKEN_CACHE_DIR (a blank line in .env) would tell tiktoken not to
    cache at all, so it is replaced like an unset one.
    """
    if settings is None or os.environ.get("TIKTOKEN_CACHE_DIR", "").strip():
        return
    folder = settings.tiktoken_cache_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # tiktoken falls back to its temp-dir cache
    os.environ["TIKTOKEN_CACHE_DIR"] = str(folder)


def _encoding_names(model: str) -> tuple[str, ...]:
    import tiktoken.model

    try:
        return (tiktoken.model.encoding_name_for_model(model),)
    except KeyError:
        return FALLBACK_ENCODINGS


def encoding_name(model: str) -> str:
    """The encoding tried first for ``model`` (needs no download); ``o200k_base`` without tiktoken."""
    try:
        return _encoding_names(model)[0]
    except Exception:  # noqa: BLE001 - tiktoken missing or broken
        return FALLBACK_ENCODINGS[0]


def _load_encoding(name: str) -> Any:
    """Load one encoding (may download; may block for a long time without a network)."""
    import tiktoken

    return tiktoken.get_encoding(name)


def _run_load(names: tuple[str, ...], load: _Load) -> None:
    try:
        for name in names:
            try:
                load.encoding = _load_encoding(name)
                break
            except Exception as exc:  # noqa: BLE001 - any failure means "estimate instead"
                load.error = exc
    finally:
        load.done.set()


def get_encoding(model: str, settings: Any = None, wait_s: float | None = None) -> Any | None:
    """The tiktoken encoding for ``model``, or None if it is not ready within ``wait_s``.

    Never blocks longer than ``wait_s`` (default ``LOAD_WAIT_S``), and only the
    first caller waits: after a timeout or a failure, callers get None at once.
    ``wait_s=0`` starts the load without waiting (a preload) and without giving up on it.
    """
    wait_s = LOAD_WAIT_S if wait_s is None else wait_s
    try:
        names = _encoding_names(model)
    except Exception:  # noqa: BLE001 - tiktoken missing or broken: estimate
        return None
    key = names[0]
    with _lock:
        load = _loads.get(key)
        if load is None:
            load = _loads[key] = _Load()
            _cache_dir(settings)
            threading.Thread(target=_run_load, args=(names, load), name=f"tiktoken-{key}", daemon=True).start()
        wait = 0.0 if load.gave_up else wait_s
    if not load.done.wait(wait):
        if wait > 0:
            load.gave_up = True
        return None
    return load.encoding


def _reset_for_tests() -> None:
    """Forget every load (tests only); running loader threads finish on their own."""
    with _lock:
        _loads.clear()


def _content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list of parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
    return str(content)


def message_tokens(messages: list[dict], count: Callable[[str], int]) -> int:
    """Prompt tokens of a chat request with ``count`` as the text tokenizer (OpenAI's per-message overheads)."""
    total = TOKENS_PER_REPLY
    for message in messages:
        total += TOKENS_PER_MESSAGE
        for field, value in message.items():
            total += count(_content_text(value) if field == "content" else str(value))
            if field == "name":
                total += 1
    return total


def _counter(model: str, settings: Any) -> Callable[[str], int]:
    encoding = get_encoding(model, settings)
    if encoding is None:
        return estimate_tokens
    return lambda text: len(encoding.encode(text, disallowed_special=())) if text else 0


def count_message_tokens(messages: list[dict], model: str, settings: Any = None) -> int:
    """Prompt tokens of a chat request, counted the way OpenAI bills them (estimated if need be)."""
    return message_tokens(messages, _counter(model, settings))


_WORD_END = re.compile(r"\s+")


def truncate_to_token_budget(text: str, budget: int, model: str, settings: Any = None) -> tuple[str, bool]:
    """The start of ``text`` that fits in ``budget`` tokens, cut at a word boundary, and whether it was cut.

    The cut text has trailing blanks removed; a first word longer than the whole
    budget is cut inside the word rather than dropping everything.
    """
    count = _counter(model, settings)
    if count(text) <= budget:
        return text, False
    if budget <= 0:
        return "", True
    ends = [m.start() for m in _WORD_END.finditer(text)]
    fitting = _longest_fitting(ends, lambda end: count(text[:end]) <= budget)
    if fitting is not None and text[:fitting].strip():
        return text[:fitting].rstrip(), True
    cut = _longest_fitting(list(range(1, len(text) + 1)), lambda end: count(text[:end]) <= budget)
    return (text[:cut].rstrip() if cut else ""), True


def _longest_fitting(ends: list[int], fits: Callable[[int], bool]) -> int | None:
    """The largest of the sorted ``ends`` that fits (token counts grow with length)."""
    low, high, best = 0, len(ends) - 1, None
    while low <= high:
        middle = (low + high) // 2
        if fits(ends[middle]):
            best, low = ends[middle], middle + 1
        else:
            high = middle - 1
    return best

"""What an LLM grade cost: a built-in price table, a user's prices file, and the Batch API discount.

Unknown models (a local llama3, a new model name) have no price: the cost is
None and the UI says "cost unknown" rather than inventing a number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from interviewer.errors import UserError
from interviewer.grading.interface import TokenUsage

#: US dollars per 1 million tokens, {"input": ..., "output": ...}, from OpenAI's public
#: price list as of August 2025 (standard tier, uncached input). Prices change: set
#: INTERVIEWER_PRICES to a JSON file of the same shape to override or add models.
PRICES_AS_OF = "2025-08"
BUILT_IN_PRICES: dict[str, dict[str, float]] = {
    "gpt-4o": {"input": 2.50, "output": 10.00},
    "gpt-4o-mini": {"input": 0.15, "output": 0.60},
    "gpt-4.1": {"input": 2.00, "output": 8.00},
    "gpt-4.1-mini": {"input": 0.40, "output": 1.60},
    "gpt-4.1-nano": {"input": 0.10, "output": 0.40},
    "o3": {"input": 2.00, "output": 8.00},
    "o3-mini": {"input": 1.10, "output": 4.40},
    "o4-mini": {"input": 1.10, "output": 4.40},
    "gpt-5": {"input": 1.25, "output": 10.00},
    "gpt-5-mini": {"input": 0.25, "output": 2.00},
    "gpt-5-nano": {"input": 0.05, "output": 0.40},
}

#: The Batch API bills half the standard price.
BATCH_DISCOUNT = 0.5

_DATED_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")
_loaded: dict[Path, tuple[tuple[int, int], dict[str, dict[str, float]]]] = {}


def load_prices(path: Path) -> dict[str, dict[str, float]]:
    """A prices file: {"model": {"input": $/1M tokens, "output": $/1M tokens}, ...}.

    Keys starting with "_" (e.g. "_comment") are ignored. Raises UserError naming
    the file (and line for a JSON syntax error) when it cannot be used.
    """
    path = Path(path)
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _loaded.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read the prices file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: the prices file is not UTF-8 text") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    prices = _validated(path, data)
    _loaded[path] = (stamp, prices)
    return prices


def _validated(path: Path, data: Any) -> dict[str, dict[str, float]]:
    shape = 'expected {"model-name": {"input": 0.15, "output": 0.60}, ...} in dollars per million tokens'
    if not isinstance(data, dict):
        raise UserError(f"{path}: {shape}")
    prices: dict[str, dict[str, float]] = {}
    for model, entry in data.items():
        if model.startswith("_"):
            continue
        if not isinstance(entry, dict):
            raise UserError(f"{path}: model {model!r}: {shape}")
        price = {}
        for side in ("input", "output"):
            value = entry.get(side)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise UserError(
                    f"{path}: model {model!r}: {side!r} must be a non-negative number of dollars "
                    f"per million tokens, got {value!r}"
                )
            price[side] = float(value)
        prices[model.strip().lower()] = price
    return prices


def price_table(settings: Any = None) -> dict[str, dict[str, float]]:
    """The built-in prices with the user's file (``settings.prices_path``) laid over them."""
    table = dict(BUILT_IN_PRICES)
    path = getattr(settings, "prices_path", None)
    if path is not None:
        table.update(load_prices(path))
    return table


def model_price(model: str, settings: Any = None) -> dict[str, float] | None:
    """The price entry for ``model``: exact name, then without an "openai/" prefix or a date suffix."""
    table = price_table(settings)
    name = model.strip().lower()
    for candidate in (name, name.removeprefix("openai/")):
        for variant in (candidate, _DATED_SNAPSHOT.sub("", candidate)):
            if variant in table:
                return table[variant]
    return None


def estimate_cost(model: str, usage: TokenUsage | None, settings: Any = None, batch: bool = False) -> float | None:
    """Dollars for ``usage`` on ``model``; None when the model has no known price or usage is unknown.

    ``batch=True`` applies the Batch API's discount.
    """
    if usage is None:
        return None
    price = model_price(model, settings)
    if price is None:
        return None
    cost = (usage.prompt_tokens * price["input"] + usage.completion_tokens * price["output"]) / 1_000_000
    return batch_discount(cost) if batch else cost


def batch_discount(cost: float | None) -> float | None:
    """What a standard-price ``cost`` comes to through the Batch API (None stays None)."""
    return None if cost is None else cost * BATCH_DISCOUNT


def format_cost(cost: float | None) -> str:
    """"$0.0012" style, or "cost unknown"."""
    if cost is None:
        return "cost unknown"
    return f"${cost:.4f}" if cost < 0.01 else f"${cost:.2f}"

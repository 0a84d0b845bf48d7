"""Cost estimates: the built-in table, the user's prices file, unknown models, the Batch discount."""

from __future__ import annotations

import json
import re

import pytest

from interviewer.errors import UserError
from interviewer.grading.interface import TokenUsage
from interviewer.grading.llm.pricing import (
    BUILT_IN_PRICES,
    batch_discount,
    estimate_cost,
    format_cost,
    load_prices,
    model_price,
)
from interviewer.settings import Settings

USAGE = TokenUsage(prompt_tokens=1_000_000, completion_tokens=1_000_000)


def settings_with(prices_path=None) -> Settings:
    return Settings(api_key="test-key", prices_path=prices_path)


@pytest.mark.parametrize(
    "model",
    ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano"],
)
def test_every_common_model_has_a_price(model):
    price = BUILT_IN_PRICES[model]
    assert 0 < price["input"] <= price["output"]
    assert estimate_cost(model, USAGE) == pytest.approx(price["input"] + price["output"])


def test_cost_is_per_million_tokens():
    usage = TokenUsage(prompt_tokens=1200, completion_tokens=300)
    assert estimate_cost("gpt-4o-mini", usage) == pytest.approx((1200 * 0.15 + 300 * 0.60) / 1e6)


def test_dated_snapshots_and_provider_prefixes_use_the_base_price():
    assert model_price("gpt-4o-mini-2024-07-18") == BUILT_IN_PRICES["gpt-4o-mini"]
    assert model_price("openai/gpt-4.1") == BUILT_IN_PRICES["gpt-4.1"]
    assert model_price("GPT-4o") == BUILT_IN_PRICES["gpt-4o"]


def test_unknown_models_have_no_cost():
    assert estimate_cost("llama3", USAGE) is None
    assert estimate_cost("gpt-4o-mini", None) is None
    assert format_cost(None) == "cost unknown"


def test_batch_costs_half():
    full = estimate_cost("gpt-4.1-mini", USAGE)
    assert estimate_cost("gpt-4.1-mini", USAGE, batch=True) == pytest.approx(full / 2)
    assert batch_discount(None) is None


def test_a_prices_file_overrides_and_adds_models(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({
        "_comment": "prices in dollars per million tokens",
        "gpt-4o-mini": {"input": 1, "output": 2},
        "llama3": {"input": 0, "output": 0},
    }))
    settings = settings_with(path)
    assert estimate_cost("gpt-4o-mini", USAGE, settings) == pytest.approx(3.0)
    assert estimate_cost("llama3", USAGE, settings) == 0.0
    assert estimate_cost("gpt-4o", USAGE, settings) == pytest.approx(12.5)


def test_an_edited_prices_file_is_read_again(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text('{"m": {"input": 1, "output": 1}}')
    assert load_prices(path)["m"]["input"] == 1.0
    path.write_text('{"m": {"input": 5, "output": 1}, "n": {"input": 0, "output": 0}}')
    assert load_prices(path)["m"]["input"] == 5.0


def test_bad_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text('{\n  "gpt-4o": {"input": 1, "output": 2},\n  "oops": ,\n}\n')
    with pytest.raises(UserError, match=rf"^{re.escape(str(path))}:3:11: not valid JSON"):
        estimate_cost("gpt-4o", USAGE, settings_with(path))


@pytest.mark.parametrize(
    "content, fragment",
    [
        ('["gpt-4o"]', "expected"),
        ('{"gpt-4o": 2.5}', "model 'gpt-4o'"),
        ('{"gpt-4o": {"input": "cheap", "output": 1}}', "'input' must be a non-negative number"),
        ('{"gpt-4o": {"input": 1}}', "'output' must be"),
        ('{"gpt-4o": {"input": -1, "output": 1}}', "'input' must be"),
    ],
)
def test_a_wrong_shape_names_the_file_and_model(tmp_path, content, fragment):
    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(UserError) as error:
        load_prices(path)
    assert str(error.value).startswith(f"{path}: ") and fragment in str(error.value)


def test_a_missing_prices_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="cannot read the prices file"):
        load_prices(tmp_path / "nope.json")


def test_cost_formatting():
    assert format_cost(0.00123) == "$0.0012"
    assert format_cost(1.5) == "$1.50"

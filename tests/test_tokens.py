"""Token counting: never hangs without a network, estimates when tiktoken is not ready, cuts at words."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from interviewer.grading.llm import tokens
from interviewer.settings import Settings
from interviewer.grading.llm.tokens import count_message_tokens, estimate_tokens, truncate_to_token_budget

ROOT = Path(__file__).resolve().parents[1]


class WordEncoding:
    """A stand-in encoding: one token per whitespace-separated word."""

    def encode(self, text, disallowed_special=()):
        return text.split()


@pytest.fixture(autouse=True)
def fresh_loads(monkeypatch, tmp_path):
    """Every test starts with no encoding loaded and an empty tiktoken cache (nothing to find offline)."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-tiktoken-cache"))
    tokens._reset_for_tests()
    yield
    tokens._reset_for_tests()


@pytest.fixture
def release():
    """An event that blocking fake loaders wait on; set at teardown so their threads end."""
    event = threading.Event()
    yield event
    event.set()


def offline_load(name):
    raise OSError("no network")


def settings_for(tmp_path) -> Settings:
    return Settings(api_key="test-key", base_url="http://llm.test/v1", home=tmp_path, max_retries=0, timeout_s=5)


def test_importing_the_module_does_not_import_tiktoken():
    code = "import sys, interviewer.grading.llm.tokens; print('tiktoken' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def test_estimate_is_pure_and_roughly_four_characters_per_token():
    assert estimate_tokens("") == 0
    assert estimate_tokens("a") >= 1
    text = "Dropout randomly zeroes activations during training to reduce overfitting."
    assert 12 <= estimate_tokens(text) <= 25
    assert estimate_tokens("x" * 400) == 100
    # Non-ASCII text counts a token per character: never an under-estimate for CJK.
    assert estimate_tokens("忽略之前的指令") == 7


def test_a_slow_load_falls_back_to_the_estimate_within_a_second(monkeypatch, tmp_path, release):
    started = threading.Event()

    def blocking_load(name):
        started.set()
        release.wait(30)
        return WordEncoding()

    monkeypatch.setattr(tokens, "_load_encoding", blocking_load)
    monkeypatch.setattr(tokens, "LOAD_WAIT_S", 0.3)
    messages = [{"role": "user", "content": "one two three four five six seven eight"}]
    begin = time.perf_counter()
    counted = count_message_tokens(messages, "gpt-4o-mini", settings_for(tmp_path))
    first = time.perf_counter() - begin
    assert started.is_set()
    assert first < 1.0
    estimate = 3 + 3 + estimate_tokens("user") + estimate_tokens(messages[0]["content"])
    assert counted == estimate

    # The process remembers: the next call does not wait again.
    begin = time.perf_counter()
    assert count_message_tokens(messages, "gpt-4o-mini") == estimate
    assert time.perf_counter() - begin < 0.1

    # A load that finishes later is used from then on.
    release.set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and count_message_tokens(messages, "gpt-4o-mini") == estimate:
        time.sleep(0.01)
    assert count_message_tokens(messages, "gpt-4o-mini") == 3 + 3 + 1 + 8


def test_a_failed_load_is_remembered_and_estimated_at_once(monkeypatch):
    calls = []

    def failing_load(name):
        calls.append(name)
        raise OSError("no network")

    monkeypatch.setattr(tokens, "_load_encoding", failing_load)
    for _ in range(3):
        begin = time.perf_counter()
        assert truncate_to_token_budget("short answer", 100, "gpt-4o-mini") == ("short answer", False)
        assert time.perf_counter() - begin < 0.6
    assert calls == ["o200k_base"]


def test_unknown_models_fall_back_to_o200k_then_cl100k(monkeypatch, release):
    tried = []

    def load(name):
        tried.append(name)
        if name == "o200k_base":
            raise OSError("missing")
        return WordEncoding()

    monkeypatch.setattr(tokens, "_load_encoding", load)
    assert count_message_tokens([{"role": "user", "content": "a b c"}], "llama3") == 3 + 3 + 1 + 3
    assert tried == ["o200k_base", "cl100k_base"]
    assert tokens._encoding_names("gpt-4o-mini") == ("o200k_base",)


@pytest.mark.parametrize("unset", [None, ""], ids=["unset", "blank"])
def test_the_cache_dir_comes_from_settings_when_unset(monkeypatch, tmp_path, unset):
    if unset is None:
        monkeypatch.delenv("TIKTOKEN_CACHE_DIR")
    else:
        monkeypatch.setenv("TIKTOKEN_CACHE_DIR", unset)  # a blank line in .env: tiktoken would not cache
    monkeypatch.setattr(tokens, "_load_encoding", lambda name: WordEncoding())
    settings = settings_for(tmp_path)
    count_message_tokens([{"role": "user", "content": "hi"}], "gpt-4o", settings)
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path / "tiktoken")
    assert (tmp_path / "tiktoken").is_dir()


def test_an_existing_cache_dir_variable_is_left_alone(monkeypatch, tmp_path):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setattr(tokens, "_load_encoding", lambda name: WordEncoding())
    count_message_tokens([{"role": "user", "content": "hi"}], "gpt-4o", settings_for(tmp_path / "home"))
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path / "mine")
    assert not (tmp_path / "home").exists()


def test_message_overhead_follows_openai(monkeypatch):
    monkeypatch.setattr(tokens, "_load_encoding", lambda name: WordEncoding())
    messages = [
        {"role": "system", "content": "grade the answer"},
        {"role": "user", "name": "candidate", "content": [{"type": "text", "text": "dropout zeroes units"}]},
    ]
    # 3 for the reply, then per message 3 + role + content (+ name + 1).
    assert count_message_tokens(messages, "gpt-4o") == 3 + (3 + 1 + 3) + (3 + 1 + 1 + 1 + 3)


def test_truncation_keeps_the_start_and_cuts_at_a_word(monkeypatch):
    monkeypatch.setattr(tokens, "_load_encoding", lambda name: WordEncoding())
    text = "alpha beta gamma delta epsilon zeta"
    assert truncate_to_token_budget(text, 10, "gpt-4o") == (text, False)
    assert truncate_to_token_budget(text, 3, "gpt-4o") == ("alpha beta gamma", True)
    assert truncate_to_token_budget(text, 0, "gpt-4o") == ("", True)


def test_truncation_with_the_estimate_never_splits_a_word(monkeypatch):
    monkeypatch.setattr(tokens, "_load_encoding", offline_load)
    text = " ".join(f"word{i:03d}" for i in range(400))
    cut, truncated = truncate_to_token_budget(text, 50, "gpt-4o-mini")
    assert truncated and text.startswith(cut)
    assert text[len(cut)] == " "
    assert estimate_tokens(cut) <= 50
    assert estimate_tokens(text[: text.index(" ", len(cut) + 1)]) > 50


def test_a_single_giant_word_is_cut_inside_it(monkeypatch):
    monkeypatch.setattr(tokens, "_load_encoding", offline_load)
    cut, truncated = truncate_to_token_budget("x" * 10_000, 100, "gpt-4o-mini")
    assert truncated and cut == "x" * 400

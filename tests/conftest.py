"""Fixtures shared by the test modules (pytest finds them here; nothing to import)."""

from __future__ import annotations

import pytest

from interviewer.grading.interface import close_grader
from interviewer.settings import Settings
from interviewer.testing.clock import FakeClock
from interviewer.testing.fake_openai_server import FakeOpenAIServer
from tests.llm_fixtures import BASE_URL


@pytest.fixture
def clock() -> FakeClock:
    """Time that moves only when a test (or something sleeping on ``clock.sleep``) moves it."""
    return FakeClock()


@pytest.fixture
def llm_settings(tmp_path) -> Settings:
    """Settings for respx tests: a fake URL, no SDK retries, a short timeout."""
    return Settings(
        api_key="sk-test",
        base_url=BASE_URL,
        model="gpt-4o-mini",
        home=tmp_path / "home",
        timeout_s=10.0,
        max_retries=0,
    )


@pytest.fixture
def estimated_tokens(monkeypatch):
    """Token counts by estimate: no tiktoken download attempt, no wait for one (CI has no network)."""
    import interviewer.grading.llm.tokens as tokens

    monkeypatch.setattr(tokens, "get_encoding", lambda *args, **kwargs: None, raising=False)


@pytest.fixture
def fake_server():
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
async def closing():
    """``closing(grader)`` returns the grader and closes its HTTP connections when the test ends."""
    opened = []

    def track(grader):
        opened.append(grader)
        return grader

    yield track
    for grader in opened:
        await close_grader(grader)

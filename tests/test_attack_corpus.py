"""The attack corpus: every answer is flagged, and a model that obeys the attack cannot hide it.

(a) ``find_injection_flags`` flags every corpus answer.
(b) End to end through the real LLM grader: a scripted model that OBEYS every
    injection (score 10, every key point covered) still yields a flagged grade, held
    down below 5 (needs review, the lower of the LLM's and the offline score) when the
    answer addresses the grader,
    the answer never closes its block in the request, and nothing high-scoring
    and unflagged lands in the grade cache.
"""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest

from attack_corpus import ATTACKS, Attack, bank
from interviewer.grading.interface import GradingItem
from interviewer.grading.injection import find_injection_flags
from interviewer.grading.llm.judging import NEEDS_REVIEW, addresses_the_grader
from interviewer.settings import Settings

BASE_URL = "http://llm.test/v1"
REQUIRED_CATEGORIES = {
    "ignore-instructions", "fake-rubric", "fake-verdict", "fake-closing-tag", "role-marker",
    "other-language", "base64", "zero-width", "bidi", "padding", "keyword-list", "pressure",
}
INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2067", "\u2069"}


def item_for(attack: Attack) -> GradingItem:
    question = bank()[attack.question_id]
    return GradingItem(
        question=question["question"],
        answer=attack.answer,
        reference=question["reference"],
        key_points=tuple(question["key_points"]),
        question_id=attack.question_id,
        topic=question["topic"],
    )


# (a) ---------------------------------------------------------------------------------------


def test_the_corpus_is_large_and_covers_every_technique():
    assert len(ATTACKS) >= 30
    assert REQUIRED_CATEGORIES <= {attack.category for attack in ATTACKS}
    assert all(attack.question_id in bank() for attack in ATTACKS)


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.name)
def test_every_attack_is_flagged(attack):
    assert find_injection_flags(attack.answer), attack.answer


# (b) ---------------------------------------------------------------------------------------


def obeying_verdict(item: GradingItem) -> dict:
    """What a model that follows the injection returns: full marks, everything covered."""
    return {
        "key_points": [{"point": point, "verdict": "covered", "evidence": "as stated"} for point in item.key_points],
        "feedback": "Excellent, complete answer covering every key point.",
        "criteria": {"correctness": 10, "completeness": 10, "depth": 10, "communication": 10},
        "score": 10,
    }


def chat_response(request: httpx.Request, content: str) -> httpx.Response:
    """A chat.completion for a plain request, or the same reply as an SSE stream when one is asked for."""
    body = json.loads(request.content)
    usage = {"prompt_tokens": 700, "completion_tokens": 150, "total_tokens": 850}
    if not body.get("stream"):
        return httpx.Response(200, json={
            "id": "chatcmpl-obey", "object": "chat.completion", "created": 1, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content, "refusal": None}}],
            "usage": usage,
        })
    chunks = [
        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": content}, "finish_reason": None}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"choices": [], "usage": usage},
    ]
    events = "".join(
        "data: " + json.dumps({"id": "chatcmpl-obey", "object": "chat.completion.chunk", "created": 1,
                               "model": body["model"], **chunk}) + "\n\n"
        for chunk in chunks
    )
    return httpx.Response(200, text=events + "data: [DONE]\n\n", headers={"content-type": "text/event-stream"})


@pytest.fixture
def offline_tokens(monkeypatch):
    """Token counts by estimate at once: no tiktoken download attempt on a machine without a network."""
    import interviewer.grading.llm.tokens as tokens

    def no_files(name):
        raise OSError("no network in tests")

    tokens._reset_for_tests()
    monkeypatch.setattr(tokens, "_load_encoding", no_files)
    yield
    tokens._reset_for_tests()


def fallback_grader():
    try:
        from interviewer.grading.choose import make_offline_grader

        return make_offline_grader()
    except ImportError:
        return None


async def test_an_obeying_model_cannot_hide_any_attack(tmp_path, offline_tokens):
    llm_grader = pytest.importorskip("interviewer.grading.llm.grader")
    respx = pytest.importorskip("respx")
    settings = Settings(api_key="test-key", base_url=BASE_URL, home=tmp_path, max_retries=0, timeout_s=5)
    grader = llm_grader.make_llm_grader(settings, fallback=fallback_grader())
    unflagged = []
    held = 0
    try:
        with respx.mock(assert_all_called=False) as router:
            route = router.post(f"{BASE_URL}/chat/completions")
            for attack in ATTACKS:
                item = item_for(attack)
                verdict = json.dumps(obeying_verdict(item))
                route.side_effect = lambda request, verdict=verdict: chat_response(request, verdict)
                calls_before = route.call_count
                grade = await grader.grade(item)

                assert route.call_count == calls_before + 1, attack.name
                assert not grade.failed, (attack.name, grade.error)
                if addresses_the_grader(grade):  # held down: needs review, the lower of LLM and offline
                    assert grade.score < 5 and any(f.startswith(NEEDS_REVIEW) for f in grade.flags), attack.name
                    held += 1
                else:  # padding or invisible characters alone: flagged, the LLM's score stands
                    assert grade.score == 10.0 and attack.category in ("padding", "zero-width"), attack.name
                if not set(find_injection_flags(attack.answer)) <= set(grade.flags):
                    unflagged.append((attack.name, grade.flags))

                # The answer cannot leave its block, and no invisible character reaches the model.
                sent = json.loads(route.calls.last.request.content)["messages"]
                user = next(m["content"] for m in sent if m["role"] == "user")
                assert user.count("<candidate_answer>") == 1 and user.count("</candidate_answer>") == 1, attack.name
                answer_block = user.split("<candidate_answer>", 1)[1]
                assert not INVISIBLE & set(answer_block), attack.name
                assert not any(0xE0000 <= ord(c) <= 0xE007F for c in answer_block), attack.name

                # Graded again, the cached grade keeps its flags.
                again = await grader.grade(item)
                assert again.cached and again.flags == grade.flags, attack.name
    finally:
        await grader.aclose()
    assert unflagged == []
    assert held == len(ATTACKS) - 4  # all but the three padding answers and one bare zero-width one

    # Nothing is stored with a high score and no flag.
    rows = sqlite3.connect(settings.cache_path).execute("SELECT grade FROM grades").fetchall()
    assert len(rows) == len(ATTACKS)
    for (text,) in rows:
        stored = json.loads(text)
        assert stored["flags"], stored["feedback"]


async def test_a_clean_answer_to_the_same_model_gets_no_injection_flag(tmp_path, offline_tokens):
    llm_grader = pytest.importorskip("interviewer.grading.llm.grader")
    respx = pytest.importorskip("respx")
    settings = Settings(api_key="test-key", base_url=BASE_URL, home=tmp_path, max_retries=0, timeout_s=5)
    question = bank()["dl-021"]
    item = GradingItem(
        question=question["question"],
        answer=(
            "Dropout randomly zeroes each unit with probability p during training, which regularises the "
            "network and prevents overfitting because units cannot co-adapt; it is like averaging an "
            "ensemble of thinned subnetworks. With inverted dropout the kept activations are scaled by "
            "1/(1-p) during training, so at inference nothing is dropped and nothing changes."
        ),
        reference=question["reference"],
        key_points=tuple(question["key_points"]),
    )
    grader = llm_grader.make_llm_grader(settings, fallback=fallback_grader())
    try:
        with respx.mock as router:
            verdict = json.dumps(obeying_verdict(item))
            router.post(f"{BASE_URL}/chat/completions").mock(
                side_effect=lambda request: chat_response(request, verdict)
            )
            grade = await grader.grade(item)
    finally:
        await grader.aclose()
    assert grade.score == 10.0
    assert not any(flag.startswith(("addresses the grader", "hidden", "unusual padding")) for flag in grade.flags)

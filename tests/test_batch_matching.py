"""Matching batch answers to the bank: id, exact text, fuzzy wording, and which reference is used."""

from __future__ import annotations

import pytest

from interviewer.bank import open_bank
from interviewer.batch.items import InputItem
from interviewer.batch.matching import BankMatcher, grading_item, normalise


@pytest.fixture(scope="module")
def matcher():
    return BankMatcher(open_bank())


def item(question="", answer="An answer.", **fields):
    return InputItem(key="k", source="t", line=1, question=question, answer=answer, **fields)


def test_by_id_case_insensitive(matcher):
    match = matcher.match(item("Something else entirely?", question_id="DL-021"))
    assert (match.kind, match.confidence, match.question.id) == ("id", 1.0, "dl-021")


def test_unknown_id_falls_back_to_text_and_says_so(matcher):
    match = matcher.match(item("What is dropout?", question_id="nope-1"))
    assert match.kind == "exact" and match.question.id == "dl-021"
    assert "nope-1" in match.to_dict()["note"]


def test_exact_text_ignores_case_and_punctuation(matcher):
    assert normalise("  What IS   Deep-Learning?? ") == "what is deep learning"
    match = matcher.match(item("what is deep learning"))
    assert (match.kind, match.question.id) == ("exact", "dl-001")


@pytest.mark.parametrize("asked, expected", [
    ("Can you explain what deep learning is?", "dl-001"),
    ("Okay, thanks. Next question: what is a residual connection?", "dl-061"),
    ("Describe the Adam optimiser.", "dl-015"),
    ("What is batch normalisation?", "dl-022"),
    ("What is a CNN?", "dl-036"),
    ("Explain SGD", "dl-013"),
    ("How would you prevent overfitting in a neural network?", "dl-020"),
])
def test_fuzzy_wording_finds_the_question(matcher, asked, expected):
    match = matcher.match(item(asked))
    assert match.kind in ("fuzzy", "exact") and match.question.id == expected
    assert 0.6 <= match.confidence <= 1.0


@pytest.mark.parametrize("asked", [
    "What is your favourite colour?",
    "What is attention?",  # three bank questions are about attention: too ambiguous to pick one
    "What is machine learning?",
])
def test_unrelated_or_ambiguous_questions_stay_unmatched(matcher, asked):
    match = matcher.match(item(asked))
    assert match.question is None and match.kind == "none" and match.confidence < 0.6


def test_threshold_is_respected():
    strict = BankMatcher(open_bank(), threshold=0.95)
    assert strict.match(item("Can you explain what a GAN is and how it's trained?")).question is None
    assert BankMatcher(open_bank()).match(item("Can you explain what a GAN is and how it's trained?")).question.id == "dl-048"


def test_bank_reference_is_used_when_matched(matcher):
    it = item("What is dropout?")
    grading = grading_item(it, matcher.match(it))
    question = open_bank().get("dl-021")
    assert grading.reference == question.reference and grading.key_points == question.key_points
    assert grading.topic == question.topic and grading.question_id == "dl-021"


def test_own_reference_wins_and_gives_key_points(matcher):
    it = item("What is dropout?", reference="- Drops units at random\n- Off at inference")
    grading = grading_item(it, matcher.match(it))
    assert grading.reference.startswith("- Drops units")
    assert grading.key_points == ("Drops units at random", "Off at inference")
    assert grading.question_id == "dl-021"  # still matched, for topic and reports


def test_unmatched_without_reference_has_none(matcher):
    it = item("What is your favourite colour?")
    grading = grading_item(it, matcher.match(it))
    assert not grading.has_reference and grading.question_id is None


def test_follow_up_is_graded_in_context_against_its_own_points(matcher):
    dropout = open_bank().get("dl-021")
    it = item(dropout.follow_up.question, answer="It averages thinned nets.", question_id="dl-021",
              follow_up_of="dl-021", context_question="What is dropout?", context_answer="Zeroes units.")
    match = matcher.match(it)
    grading = grading_item(it, match)
    assert match.kind == "follow-up" and grading.question == dropout.follow_up.question
    assert grading.context.answer == "Zeroes units." and grading.context.question == "What is dropout?"
    assert grading.reference == dropout.follow_up.reference and grading.key_points == dropout.follow_up.key_points


def test_a_made_up_follow_up_gets_nothing_of_the_first_question(matcher):
    it = item("Why does that help?", answer="It averages thinned nets.", question_id="dl-021",
              follow_up_of="dl-021", context_question="What is dropout?", context_answer="Zeroes units.")
    grading = grading_item(it, matcher.match(it))
    assert grading.question_id == "dl-021" and grading.context.answer == "Zeroes units."
    assert grading.reference == "" and grading.key_points == () and not grading.has_reference

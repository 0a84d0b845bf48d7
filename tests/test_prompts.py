"""Prompts as data: loading, comments, hashes, placeholders, user overrides, and the size of the grading prompt."""

from __future__ import annotations

import statistics

import pytest

from interviewer.bank import load_bank
from interviewer.grading.interface import GradingItem
from interviewer.grading.llm.grader import PROMPT_PLACEHOLDERS, GraderPrompts, build_grading_messages
from interviewer.grading.llm.prompts import Prompt, PromptError, combined_hash, load_prompt
from interviewer.resources import default_bank_path, prompts_dir


def test_every_shipped_prompt_loads_with_the_placeholders_the_code_fills():
    for name, placeholders in PROMPT_PLACEHOLDERS.items():
        prompt = load_prompt(name)
        assert prompt.source == prompts_dir() / f"{name}.txt"
        assert prompt.placeholders == placeholders, name
        assert not prompt.text.startswith("#")  # the version comment is not sent
        assert len(prompt.hash) == 12


def test_comment_lines_at_the_top_are_not_sent_and_not_hashed():
    plain = Prompt.from_text("p", "Hello {name}\n")
    commented = Prompt.from_text("p", "# p v2\n# placeholders: name\nHello {name}\n")
    assert commented.text == plain.text == "Hello {name}\n" and commented.hash == plain.hash
    assert commented.first_line == 3
    assert Prompt.from_text("p", "Hello {name}!\n").hash != plain.hash


def test_render_fills_named_placeholders_once_and_leaves_json_braces_alone():
    prompt = Prompt.from_text("p", 'Q: {question}\nReply {"score": 0} for {question}\n')
    text = prompt.render(question="What is {answer}?")
    assert text == 'Q: What is {answer}?\nReply {"score": 0} for What is {answer}?\n'


def test_render_fails_clearly_on_a_missing_or_unknown_placeholder(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("# mine v1\nQ: {question}\n\nA: {anwser}\n")
    prompt = load_prompt("mine", tmp_path)
    with pytest.raises(PromptError, match=r"mine.txt:4: unknown placeholder \{anwser\}"):
        prompt.render(question="q", answer="a")
    with pytest.raises(PromptError, match=r"placeholder \{answer\} is missing"):
        Prompt.from_text("p", "Q: {question}\n", source=path).check({"question", "answer"})


def test_a_user_folder_replaces_prompts_by_file_name(tmp_path):
    (tmp_path / "grader_system.txt").write_text("My own rubric.\n")
    assert load_prompt("grader_system", tmp_path).text == "My own rubric.\n"
    assert load_prompt("grader_system", tmp_path).source == tmp_path / "grader_system.txt"
    assert load_prompt("grader_user", tmp_path).source == prompts_dir() / "grader_user.txt"


def test_a_prompts_setting_that_is_not_a_folder_is_a_clear_error(tmp_path):
    with pytest.raises(PromptError, match="INTERVIEWER_PROMPTS_DIR"):
        load_prompt("grader_system", tmp_path / "nowhere")
    with pytest.raises(PromptError, match="prompt file not found"):
        load_prompt("no_such_prompt")


def test_an_empty_user_prompt_is_refused(tmp_path):
    (tmp_path / "grader_system.txt").write_text("# only a comment\n")
    with pytest.raises(PromptError, match="empty"):
        load_prompt("grader_system", tmp_path)


def test_combined_hash_depends_on_every_part():
    a, b = Prompt.from_text("a", "one\n"), Prompt.from_text("b", "two\n")
    assert combined_hash(a, b) != combined_hash(b, a) and combined_hash(a, b) != combined_hash(a, a)


def test_the_grading_prompt_stays_small_with_a_fixed_system_prefix():
    """The issue's budget: median total prompt <= 900 tokens for a 150-word answer.

    Measured with o200k_base: system prompt 432 tokens, median total 707 (see the
    report). Without a tokenizer here, guard the size in characters (~4.3 per token).
    """
    prompts = GraderPrompts.load()
    filler = "so um I think the main idea is that the model learns from data and it depends on the setup".split()
    totals, systems = [], set()
    for question in load_bank(default_bank_path()):
        words = (question.reference + " " + " ".join(question.key_points)).split()
        answer = " ".join((words + filler * 10)[:150])
        item = GradingItem(question.question, answer, question.reference, question.key_points)
        messages = build_grading_messages(prompts, item, answer)
        systems.add(messages[0]["content"])
        assert question.question not in messages[0]["content"]
        totals.append(sum(len(m["content"]) for m in messages))
    assert len(systems) == 1
    assert len(prompts.system.text) <= 2000
    assert statistics.median(totals) <= 3500

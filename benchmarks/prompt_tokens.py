"""Benchmark: prompt tokens the LLM grader sends for a 150-word answer to each bank question.

Builds the grading messages with ``llm_messages.build_grading_messages`` (as the
grader does) for a deterministic 150-word spoken answer to every question of the
bank, counts them with OpenAI's chat formula (``tokens.message_tokens``), and prints
one JSON line: n, counter, system_prompt_tokens (the system prompt's text),
system_prompt_identical (byte-identical system message for all questions),
median/max/min_total_prompt_tokens (whole request, per-message overheads included),
answer_words, model.

    .venv/bin/python benchmarks/prompt_tokens.py [--model gpt-4o-mini] [--bank FILE] [--words 150]

The counter is, first that works: ``tiktoken:<encoding>`` when tiktoken's encoding
loads within ``--wait`` seconds (it downloads its files once; without a network it
fails or is abandoned, never hangs the script), else ``bpe-openai:<encoding>`` when
the optional package bpe-openai is importable (``pip install bpe-openai`` gives exact
o200k/cl100k counts offline; it is not a dependency of interviewer), else
``estimate`` (``tokens.estimate_tokens``, the grader's own offline fallback).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interviewer.grading.llm import tokens  # noqa: E402
from interviewer.bank import open_bank  # noqa: E402
from interviewer.grading.interface import GradingItem  # noqa: E402
from interviewer.grading.llm.messages import GraderPrompts, build_grading_messages  # noqa: E402
from interviewer.questions import Question  # noqa: E402
from interviewer.settings import DEFAULT_MODEL, Settings  # noqa: E402

ANSWER_WORDS = 150
#: Seconds to wait for tiktoken's encoding (loading from its cache takes well under this).
TIKTOKEN_WAIT_S = 10.0

OPENERS = (
    "So, um, the way I'd explain it is that",
    "Okay, so basically,",
    "Right, so, I think the short version is that",
    "Hmm, let me think. So,",
)
LINKS = ("and, you know,", "I mean,", "so, um,", "and basically", "like,", "and, uh, also")
POINT_LEADS = (
    "and the key thing there is that",
    "another point is that",
    "I'd also mention that",
    "plus, um,",
    "and, to say it another way,",
    "and in practice that means",
)
FILLERS = (
    "Yeah, that's the core of it, I think.",
    "I've seen that come up in projects, actually.",
    "Um, let me just make sure I'm not missing anything.",
    "It depends a bit on the setup, of course.",
    "So in an interview I'd probably draw a quick diagram for that.",
    "And, uh, there are trade-offs, like always.",
)


def _lower_first(text: str) -> str:
    """'A subset ...' -> 'a subset ...' after a spoken lead-in (acronyms such as 'GAN' stay)."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first[:2].istitle() or len(first) == 1 else text


def spoken_answer(question: Question, index: int, words: int = ANSWER_WORDS) -> str:
    """A deterministic spoken answer of exactly ``words`` words: the reference, key points and filler.

    The reference comes first, then the key points; short references go round the key points
    again with other lead-ins and a filler sentence between rounds, and the text is cut at ``words``.
    """
    sentences = [s.strip().rstrip(".") for s in question.reference.replace("\n", " ").split(". ") if s.strip()]
    points = [p.strip().rstrip(".") for p in question.key_points if p.strip()] or sentences
    pieces: list[str] = [OPENERS[index % len(OPENERS)]]
    for number, sentence in enumerate(sentences):
        if number:
            pieces.append(LINKS[(index + number) % len(LINKS)])
        pieces.append(_lower_first(sentence) + ".")
    turn = index
    while len(" ".join(pieces).split()) < words:
        for point in points:
            pieces += [POINT_LEADS[turn % len(POINT_LEADS)], _lower_first(point) + "."]
            turn += 1
        pieces.append(FILLERS[turn % len(FILLERS)])
    return " ".join(" ".join(pieces).split()[:words])


def choose_counter(model: str, settings: Settings, wait_s: float) -> tuple[str, Callable[[str], int]]:
    """The best token counter available within ``wait_s``: tiktoken, bpe-openai, or the estimate."""
    encoding = tokens.get_encoding(model, settings, wait_s=wait_s)
    if encoding is not None:
        return f"tiktoken:{encoding.name}", _counting(encoding)
    name = tokens.encoding_name(model)
    try:
        import bpe_openai

        return f"bpe-openai:{name}", _counting(bpe_openai.get_encoding(name))
    except Exception:  # noqa: BLE001 - not installed or no such encoding: estimate
        return "estimate", tokens.estimate_tokens


def _counting(encoding) -> Callable[[str], int]:
    return lambda text: len(encoding.encode(text, disallowed_special=())) if text else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"model whose encoding counts (default {DEFAULT_MODEL})")
    parser.add_argument("--bank", help="question bank (default: the shipped 100 questions)")
    parser.add_argument("--words", type=int, default=ANSWER_WORDS, help="words per answer")
    parser.add_argument("--wait", type=float, default=TIKTOKEN_WAIT_S, help="seconds to wait for tiktoken")
    args = parser.parse_args()

    settings = Settings.from_env()
    prompts = GraderPrompts.load(settings.prompts_dir)
    bank = open_bank(args.bank)
    counter, count = choose_counter(args.model, settings, args.wait)

    systems: set[str] = set()
    totals: list[int] = []
    for index, question in enumerate(bank):
        answer = spoken_answer(question, index, args.words)
        assert len(answer.split()) == args.words, question.id
        item = GradingItem(
            question=question.question,
            answer=answer,
            reference=question.reference,
            key_points=question.key_points,
            question_id=question.id,
            topic=question.topic,
        )
        messages = build_grading_messages(prompts, item, answer)
        systems.add(messages[0]["content"])
        totals.append(tokens.message_tokens(messages, count))

    print(
        json.dumps(
            {
                "n": len(totals),
                "counter": counter,
                "system_prompt_tokens": count(prompts.system.text),
                "system_prompt_identical": len(systems) == 1,
                "median_total_prompt_tokens": statistics.median(totals),
                "max_total_prompt_tokens": max(totals),
                "min_total_prompt_tokens": min(totals),
                "answer_words": args.words,
                "model": args.model,
            }
        )
    )


if __name__ == "__main__":
    main()

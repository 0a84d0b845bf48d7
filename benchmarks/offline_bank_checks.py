"""Print the offline grader's common-sense checks on the whole shipped bank as one JSON line.

    .venv/bin/python benchmarks/offline_bank_checks.py

No graded data: every answer is built from the bank itself, so these are not agreement figures
but the checks a person would make by hand, over all 100 questions at once. The tests in
``tests/test_offline_grader.py`` and ``tests/test_offline_polarity_bank.py`` hold bounds on them;
this prints the figures. For each kind of answer: its mean score and how many of them pass (5 or
more) or reach the top (9 or more).

- ``model_answer``, ``reference``: the bank's own correct answers (should pass, the model answer
  at the top);
- ``one_reference_word``: the longest word of the reference beyond the question, alone;
- ``key_point_alone`` / ``key_point_flipped``: each key point said alone, and each mechanically
  flipped (its "not" dropped, or one word swapped for its opposite) and said alone;
- ``key_points`` / ``key_points_false_claim``: every key point as sentences, then the same with
  a false claim in the question's vocabulary added (``raised``: how many it raises);
- ``partial_padded``: a third of the model answer with an unrelated sentence added (``raised``:
  how many that raises);
- ``other_questions_model_answer``: the model answer of another question (3 per question).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_offline_polarity_bank import flipped_versions  # noqa: E402

from interviewer.bank import open_bank  # noqa: E402
from interviewer.grading.offline.grader import analyse  # noqa: E402
from interviewer.practice.session import main_item  # noqa: E402
from interviewer.questions import Question  # noqa: E402
from interviewer.text.analysis import content_tokens, stem  # noqa: E402

FALSE_CLAIM = " The catch is that it only works on tiny networks and always makes training slower."
PADDING = " Anyway, my favourite food is pizza and I like hiking on weekends with my friends."


def summary(scores: list[float]) -> dict[str, float | int]:
    return {"n": len(scores), "mean": round(sum(scores) / len(scores), 2), "min": min(scores),
            "pass": sum(s >= 5.0 for s in scores), "top": sum(s >= 9.0 for s in scores)}


def score(question: Question, answer: str) -> float:
    return analyse(replace(main_item(question), answer=answer)).score


def one_word(question: Question) -> str:
    asked = {stem(t) for t in content_tokens(question.question)}
    return max((t for t in content_tokens(question.reference) if stem(t) not in asked), key=len, default="") + "."


def third(text: str) -> str:
    words = text.split()
    return " ".join(words[: len(words) // 3]) + "."


def main(argv: list[str]) -> int:
    questions = open_bank().questions
    per_question: dict[str, Callable[[Question], str]] = {
        "model_answer": lambda q: q.model_answer,
        "reference": lambda q: q.reference,
        "one_reference_word": one_word,
        "key_points": lambda q: ". ".join(q.key_points) + ".",
        "key_points_false_claim": lambda q: ". ".join(q.key_points) + "." + FALSE_CLAIM,
        "partial": lambda q: third(q.model_answer),
        "partial_padded": lambda q: third(q.model_answer) + PADDING,
    }
    scores = {name: [score(q, answer_of(q)) for q in questions] for name, answer_of in per_question.items()}
    scores["key_point_alone"] = [score(q, f"{p}.") for q in questions for p in q.key_points]
    scores["key_point_flipped"] = [score(q, f"{c}.") for q in questions for p in q.key_points
                                   for c in flipped_versions(p)]
    scores["other_questions_model_answer"] = [score(q, questions[(i + step) % len(questions)].model_answer)
                                              for i, q in enumerate(questions) for step in (1, 7, 31)]
    data: dict = {"benchmark": "offline_bank_checks"}
    data.update({name: summary(values) for name, values in scores.items()})
    for name, before in (("key_points_false_claim", "key_points"), ("partial_padded", "partial")):
        data[name]["raised"] = sum(b > a for a, b in zip(scores[before], scores[name]))
    print(json.dumps(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

"""Tool (not shipped): assemble data/deep_learning.toml from the two enriched parts the data writers wrote.

    python benchmarks/build_bank.py /work/bankparts/part1.toml /work/bankparts/part2.toml

Writes the header below + ``part1`` + ``part2`` (their own leading comments dropped)
to data/deep_learning.toml, after checking that every question's id, question and
reference are exactly those of the bank it replaces (the seed's words, byte for byte)
and that the result loads and validates clean. Prints one JSON line of counts.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BANK = ROOT / "data" / "deep_learning.toml"

HEADER = '''# interviewer question bank, format 1.
#
# The 100 deep-learning interview questions of the seed list, with their
# reference answers word for word, enriched with:
#   topic, difficulty   1 easy, 2 medium, 3 hard;
#   key_points          the CORE points: what the reference answer states;
#   depth_points        the DEPTH points: what a strong spoken answer adds
#                       beyond the reference;
#   model_answer        a strong spoken answer, shown on request beside the
#                       reference;
#   [question.follow_up] the follow-up question, itself a question with its
#                       own reference and 2-4 key points; its answer is graded
#                       against those, with the first exchange as context.
# Edit by hand; check with
#   interviewer bank validate data/deep_learning.toml

format = 1
name = "Deep learning: 100 interview questions"
topics = [
  "fundamentals", "optimisation", "regularisation", "evaluation-and-tuning",
  "architectures", "nlp-and-attention", "generative", "learning-paradigms",
  "efficiency", "robustness-and-privacy", "explainability", "graphs",
  "reinforcement-learning",
]
'''


def body(path: Path) -> str:
    """A part's text from its first ``[[question]]`` on (its own header comment dropped)."""
    text = path.read_text(encoding="utf-8")
    return text[text.index("[[question]]"):].rstrip() + "\n"


def check_same_words(old: dict, new: dict) -> None:
    old_questions = old["question"]
    new_questions = new["question"]
    if len(new_questions) != len(old_questions):
        raise SystemExit(f"the parts hold {len(new_questions)} questions; the bank has {len(old_questions)}")
    for before, after in zip(old_questions, new_questions):
        for key in ("id", "topic", "question", "reference"):
            if before[key] != after[key]:
                raise SystemExit(f"{before['id']}: '{key}' differs from the current bank")


def main(part1: str, part2: str) -> None:
    from interviewer.bank import load_bank, validate_bank

    text = HEADER + "\n" + body(Path(part1)) + "\n" + body(Path(part2))
    check_same_words(tomllib.loads(BANK.read_text(encoding="utf-8")), tomllib.loads(text))
    BANK.write_text(text, encoding="utf-8")
    problems = validate_bank(BANK)
    for problem in problems:
        print(problem, file=sys.stderr)
    bank = load_bank(BANK)
    print(json.dumps({
        "questions": len(bank),
        "core_points": sum(len(q.core_points) for q in bank),
        "depth_points": sum(len(q.depth_points) for q in bank),
        "follow_up_points": sum(len(q.follow_up.key_points) for q in bank if q.follow_up),
        "model_answers": sum(bool(q.model_answer) for q in bank),
        "problems": len(problems),
    }))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])

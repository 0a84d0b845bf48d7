"""The graded answers the offline grader is fitted and measured on, and the frozen split of their questions.

Two sets:

- Mohler dev (``../shared/asag/mohler2011_dev.jsonl``): CS short answers, a reference each, no
  key points; questions by ``qid``.
- The deep-learning set (``benchmarks/dl_graded_answers.jsonl``): answers to the bank's
  questions, joined to the bank (core points, depth points); questions by ``question_id``.

The split is FROZEN and decided by a hash of the question id alone (``is_held_out``): about 30%
of each set's questions are held out (Mohler: 10 of 40; DL: 36 of 100). Nothing is written, chosen or fitted while reading them;
``development`` and ``held_out`` give the two parts. Cross-validation runs on the development
questions only, leaving one question out at a time (``folds``): its answers are scored by what
was fitted on the other questions.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from interviewer.grading.interface import GradingItem  # noqa: E402

#: ``../shared/asag`` from the project root (two levels up from a worktree under wt/).
MOHLER = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
              ROOT.parent / "shared") / "asag" / "mohler2011_dev.jsonl"
DL_ANSWERS = ROOT / "benchmarks" / "dl_graded_answers.jsonl"
DL_BANK = ROOT / "data" / "deep_learning.toml"

#: Changing the salt or the share would unfreeze the split: don't.
SPLIT_SALT = "interviewer-offline-split-1"
HELD_OUT_SHARE = 0.30


def _unit_hash(text: str) -> float:
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_held_out(question_id: str) -> bool:
    """True for the frozen held-out questions (about 30%), decided by the id alone."""
    return _unit_hash(f"{SPLIT_SALT}:{question_id}") < HELD_OUT_SHARE


@dataclass(frozen=True)
class Example:
    """One human-graded answer, as the grader sees it, with its score as a share of the maximum."""

    item: GradingItem
    share: float
    group: str
    #: The DL set's kind of answer ("paraphrase", "flipped", ...); "" for Mohler.
    kind: str = ""
    scale_max: float = 10.0
    dataset: str = ""

    @property
    def held_out(self) -> bool:
        return is_held_out(self.group)


def read_mohler(path: Path = MOHLER) -> list[Example]:
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            item = GradingItem(row["question"], row["answer"], row["reference"], question_id=row["qid"])
            examples.append(Example(item, row["score"] / row["scale_max"], row["qid"], "", row["scale_max"], "mohler"))
    return examples


def bank_entries(path: Path = DL_BANK) -> dict[str, dict]:
    """The bank's questions by id (raw TOML tables: key_points are core, depth_points depth)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in data.get("question", ())}


def bank_item(entry: dict, answer: str) -> GradingItem:
    core = tuple(entry.get("key_points", ()))
    depth = tuple(entry.get("depth_points", ()))
    return GradingItem(
        question=entry["question"], answer=answer, reference=entry["reference"],
        key_points=core + depth, point_kinds=("core",) * len(core) + ("depth",) * len(depth),
        question_id=entry["id"], topic=entry.get("topic"), model_answer=entry.get("model_answer", ""),
    )


def read_dl(path: Path = DL_ANSWERS, bank: Path = DL_BANK) -> list[Example]:
    entries = bank_entries(bank)
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            item = bank_item(entries[row["question_id"]], row["answer"])
            examples.append(Example(item, row["score"] / 10, row["question_id"], row["kind"], 10.0, "dl"))
    return examples


def development(examples: Iterable[Example]) -> list[Example]:
    return [e for e in examples if not e.held_out]


def held_out(examples: Iterable[Example]) -> list[Example]:
    return [e for e in examples if e.held_out]


def folds(examples: Sequence[Example], count: int | None = None) -> list[tuple[list[int], list[int]]]:
    """(training rows, test rows) per question, leaving one question out each time; with ``count``,
    the questions are dealt in sorted order into that many folds instead (the inner
    cross-validation of a nested check, where leaving one question out costs too many fits)."""
    rows: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        rows.setdefault(e.group, []).append(i)
    if count is not None:
        dealt: dict[int, list[int]] = {}
        for n, group in enumerate(sorted(rows)):
            dealt.setdefault(n % count, []).extend(rows[group])
        rows = {str(k): sorted(v) for k, v in dealt.items()}
    return [(sorted(set(range(len(examples))) - set(test)), test) for test in rows.values()]

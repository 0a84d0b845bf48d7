"""Print the offline grader's agreement with graded answers as one JSON line.

    .venv/bin/python benchmarks/offline_eval.py

Two sets (``offline_data``): Mohler dev (``../shared/asag/mohler2011_dev.jsonl``, 0-5) and the
graded deep-learning set (``benchmarks/dl_graded_answers.jsonl``, 0-10, per kind of answer).
For each:

- ``cv``: leave-one-question-out cross-validation on the development questions (each question
  scored with constants fitted without it). The hand tables and thresholds were chosen by
  ablations scored this way, so it is mildly optimistic;
- ``held_out``: the frozen held-out questions (a hash of the id decides), scored with the
  constants fitted on all development questions. Nothing was chosen while reading them: this
  is the figure to trust.

Also: ``answers_per_s`` of the shipped grader over every Mohler answer (one core, warm caches),
and ``by_confidence`` for each set: the mean absolute error of its grades on its own scale, by
the confidence the grader shows beside them, cross-validated (``cv``) and held out (``held_out``).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_offline_calibration import by_kind, evaluate  # noqa: E402
from offline_data import read_dl, read_mohler  # noqa: E402

from interviewer.grading.offline.grader import OfflineGrader  # noqa: E402


def speed(examples) -> float:
    grader = OfflineGrader()
    items = [e.item for e in examples]
    grader.grade_now(items[0])
    start = time.perf_counter()
    for item in items:
        grader.grade_now(item)
    return len(items) / (time.perf_counter() - start)


def by_confidence(rows, scores) -> dict[str, dict[str, float]]:
    """Mean absolute error of the grades, by the confidence level shown with them."""
    grader = OfflineGrader()
    errors: dict[str, list[float]] = {}
    for row, score in zip(rows, scores):
        confidence = grader.grade_now(row.example.item).confidence
        level = confidence.level if confidence else "none"
        errors.setdefault(level, []).append(abs(score - row.human))
    return {level: {"n": len(e), "mae": round(sum(e) / len(e), 2)} for level, e in sorted(errors.items())}


def main(argv: list[str]) -> int:
    mohler, dl = read_mohler(), read_dl()
    data: dict = {}
    for name, examples in (("mohler", mohler), ("dl", dl)):
        result = evaluate(examples)
        data[name] = {"cv": result["cv"], "held_out": result["held_out"]}
        if name == "dl":
            data[name]["cv_by_kind"] = by_kind(result["dev_rows"], result["cv_scores"])
            data[name]["held_out_by_kind"] = by_kind(result["held_rows"], result["held_scores"])
        data[name]["by_confidence"] = {"cv": by_confidence(result["dev_rows"], result["cv_scores"]),
                                       "held_out": by_confidence(result["held_rows"], result["held_scores"])}
    data["answers_per_s"] = round(speed(mohler))
    print(json.dumps(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

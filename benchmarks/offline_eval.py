"""Print the offline grader's agreement with human grades on the Mohler dev set, as one JSON line.

    .venv/bin/python benchmarks/offline_eval.py [DATASET.jsonl]

The same figures as ``interviewer eval ../shared/asag/mohler2011_dev.jsonl --grader offline --json``
(n, pearson, spearman, qwk, rmse, mae, within1, answers_per_s, ...), plus the
leave-questions-out cross-validated Pearson r and RMSE of the calibration
(``cv_pearson``, ``cv_rmse``; see ``fit_offline_calibration.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from interviewer.eval.evaluation import evaluate_sync, read_dataset  # noqa: E402
from interviewer.grading.offline.grader import OfflineGrader  # noqa: E402

DEFAULT_DATASET = Path("../shared/asag/mohler2011_dev.jsonl")


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATASET
    if not path.is_absolute() and not path.exists():
        path = ROOT / path
    answers, problems = read_dataset(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    grader = OfflineGrader()
    grader.grade_now(answers[0].item())  # warm the caches of module-level tables, as the CLI does at start-up
    report = evaluate_sync(answers, grader.grade_now, grader.name, grader.version)
    report.skipped_lines = len(problems)
    data = report.to_dict()

    from fit_offline_calibration import cross_validated

    data["cv_pearson"], data["cv_rmse"] = (round(v, 4) for v in cross_validated(answers))
    data["dataset"] = str(argv[1]) if len(argv) > 1 else str(DEFAULT_DATASET)
    print(json.dumps(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

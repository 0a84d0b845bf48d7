"""Fit the offline grader's calibration on graded answers and print the constants.

    .venv/bin/python benchmarks/fit_offline_calibration.py [DATASET.jsonl]

Reads a JSONL file of graded answers (default ../shared/asag/mohler2011_dev.jsonl), computes
the offline features of every answer, fits a ridge-regularised least-squares map from
features to the score share (score / scale_max), and reports:

- the in-sample fit (Pearson r, RMSE on the file's scale),
- leave-questions-out cross-validation: answers to each question are predicted by a
  calibration fitted without that question (the figure that says how it generalises),
- the coefficients to paste into ``interviewer/offline_calibration.py``.

Standard library only: closed-form least squares for a handful of features.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interviewer import offline_calibration as calibration  # noqa: E402
from interviewer.evaluation import pearson, read_dataset, rmse  # noqa: E402
from interviewer.offline_features import align, features, prepare_reference  # noqa: E402

DEFAULT_DATASET = ROOT.parent / "shared" / "asag" / "mohler2011_dev.jsonl"
#: Ridge penalty (on the standardised scale) that keeps coefficients small and stable.
RIDGE = 1.0


def solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve a small linear system by Gaussian elimination with partial pivoting."""
    n = len(vector)
    rows = [list(matrix[i]) + [vector[i]] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        lead = rows[col][col]
        if abs(lead) < 1e-12:
            continue
        for r in range(n):
            if r != col:
                factor = rows[r][col] / lead
                if factor:
                    rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col])]
    return [rows[i][n] / rows[i][i] if abs(rows[i][i]) > 1e-12 else 0.0 for i in range(n)]


def fit(xs: list[tuple[float, ...]], ys: list[float], ridge: float = RIDGE) -> list[float]:
    """Ridge least squares with an unpenalised intercept; returns [intercept, *coefficients]."""
    k = len(xs[0])
    n = len(xs)
    means = [sum(x[j] for x in xs) / n for j in range(k)]
    y_mean = sum(ys) / n
    centred = [[x[j] - means[j] for j in range(k)] for x in xs]
    gram = [[sum(c[a] * c[b] for c in centred) for b in range(k)] for a in range(k)]
    for a in range(k):
        gram[a][a] += ridge * (gram[a][a] / n if gram[a][a] else 1.0)
    rhs = [sum(c[a] * (y - y_mean) for c, y in zip(centred, ys)) for a in range(k)]
    coefs = solve(gram, rhs)
    intercept = y_mean - sum(c * m for c, m in zip(coefs, means))
    return [intercept, *coefs]


def predict(params: list[float], x: tuple[float, ...]) -> float:
    value = params[0] + sum(c * v for c, v in zip(params[1:], x))
    return min(1.0, max(0.0, value))


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATASET
    records, problems = read_dataset(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    xs, ys, groups, scales = [], [], [], []
    for record in records:
        ref = prepare_reference(record.question, record.reference, ())
        xs.append(features(align(ref, record.answer)))
        ys.append(record.score / record.scale_max)
        groups.append(record.qid or record.question)
        scales.append(record.scale_max)

    params = fit(xs, ys)
    fitted = [predict(params, x) * s for x, s in zip(xs, scales)]
    human = [y * s for y, s in zip(ys, scales)]

    cv = [0.0] * len(xs)
    for group in dict.fromkeys(groups):
        train = [i for i, g in enumerate(groups) if g != group]
        held = [i for i, g in enumerate(groups) if g == group]
        fold = fit([xs[i] for i in train], [ys[i] for i in train])
        for i in held:
            cv[i] = predict(fold, xs[i]) * scales[i]

    names = calibration.FEATURES
    print(f"n={len(xs)} features={', '.join(names)}")
    print(f"in-sample:            pearson={pearson(fitted, human):.4f} rmse={rmse(fitted, human):.4f}")
    print(f"leave-questions-out:  pearson={pearson(cv, human):.4f} rmse={rmse(cv, human):.4f}")
    print()
    print(f"INTERCEPT = {params[0]:.4f}")
    print("COEFFICIENTS = (")
    for name, value in zip(names, params[1:]):
        print(f"    {value:.4f},  # {name}")
    print(")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

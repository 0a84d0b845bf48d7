"""Fit the offline grader's calibration on graded answers and print the constants.

    .venv/bin/python benchmarks/fit_offline_calibration.py [DATASET.jsonl]

Reads a JSONL file of graded answers (default ../shared/asag/mohler2011_dev.jsonl), computes
the offline features of every answer, fits a ridge-regularised least-squares map from
features to the score share (score / scale_max), and reports:

- the in-sample fit (Pearson r, RMSE on the file's scale) of the whole grader: calibration,
  then the rubric and check ceilings, non-answers at 0,
- leave-questions-out cross-validation: answers to each question are predicted by a
  calibration fitted without that question (the figure that says how it generalises),
- the coefficients to paste into ``interviewer/grading/offline/calibration.py``.

Standard library only: closed-form least squares for a handful of features.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interviewer.grading.offline import calibration  # noqa: E402
from interviewer.eval.evaluation import pearson, read_dataset, rmse  # noqa: E402
from interviewer.grading.interface import SCORE_MAX  # noqa: E402
from interviewer.grading.offline.features import features  # noqa: E402
from interviewer.grading.offline.grader import analyse  # noqa: E402

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


class Rows:
    """Each answer analysed by the grader: features (None for a non-answer), ceiling, target."""

    def __init__(self, records) -> None:
        self.xs, self.ys, self.groups, self.ceilings, self.scales = [], [], [], [], []
        for record in records:
            analysis = analyse(record.item())
            self.groups.append(record.qid or record.question)
            self.scales.append(record.scale_max)
            self.ys.append(record.score / record.scale_max)
            self.ceilings.append(analysis.ceiling / SCORE_MAX)
            self.xs.append(None if analysis.alignment is None else features(analysis.alignment))
        # Non-answers are scored 0 by rule and left out of the fit.
        self.fit_rows = [i for i, x in enumerate(self.xs) if x is not None]

    def fit(self, exclude_group: str | None = None) -> list[float]:
        rows = [i for i in self.fit_rows if self.groups[i] != exclude_group]
        return fit([self.xs[i] for i in rows], [self.ys[i] for i in rows])

    def scores(self, params_for) -> list[float]:
        """Whole-grader scores on each line's scale: calibration, then the ceilings."""
        result = []
        for i, x in enumerate(self.xs):
            share = 0.0 if x is None else min(predict(params_for(i), x), self.ceilings[i])
            result.append(share * self.scales[i])
        return result

    @property
    def human(self) -> list[float]:
        return [y * s for y, s in zip(self.ys, self.scales)]

    def cross_validated_scores(self) -> list[float]:
        folds = {g: self.fit(exclude_group=g) for g in dict.fromkeys(self.groups)}
        return self.scores(lambda i: folds[self.groups[i]])


def cross_validated(records) -> tuple[float, float]:
    """Leave-questions-out Pearson r and RMSE of the calibration on these records."""
    rows = Rows(records)
    cv = rows.cross_validated_scores()
    return pearson(cv, rows.human), rmse(cv, rows.human)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATASET
    records, problems = read_dataset(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    rows = Rows(records)
    params = rows.fit()
    fitted = rows.scores(lambda i: params)
    cv = rows.cross_validated_scores()
    human = rows.human

    names = calibration.FEATURES
    skipped = len(rows.xs) - len(rows.fit_rows)
    print(f"n={len(rows.xs)} (fitted on {len(rows.fit_rows)}; {skipped} non-answers score 0 by rule)")
    print(f"features: {', '.join(names)}; ridge={RIDGE}")
    print(f"in-sample:            pearson={pearson(fitted, human):.4f} rmse={rmse(fitted, human):.4f}")
    print(f"leave-questions-out:  pearson={pearson(cv, human):.4f} rmse={rmse(cv, human):.4f}"
          f"  (one fold per question)")
    print()
    print(f"INTERCEPT = {params[0]:.4f}")
    print("COEFFICIENTS = (")
    for name, value in zip(names, params[1:]):
        print(f"    {value:.4f},  # {name}")
    print(")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

"""Fit the offline grader's three score models on the development questions and print the constants.

    .venv/bin/python benchmarks/fit_offline_calibration.py

- the reference model (questions with only a reference) on the Mohler dev set,
- the anchored model (core and depth points, and the model answer) on the graded deep-learning set,
- the same anchored model for key points without a model answer, on the same set, its model answers left out,

each a linear map from the grader's features to the score share, fitted (``fit_rows``) so that
the score the grader gives, its floor, caps and clip to 0..1 applied, misses the graded score
least, by the error the set's target names: absolute on the deep-learning set, squared on Mohler's.
Six constants are chosen first, each from a grid by cross-validated error, and each choice is
checked by a nested cross-validation, printed on the first lines (``CHOSEN_CONSTANTS``: the
anchored models' ``MATERIAL_FULL``s, the reference model's question-word weight, how near an
opposite word must stand to what a point says it of, and the share of a point's words that
covers it). Everything is fitted on the development
questions of ``offline_data`` only (the frozen held-out questions are never fitted on). For each
model it reports the leave-one-question-out cross-validated figures (every question scored by
a fit without it) and the figures on the frozen held-out questions (scored by the fit on all
development questions), then the constants to paste into
``interviewer/grading/offline/calibration.py``.

Standard library only: least squares for a handful of features, reweighted for absolute error.
About 3 minutes on one core, most of it the nested checks.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Callable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from offline_data import Example, development, folds, held_out, read_dl, read_mohler  # noqa: E402

from interviewer.eval.evaluation import mae, pearson, rmse  # noqa: E402
from interviewer.grading.interface import SCORE_MAX  # noqa: E402
from interviewer.grading.offline import calibration, grader, polarity  # noqa: E402
from interviewer.grading.offline.grader import analyse  # noqa: E402

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


def fit(xs: Sequence[tuple[float, ...]], ys: Sequence[float], ridge: float = RIDGE,
        weights: Sequence[float] | None = None) -> list[float]:
    """Ridge least squares (weighted, when ``weights`` are given) with an unpenalised intercept;
    returns [intercept, *coefficients]."""
    k = len(xs[0])
    w = weights or [1.0] * len(xs)
    n = sum(w)
    means = [sum(wi * x[j] for wi, x in zip(w, xs)) / n for j in range(k)]
    y_mean = sum(wi * y for wi, y in zip(w, ys)) / n
    centred = [[x[j] - means[j] for j in range(k)] for x in xs]
    gram = [[sum(wi * c[a] * c[b] for wi, c in zip(w, centred)) for b in range(k)] for a in range(k)]
    for a in range(k):
        gram[a][a] += ridge * (gram[a][a] / n if gram[a][a] else 1.0)
    rhs = [sum(wi * c[a] * (y - y_mean) for wi, c, y in zip(w, centred, ys)) for a in range(k)]
    coefs = solve(gram, rhs)
    intercept = y_mean - sum(c * m for c, m in zip(coefs, means))
    return [intercept, *coefs]


def predict(params: Sequence[float], x: tuple[float, ...]) -> float:
    value = params[0] + sum(c * v for c, v in zip(params[1:], x))
    return min(1.0, max(0.0, value))


@dataclass(frozen=True)
class Row:
    """One answer as the grader analysed it."""

    example: Example
    #: The score model's inputs; None for a non-answer (scored 0 by rule, left out of fits).
    inputs: tuple[float, ...] | None
    #: The rubric's and the checks' ceiling, and the rubric's floor, as shares.
    ceiling: float
    floor: float = 0.0

    def score(self, params: Sequence[float]) -> float:
        """The grader's score on the example's own scale, with these constants."""
        if self.inputs is None:
            return 0.0
        return min(max(predict(params, self.inputs), self.floor), self.ceiling) * self.example.scale_max

    @property
    def human(self) -> float:
        return self.example.share * self.example.scale_max


def analyse_rows(examples: Sequence[Example], analyse_item: Callable = analyse) -> list[Row]:
    rows = []
    for example in examples:
        analysis = analyse_item(example.item)
        inputs = None if analysis.alignment is None else analysis.inputs
        rows.append(Row(example, inputs, analysis.ceiling / SCORE_MAX, analysis.floor / SCORE_MAX))
    return rows


#: The error each set's constants minimise, as its targets name it: the deep-learning set's mean
#: absolute error (0-10), Mohler's squared error (RMSE, 0-5).
ERROR_BY_SET = {"dl": "absolute", "mohler": "squared"}
#: Absolute error is minimised by reweighted least squares: a row's weight is 1 / its error, the
#: error taken as at least this share (a row the fit meets exactly does not take over).
LEAST_ERROR = 0.01
MAX_STEPS = 200


def _linear(params: Sequence[float], x: tuple[float, ...]) -> float:
    return params[0] + sum(c * v for c, v in zip(params[1:], x))


def _errors(linear: Sequence[float], rows: Sequence[tuple], error: str) -> float:
    """The total error of the scores given these linear-map values (floor, cap and clip applied:
    ``Row.score``'s formula on the rows' values taken out once, since a fit evaluates it often)."""
    total = 0.0
    for value, (_, share, floor, top) in zip(linear, rows):
        miss = min(max(min(1.0, max(0.0, value)), floor), top) - share
        total += miss * miss if error == "squared" else abs(miss)
    return total


def fit_rows(rows: Sequence[Row]) -> list[float]:
    """The constants that minimise the error of the score the grader gives (its floor, caps and
    0..1 clip applied), by the error the rows' set is judged by (``ERROR_BY_SET``).

    Least squares on the features alone is the start; each step refits the rows whose score the
    constants move (the linear map's, not clipped, floored or capped), weighted for absolute
    error, and moves towards that fit as far as lowers the error (halving the step). A plain
    least-squares fit ignores that a capped or floored answer's score does not follow the
    features, and so shrinks every score towards the middle: fitted on the given score, the
    deep-learning set's cross-validated MAE went from 1.27 to 1.21."""
    usable = [(r.inputs, r.example.share, r.floor, min(1.0, r.ceiling)) for r in rows if r.inputs is not None]
    error = ERROR_BY_SET[next(r.example.dataset for r in rows if r.inputs is not None)]
    params = fit([x for x, *_ in usable], [y for _, y, *_ in usable])
    linear = [_linear(params, x) for x, *_ in usable]
    current = _errors(linear, usable, error)
    for _ in range(MAX_STEPS):
        free = [(row, value) for row, value in zip(usable, linear) if max(0.0, row[2]) <= value <= row[3]]
        if len(free) <= len(params):
            break
        weights = None if error == "squared" else [1.0 / max(LEAST_ERROR, abs(value - row[1])) for row, value in free]
        target = fit([row[0] for row, _ in free], [row[1] for row, _ in free], weights=weights)
        target_linear = [_linear(target, x) for x, *_ in usable]
        step = 1.0
        while step > 1e-3:  # the linear map is linear in the constants: move along the line between the two fits
            candidate = [a + step * (b - a) for a, b in zip(linear, target_linear)]
            candidate_error = _errors(candidate, usable, error)
            if candidate_error < current - 1e-6 * max(1.0, current):
                params = [a + step * (b - a) for a, b in zip(params, target)]
                linear, current = candidate, candidate_error
                break
            step /= 2
        else:
            break
    return params


def cross_validated_scores(rows: Sequence[Row], count: int | None = None) -> list[float]:
    """Each row scored by the constants fitted without its question (leave one question out; with
    ``count``, without its fold of questions, ``offline_data.folds``)."""
    scores = [0.0] * len(rows)
    examples = [r.example for r in rows]
    for train, test in folds(examples, count):
        params = fit_rows([rows[i] for i in train])
        for i in test:
            scores[i] = rows[i].score(params)
    return scores


def figures(predicted: Sequence[float], human: Sequence[float]) -> dict[str, float | int | None]:
    def r4(v: float | None) -> float | None:
        return None if v is None else round(v, 4)

    return {"n": len(human), "pearson": r4(pearson(predicted, human)), "rmse": r4(rmse(predicted, human)),
            "mae": r4(mae(predicted, human))}


def evaluate(examples: Sequence[Example], analyse_item: Callable = analyse) -> dict:
    """Cross-validated figures on the development questions and the frozen held-out figures."""
    dev_rows = analyse_rows(development(examples), analyse_item)
    cv = cross_validated_scores(dev_rows)
    params = fit_rows(dev_rows)
    held_rows = analyse_rows(held_out(examples), analyse_item)
    held = [r.score(params) for r in held_rows]
    return {
        "cv": figures(cv, [r.human for r in dev_rows]),
        "held_out": figures(held, [r.human for r in held_rows]),
        "params": params,
        "dev_rows": dev_rows, "cv_scores": cv, "held_rows": held_rows, "held_scores": held,
    }


def by_kind(rows: Sequence[Row], scores: Sequence[float]) -> dict[str, dict[str, float]]:
    kinds: dict[str, list[tuple[float, float]]] = {}
    for row, score in zip(rows, scores):
        kinds.setdefault(row.example.kind, []).append((score, row.human))
    return {k: {"n": len(v), "mean": round(sum(s for s, _ in v) / len(v), 2),
                "expert_mean": round(sum(h for _, h in v) / len(v), 2)} for k, v in kinds.items()}


def _print_constants(prefix: str, names: Sequence[str], params: Sequence[float]) -> None:
    print(f"{prefix}INTERCEPT = {params[0]:.4f}")
    print(f"{prefix}COEFFICIENTS = (")
    for name, value in zip(names, params[1:]):
        print(f"    {value:.4f},  # {name}")
    print(")")


#: The grader's constants chosen by cross-validation before the fit, in this order: (set, module,
#: constant, the values it chooses from, the error it minimises).
CHOSEN_CONSTANTS = (
    ("dl", calibration, "MATERIAL_FULL", (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4), "absolute"),
    ("dl without model answers", calibration, "POINTS_ONLY_MATERIAL_FULL", (0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
     "absolute"),
    ("mohler", calibration, "REFERENCE_QUESTION_WORD_WEIGHT", (0.0, 0.05, 0.1, 0.15, 0.25, 0.35), "squared"),
    ("dl", polarity, "ANSWER_REACH", (1, 2, 3, None), "absolute"),
    ("dl", polarity, "POINT_REACH", (1, 2, 3), "absolute"),
    ("dl", grader, "COVERED_AT", (0.45, 0.5, 0.55, 0.6, 0.65, 0.7), "absolute"),
)


def rows_by_value(examples: Sequence[Example], module: ModuleType, name: str,
                  grid: Sequence[float | None]) -> dict[float | None, list[Row]]:
    """The development rows analysed with each value of the constant ``module.<name>``."""
    shipped = getattr(module, name)
    try:
        result = {}
        for value in grid:
            setattr(module, name, value)
            clear_caches()
            result[value] = analyse_rows(development(examples))
        return result
    finally:
        setattr(module, name, shipped)
        clear_caches()


def clear_caches() -> None:
    """The grader caches stems, matches and prepared references: a constant or a table they
    depend on needs them afresh."""
    for name, module in list(sys.modules.items()):
        if name.startswith("interviewer") and module is not None:
            for value in list(vars(module).values()):
                if hasattr(value, "cache_clear"):
                    value.cache_clear()


#: The inner cross-validation of a nested check deals the other questions into this many folds.
INNER_FOLDS = 5


def _cv_error(rows: Sequence[Row], error: str, count: int | None = None) -> float:
    scores = cross_validated_scores(rows, count)
    return (mae if error == "absolute" else rmse)(scores, [r.human for r in rows])


def choose_constant(examples: Sequence[Example], module: ModuleType, name: str, grid: Sequence[float | None],
                    error: str) -> tuple[float | None, dict]:
    """The value of ``module.<name>`` with the lowest cross-validated error on the development
    questions (the first of equals), and the nested check: each question scored by a fit whose
    value was chosen without it (by a CV inside the other questions, in ``INNER_FOLDS`` folds), so
    the choice itself is cross-validated."""
    rows = rows_by_value(examples, module, name, grid)
    best = min(grid, key=lambda value: _cv_error(rows[value], error))
    some = rows[best]
    scores = [0.0] * len(some)
    chosen: dict[float, int] = {}
    for train, test in folds([r.example for r in some]):
        value = min(grid, key=lambda v: _cv_error([rows[v][i] for i in train], error, INNER_FOLDS))
        chosen[value] = chosen.get(value, 0) + len(test)
        params = fit_rows([rows[value][i] for i in train])
        for i in test:
            scores[i] = rows[value][i].score(params)
    nested = figures(scores, [r.human for r in some])
    return best, {"nested_cv": nested, "chosen_rows": chosen}


def main(argv: list[str]) -> int:
    dl, mohler = read_dl(), read_mohler()
    without_model_answers = [replace(e, item=replace(e.item, model_answer="")) for e in dl]
    sets = {"dl": dl, "mohler": mohler, "dl without model answers": without_model_answers}
    for set_name, module, name, grid, error in CHOSEN_CONSTANTS:
        best, nested = choose_constant(sets[set_name], module, name, grid, error)
        print(f"{name} = {best}  (shipped {getattr(module, name)}; nested check {nested})")
        setattr(module, name, best)
    clear_caches()
    for name, examples, names, prefix in (
        ("mohler (reference model)", mohler, calibration.FEATURES, ""),
        ("deep learning (anchored model: key points and model answers)", dl, calibration.ANCHORED_FEATURES,
         "ANCHORED_"),
        ("deep learning, model answers left out (the same model, key points alone)", without_model_answers,
         calibration.POINTS_ONLY_FEATURES, "POINTS_ONLY_"),
    ):
        result = evaluate(examples)
        print(f"{name}: cross-validated {result['cv']}; frozen held-out {result['held_out']}")
        if prefix:
            for kind, values in by_kind(result["dev_rows"], result["cv_scores"]).items():
                print(f"    {kind:20s} {values}")
        _print_constants(prefix, names, result["params"])
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

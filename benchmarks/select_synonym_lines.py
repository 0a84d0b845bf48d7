"""Which lines of the synonym table earn their place, judged on questions they were not chosen on.

    .venv/bin/python benchmarks/select_synonym_lines.py      # about 3 minutes on one core

A synonym line is a fitted parameter like any constant: it can help the questions it was
written while reading and hurt the rest. The rule: drop a line when the table without it
scores the development questions at least as well on both sets (Mohler squared error, the
deep-learning set's absolute error, each cross-validated by question) and better on one.

The candidates are the shipped table plus ``DROPPED`` (the lines this rule took out). The
rule is scored honestly by a nested cross-validation: for each development question of a set,
the lines are chosen on the other questions alone (their own leave-one-question-out figures),
and that question is scored with the table so chosen and constants fitted without it. Prints
one JSON line: the lines the rule drops on all development questions (it should be
``DROPPED``), how often each was dropped inside the folds, and per set the nested figures
beside those of the full candidate table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_offline_calibration import (  # noqa: E402
    Row, analyse_rows, clear_caches, cross_validated_scores, figures, fit_rows)
from offline_data import development, folds, read_dl, read_mohler  # noqa: E402

from interviewer.text import analysis  # noqa: E402

#: Taken out by this rule (2026-12-04): each hurt one set's cross-validated agreement or helped
#: neither, mostly by matching everyday words ("learn", "unit", "data", "reduce") to terms.
DROPPED = (
    "prevent avoid stop reduce combat mitigate counter curb limit",
    "make create construct build generate produce",
    "change modify alter update edit",
    "include contain consist comprise hold",
    "provide supply give offer",
    "simulate model mimic emulate imitate",
    "insert put place add",
    "visible accessible public",
    "neuron unit node perceptron",
    "train training learn fit",
    "inference predict prediction deployment",
    "weight parameter coefficient",
    "sample example instance observation",
    "dataset data",
    # and after the material came to be the correct answers' content words alone:
    "purpose goal aim role objective",
    "vector embedding representation",
)
CANDIDATES = analysis.SYNONYM_GROUPS + tuple(line for line in DROPPED if line not in analysis.SYNONYM_GROUPS)
#: Per set: its development examples and how an error counts (squared: RMSE; absolute: MAE).
SETS = (("mohler", read_mohler, "squared"), ("dl", read_dl, "absolute"))


def rows_without(dropped: frozenset[int], examples: dict[str, list]) -> dict[str, list[Row]]:
    """Each set's development rows, analysed with the candidate table less the ``dropped`` lines."""
    analysis.SYNONYM_GROUPS = tuple(line for i, line in enumerate(CANDIDATES) if i not in dropped)
    clear_caches()
    return {name: analyse_rows(examples[name]) for name in examples}


def cv_error(rows: Sequence[Row], error: str, without: str | None = None) -> float:
    """Mean error of the leave-one-question-out scores, over the questions other than ``without``."""
    some = [r for r in rows if r.example.group != without]
    total = 0.0
    for train, test in folds([r.example for r in some]):
        params = fit_rows([some[i] for i in train])
        for i in test:
            miss = some[i].score(params) - some[i].human
            total += miss * miss if error == "squared" else abs(miss)
    return total / len(some)


def _better(errors: Sequence[float], base: Sequence[float]) -> bool:
    return all(e <= b for e, b in zip(errors, base)) and any(e < b for e, b in zip(errors, base))


def main(argv: list[str]) -> int:
    examples = {name: development(read()) for name, read, _ in SETS}
    kinds = {name: error for name, _, error in SETS}
    full = rows_without(frozenset(), examples)
    single = {i: rows_without(frozenset({i}), examples) for i in range(len(CANDIDATES))}
    changing = [i for i in single if any(a.inputs != b.inputs or a.ceiling != b.ceiling or a.floor != b.floor
                                         for name in full for a, b in zip(single[i][name], full[name]))]

    whole = {i: [cv_error(rows[name], kinds[name]) for name in kinds]
             for i, rows in [(None, full), *((i, single[i]) for i in changing)]}

    def errors(line: int | None, set_without: str, question: str) -> list[float]:
        """Without ``line`` (None: the full table), the errors of both sets, ``question`` left out of its set."""
        rows = full if line is None else single[line]
        return [cv_error(rows[name], kinds[name], question) if name == set_without else whole[line][n]
                for n, name in enumerate(kinds)]

    dropped_all = [i for i in changing if _better(whole[i], whole[None])]
    result: dict = {"benchmark": "select_synonym_lines", "candidates": len(CANDIDATES),
                    "dropped": [CANDIDATES[i] for i in dropped_all],
                    "dropped_is_shipped": {CANDIDATES[i] for i in dropped_all} == set(DROPPED)}
    tables: dict[frozenset[int], dict[str, list[Row]]] = {}
    for name in kinds:
        scores = [0.0] * len(full[name])
        times_dropped: dict[str, int] = {}
        questions = sorted({r.example.group for r in full[name]})
        for question in questions:
            inner = errors(None, name, question)
            chosen = frozenset(i for i in changing if _better(errors(i, name, question), inner))
            for i in chosen:
                times_dropped[CANDIDATES[i]] = times_dropped.get(CANDIDATES[i], 0) + 1
            rows = tables.setdefault(chosen, rows_without(chosen, examples))[name]
            params = fit_rows([r for r in rows if r.example.group != question])
            for index, row in enumerate(rows):
                if row.example.group == question:
                    scores[index] = row.score(params)
        human = [r.human for r in full[name]]
        result[name] = {"nested_cv": figures(scores, human),
                        "all_candidates_cv": figures(cross_validated_scores(full[name]), human),
                        "questions": len(questions), "times_dropped": times_dropped}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

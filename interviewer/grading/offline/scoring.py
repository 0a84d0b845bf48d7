"""The offline score of an answer to a question with key points: core points pass, depth points lift.

An answer that covers the core points correctly passes (5 of 10, what a correct but terse
answer earns from a demanding interviewer; ``grader.rubric_floor``); depth lifts it through the
fitted model below (with a model answer: how much more of the question's correct answers it
says), and its absence never sinks a correct answer. A point the answer states the wrong way
round earns nothing and pulls the score down; a contradicted core point caps it.

share = INTERCEPT + sum(coefficient * feature) of ``anchored_features``, clipped to 0..1, times
10. The numbers are in ``calibration`` (``ANCHORED_*`` for a question with a model answer,
``POINTS_ONLY_*`` without one), fitted by ``benchmarks/fit_offline_calibration.py``.
Questions with only a reference (no key points) are scored by ``calibration``'s reference
model instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from interviewer.grading.offline import calibration


@dataclass(frozen=True)
class PointCoverage:
    """What the score needs to know of one key point."""

    kind: str
    coverage: float
    contradicted: bool

    @property
    def value(self) -> float:
        return 0.0 if self.contradicted else self.coverage


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def material_full(with_model_answer: bool = True) -> float:
    """The share of the correct answers' words a full answer says (``calibration``, fitted per model)."""
    return calibration.MATERIAL_FULL if with_model_answer else calibration.POINTS_ONLY_MATERIAL_FULL


def anchored_features(points: Sequence[PointCoverage], precision: float, material_recall: float,
                      length_share: float = 1.0, with_model_answer: bool = True) -> tuple[float, ...]:
    """The anchored model's inputs for a question with key points (``calibration.ANCHORED_FEATURES``;
    without a model answer, ``POINTS_ONLY_FEATURES``). ``material_recall``: the share of the
    content words of the question's correct answers (reference, key points, model answer) the
    answer says; ``length_share``: the answer's own words over the reference's.

    Up to a full answer's share of the material (``material_full``), saying it and saying only what the
    reference backs are two ways to earn the same credit, joined as a soft "or" (a terse answer is
    judged on whether what it says is backed, and padding never raises a score); what the answer
    says of the material beyond that lifts it further. Being backed counts in full from
    ``calibration.BACKED_FULL`` of the reference's length, less below it (one backed word is not a
    terse answer), and counts for nothing beside a contradicted point (a terse answer that states a
    point the wrong way round is not terse and right). Both terms rise with what the answer says
    and neither falls with precision. Key-point coverage acts through the rubric's floor and the
    contradicted-core cap; as a term of this model it added nothing under cross-validation, but
    without a model answer (the correct answers are then terse) it does: ``with_model_answer``
    False adds the depth points' mean coverage (the core's, in a bank without depth points),
    ``calibration.POINTS_ONLY_FEATURES``."""
    contradicted = sum(p.contradicted for p in points) / len(points) if points else 0.0
    said = material_recall / material_full(with_model_answer)
    short = min(1.0, said)
    backed = 0.0 if contradicted else precision * min(1.0, length_share / calibration.BACKED_FULL)
    features = (contradicted, short + backed * (1.0 - short), max(0.0, said - 1.0))
    if with_model_answer:
        return features
    depth = [p for p in points if p.kind == "depth"] or list(points)
    return (*features, sum(p.value for p in depth) / len(depth) if depth else 0.0)


def key_point_share(features: tuple[float, ...], with_model_answer: bool = True) -> float:
    """The share from ``anchored_features``, with the constants of a question with a model answer or
    without one."""
    if with_model_answer:
        intercept, coefficients = calibration.ANCHORED_INTERCEPT, calibration.ANCHORED_COEFFICIENTS
    else:
        intercept, coefficients = calibration.POINTS_ONLY_INTERCEPT, calibration.POINTS_ONLY_COEFFICIENTS
    value = intercept + sum(c * x for c, x in zip(coefficients, features))
    return min(1.0, max(0.0, value))


def contradicted_core(points: Sequence[PointCoverage]) -> bool:
    return any(p.contradicted and p.kind != "depth" for p in points)

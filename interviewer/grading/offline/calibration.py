"""The offline grader's fitted numbers: a linear map from alignment features to a score share.

share = INTERCEPT + sum(coefficient * feature), clipped to 0..1, times 10 for the 0-10 score.

Produced by ``benchmarks/fit_offline_calibration.py`` (standard-library least squares) on the
1,192 human-graded answers of ``../shared/asag/mohler2011_dev.jsonl``; rerun it to reproduce
them. Leave-questions-out cross-validation of this fit: Pearson 0.663, RMSE 0.864 (0-5 scale).
Only these four numbers are fitted; nothing of the data set itself is shipped.
"""

FEATURES = ("sqrt_unit_coverage", "precision", "log_new_words")
#: sqrt_unit_coverage: mean over reference units of the weighted share of their words the
#:   answer matches, square-rooted (covering half of a point earns more than half its credit);
#: precision: share of the answer's own content words (question words aside) backed by the reference;
#: log_new_words: log(1 + distinct content words the answer adds beyond the question).
INTERCEPT = 0.4600
COEFFICIENTS = (
    0.3425,  # sqrt_unit_coverage
    0.1712,  # precision
    0.0537,  # log_new_words
)

"""The offline grader's fitted numbers: a linear map from alignment features to a score share.

share = INTERCEPT + sum(coefficient * feature), clipped to 0..1, times 10 for the 0-10 score.

Produced by ``benchmarks/fit_offline_calibration.py`` (standard-library least squares), each
model on the development questions of its set only (``benchmarks/offline_data.py`` holds the
frozen split): the reference model on ``../shared/asag/mohler2011_dev.jsonl``, the key-point
model on ``benchmarks/dl_graded_answers.jsonl``. Rerun it to reproduce them and to see the
cross-validated figures. Nothing of either data set is shipped.
"""

FEATURES = ("sqrt_unit_coverage", "precision", "log_new_words")
#: sqrt_unit_coverage: mean over reference units of the weighted share of their words the
#:   answer matches, square-rooted (covering half of a point earns more than half its credit);
#: precision: share of the answer's own content words (question words aside) backed by the reference;
#: log_new_words: log(1 + distinct content words the answer adds beyond the question).
INTERCEPT = 0.4963
COEFFICIENTS = (
    0.3477,  # sqrt_unit_coverage
    0.1587,  # precision
    0.0337,  # log_new_words
)

#: The key-point model (``scoring``): questions with core (and depth) points.
KEY_POINT_FEATURES = ("core", "depth_times_core", "contradicted_share", "precision")
#: core: mean coverage of the core points (a contradicted point counts 0);
#: depth_times_core: mean coverage of the depth points, times core (depth lifts a correct answer);
#: contradicted_share: share of the key points stated the wrong way round;
#: precision: share of the answer's own content words backed by the reference and points.
KEY_POINT_INTERCEPT = 0.2338
KEY_POINT_COEFFICIENTS = (
    -0.1037,  # core
    0.9317,  # depth_times_core
    -0.9446,  # contradicted_share
    0.2001,  # precision
)

"""The offline grader's fitted numbers: a linear map from alignment features to a score share.

Produced by ``benchmarks/fit_offline_calibration.py`` on ``../shared/asag/mohler2011_dev.jsonl``.
"""

FEATURES = ("recall", "unit_coverage", "precision", "log_new_words", "log_reference_weight")
INTERCEPT = 0.5
COEFFICIENTS = (0.3, 0.1, 0.1, 0.0, 0.0)

"""The offline grader's fitted numbers: a linear map from alignment features to a score share.

share = INTERCEPT + sum(coefficient * feature), clipped to 0..1, times 10 for the 0-10 score.

Produced by ``benchmarks/fit_offline_calibration.py`` (standard library), each model fitted so
that the score the grader gives (after the rubric's floor, the checks' caps and the clip) misses
the graded scores least (absolute error on the deep-learning set, squared on Mohler's), on the
development questions of its set only (``benchmarks/offline_data.py`` holds the
frozen split): the reference model on ``../shared/asag/mohler2011_dev.jsonl``, the anchored
model on ``benchmarks/dl_graded_answers.jsonl`` (with its model answers, and without them).
Rerun it to reproduce them and to see the cross-validated figures. Nothing of either data set is
shipped.
"""

FEATURES = ("sqrt_unit_coverage", "precision", "log_new_words")
#: sqrt_unit_coverage: mean over reference units of the weighted share of their words the
#:   answer matches, square-rooted (covering half of a point earns more than half its credit);
#: precision: share of the answer's own content words (question words aside) backed by the reference;
#: log_new_words: log(1 + distinct content words the answer adds beyond the question).
#: The weight of a reference word the question already contains, in this model (saying the
#: question back earns little): chosen by the fit script from a grid by cross-validated RMSE on
#: the Mohler dev questions, checked by a nested cross-validation (``features.QUESTION_WORD_WEIGHT``
#: is the anchored models').
REFERENCE_QUESTION_WORD_WEIGHT = 0.0
INTERCEPT = 0.5297
COEFFICIENTS = (
    0.2854,  # sqrt_unit_coverage
    0.2038,  # precision
    0.0483,  # log_new_words
)

#: The anchored model: questions with key points (``scoring``), with a model answer (the bank's:
#: ``ANCHORED_*``) or without one (a bank of key points alone: ``POINTS_ONLY_*``). With m the share
#:   of the stems of the question's correct answers (reference, key points, model answer; question
#:   words aside) that the answer says (not what it says only under a negation where they say it
#:   plainly, ``correct_answers.denied``; 0 for terms listed or shuffled), s = m / MATERIAL_FULL,
#:   and p the precision above (``scoring.anchored_features``): contradicted_share: as above;
#:   said_or_backed: min(1, s) + b * (1 - min(1, s)), saying the material or, short of it, saying
#:   only what the reference backs, b = p * min(1, the answer's own words / the reference's /
#:   BACKED_FULL), 0 beside a contradicted point; said_beyond: max(0, s - 1), the material said
#:   beyond MATERIAL_FULL. Core and depth coverage, and a count of the words that deny the correct
#:   answers, were terms too; under cross-validation they added nothing, so they went.
#: MATERIAL_FULL is fitted too: the fit script picks it from a grid by cross-validated MAE and
#: checks the choice by a nested cross-validation. The material is the correct answers' content
#: words (0.2 when function words, which no answer can be credited with, were in the count).
MATERIAL_FULL = 0.3
#: Being backed counts in full from this share of the reference's own words (by stem, question
#: words aside), so that one backed word is not read as a terse correct answer (without it, a
#: word of the reference scored 5.0 on every bank question; tests/test_offline_grader.py). The
#: largest value cross-validation does not mind: 0.25 and 0.5 score alike, 1.0 costs 0.004 of r.
BACKED_FULL = 0.5
ANCHORED_FEATURES = ("contradicted_share", "said_or_backed", "said_beyond")
ANCHORED_INTERCEPT = -0.5462
ANCHORED_COEFFICIENTS = (
    -1.1451,  # contradicted_share
    1.1028,  # said_or_backed
    0.5036,  # said_beyond
)
#: The same model for a question with key points and no model answer (the correct answers are then
#: the reference and the key points, terse, so the depth points' coverage is a term too):
#: fitted on the deep-learning set with its model answers left out, its own MATERIAL_FULL chosen
#: the same way. It replaced a model of core and depth coverage, precision and length (CV r 0.732,
#: MAE 1.80; held out 0.711 / 1.78; then 0.757 / 1.65, held out 0.747 / 1.64; offline-14, fitted on
#: the score given: 0.750 / 1.57, held out 0.743 / 1.54). Its MATERIAL_FULL is a close call: 0.2 by
#: cross-validation, 0.5 in most folds of the nested check (``fit_offline_calibration`` prints it).
POINTS_ONLY_FEATURES = (*ANCHORED_FEATURES, "depth")
POINTS_ONLY_MATERIAL_FULL = 0.2
POINTS_ONLY_INTERCEPT = -0.3787
POINTS_ONLY_COEFFICIENTS = (
    -1.1256,  # contradicted_share
    0.6164,  # said_or_backed
    0.0163,  # said_beyond
    0.7552,  # depth
)

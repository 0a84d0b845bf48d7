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
#: The weight of a reference word the question already contains, in this model (saying the
#: question back earns little): chosen by the fit script from a grid by cross-validated RMSE on
#: the Mohler dev questions, checked by a nested cross-validation (``features.QUESTION_WORD_WEIGHT``
#: is the key-point models').
REFERENCE_QUESTION_WORD_WEIGHT = 0.0
INTERCEPT = 0.5473
COEFFICIENTS = (
    0.3114,  # sqrt_unit_coverage
    0.1277,  # precision
    0.0425,  # log_new_words
)

#: The key-point model (``scoring``): questions with core (and depth) points.
KEY_POINT_FEATURES = ("core", "core_4", "depth", "contradicted_share", "precision", "log_new_words")
#: core: mean coverage of the core points (a contradicted point counts 0); core_4: its 4th power
#:   (the last core point counts most); depth: mean coverage of the depth points (the core's, in a
#:   bank without depth points); contradicted_share: share of the key points stated the wrong way
#:   round; precision and log_new_words: as for the reference model.
#: The rubric's floor (``grader.rubric_floor``) and the contradicted-core cap apply on top.
#: Fitted on the deep-learning set with its model answers left out (a bank without them). These are
#: an earlier fit: refitted on today's polarity (claims checked one by one), the model scores a
#: batch-norm answer to "What is dropout?" 2.5 and a correct one-point answer 2.7, too close for
#: common sense (tests/test_offline_grader.py), so the earlier constants stay until a refit keeps
#: them apart; the fit script's cross-validated figures for this model are the refit's.

KEY_POINT_INTERCEPT = -0.1582
KEY_POINT_COEFFICIENTS = (
    0.0059,  # core
    0.1390,  # core_4
    0.5966,  # depth
    -0.9672,  # contradicted_share
    0.2566,  # precision
    0.0794,  # log_new_words
)
#: The anchored model: questions with key points AND a model answer (the bank's). With m the share
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
#: checks the choice by a nested cross-validation.
MATERIAL_FULL = 0.2
#: Being backed counts in full from this share of the reference's own words (by stem, question
#: words aside), so that one backed word is not read as a terse correct answer (without it, a
#: word of the reference scored 5.0 on every bank question; tests/test_offline_grader.py). The
#: largest value cross-validation does not mind: 0.25 and 0.5 score alike, 1.0 costs 0.004 of r.
BACKED_FULL = 0.5
ANCHORED_FEATURES = ("contradicted_share", "said_or_backed", "said_beyond")
ANCHORED_INTERCEPT = -0.1363
ANCHORED_COEFFICIENTS = (
    -0.5166,  # contradicted_share
    0.6355,  # said_or_backed
    0.5065,  # said_beyond
)

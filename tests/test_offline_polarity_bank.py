"""Polarity on the shipped bank: the flipped claims found by trying it, and every key point flipped.

The whole-bank check flips each key point mechanically (drop its "not", or swap one word for its
opposite in ``polarity.ANTONYMS``), alone and followed by another point of the same question said
right, and counts the flipped claims that still get a tick. It is a ratchet: the count may only
go down (1,108 of 1,481 before clause pieces and opposite-aware anchoring; 582 after).
"""

import re

import pytest

from interviewer.bank import open_bank
from interviewer.grading.interface import GradingItem
from interviewer.grading.offline.grader import OfflineGrader
from interviewer.grading.offline.polarity import ANTONYMS
from interviewer.text.analysis import stem

GRADER = OfflineGrader()
#: Flipped claims on the shipped bank that may still be ticked covered (measured: 428 of 1,611; it was
#: 582 of 1,481 before a point's claims were checked one by one and the table grew, 432 before the
#: synonym lines cross-validation dropped).
TICKED_AT_MOST = 428
DROPPED = {"not": "", "no": "", "never": "always", "without": "with", "cannot": "can"}


@pytest.fixture(scope="module")
def questions():
    return {q.id: q for q in open_bank().questions}


def verdict(q, answer, point):
    item = GradingItem(q.question, answer, q.reference, q.key_points, q.id, q.topic,
                       point_kinds=q.point_kinds, model_answer=q.model_answer)
    return next(k.verdict for k in GRADER.grade_now(item).key_points if k.point == point)


def test_a_right_clause_beside_the_flipped_piece_does_not_hide_it(questions):
    # One sentence, two pieces: "only to the test data" flips the point; the piece about training
    # examples brushes it the right way round and used to cancel the contradiction (it got a tick).
    answer = ("So augmentation is applied only to the test data, it does not create new training examples, "
              "and it makes overfitting worse.")
    assert verdict(questions["dl-028"], answer, "Applied to training data only, not validation or test") == "contradicted"


def test_a_claim_the_model_answer_says_with_the_opposite_word_is_still_a_contradiction(questions):
    # The model answer says "gradients become very small in deep networks": 6 of the claim's 7
    # words, which used to count as the question's own words and clear the claim.
    point = "Gradients become very small in deep networks"
    assert verdict(questions["dl-007"], "Gradients become very large in deep networks.", point) == "contradicted"
    assert verdict(questions["dl-007"], "Gradients become very small in deep networks.", point) == "covered"


def test_an_opposite_word_flips_a_point_only_beside_what_the_point_says_it_of(questions):
    # "more" is the opposite of the point's "less", but it is said of the data, not of how
    # interpretable the models are: a strong answer lost a point to this (and 2 more like it).
    point = "Deep models are usually less interpretable than simpler ML models"
    costs = "It costs: deep models usually need far more labeled data, GPUs to train, and they're harder to interpret."
    assert verdict(questions["dl-002"], costs, point) != "contradicted"
    assert verdict(questions["dl-002"], "Deep models are usually more interpretable than simpler ML models.",
                   point) == "contradicted"
    assert verdict(questions["dl-002"], "Deep models are usually much more interpretable than simpler ML models.",
                   point) == "contradicted"


def test_a_claim_the_reference_negates_is_not_its_own_words(questions):
    point = "Connections do not form cycles"
    assert verdict(questions["dl-011"], "Connections do form cycles.", point) == "contradicted"
    assert verdict(questions["dl-011"], "Connections do not form cycles.", point) == "covered"


def test_a_points_not_is_only_dropped_by_a_clause_that_says_what_it_negates(questions):
    # The point's "not" negates "saturate"; a paraphrase that never mentions saturating does not deny it.
    answer = "ReLU just passes positive inputs through unchanged and clamps negatives to zero."
    assert verdict(questions["dl-006"], answer, "Gradient is 1 for positive inputs, so it does not saturate there") != "contradicted"
    flipped = "Gradient is 1 for positive inputs, so it does saturate there."
    assert verdict(questions["dl-006"], flipped, "Gradient is 1 for positive inputs, so it does not saturate there") == "contradicted"


def _opposite_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for line in ANTONYMS:
        sides = [side.split() for side in line.split("|")]
        for at, mine in enumerate(sides):  # each group against the next ("a | b | c": a-b, b-c, c-a)
            theirs = sides[(at + 1) % len(sides)]
            for number, word in enumerate(mine):
                words.setdefault(word, theirs[min(number, len(theirs) - 1)])
    return words


def flipped_versions(point: str) -> list[str]:
    """The point with its negation dropped, or with one word swapped for its opposite."""
    opposite = _opposite_words()
    words = point.split()
    versions = []
    for number, word in enumerate(words):
        bare = re.sub(r"\W+$", "", word)
        tail = word[len(bare):]
        if bare.lower() in DROPPED:
            swap = DROPPED[bare.lower()]
            versions.append(" ".join(words[:number] + ([swap + tail] if swap else []) + words[number + 1:]))
        elif bare.lower() in opposite and bare.lower() != "only":
            versions.append(" ".join(words[:number] + [opposite[bare.lower()] + tail] + words[number + 1:]))
    return [v.strip() for v in versions if v.strip()]


def test_flipped_key_points_across_the_bank_get_no_more_ticks_than_recorded(questions):
    tried = ticked = 0
    for q in questions.values():
        for point in q.key_points:
            for claim in flipped_versions(point):
                others = [None] + [p for p in q.key_points if p != point]
                for other in others:
                    answer = f"{claim}." if other is None else f"{claim}, and {other[0].lower()}{other[1:]}."
                    tried += 1
                    ticked += verdict(q, answer, point) == "covered"
    assert tried > 1000  # the bank and the table still give plenty of flips
    assert ticked <= TICKED_AT_MOST, f"{ticked} of {tried} flipped claims ticked covered (at most {TICKED_AT_MOST})"


@pytest.mark.parametrize(("qid", "point", "right", "wrong"), [
    # One claim of a point joined by "and", said alone (too little of the whole point to count).
    ("dl-026", "Replace the output head and use a smaller learning rate",
     "fine-tuning keeps training a pre-trained model, with a smaller learning rate than in pre-training",
     "fine-tuning keeps training a pre-trained model, with a much larger learning rate than in pre-training"),
    # A group of more than two opposites: linear against quadratic.
    ("dl-059", "Cost grows quadratically with sequence length",
     "every token is compared with every other, so the cost grows quadratically with sequence length",
     "every token is compared with every other, so the cost grows linearly with sequence length"),
    ("dl-043", "Decoder-only transformer with causal self-attention predicting the next token",
     "GPT is a decoder-only transformer with causal self-attention that predicts the next token",
     "GPT is an encoder-only transformer with bidirectional attention that predicts the next token"),
])
def test_a_sibling_term_in_place_of_the_points_is_a_contradiction(questions, qid, point, right, wrong):
    question = questions[qid]
    assert verdict(question, f"{right[0].upper()}{right[1:]}.", point) in ("covered", "partial")
    assert verdict(question, f"{wrong[0].upper()}{wrong[1:]}.", point) == "contradicted"


def test_a_claim_said_only_by_its_opposite_word_is_not_contradicted():
    from interviewer.grading.offline.polarity import conjuncts, find_contradiction
    from interviewer.grading.offline.index import RefWord

    point = "Replace the output head, and lower the learning rate"
    words = tuple(RefWord(w, (stem(w),), 1.0) for w in ("replace", "output", "head", "lower", "learning", "rate"))
    parts = conjuncts(words, point)
    assert [text for _, text in parts] == ["Replace the output head", "lower the learning rate"]
    claim, text = parts[1]
    matched = {w.stem: w.stem for w in claim}
    assert find_contradiction(claim, text, matched, "Use a higher learning rate.", part=True) is not None
    # "higher" alone, about something else, says nothing of the learning rate.
    assert find_contradiction(claim, text, matched, "Higher layers learn abstract features.", part=True) is None


def _score(q, answer):
    item = GradingItem(q.question, answer, q.reference, q.key_points, q.id, q.topic,
                       point_kinds=q.point_kinds, model_answer=q.model_answer)
    return GRADER.grade_now(item).score


def test_a_flipped_key_point_alone_scores_far_below_the_point_said_right_and_seldom_passes(questions):
    """Every key point of the bank flipped (as above) and given alone as the answer. Measured at
    offline-14: flipped mean 1.2, the points said right 4.7; 5 of 324 flipped claims pass, and 31
    of 491 points said right (those that cover a question's core alone: 29 at offline-12, whose
    synonym table lacked vector/embedding/representation, 31 at offline-7; the 2 are GloVe's
    "word embedding based on co-occurrence statistics" and its dot products). Before the pass was held
    for an answer short of both the core and the material, 40 flipped claims and 360 single points
    passed; before a contradicted point cost a terse answer its backed words, flips averaged 2.8."""
    flipped, right = [], []
    for q in questions.values():
        for point in q.key_points:
            right.append(_score(q, f"{point}."))
            flipped += [_score(q, f"{claim}.") for claim in flipped_versions(point)]
    assert sum(right) / len(right) - sum(flipped) / len(flipped) >= 2.5
    assert sum(score >= 5.0 for score in flipped) <= 5
    assert sum(score >= 5.0 for score in right) <= 31

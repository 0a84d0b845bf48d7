"""Polarity offline: an answer that states a key point the wrong way round gets ``contradicted``, never a tick."""

from interviewer.grading.interface import GradingItem
from interviewer.grading.offline.grader import CONTRADICTED_CORRECTNESS, OfflineGrader

GRADER = OfflineGrader()

BN_Q = "What is batch normalization?"
BN_REF = "Technique that normalizes activations in each layer to stabilize training."
BN_CORE = ("Normalizes the activations in each layer", "Used to stabilize training")
AUG_Q = "What is data augmentation?"
AUG_REF = "Artificially increasing the training set by applying transformations such as flipping and rotation."
AUG_CORE = ("Artificially increases the training dataset size", "Applies transformations to existing examples")
AUG_DEPTH = ("Applied to training data only, not validation or test",)


def item(question, reference, core, answer, depth=()):
    return GradingItem(question, answer, reference, core + depth,
                       point_kinds=("core",) * len(core) + ("depth",) * len(depth))


def verdicts(grade):
    return {k.point: k.verdict for k in grade.key_points}


def test_a_negated_core_point_is_contradicted_and_quoted():
    flipped = "Batch normalization normalizes the activations in each layer, but it does not stabilise training at all."
    g = GRADER.grade_now(item(BN_Q, BN_REF, BN_CORE, flipped))
    assert verdicts(g)[BN_CORE[1]] == "contradicted"
    assert verdicts(g)[BN_CORE[0]] == "covered"
    assert "does not stabilise training" in g.feedback and BN_CORE[1] in g.feedback
    assert g.criteria["correctness"] <= CONTRADICTED_CORRECTNESS
    assert "contradicted" in g.flags
    right = GRADER.grade_now(item(BN_Q, BN_REF, BN_CORE,
                                  "Batch normalization normalizes the activations in each layer, which stabilises training."))
    assert set(verdicts(right).values()) == {"covered"}
    assert right.score > g.score


def test_antonyms_and_flipped_quantifiers_contradict():
    answer = ("Data augmentation artificially decreases the training dataset size by removing transformations, "
              "and it is applied only to the test data.")
    g = GRADER.grade_now(item(AUG_Q, AUG_REF, AUG_CORE, answer, AUG_DEPTH))
    assert verdicts(g)[AUG_CORE[0]] == "contradicted"  # increases -> decreases
    assert verdicts(g)[AUG_DEPTH[0]] == "contradicted"  # training only -> only the test data
    assert "covered" not in [verdicts(g)[p] for p in (AUG_CORE[0], AUG_DEPTH[0])]


def test_a_contradicted_point_never_gets_a_tick_in_the_feedback():
    answer = "Batch normalization doesn't normalize the activations in each layer; it makes training unstable."
    g = GRADER.grade_now(item(BN_Q, BN_REF, BN_CORE, answer))
    contradicted = [k.point for k in g.key_points if k.verdict == "contradicted"]
    assert contradicted
    assert "Covered:" not in g.feedback or all(p not in g.feedback.split("Covered:")[1].split(".")[0] for p in contradicted)
    assert all(p not in g.covered for p in contradicted)


def test_negations_that_agree_with_the_point_are_not_contradictions():
    core = ("Connections do not form cycles", "Information flows forward from input to output")
    q, ref = "What is a feedforward neural network?", "A neural network where connections do not form cycles."
    for answer in ("A network whose connections don't form any cycles, so information only flows forward from input to output.",
                   "There are no cycles in the connections: information flows forward from the input to the output.",
                   "It is not only simple: the connections never form cycles and information flows forward to the output."):
        g = GRADER.grade_now(item(q, ref, core, answer))
        assert "contradicted" not in verdicts(g).values(), answer
    g = GRADER.grade_now(item(q, ref, core, "The connections form cycles, and information flows backward from output to input."))
    assert verdicts(g)[core[0]] == "contradicted"
    assert verdicts(g)[core[1]] == "contradicted"


def test_a_hedged_point_agrees_with_an_answer_that_says_not():
    """"rarely exactly to zero" and "without making them exactly zero" say the same thing (found
    trying the TUI: a correct L2 answer got "stated the wrong way round" and 3.2/10)."""
    core = ("Adds a penalty on the squared weights to the loss", "Shrinks weights toward zero but rarely exactly to zero")
    q, ref = "What is L2 regularization?", "Adds the squared weights to the loss, shrinking them toward zero."
    for hedge in ("rarely", "seldom", "hardly ever"):
        point = core[1].replace("rarely", hedge)
        answer = ("It adds a penalty on the squared weights to the loss. "
                  "It pushes the weights toward zero without making them exactly zero.")
        g = GRADER.grade_now(item(q, ref, (core[0], point), answer))
        assert verdicts(g)[point] == "covered", hedge


def test_a_hedge_is_a_word_not_a_stem():
    """"Generates" shares its stem with the hedge "generally": "decoder-only" beside it is no
    flipped quantifier. A real hedge said as an absolute still is."""
    q, ref = "What is GPT?", "A generative pre-trained transformer language model."
    point = "Generates text one token at a time, feeding outputs back in"
    answer = "A decoder-only transformer: it generates text one token at a time, feeding its outputs back in."
    assert verdicts(GRADER.grade_now(item(q, ref, (point,), answer)))[point] == "covered"
    hedged = "Usually generates text one token at a time"
    assert verdicts(GRADER.grade_now(item(q, ref, (hedged,), "It always generates text one token at a time.")))[hedged] == "contradicted"
    assert verdicts(GRADER.grade_now(item(q, ref, (hedged,), "It usually generates text one token at a time.")))[hedged] == "covered"


def test_a_points_not_is_denied_only_by_most_of_the_words_it_negates():
    """"no training examples of those classes": a clause that says "classes" (and "of", "those")
    plainly does not deny it; one that says the training examples does."""
    q, ref = "What is zero-shot learning?", "Recognising classes never seen in training, from side information."
    point = "Uses no training examples of those classes"
    right = "It classifies unseen classes through side information like text descriptions of those classes."
    assert verdicts(GRADER.grade_now(item(q, ref, (point,), right)))[point] != "contradicted"
    wrong = "It uses training examples of those classes."
    assert verdicts(GRADER.grade_now(item(q, ref, (point,), wrong)))[point] == "contradicted"


def test_a_point_stated_right_elsewhere_is_not_contradicted():
    answer = ("Batch normalization normalizes the activations in each layer and stabilizes training; "
              "without it, deep networks are unstable to train.")
    g = GRADER.grade_now(item(BN_Q, BN_REF, BN_CORE, answer))
    assert "contradicted" not in verdicts(g).values()


def test_a_bank_question_reaches_the_grader_with_its_core_and_depth_points():
    from interviewer.practice.session import main_item
    from interviewer.questions import Question

    q = Question.with_points(BN_CORE, ("Uses mini-batch mean and variance",), id="q", question=BN_Q, reference=BN_REF)
    item = main_item(q)
    assert item.point_kinds == ("core", "core", "depth")
    core_only = GRADER.grade_now(item.__class__(**{**item.__dict__, "answer":
                                 "Batch normalization normalizes the activations in each layer, which stabilizes training."}))
    assert core_only.score >= 5.0  # every core point covered passes; the missing depth point does not sink it


def test_what_an_answer_says_only_under_a_negation_is_not_said_of_the_correct_answers():
    from interviewer.grading.offline.correct_answers import denied, material

    known = material("Dropout is used during training to prevent overfitting.", "It is disabled at inference.")
    assert denied("Dropout is used during training to prevent overfitting.", known) == frozenset()
    assert "overfit" in denied("Dropout does not prevent overfitting.", known)
    # said plainly elsewhere in the answer: said
    assert "overfit" not in denied("It does not cause overfitting; it prevents overfitting.", known)
    # what the correct answers themselves negate is not theirs to deny
    assert denied("It is not disabled at inference.", material("It is not disabled at training.")) == frozenset()


def test_the_correct_answers_material_is_their_content_words():
    # Function words ("is", "to", "at") can never be credited to an answer (its own words are
    # content words), so counting them only shrank every answer's share of the material.
    from interviewer.grading.offline.correct_answers import material

    known = material("Dropout is used during training to prevent overfitting.", "It is disabled at inference.")
    assert {"is", "to", "at", "it"}.isdisjoint(known.said)
    assert {"dropout", "overfit", "inferenc"} <= known.said

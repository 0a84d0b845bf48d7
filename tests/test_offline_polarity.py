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


def test_flip_evidence_counts_what_the_answer_denies_or_reverses_of_the_correct_answers():
    from interviewer.grading.offline.polarity import flip_evidence, material

    known = material("Dropout is used during training to prevent overfitting.", "Disabled at inference.")
    question = frozenset({"dropout"})
    assert flip_evidence("Dropout is used during training to prevent overfitting.", known, question) == 0
    assert flip_evidence("Dropout is not used during training.", known, question) >= 2  # used, training denied
    assert flip_evidence("Dropout causes overfitting.", known, question) == 1  # cause: prevent's opposite

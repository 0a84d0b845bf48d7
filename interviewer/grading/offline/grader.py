"""The offline grader: scores an answer from its reference and key points alone, instantly.

Score = one of two fitted models (``calibration``, ``scoring``) applied to the alignment of the
answer to the reference side (``features``): the reference model for a question with only a
reference, and the anchored model for one with key points (how much of the question's correct
answers it says, and whether what it says is backed; ``correct_answers``), with its constants
for a question with a model answer or for one without. Then the rubric's floor (every core
point covered, none contradicted: a pass) and the ceilings: a contradicted core point
(``polarity``) and the checks in ``checks`` (shuffled words, padding, text addressed to the
grader, ...). The verdicts,
evidence and feedback are read off the same alignment that produced the score.

Flags: every grade carries ``injection.find_injection_flags`` of the answer (the flags an LLM
grade of the same item carries), then the offline checks' own (``keyword-list``, ``padded``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from interviewer.grading.offline import calibration as calibration
from interviewer.grading.interface import (
    SCORE_MAX,
    VERDICT_CREDIT,
    FeedbackListener,
    Grade,
    GradingItem,
    KeyPointResult,
    failed_grade,
    zero_grade,
)
from interviewer.grading.injection import earlier_answer_flags, find_injection_flags
from interviewer.grading.offline.checks import (
    NO_LIMIT,
    Cap,
    addresses_grader,
    content_caps,
    is_non_answer,
    shuffled_material,
    strip_grader_directed,
)
from interviewer.grading.offline.confidence import offline_confidence
from interviewer.grading.offline.features import Alignment, Unit, align, features, prepare_reference, units_evidence
from interviewer.grading.offline.correct_answers import denied, length_share, material, material_overlap, said_in
from interviewer.grading.offline.polarity import Contradiction, flipped_readings
from interviewer.grading.offline.scoring import (
    PointCoverage,
    anchored_features,
    contradicted_core,
    key_point_share,
    material_full,
)
from interviewer.text.analysis import as_said, stem

VERSION = "offline-17"

#: A unit is "covered" from this share of its weighted words, "partial" from the next. COVERED_AT
#: is chosen by ``benchmarks/fit_offline_calibration.py`` (DL, cross-validated MAE: 0.45 1.25,
#: 0.5 1.27, 0.55 1.24, 0.6 1.19, 0.65 1.20, 0.7 1.21; nested check 1.21).
COVERED_AT = 0.6
PARTIAL_AT = 0.3
ADDRESSES_GRADER_CAP = 3.0
#: A core point stated the wrong way round holds the score at this (correctness at most 5).
CONTRADICTED_CORE_CAP = 5.0
CONTRADICTED_CORRECTNESS = 5.0
#: Covering every core point correctly passes (``rubric_floor``). Depth points lift the score
#: through the score model (the correct answers' words said beyond a full share), not through the
#: floor: a floor lifted by the depth points' credit (DEPTH_LIFT) also lifts the answers that
#: cover every point and add a serious error, and lowered agreement, cross-validated by question
#: on the DL set (DEPTH_LIFT 4.5: r 0.777, MAE 1.55, held out 0.737 / 1.59; 2.5: 0.794 / 1.52, held out
#: 0.771 / 1.53; 0: 0.804 / 1.52, held out 0.799 / 1.50).
USE_FLOOR = True
PASS_SCORE = 5.0
#: An answer to a question with key points passes by covering every core point (the floor) or by
#: saying a full answer's share of the correct answers (``scoring.material_full``); short of both,
#: the score model alone holds it under a pass.
SHORT_OF_PASS = 4.9
DEPTH_LIFT = 0.0
#: Polarity is looked for in a unit the answer touches at least this much.
POLARITY_FROM = 0.2
#: Polarity is also looked for in a point's anchors (``anchors``): kept only if cross-validation says so.
POLARITY_IN_ANCHORS = False
#: Checks after which the answer's overlap with the correct answers' words counts for nothing
#: (and the rubric's floor is limited, ``_may_pass``): terms listed, repeated or shuffled do not
#: say what the correct answers say.
UNSAID_FLAGS = frozenset({"keyword-list", "word-salad", "repetition"})
#: Of those, the checks after which the answer says none of the correct answers' words in the
#: anchored score; repeated words need none, its terms count distinct stems.
LISTED_OR_SHUFFLED = frozenset({"keyword-list", "word-salad"})
#: A list of terms passes on the core only up to this many distinct words of its own.
LIST_PASS_WORDS = 15
FLOOR_FROM = 4.0


@dataclass(frozen=True)
class UnitVerdict:
    unit: Unit
    coverage: float
    evidence: tuple[str, ...]
    #: Set when the answer states the unit the wrong way round.
    contradiction: Contradiction | None = None

    @property
    def verdict(self) -> str:
        if self.contradiction is not None:
            return "contradicted"
        if self.coverage >= COVERED_AT:
            return "covered"
        return "partial" if self.coverage >= PARTIAL_AT else "missed"

    @property
    def credit(self) -> float:
        return VERDICT_CREDIT[self.verdict]


def calibrated_share(alignment: Alignment) -> float:
    """The calibration's estimate of the human score share (0-1)."""
    value = calibration.INTERCEPT + sum(
        c * x for c, x in zip(calibration.COEFFICIENTS, features(alignment))
    )
    return min(1.0, max(0.0, value))


def _contradiction(unit: Unit, alignment: Alignment, answer: str, matched: dict[str, str],
                   correct: tuple[str, ...] = ()) -> Contradiction | None:
    """How the answer states the unit the wrong way round, if it does; never by a clause that the
    question's own correct answers (``correct``: reference, model answer) say."""
    for found in flipped_readings(unit, matched, answer, POLARITY_IN_ANCHORS):
        if found is not None and not said_in(found.claim, correct):
            return found
    return None


def _verdicts(alignment: Alignment, answer: str, correct: tuple[str, ...] = ()) -> list[UnitVerdict]:
    """Each unit's verdict; key points (only they) are checked for polarity."""
    matched = {key: stem(surface) for key, (score, surface) in alignment.matches.items() if score > 0}
    verdicts = []
    for unit, (coverage, evidence) in zip(alignment.reference.units, units_evidence(alignment)):
        flipped = None
        if unit.is_key_point and coverage >= POLARITY_FROM:
            flipped = _contradiction(unit, alignment, answer, matched, correct)
        verdicts.append(UnitVerdict(unit, coverage, tuple(as_said(w, answer) for w in evidence), flipped))
    return verdicts


def _point_coverages(verdicts: list[UnitVerdict]) -> list[PointCoverage]:
    return [PointCoverage(v.unit.kind, v.coverage, v.contradiction is not None) for v in verdicts if v.unit.is_key_point]


def _criteria(alignment: Alignment, share: float, cap: float, caps: tuple[Cap, ...]) -> dict[str, float]:
    coverage = alignment.mean_unit_coverage
    ref_words = max(4, len(alignment.reference.words))
    elaboration = min(1.0, alignment.new_content_words / ref_words)
    limit = min(SCORE_MAX, cap)
    if any(c.flag in ("keyword-list", "word-salad", "repetition") for c in caps):
        communication = 4.0
    elif len(alignment.answer_tokens) < 4:
        communication = 6.0
    else:
        communication = 9.0  # spoken style, fillers and typos are not held against anyone
    values = {
        "correctness": min(limit, 10 * (0.5 * share + 0.5 * alignment.precision)),
        "completeness": min(limit, 10 * coverage),
        "depth": min(limit, 10 * coverage**0.5 * elaboration),
        "communication": communication,
    }
    return {k: round(v, 1) for k, v in values.items()}


def _feedback(score: float, verdicts: tuple[UnitVerdict, ...], caps: tuple[Cap, ...], has_key_points: bool) -> str:
    """Prose that adds to the key-point checklist shown beside it (which words earned credit, what
    to do next), rather than repeating each point."""
    shown = [v for v in verdicts if v.unit.is_key_point] if has_key_points else verdicts
    noun = "key points" if has_key_points else "parts of the reference answer"
    by_verdict: dict[str, list[UnitVerdict]] = {"covered": [], "partial": [], "missed": [], "contradicted": []}
    for v in shown:
        by_verdict[v.verdict].append(v)
    covered, partial, missed = by_verdict["covered"], by_verdict["partial"], by_verdict["missed"]
    sentences = [f"It covers {len(covered)} of {len(shown)} {noun}"
                 + (f" and touches on {len(partial)} more." if partial else ".")]
    for v in shown:
        if v.contradiction is not None:
            sentences.append(f'Stated the wrong way round: "{v.contradiction.claim}" contradicts "{v.unit.text}".')
    credited = list(dict.fromkeys(word for v in covered + partial for word in v.evidence))
    if credited:
        sentences.append(f"Credit came from your words: {', '.join(credited[:8])}.")
    if partial:
        sentences.append("Where a point is only touched on, say how and why it works, not only its name.")
    if missed:
        one = len(missed) == 1
        sentences.append(f"To score higher, add the {'point' if one else f'{len(missed)} points'} marked missed "
                         "in your own words; the reference answer shows one way to put "
                         f"{'it' if one else 'them'}.")
    for cap in caps:
        if cap.limit >= NO_LIMIT:
            sentences.append(f"Worth improving: {cap.reason}.")
        elif score <= cap.limit + 1e-9:
            sentences.append(f"Score held at {cap.limit:g} or less because {cap.reason}.")
    if not missed and not partial and not caps and not by_verdict["contradicted"]:
        sentences.append("Nothing important is missing.")
    return " ".join(sentences)


@lru_cache(maxsize=1024)
def _points_by_text(key_points: tuple[str, ...]) -> dict[str, str]:
    """Key points by the text their units show (spaces folded, final full stop dropped).
    Read-only: the dict is shared by every grade of the item."""
    return {" ".join(p.split()).rstrip("."): p for p in key_points}


def _zero(item: GradingItem, feedback: str, flags: tuple[str, ...] = ()) -> Grade:
    grade = zero_grade("offline", VERSION, feedback, item.key_points, flags=flags)
    return grade.with_notes("hint used") if item.hinted_points else grade


@dataclass(frozen=True)
class Analysis:
    """Everything the offline score of one answer rests on."""

    #: None when there is nothing to grade (empty, or a stock non-answer).
    alignment: Alignment | None
    verdicts: tuple[UnitVerdict, ...]
    caps: tuple[Cap, ...]
    #: The highest score (0-10) the key-point rubric and the checks allow.
    ceiling: float
    #: ``find_injection_flags`` of the answer.
    injection_flags: tuple[str, ...] = ()
    #: The score model's inputs (key-point features, or the reference model's) and its share (0-1).
    inputs: tuple[float, ...] = ()
    share: float = 0.0
    #: The lowest score (0-10) the rubric grants: covering every core point correctly passes.
    floor: float = 0.0

    @property
    def addressed_grader(self) -> bool:
        return addresses_grader(self.injection_flags)

    @property
    def contradicted_core(self) -> bool:
        return contradicted_core(_point_coverages(list(self.verdicts)))

    @property
    def score(self) -> float:
        return round(min(max(self.share * SCORE_MAX, self.floor), self.ceiling), 1)


def analyse(item: GradingItem, injection: tuple[str, ...] | None = None) -> Analysis:
    """Align an answer to its reference and run the checks; the score is read off the result.

    ``injection``: the answer's ``find_injection_flags``, when the caller has them already."""
    if injection is None:
        injection = find_injection_flags(item.answer)
    addressed = addresses_grader(injection)
    text = strip_grader_directed(item.answer) if addressed else item.answer
    if not item.answer.strip() or is_non_answer(text):
        return Analysis(None, (), (), 0.0, injection)
    reference = prepare_reference(item.question, item.reference, tuple(item.key_points), tuple(item.point_kinds),
                                   item.model_answer)
    alignment = align(reference, text)
    verdicts = _verdicts(alignment, text, (item.reference, item.model_answer))
    caps = content_caps(alignment, text)
    if addressed:
        # No flag of its own: the injection flags on the grade say how it speaks to the grader.
        caps.append(Cap(ADDRESSES_GRADER_CAP, None,
                        "part of it speaks to the grader instead of answering; that part earns nothing"))
    ceiling = SCORE_MAX
    points = _point_coverages(verdicts)
    if points:
        with_model_answer = bool(item.model_answer.strip())
        known = material(item.reference, *item.key_points, item.model_answer)
        overlap = material_overlap(alignment, known, denied(text, known))
        if shuffled_material(alignment, text, *overlap):
            caps.append(Cap(3.0, "word-salad", "the model answer's words appear shuffled, not as explanations"))
        precision = alignment.precision * _backing_read(caps, alignment)
        if any(c.flag in LISTED_OR_SHUFFLED for c in caps):
            overlap = (0.0, 0.0)  # words that are not sentences say none of the correct answers
        inputs = anchored_features(points, precision, overlap[1], length_share(alignment, item.reference),
                                   with_model_answer)
        share = key_point_share(inputs, with_model_answer)
        floor = rubric_floor(verdicts) if USE_FLOOR and _may_pass(caps, alignment) else 0.0
        if not floor and overlap[1] < material_full(with_model_answer):
            # The ceiling holds whatever the score model's constants (a fit sees it); the feedback
            # says so only where it holds the score.
            ceiling = SHORT_OF_PASS
            if share * SCORE_MAX > SHORT_OF_PASS:
                caps.append(Cap(SHORT_OF_PASS, None,
                                "it neither covers every core point nor says enough of a full answer"))
        if contradicted_core(points):
            caps.append(Cap(CONTRADICTED_CORE_CAP, "contradicted",
                            "it states a core point the wrong way round"))
    else:
        inputs = features(alignment)
        share = calibrated_share(alignment)
        floor = 0.0
    for cap in caps:
        ceiling = min(ceiling, cap.limit)
    return Analysis(alignment, tuple(verdicts), tuple(caps), ceiling, injection, inputs, share, floor)


def _backing_read(caps: list[Cap], alignment: Alignment) -> float:
    """How much of an answer's backed words count: none of shuffled words, and of a long list of
    terms only LIST_PASS_WORDS of them (it names points without saying them). Repeated words count
    once (the anchored score's terms count distinct stems)."""
    flags = {c.flag for c in caps}
    if "word-salad" in flags:
        return 0.0
    if "keyword-list" in flags and alignment.new_content_words > LIST_PASS_WORDS:
        return LIST_PASS_WORDS / alignment.new_content_words
    return 1.0


def _may_pass(caps: list[Cap], alignment: Alignment) -> bool:
    """Whether covering the core may pass: not for shuffled or repeated words, nor for a long list
    of terms (a short one, like many a reference, may)."""
    flags = {c.flag for c in caps}
    if flags & (UNSAID_FLAGS - {"keyword-list"}):
        return False
    return "keyword-list" not in flags or alignment.new_content_words <= LIST_PASS_WORDS


def rubric_floor(verdicts: list[UnitVerdict]) -> float:
    """Every core point covered and nothing contradicted: at least PASS_SCORE, lifted by up to
    DEPTH_LIFT by the depth points' credit. Otherwise 0 (the score model alone)."""
    keyed = [v for v in verdicts if v.unit.is_key_point]
    if any(v.verdict == "contradicted" for v in keyed):
        return 0.0
    core = [v for v in keyed if v.unit.kind != "depth"]
    depth = [v for v in keyed if v.unit.kind == "depth"]
    if not core or any(v.verdict != "covered" for v in core):
        return 0.0
    depth_credit = sum(v.credit for v in depth) / len(depth) if depth else 1.0
    return PASS_SCORE + DEPTH_LIFT * depth_credit


class OfflineGrader:
    """Grades from the reference answer and key points; no network, about a millisecond an answer."""

    name = "offline"
    version = VERSION

    async def grade(self, item: GradingItem, on_feedback: FeedbackListener | None = None) -> Grade:
        grade = self.grade_now(item)
        if on_feedback is not None and grade.feedback:
            on_feedback(grade.feedback)
        return grade

    def grade_now(self, item: GradingItem) -> Grade:
        """The grade, with how sure it is (``confidence.offline_confidence``) unless it failed."""
        grade = self._grade_now(item)
        return grade if grade.failed else replace(grade, confidence=offline_confidence(item, grade))

    def _grade_now(self, item: GradingItem) -> Grade:
        own_flags = find_injection_flags(item.answer)
        flags = own_flags + earlier_answer_flags(item)
        if not item.answer.strip():
            return _zero(item, "No answer was given.", flags)
        if not item.has_reference:
            failed = failed_grade(self.name, VERSION, "offline grading needs a reference answer or key points")
            return failed.with_flags(*flags)
        analysis = analyse(item, own_flags)
        alignment = analysis.alignment
        if alignment is None:
            message = "No answer was given"
            message += " (only words addressed to the grader)." if analysis.addressed_grader else "."
            return _zero(item, message, flags)

        score = analysis.score
        verdicts, caps = analysis.verdicts, analysis.caps
        criteria = _criteria(alignment, analysis.share, analysis.ceiling, caps)
        if analysis.contradicted_core:
            criteria["correctness"] = min(criteria["correctness"], CONTRADICTED_CORRECTNESS)
        grade = Grade(
            score=score,
            feedback=_feedback(score, verdicts, caps, alignment.reference.has_key_points),
            grader=self.name,
            grader_version=VERSION,
            criteria=criteria,
            key_points=self._key_point_results(item, verdicts),
            flags=tuple(dict.fromkeys((*flags, *(c.flag for c in caps if c.flag)))),
        )
        return grade.with_notes("hint used") if item.hinted_points else grade

    @staticmethod
    def _key_point_results(item: GradingItem, verdicts: tuple[UnitVerdict, ...]) -> tuple[KeyPointResult, ...]:
        if not item.key_points:
            return tuple(KeyPointResult(v.unit.text, v.verdict, ", ".join(v.evidence)) for v in verdicts)
        by_text = _points_by_text(tuple(item.key_points))
        found = {by_text.get(v.unit.text, v.unit.text): v for v in verdicts if v.unit.is_key_point}
        return tuple(
            KeyPointResult(point, found[point].verdict, ", ".join(found[point].evidence))
            if point in found
            else KeyPointResult(point, "missed", "")
            for point in item.key_points
        )

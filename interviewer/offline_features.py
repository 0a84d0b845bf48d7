"""Aligning an answer to its reference units, and the few features the offline score is made of.

The reference side (question, reference sentences, key points) is prepared once per item and
cached; an answer is then aligned word by word: each reference word takes the best-matching
answer word (same stem, likely typo, related form or synonym). Words already in the question
earn little ("question demoting"), generic words earn half. The same alignment gives the
score's features and the per-unit verdicts, so what the grader says is what it scored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from interviewer.text_analysis import (
    SENTENCE_MARKERS,
    clauses,
    is_content,
    is_generic,
    similarity,
    stem,
    tokens,
)

#: Weight of a reference word that the question already contains.
QUESTION_WORD_WEIGHT = 0.15
GENERIC_WORD_WEIGHT = 0.5


@dataclass(frozen=True)
class RefWord:
    surface: str
    stem: str
    weight: float


@dataclass(frozen=True)
class Unit:
    """One thing a good answer says: a key point, or a clause of the reference."""

    text: str
    words: tuple[RefWord, ...]
    is_key_point: bool

    @property
    def weight(self) -> float:
        return sum(w.weight for w in self.words)


@dataclass(frozen=True)
class PreparedReference:
    question_stems: frozenset[str]
    units: tuple[Unit, ...]
    #: Every reference word once (by stem), at its highest weight.
    words: tuple[RefWord, ...]
    total_weight: float


@dataclass(frozen=True)
class AnswerWord:
    surface: str
    stem: str
    in_question: bool


@dataclass(frozen=True)
class Alignment:
    """How an answer lines up with its reference: the evidence every number below comes from."""

    reference: PreparedReference
    answer_words: tuple[AnswerWord, ...]
    #: stem of a reference word -> (match strength 0-1, the answer word that matched)
    matches: dict[str, tuple[float, str]]
    recall: float
    unit_coverage: tuple[float, ...]
    precision: float
    new_content_words: int
    all_tokens: int
    function_word_share: float

    @property
    def mean_unit_coverage(self) -> float:
        cov = self.unit_coverage
        return sum(cov) / len(cov) if cov else 0.0


def _weight(stemmed: str, question_stems: frozenset[str]) -> float:
    weight = GENERIC_WORD_WEIGHT if is_generic(stemmed) else 1.0
    if stemmed in question_stems:
        weight *= QUESTION_WORD_WEIGHT
    return weight


def _unit(text: str, question_stems: frozenset[str], is_key_point: bool) -> Unit | None:
    seen: dict[str, RefWord] = {}
    for token in tokens(text):
        if is_content(token):
            s = stem(token)
            if s not in seen:
                seen[s] = RefWord(token, s, _weight(s, question_stems))
    if not seen:
        return None
    return Unit(text.strip().rstrip("."), tuple(seen.values()), is_key_point)


@lru_cache(maxsize=4096)
def prepare_reference(question: str, reference: str, key_points: tuple[str, ...]) -> PreparedReference:
    """Units and weighted words of one item's reference side (cached: banks repeat questions)."""
    question_stems = frozenset(stem(t) for t in tokens(question) if is_content(t))
    units: list[Unit] = []
    for text in clauses(reference):
        unit = _unit(text, question_stems, False)
        if unit is not None:
            units.append(unit)
    for text in key_points:
        unit = _unit(text, question_stems, True)
        if unit is not None:
            units.append(unit)
    words: dict[str, RefWord] = {}
    for unit in units:
        for word in unit.words:
            if word.stem not in words or words[word.stem].weight < word.weight:
                words[word.stem] = word
    total = sum(w.weight for w in words.values())
    return PreparedReference(question_stems, tuple(units), tuple(words.values()), total)


def _best_match(ref_stem: str, answer_stems: dict[str, str]) -> tuple[float, str]:
    surface = answer_stems.get(ref_stem)
    if surface is not None:
        return 1.0, surface
    best, best_surface = 0.0, ""
    for answer_stem, surface in answer_stems.items():
        score = similarity(ref_stem, answer_stem)
        if score > best:
            best, best_surface = score, surface
    return best, best_surface


def align(reference: PreparedReference, answer: str) -> Alignment:
    """Align one answer to a prepared reference."""
    all_tokens = tokens(answer)
    words = tuple(
        AnswerWord(t, s, s in reference.question_stems)
        for t in all_tokens
        if is_content(t)
        for s in (stem(t),)
    )
    answer_stems: dict[str, str] = {}
    for word in words:
        answer_stems.setdefault(word.stem, word.surface)
    matches = {w.stem: _best_match(w.stem, answer_stems) for w in reference.words}
    recall = (
        sum(w.weight * matches[w.stem][0] for w in reference.words) / reference.total_weight
        if reference.total_weight
        else 0.0
    )
    coverage = tuple(_unit_coverage(unit, matches) for unit in reference.units)
    new_stems = {w.stem for w in words if not w.in_question}
    ref_stems = [w.stem for w in reference.words]
    if new_stems:
        precision = sum(
            max((similarity(a, r) for r in ref_stems), default=0.0) for a in new_stems
        ) / len(new_stems)
    else:
        precision = 0.0
    function_words = sum(1 for t in all_tokens if t in SENTENCE_MARKERS)
    return Alignment(
        reference=reference,
        answer_words=words,
        matches=matches,
        recall=recall,
        unit_coverage=coverage,
        precision=precision,
        new_content_words=len(new_stems),
        all_tokens=len(all_tokens),
        function_word_share=function_words / len(all_tokens) if all_tokens else 0.0,
    )


def _unit_coverage(unit: Unit, matches: dict[str, tuple[float, str]]) -> float:
    total = unit.weight
    if total <= 0:
        return 0.0
    return sum(w.weight * matches[w.stem][0] for w in unit.words) / total


def features(alignment: Alignment) -> tuple[float, ...]:
    """The calibration's inputs, in the order of ``offline_calibration.FEATURES``."""
    return (
        alignment.recall,
        alignment.mean_unit_coverage,
        alignment.precision,
        math.log1p(alignment.new_content_words),
        math.log1p(alignment.reference.total_weight),
    )

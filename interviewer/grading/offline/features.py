"""Aligning an answer to its reference units, and the few features the offline score is made of.

The reference side (question, reference clauses, key points) is prepared once per item and
cached. An answer is aligned word by word: each reference word takes the best-matching answer
word (same stem, likely typo, related form or synonym). Words already in the question earn
little ("question demoting"), generic words earn half, words in parentheses are optional
detail. The same alignment gives the score's features and the per-unit verdicts, so what the
grader says is what it scored. Speed: the reference side is flattened into lookup tables once
(``offline_index.ReferenceIndex``), and what each answer token means to it is kept, so aligning
an answer is mostly dictionary lookups.
"""

from __future__ import annotations

import math
import operator
import re
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import filterfalse

from interviewer.grading.offline import calibration
from interviewer.grading.offline.anchors import (
    ANCHOR_AT, ANCHOR_OWN_WORDS, CORE_IN_REFERENCE_AT, CORE_OWN_WORDS, best_anchor, held_share)
from interviewer.grading.offline.index import (  # AnswerWord, RefWord, Unit: part of this API
    AnswerWord, ReferenceIndex, RefWord, TokenInfo, Unit)
from interviewer.text.analysis import FILLERS, clauses, is_content, is_generic, stem, tokens

#: Weight of a reference word that the question already contains, for a question with key points
#: (the reference model's, fitted on its own: ``calibration.REFERENCE_QUESTION_WORD_WEIGHT``).
QUESTION_WORD_WEIGHT = 0.15
GENERIC_WORD_WEIGHT = 0.5
#: Weight of a word in parentheses: an elaboration, not the point itself.
ASIDE_WEIGHT = 0.5

#: Where key points are anchored (``anchors``); switches for ablation by cross-validation.
ANCHOR_IN_REFERENCE = True
ANCHOR_IN_MODEL_ANSWER = True

_ALTERNATIVES_RE = re.compile(r"\s+/\s+")
_SLASH_WORDS_RE = re.compile(r"\b([A-Za-z][\w+#-]*)/(?=[A-Za-z])")
_ASIDE_RE = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class PreparedReference:
    question_stems: frozenset[str]
    units: tuple[Unit, ...]
    #: Every reference slot once (by first stem), at its highest weight.
    words: tuple[RefWord, ...]
    total_weight: float
    #: stem -> positions in the reference's running text (for the word-order check).
    positions: dict[str, tuple[int, ...]]
    #: True when the reference is written in sentences (not a list of terms).
    sentence_like: bool
    #: Pairs of neighbouring word stems in the reference's clauses and key points.
    bigrams: frozenset[tuple[str, str]]
    #: What ``align`` looks up for every answer, built once with the reference.
    index: ReferenceIndex | None = field(default=None, compare=False, repr=False)
    #: The question's alternatives ("LIFO or FIFO") that the reference names: the answer to pick.
    choices: frozenset[str] = frozenset()

    @property
    def has_key_points(self) -> bool:
        return any(u.is_key_point for u in self.units)


@dataclass(frozen=True)
class Alignment:
    """How an answer lines up with its reference: the evidence every number comes from."""

    reference: PreparedReference
    answer_tokens: tuple[str, ...]
    answer_words: tuple[AnswerWord, ...]
    #: first stem of a reference slot -> (match strength 0-1, the answer word that matched)
    matches: dict[str, tuple[float, str]]
    recall: float
    unit_coverage: tuple[float, ...]
    #: Share of the answer's own content words (by stem, question words aside) found in the reference.
    precision: float
    new_content_words: int
    #: answer stem (not in the question) -> how well the reference backs it (0-1)
    support: dict[str, float]
    #: Per unit, the index of its best-covered option (the first of equals).
    best_options: tuple[int, ...] = field(default=(), compare=False, repr=False)

    def supported_token_share(self) -> float:
        """Like ``precision`` but counting every occurrence: repeated padding weighs in full."""
        own = [w for w in self.answer_words if not w.in_question]
        return sum(self.support[w.stem] for w in own) / len(own) if own else 0.0

    @property
    def mean_unit_coverage(self) -> float:
        cov = self.unit_coverage
        return sum(cov) / len(cov) if cov else 0.0


def _weight(stems: tuple[str, ...], question_stems: frozenset[str], aside: bool, question_weight: float) -> float:
    weight = GENERIC_WORD_WEIGHT if all(is_generic(s) for s in stems) else 1.0
    if any(s in question_stems for s in stems):
        weight *= question_weight
    return weight * (ASIDE_WEIGHT if aside else 1.0)


def _slots(text: str, question_stems: frozenset[str], question_weight: float) -> tuple[RefWord, ...]:
    """Content-word slots of a phrase; ``a/b`` is one slot, words in (...) weigh half, and words of
    the question ``question_weight``."""
    marked = _SLASH_WORDS_RE.sub(r"\1 SLASHALT ", text)
    marked = _ASIDE_RE.sub(lambda m: " ASIDEOPEN " + m.group(1) + " ASIDECLOSE ", marked)
    slots: list[RefWord] = []
    seen: set[str] = set()
    aside = join_next = False
    for token in tokens(marked):
        if token in ("asideopen", "asideclose"):
            aside = token == "asideopen"
            continue
        if token == "slashalt":
            join_next = True
            continue
        if not is_content(token):
            join_next = False
            continue
        s = stem(token)
        if join_next and slots:
            last = slots[-1]
            if s not in last.stems:
                stems = (*last.stems, s)
                weight = _weight(stems, question_stems, aside, question_weight)
                slots[-1] = RefWord(f"{last.surface}/{token}", stems, weight)
            join_next = False
            continue
        if s in seen:
            continue
        seen.add(s)
        slots.append(RefWord(token, (s,), _weight((s,), question_stems, aside, question_weight)))
    return tuple(slots)


def _unit(text: str, question_stems: frozenset[str], question_weight: float, kind: str,
          anchor_sources: tuple[tuple[AnchorClause, ...], ...] = (),
          others: frozenset[str] = frozenset()) -> Unit | None:
    """A unit; a key point also takes, from each source, the clause anchoring it (``anchors``),
    without the words only the other key points (``others``: their stems) say."""
    is_key_point = kind != "reference"
    pieces = _ALTERNATIVES_RE.split(text) if is_key_point else [text]
    made = [(p, o) for p, o in ((p, _slots(p, question_stems, question_weight)) for p in pieces) if o]
    if not made:
        return None
    own_options = len(made)
    if is_key_point:
        for number, source in enumerate(anchor_sources):
            if kind == "core" and number == 0:  # the reference: it says every core point somehow
                found = _anchor(made, source, CORE_IN_REFERENCE_AT, CORE_OWN_WORDS)
            else:
                found = _anchor(made, source)
            if found is not None and found[0] not in (p for p, _ in made):
                own = {s for _, option in made for w in option for s in w.stems}
                kept = tuple(w for w in found[1] if own.intersection(w.stems) or others.isdisjoint(w.stems))
                if kept:
                    made.append((found[0], kept))
    return Unit(" ".join(text.split()).rstrip("."), tuple(o for _, o in made), is_key_point, kind,
                tuple(p for p, _ in made), own_options)


#: A clause a point may be anchored in: (its text, its slots, its stems, its words not in the question).
AnchorClause = tuple[str, tuple["RefWord", ...], frozenset[str], int]


def _anchor_clauses(text: str, question_stems: frozenset[str]) -> tuple[AnchorClause, ...]:
    made = []
    for clause in clauses(text):
        slots = _slots(clause, question_stems, QUESTION_WORD_WEIGHT)
        if slots:
            stems = frozenset(s for w in slots for s in w.stems)
            made.append((clause, slots, stems, sum(1 for w in slots if w.stem not in question_stems)))
    return tuple(made)


def _anchor(made: list[tuple[str, tuple[RefWord, ...]]], source: tuple[AnchorClause, ...], at: float = ANCHOR_AT,
            own_words: int = ANCHOR_OWN_WORDS) -> tuple[str, tuple[RefWord, ...]] | None:
    """The clause of ``source`` anchoring the best of a point's phrasings, as a phrasing of its own."""
    best: tuple[float, int] | None = None
    views = [(c[0], c[2], c[3]) for c in source]
    for _, option in made:
        number = best_anchor([(w.stems, w.weight) for w in option], views, at, own_words)
        if number is not None:
            value = held_share([(w.stems, w.weight) for w in option], source[number][2])
            if best is None or value > best[0]:
                best = (value, number)
    return None if best is None else (source[best[1]][0], source[best[1]][1])


@lru_cache(maxsize=4096)
def prepare_reference(question: str, reference: str, key_points: tuple[str, ...],
                      point_kinds: tuple[str, ...] = (), model_answer: str = "") -> PreparedReference:
    """Units and weighted words of one item's reference side (cached: banks repeat questions).

    ``point_kinds``: "core" or "depth" for each key point (missing ones are core).
    ``model_answer``: a strong answer; with the reference, where key points are anchored."""
    question_stems = frozenset(stem(t) for t in tokens(question) if is_content(t))
    question_weight = QUESTION_WORD_WEIGHT if key_points else calibration.REFERENCE_QUESTION_WORD_WEIGHT
    reference_stems = frozenset(stem(t) for t in tokens(reference) if is_content(t))
    if reference_stems and reference_stems <= question_stems:
        question_weight = 1.0  # the reference only picks among the question's words: "A stack is LIFO."
    units = [u for u in (_unit(t, question_stems, question_weight, "reference") for t in clauses(reference)) if u]
    kinds = tuple(point_kinds) + ("core",) * (len(key_points) - len(point_kinds))
    #: the reference's clauses first, then the model answer's (either may be empty)
    sources = tuple(_anchor_clauses(text, question_stems) for text in
                    ((reference if ANCHOR_IN_REFERENCE else ""), (model_answer if ANCHOR_IN_MODEL_ANSWER else "")))
    point_stems = [frozenset(stem(t) for t in tokens(p) if is_content(t)) for p in key_points]
    others = [frozenset().union(*point_stems[:i], *point_stems[i + 1:]) for i in range(len(key_points))]
    units += [u for u in (_unit(t, question_stems, question_weight, k, sources, others[i])
                          for i, (t, k) in enumerate(zip(key_points, kinds))) if u]
    words: dict[str, RefWord] = {}
    positions: dict[str, list[int]] = {}
    position = 0
    for unit in units:
        for option in unit.options:
            for word in option:
                if word.stem not in words or words[word.stem].weight < word.weight:
                    words[word.stem] = word
                for s in word.stems:
                    positions.setdefault(s, []).append(position)
                position += 1
            position += 3  # options and units are not neighbours
    total = sum(w.weight for w in words.values())
    reference_tokens = tokens(reference)
    markers = sum(1 for t in reference_tokens if not is_content(t))
    return PreparedReference(
        question_stems=question_stems,
        units=tuple(units),
        words=tuple(words.values()),
        total_weight=total,
        positions={k: tuple(v) for k, v in positions.items()},
        sentence_like=bool(key_points) or (len(reference_tokens) >= 6 and markers >= 2),
        bigrams=frozenset(
            pair for text in (*clauses(reference), *key_points, *clauses(model_answer)) for pair in stem_bigrams(text)
        ),
        index=ReferenceIndex(words.values(), units, question_stems),
        choices=_alternatives(question) & reference_stems,
    )


def _alternatives(question: str) -> frozenset[str]:
    """The stems of the content words either side of each "or" in a question ("LIFO or FIFO")."""
    words = tokens(question)
    found: set[str] = set()
    for at, word in enumerate(words):
        if word == "or":
            before = [w for w in words[:at] if is_content(w)][-1:]
            after = [w for w in words[at + 1:] if is_content(w)][:1]
            found.update(stem(w) for w in before + after)
    return frozenset(found)


def stem_bigrams(text: str) -> list[tuple[str, str]]:
    """Neighbouring word stems of a text, spoken fillers skipped."""
    stems = list(map(stem, filterfalse(FILLERS.__contains__, tokens(text))))
    return list(zip(stems, stems[1:]))


def _option_coverage(option: tuple[RefWord, ...], matches: dict[str, tuple[float, str]]) -> float:
    total = sum(w.weight for w in option)
    if total <= 0:
        return 0.0
    return sum(w.weight * _match(w, matches)[0] for w in option) / total


def _match(word: RefWord, matches: dict[str, tuple[float, str]]) -> tuple[float, str]:
    found = matches.get(word.stem)
    return found if found is not None else (0.0, "")


_the_word = operator.itemgetter(0)
_the_stem = operator.itemgetter(1)


def unit_evidence(unit: Unit, alignment: Alignment) -> tuple[float, list[str]]:
    """A unit's coverage and the answer words that matched it (best option)."""
    best_option = max(unit.options, key=lambda o: _option_coverage(o, alignment.matches))
    coverage = _option_coverage(best_option, alignment.matches)
    evidence = [m[1] for w in best_option for m in (_match(w, alignment.matches),) if m[0] > 0]
    return coverage, list(dict.fromkeys(evidence))


def units_evidence(alignment: Alignment) -> list[tuple[float, list[str]]]:
    """``unit_evidence`` of every unit of the reference, in order, from what ``align`` kept."""
    reference, matches = alignment.reference, alignment.matches
    if reference.index is None or len(alignment.best_options) != len(reference.units):
        return [unit_evidence(unit, alignment) for unit in reference.units]
    keys = reference.index.slot_keys
    result = []
    for coverage, options, best in zip(alignment.unit_coverage, reference.index.options, alignment.best_options):
        evidence = [m[1] for slot in options[best][1] for m in (matches[keys[slot]],) if m[0] > 0]
        result.append((coverage, list(dict.fromkeys(evidence))))
    return result


def align(reference: PreparedReference, answer: str) -> Alignment:
    """Align one answer to a prepared reference.

    Each reference slot takes its best answer word: an answer word with one of its stems, else
    the most similar one (the first of equals, in answer order). What a token means for the
    reference is worked out once per (reference, token) and kept (``offline_index``).
    """
    index = reference.index
    if index is None:  # a PreparedReference built by hand: its index lives for this answer only
        index = ReferenceIndex(reference.words, reference.units, reference.question_stems, shared=False)
    all_tokens = tokens(answer)
    content = index.token_infos(all_tokens)
    words = tuple(map(_the_word, content))
    #: answer stem -> the info of its first token, in answer order
    firsts: dict[str, TokenInfo] = {}
    deque(map(firsts.setdefault, map(_the_stem, content), content), maxlen=0)

    # Slots with one of their stems in the answer; the rest take their most similar answer word.
    found: list[TokenInfo | None] = list(map(firsts.get, index.slot_keys))
    for number in index.alternatives:
        if found[number] is None:
            for s in index.slot_stems[number][1:]:
                if s in firsts:
                    found[number] = firsts[s]
                    break
    scores = [0.0 if info is None else 1.0 for info in found]
    surfaces = ["" if info is None else info[2] for info in found]
    if None in found:
        for info in firsts.values():
            for number, score in info[5]:
                if score > scores[number] and found[number] is None:
                    scores[number] = score
                    surfaces[number] = info[2]
    matches = dict(zip(index.slot_keys, zip(scores, surfaces)))
    total_weight = reference.total_weight
    recall = sum(map(operator.mul, index.slot_weights, scores)) / total_weight if total_weight else 0.0
    coverage, best_options = _unit_coverage(index, scores)
    support = {s: info[4] for s, info in firsts.items() if not info[3]}
    precision = sum(support.values()) / len(support) if support else 0.0
    return Alignment(
        reference=reference,
        answer_tokens=all_tokens,
        answer_words=words,
        matches=matches,
        recall=recall,
        unit_coverage=tuple(coverage),
        precision=precision,
        new_content_words=len(support),
        support=support,
        best_options=tuple(best_options),
    )


def _unit_coverage(index: ReferenceIndex, scores: list[float]) -> tuple[list[float], list[int]]:
    """How covered each unit is (its best-covered option), and which option that was."""
    score_of = scores.__getitem__
    coverage: list[float] = []
    best_options: list[int] = []
    for options in index.options:
        best_value, best_number = -1.0, 0
        for number, (weights, slots, total) in enumerate(options):
            value = sum(map(operator.mul, weights, map(score_of, slots))) / total if total > 0 else 0.0
            if value > best_value:
                best_value, best_number = value, number
        coverage.append(best_value)
        best_options.append(best_number)
    return coverage, best_options


def features(alignment: Alignment) -> tuple[float, ...]:
    """The calibration's inputs, in the order of ``calibration.FEATURES``."""
    return (
        math.sqrt(alignment.mean_unit_coverage),
        alignment.precision,
        math.log1p(alignment.new_content_words),
    )

"""Polarity: does the answer state a key point the wrong way round?

A point is *contradicted* when the answer clause that says most of it says it flipped:

- a negation in scope of the point's words (not, never, no, no longer, without, n't) that the
  point does not have, or the point's negation dropped ("connections form cycles");
- the antonym of one of its words instead of the word (training / inference, increase /
  decrease, vanishing / exploding, more / fewer, before / after, overfit / underfit, ...),
  said beside what the point says it of (ANSWER_REACH, POINT_REACH: "need far more labeled
  data" does not flip "less interpretable");
- a flipped quantifier: "only" or "always" where the point says "often", "can", "some".

The clause must cover at least half of the point (flipped words counted) and the flipped words
must weigh FLIPPED_AT of it: one stray "not" elsewhere in a sentence does not flip a point. A
clause is also read piece by piece (split at commas and dashes, where a negation's reach ends),
and a statement the right way round clears the point only when it says more of it than the claim
says beside its flipped words, and is not a whole clause with a flipped piece. What is reported
is the clause, so feedback can quote the claim.

A point that joins claims ("replace the head and use a smaller learning rate") is also checked
claim by claim (``conjuncts``, each of at least CONJUNCT_WORDS of its words): an answer that says
only one of them, flipped, says too little of the whole point to be caught by it. A claim is not
contradicted by a clause that says nothing of it but an opposite word ("higher layers learn...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

from interviewer.text.analysis import STOP_WORDS, clauses, stem, tokenize

if TYPE_CHECKING:
    from interviewer.grading.offline.index import RefWord, Unit

NEGATIONS = frozenset("not never no without cannot nor neither none".split())
#: Negation words that do not negate what follows ("not only", "no doubt").
_NOT_NEGATING_NEXT = frozenset("only just merely doubt matter".split())
#: A negation reaches to the end of its stretch of text (commas and dashes end it) or to one of these.
SCOPE_ENDS = frozenset("and that which who whom whose because so but while when where although though since if unless whereas instead rather".split())
#: Words that say "not" without a negation: a point's negation may be paraphrased with them.
PRIVATIVES = ("drop drops dropped remove removes removed lack lacks lose loses avoid avoids free instead rather "
              "than unlike away stop stops stopped barely hardly rarely seldom scarcely")
#: A point's own "not" is denied by a clause that says plainly more than this share of the
#: content words it negates (function words such as "the" or "from" say nothing of the claim).
DENIED_OVER = 0.5
#: A clause contradicts a point when it covers COVERS_AT of it and the flipped words weigh FLIPPED_AT.
COVERS_AT = 0.5
FLIPPED_AT = 0.15
#: One claim of a point (``conjuncts``) is contradicted only by a clause that says this share of
#: it besides the flipped words.
BESIDES_FLIPPED = 0.5
#: An opposite word flips a point only beside what the point says it of: within ANSWER_REACH
#: words (content words, and words with opposites) of one of the point's words that stand within
#: POINT_REACH of the word it replaces ("deep models need far more labeled data" does not flip
#: "deep models are less interpretable"). None: anywhere in the clause. Chosen by cross-validated
#: MAE on the deep-learning set (``benchmarks/fit_offline_calibration.py``, with a nested check):
#: 3 of 5 false contradictions of correct development answers went. POINT_REACH 2 -> 1 with the fit
#: on the score given: a near tie (nested folds 112 to 92 rows); 27 of 60 wrong answers caught, not 28.
ANSWER_REACH: int | None = 2
POINT_REACH = 1

#: Opposites common in ML answers, one pair (or group against group) a line: "a b | c d"; with
#: more than two groups ("a | b | c"), each group is the opposite of every other.
ANTONYMS: tuple[str, ...] = (
    "training train | inference test testing deployment",
    "increase increases increasing raise grow grows expand expands | decrease decreases decreasing reduce reduces shrink shrinks compress compresses",
    "vanishing vanish | exploding explode",
    "more | fewer less",
    "before | after",
    "forward | backward backwards",
    "overfitting overfit | underfitting underfit",
    "small smaller low lower | large larger big bigger high higher",
    "faster fast quicker speed speeds accelerate accelerates | slower slow slows",
    "avoid avoids prevent prevents mitigate mitigates solve solves fix fixes | cause causes worsen worsens",
    "min minimum smallest | max maximum largest",
    "pull pulls together | push pushes apart",
    "help helps | hurt hurts harm harms",
    "easier easy | harder hard",
    "static | dynamic",
    "positive | negative",
    "maximize maximise maximizes | minimize minimise minimizes",
    "supervised | unsupervised self-supervised",
    "linear | nonlinear non-linear",
    "local | global",
    "shallow | deep deeper",
    "sparse | dense",
    "stable stabilize stabilise stabilizes | unstable destabilize destabilise",
    "simplified simpler simple | complex complicated",
    "same shared identical | different separate unshared",
    "first early earlier | last late later",
    "parallel | sequential sequentially",
    "discriminative | generative",
    "deterministic | stochastic random",
    "independent | dependent",
    "long longer | short shorter",
    "add adds adding | remove removes removing",
    "enabled enable | disabled disable",
    "real | fake",
    "encoder | decoder",
    "bidirectional | causal unidirectional",
    "linear linearly | quadratic quadratically | exponential exponentially",
    "fixed frozen | updated",
    "masked | next",
)
#: "only"/"always" flip a point that says how often or how much, not whether.
HEDGES = "often usually sometimes some can may might most typically partly tend tends generally"
ABSOLUTES = "only always all every"

_SEGMENT_RE = re.compile(r"[,:;()\u2014\u2013]|\s-\s")


@lru_cache(maxsize=1)
def opposite_words() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for line in ANTONYMS:
        sides = [frozenset(stem(w) for w in side.split()) for side in line.split("|")]
        for number, side in enumerate(sides):
            others = set().union(*(other for n, other in enumerate(sides) if n != number))
            for word in side:
                table.setdefault(word, set()).update(others)
    return {k: frozenset(v) for k, v in table.items()}


def negated_stems(text: str) -> tuple[list[str], set[str]]:
    """The stems of a piece of text in order, and those a negation reaches."""
    stems: list[str] = []
    negated: set[str] = set()
    plain: set[str] = set()
    for segment in _SEGMENT_RE.split(text):
        words = tokenize(segment)
        in_scope = False
        for position, word in enumerate(words):
            if word in NEGATIONS and not _not_negating(words, position):
                in_scope = True
                continue
            if word in SCOPE_ENDS:
                in_scope = False
            s = stem(word)
            stems.append(s)
            (negated if in_scope else plain).add(s)
    return stems, negated - plain  # negated: every time it is said


def _not_negating(words: tuple[str, ...], position: int) -> bool:
    """"not only", "no doubt", "whether or not": negation words that negate nothing."""
    following = words[position + 1] if position + 1 < len(words) else ""
    return following in _NOT_NEGATING_NEXT or (position >= 2 and words[position - 2:position] == ("whether", "or"))


@dataclass(frozen=True)
class ClauseView:
    text: str
    stems: frozenset[str]
    negated: frozenset[str]
    #: Says "not" in some way (a negation word, or "drop", "without", "instead", ...).
    says_not: bool
    #: Which clause of the answer it is or is part of (a clause is also looked at piece by piece,
    #: split at commas and dashes).
    clause_number: int = 0
    whole: bool = True


@lru_cache(maxsize=64)
def answer_clauses(answer: str) -> tuple[ClauseView, ...]:
    """The answer's clauses with their stems and negated stems (cached for the points of one answer)."""
    views = []
    for number, whole in enumerate(clauses(answer)):
        parts = [p.strip() for p in _SEGMENT_RE.split(whole) if p.strip()]
        for clause in [whole] + (parts if len(parts) > 1 else []):
            stems, negated = negated_stems(clause)
            if stems:
                says_not = bool(negated) or not _privatives().isdisjoint(stems) or not NEGATIONS.isdisjoint(tokenize(clause))
                views.append(ClauseView(clause, frozenset(stems), frozenset(negated), says_not, number, clause is whole))
    return tuple(views)


@lru_cache(maxsize=4096)
def _point_view(text: str) -> tuple[frozenset[str], frozenset[str], bool]:
    """The point's stems, its negated stems, and whether it says "not" in some way."""
    stems, negated = negated_stems(text)
    says_not = bool(negated) or not _privatives().isdisjoint(stems)
    return frozenset(stems), frozenset(negated), says_not


@lru_cache(maxsize=8192)
def _word_stems(text: str) -> tuple[str, ...]:
    """The stems of a text's words in order: content words and words with opposites (fillers and
    other function words left out)."""
    opposites = opposite_words()
    return tuple(s for s, t in ((stem(t), t) for t in tokenize(text)) if t not in STOP_WORDS or s in opposites)


def _beside(point_text: str, replaced: str, clause_text: str, against: frozenset[str],
            matched: dict[str, str]) -> bool:
    """Whether an opposite (``against``) of the point's word ``replaced`` stands in the clause
    next to one of the point's words near ``replaced`` (or the answer's word matched to it)."""
    if ANSWER_REACH is None:
        return True
    point = _word_stems(point_text)
    near: set[str] = set()
    for i, s in enumerate(point):
        if s == replaced:
            near.update(point[max(0, i - POINT_REACH):i] + point[i + 1:i + 1 + POINT_REACH])
    near.discard(replaced)
    near.update([matched[s] for s in near if matched.get(s)])
    said = _word_stems(clause_text)
    for i, s in enumerate(said):
        if s in against and not near.isdisjoint(said[max(0, i - ANSWER_REACH):i] + said[i + 1:i + 1 + ANSWER_REACH]):
            return True
    return False


#: Where a point joins two claims ("replace the head and use a smaller learning rate").
_CONJUNCT_RE = re.compile(r";|,|\band\b")
#: A conjunct is checked on its own when it has at least this many of the point's words.
CONJUNCT_WORDS = 3
#: A point's claims are also checked one by one: kept because cross-validation says so.
CONJUNCTS = True


@lru_cache(maxsize=4096)
def conjuncts(option: tuple[RefWord, ...], text: str) -> tuple[tuple[tuple[RefWord, ...], str], ...]:
    """The claims a point joins, each with its words: empty when it makes one claim (cached per point)."""
    parts = [p.strip() for p in _CONJUNCT_RE.split(text) if p.strip()]
    if len(parts) < 2:
        return ()
    found = []
    for part in parts:
        stems = {stem(w) for w in tokenize(part)}
        words = tuple(w for w in option if stems.intersection(w.stems))
        if len(words) >= CONJUNCT_WORDS and len(words) < len(option):
            found.append((words, part))
    return tuple(found)


@dataclass(frozen=True)
class Contradiction:
    """The answer's clause that states a point the wrong way round, and how."""

    claim: str
    how: str


def _slot_state(word: RefWord, matched: str, clause: ClauseView, point: tuple[frozenset[str], frozenset[str], bool],
                point_text: str, negations: bool = True,
                negated_said: dict[str, str] | None = None) -> tuple[bool, str]:
    """(is the slot said in the clause, how it is flipped or ""); ``point_text``: the point (an
    opposite counts beside its words, ``_beside``); ``negations``: False to look for antonyms only;
    ``negated_said``: the answer's words the alignment matched to the point's."""
    negated_said = negated_said or {}
    opposites = opposite_words()
    point_stems, point_negated, point_says_not = point
    if word.stem in NEGATIONS:  # the point's own "not": dropped when the clause says what it negates plainly
        if not negations:
            return False, ""
        if clause.says_not:
            return True, ""
        denied = _denies(point_negated, clause, negated_said)
        return denied, "negation" if denied else ""
    said = matched in clause.stems if matched else False
    if said and not negations:
        return True, ""
    if said:
        if point_says_not and clause.says_not:
            flipped = False  # both say "not" somehow: too close to call
        elif word.stem in point_negated:  # the point says "not": flipped if the clause says it plainly
            flipped = True
        else:
            flipped = matched in clause.negated
        return True, ("negation" if flipped else "")
    for s in word.stems:
        against = opposites.get(s, frozenset()) & clause.stems
        if (against and s not in clause.stems and not (against & point_stems)
                and _beside(point_text, s, clause.text, against, negated_said)):
            return True, "antonym"
    return False, ""


def _denies(point_negated: frozenset[str], clause: ClauseView, negated_said: dict[str, str]) -> bool:
    """Whether a clause that says no "not" says plainly what the point negates."""
    content = [s for s in point_negated if s not in function_stems()]
    said = sum(negated_said.get(s, s) in clause.stems for s in content)
    return bool(content) and said > DENIED_OVER * len(content)


@lru_cache(maxsize=1)
def function_stems() -> frozenset[str]:
    return frozenset(map(stem, STOP_WORDS))


def find_contradiction(option: tuple[RefWord, ...], option_text: str, matched_stems: dict[str, str],
                       answer: str, negations: bool = True, part: bool = False) -> Contradiction | None:
    """The clause of ``answer`` that states ``option`` (one phrasing of a point) flipped, if any.

    ``matched_stems``: reference stem -> the stem of the answer word the alignment matched to it.
    ``part``: ``option`` is one claim of a point (``conjuncts``): a clause that says nothing of it
    but an opposite word does not contradict it (a point's short claims are easily matched)."""
    total = sum(w.weight for w in option)
    if total <= 0:
        return None
    if part and sum(w.weight for w in option if w.stem in NEGATIONS or matched_stems.get(w.stem)) < BESIDES_FLIPPED * total:
        return None  # the answer does not say enough of the claim anywhere (a quick way out)
    point = _point_view(option_text)
    point_stems = point[0]
    slot_stems = {s for w in option for s in w.stems}
    opposites = opposite_words()
    #: words a slot does not stand for (function words: before, after, more) that have opposites
    small_words = [s for s in point_stems if s in opposites and s not in slot_stems]
    total += len(small_words)
    flips: list[tuple[float, float, ClauseView, Contradiction]] = []
    right: list[tuple[float, ClauseView]] = []
    for clause in answer_clauses(answer):
        said, flipped, hows = _reading(option, option_text, small_words, matched_stems, clause, point, negations)
        if said < COVERS_AT * total:
            continue
        if part and flipped and said - flipped < BESIDES_FLIPPED * total:
            continue  # nothing of the claim but its opposite: not a claim about it
        if flipped >= FLIPPED_AT * total or _quantifier_flip(option_text, clause):
            flips.append((said, flipped, clause, Contradiction(clause.text, hows[0] if hows else "quantifier")))
        elif not flipped:
            right.append((said, clause))
    if not flips:
        return None
    said, flipped, _, found = max(flips, key=lambda flip: flip[0])
    wrong_clauses = {flip[2].clause_number for flip in flips}
    # Said the right way round more fully than the claim says the rest of the point, the answer does
    # not contradict it; unless that is a whole clause a piece of which says it wrong ("applied
    # only to the test data, it does not create new training examples").
    for right_said, clause in right:
        if right_said > said - flipped and (not clause.whole or clause.clause_number not in wrong_clauses):
            return None
    return found


def _reading(option: tuple[RefWord, ...], option_text: str, small_words: list[str], matched_stems: dict[str, str],
             clause: ClauseView, point: tuple[frozenset[str], frozenset[str], bool],
             negations: bool) -> tuple[float, float, list[str]]:
    """How much of the point one clause says, how much of that it says flipped, and how."""
    opposites = opposite_words()
    point_stems = point[0]
    said = flipped = 0.0
    hows: list[str] = []
    for s in small_words:
        against = opposites[s] & clause.stems
        if (s not in clause.stems and against and not opposites[s] & point_stems
                and _beside(option_text, s, clause.text, against, matched_stems)):
            said += 1.0
            flipped += 1.0
            hows.append("antonym")
    for word in option:
        is_said, how = _slot_state(word, matched_stems.get(word.stem, ""), clause, point, option_text, negations,
                                   matched_stems)
        said += word.weight * is_said
        if how:
            flipped += word.weight
            hows.append(how)
    return said, flipped, hows


@lru_cache(maxsize=1)
def _privatives() -> frozenset[str]:
    return frozenset(map(stem, PRIVATIVES.split()))


_HEDGE_WORDS = frozenset(HEDGES.split())
_ABSOLUTE_WORDS = frozenset(ABSOLUTES.split())


#: Its own cache, not ``analysis.tokens``: that one holds the answers being graded, and a bank's
#: thousands of point texts would push them out.
@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def _quantifier_flip(point_text: str, clause: ClauseView) -> bool:
    """A point that hedges ("often", "can") said with an absolute ("only", "always"). By the words
    themselves, not their stems: "generally" is a hedge, "generates" is not."""
    clause_words = _words(clause.text)
    return (not _HEDGE_WORDS.isdisjoint(_words(point_text)) and not _ABSOLUTE_WORDS.isdisjoint(clause_words)
            and _HEDGE_WORDS.isdisjoint(clause_words))


def flipped_readings(unit: Unit, matched: dict[str, str], answer: str,
                     in_anchors: bool = False) -> Iterator[Contradiction | None]:
    """Each of the unit's own phrasings (and, with ``in_anchors``, its anchors) read against the
    answer for a flip, then each claim of its own phrasings (``conjuncts``)."""
    own = unit.own_options or len(unit.options)
    for number, (option, text) in enumerate(zip(unit.options, unit.option_texts)):
        if number >= own and not in_anchors:
            break
        # An anchor clause carries other points' negations: only its antonyms count.
        yield find_contradiction(option, text, matched, answer, negations=number < own)
    if CONJUNCTS:
        for option, text in zip(unit.options[:own], unit.option_texts[:own]):
            for part, part_text in conjuncts(option, text):
                yield find_contradiction(part, part_text, matched, answer, part=True)

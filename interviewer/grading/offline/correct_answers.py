"""What a question's own correct answers (reference, key points, model answer) state, and how an
answer stands to them: the share of their words it says, what it denies of them and its length
beside the reference's (``material_overlap``, ``denied``, ``length_share``: the anchored score
model's inputs) and whether a claim is one of their own clauses (``said_in``: never a
contradiction).

Read with ``polarity``'s negation scopes and opposite words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from interviewer.grading.offline.features import Alignment
from interviewer.grading.offline.polarity import answer_clauses, function_stems, negated_stems, opposite_words
from interviewer.text.analysis import clauses


@dataclass(frozen=True)
class Material:
    """What a question's own correct answers (reference, key points, model answer) state."""

    #: Every stem they say.
    said: frozenset[str]
    #: The stems they say plainly somewhere (not under a negation).
    plain: frozenset[str]


@lru_cache(maxsize=1024)
def material(*texts: str) -> Material:
    """Their content words, by stem: function words ("the", "as") are nothing an answer can say."""
    said: set[str] = set()
    plain: set[str] = set()
    function_words = function_stems()
    for text in texts:
        for clause in clauses(text):
            stems, negated = negated_stems(clause)
            content = [s for s in stems if s not in function_words]
            said.update(content)
            plain.update(s for s in content if s not in negated)
    return Material(frozenset(said), frozenset(plain))


def denied(answer: str, known: Material) -> frozenset[str]:
    """The stems the answer says only under a negation where the correct answers say them plainly:
    "it does not stabilise training" does not say "stabilise" as they do."""
    negated: set[str] = set()
    plainly: set[str] = set()
    for view in answer_clauses(answer):
        if view.whole:
            negated.update(view.negated)
            plainly.update(view.stems - view.negated)
    return frozenset((negated - plainly) & known.plain)


def material_overlap(alignment: Alignment, known: Material,
                     unsaid: frozenset[str] = frozenset()) -> tuple[float, float]:
    """(share of the answer's own words the correct answers say, share of their words it says),
    by stem, question words aside; ``unsaid``: the answer's stems that do not count (``denied``)."""
    own = alignment.support.keys() - unsaid
    said = known.said - alignment.reference.question_stems
    if not own or not said:
        return (0.0, 0.0)
    both = len(own & said)
    return (both / len(own), both / len(said))


def length_share(alignment: Alignment, reference: str) -> float:
    """The answer's own words (question words aside, by stem) over the reference's."""
    said = material(reference).said - alignment.reference.question_stems
    return alignment.new_content_words / len(said) if said else 1.0


#: A claim is one of the correct answers' own clauses when this share of its stems is in one.
SAID_IN_AT = 0.8


def said_in(claim: str, texts: tuple[str, ...]) -> bool:
    """True when a clause of ``texts`` says ``claim`` (most of its words, negated alike)."""
    stems, said_not = negated_stems(claim)
    words, negated = frozenset(stems), frozenset(said_not)
    if not words:
        return False
    polar = frozenset(s for s in words if s in opposite_words())  # "large" for "small": never left out
    for text in texts:
        if text:
            for view in answer_clauses(text):
                if (len(words & view.stems) >= SAID_IN_AT * len(words) and negated == view.negated & words
                        and polar <= view.stems):
                    return True
    return False

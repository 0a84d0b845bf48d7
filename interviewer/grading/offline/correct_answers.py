"""What a question's own correct answers (reference, key points, model answer) state, and how an
answer stands to them: the words it denies or reverses (``flip_evidence``, a score feature) and
whether a claim is one of their own clauses (``said_in``: never a contradiction).

Read with ``polarity``'s negation scopes and opposite words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from interviewer.grading.offline.polarity import NEGATIONS, answer_clauses, negated_stems, opposite_words
from interviewer.text.analysis import clauses


@dataclass(frozen=True)
class Material:
    """What a question's own correct answers (reference, key points, model answer) state."""

    #: Stems they say plainly somewhere (not under a negation).
    plain: frozenset[str]
    #: Every stem they say.
    said: frozenset[str]


@lru_cache(maxsize=1024)
def material(*texts: str) -> Material:
    plain: set[str] = set()
    said: set[str] = set()
    for text in texts:
        for clause in clauses(text):
            stems, negated = negated_stems(clause)
            said.update(stems)
            plain.update(s for s in stems if s not in negated)
    return Material(frozenset(plain), frozenset(said))


def flip_evidence(answer: str, known: Material, question_stems: frozenset[str]) -> int:
    """How many of the answer's words deny or reverse what the correct answers state: a stem they
    say plainly that the answer negates, or a word whose opposite they say while they never say it.
    Question words aside (denying the question is another matter)."""
    opposites = opposite_words()
    found: set[str] = set()
    for view in answer_clauses(answer):
        for s in view.negated:
            if s in known.plain and s not in question_stems and s not in NEGATIONS:
                found.add(s)
        for s in view.stems:
            if s in known.said or s in question_stems:
                continue
            against = opposites.get(s)
            if against and against & known.said:
                found.add(s)
    return len(found)


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

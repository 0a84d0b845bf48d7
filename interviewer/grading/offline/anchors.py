"""Anchors: where the question's own correct answers (reference, model answer) say each key point.

A key point is written tersely ("Speeds up convergence"); the reference and the bank's model
answer say it in a sentence ("so deep nets train much quicker"). For each key point the clause of
each that expresses it best is found once, when the reference is prepared, and becomes another
phrasing (option) of the point: an answer covers the point if it matches the point's wording or
one of its anchors. Nothing here looks at answers.

A clause anchors a point when it holds ANCHOR_AT of the point's weighted words (same stem or a
related form); a core point is anchored in the reference clause that holds most of it, since a
core point states what the reference says (so an answer that says the reference's own clauses
covers the core). An anchor must bring words of its own beyond the question's, so an answer that
repeats the question covers nothing through it.
"""

from __future__ import annotations

from typing import Sequence

from interviewer.text.analysis import similarity

#: Share of a point's weighted words a clause must hold to anchor it.
ANCHOR_AT = 0.5
#: A core point states what the reference says (the bank's definition), if in other words
#: ("optimal" for "best-performing"): the reference clause holding most of it anchors it, however
#: little (any share above 0). The words only the other key points say are left out of the anchor
#: (``features._unit``), so a point the reference says nothing of beyond them stays unanchored.
CORE_IN_REFERENCE_AT = 0.0
#: An anchor needs at least this many words that are not the question's.
ANCHOR_OWN_WORDS = 2
#: ... and a core point's anchor in the reference this many (a terse reference clause, such as
#: "Transfer: sequential tasks", may say one word beyond the question; question words weigh little,
#: so repeating the question still covers nothing through it).
CORE_OWN_WORDS = 1


def held_share(point_stems: Sequence[tuple[tuple[str, ...], float]], clause_stems: frozenset[str]) -> float:
    """Weighted share of a point's words a clause holds (best similarity per word)."""
    total = sum(weight for _, weight in point_stems)
    if total <= 0:
        return 0.0
    held = 0.0
    for stems, weight in point_stems:
        best = 0.0
        for s in stems:
            if s in clause_stems:
                best = 1.0
                break
            for c in clause_stems:
                score = similarity(s, c)
                if score > best:
                    best = score
        held += weight * best
    return held / total


def best_anchor(point_stems: Sequence[tuple[tuple[str, ...], float]],
                clauses: Sequence[tuple[str, frozenset[str], int]], at: float = ANCHOR_AT,
                own_words: int = ANCHOR_OWN_WORDS) -> int | None:
    """The index of the clause that anchors the point best, or None.

    ``clauses``: (text, its stems, its count of words not in the question) for each clause;
    ``own_words``: the fewest words not in the question a clause must have."""
    best_index, best_value = None, max(0.0, at - 1e-9)  # a clause holding none of the point never anchors it
    for number, (_, stems, clause_own) in enumerate(clauses):
        if clause_own < own_words:
            continue
        value = held_share(point_stems, stems)
        if value > best_value:
            best_index, best_value = number, value
    return best_index

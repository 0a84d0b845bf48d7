"""Anchors: where the question's own correct answers (reference, model answer) say each key point.

A key point is written tersely ("Speeds up convergence"); the reference and the bank's model
answer say it in a sentence ("so deep nets train much quicker"). For each key point the clause of
each that expresses it best is found once, when the reference is prepared, and becomes another
phrasing (option) of the point: an answer covers the point if it matches the point's wording or
one of its anchors. Nothing here looks at answers.

A clause anchors a point when it holds ANCHOR_AT of the point's weighted words (same stem or a
related form). An anchor must bring words of its own beyond the question's, so an answer that
repeats the question covers nothing through it.
"""

from __future__ import annotations

from typing import Sequence

from interviewer.text.analysis import similarity

#: Share of a point's weighted words a clause must hold to anchor it.
ANCHOR_AT = 0.5
#: A core point states what the reference says (the bank's definition): the reference anchors it
#: from this share.
CORE_IN_REFERENCE_AT = 0.25
#: An anchor needs at least this many words that are not the question's.
ANCHOR_OWN_WORDS = 2


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
                clauses: Sequence[tuple[str, frozenset[str], int]], at: float = ANCHOR_AT) -> int | None:
    """The index of the clause that anchors the point best, or None.

    ``clauses``: (text, its stems, its count of words not in the question) for each clause."""
    best_index, best_value = None, at - 1e-9
    for number, (_, stems, own_words) in enumerate(clauses):
        if own_words < ANCHOR_OWN_WORDS:
            continue
        value = held_share(point_stems, stems)
        if value > best_value:
            best_index, best_value = number, value
    return best_index

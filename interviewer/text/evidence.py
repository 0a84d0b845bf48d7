"""Where an answer holds the evidence for each key point: character spans to highlight beside the reference.

A grade's key points carry their evidence as text: the offline grader lists the answer's
words that matched ("penalty, weights"); an LLM quotes the answer. ``evidence_spans``
finds either in the answer (a quote as a whole when it is there, else word by word), so
the answer can be shown with each point's evidence marked by its verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from interviewer.grading.interface import KeyPointResult

#: Which verdict wins where two points' evidence overlaps: the one most worth seeing.
_PRIORITY = {"contradicted": 3, "covered": 2, "partial": 1, "missed": 0}


@dataclass(frozen=True)
class EvidenceSpan:
    start: int
    end: int
    verdict: str
    #: The index of the key point (0-based) this is evidence for.
    point: int


def _pieces(evidence: str) -> list[str]:
    text = evidence.strip().strip("\"'“”‘’")
    return [p.strip().strip("\"'“”‘’") for p in re.split(r"[,;]|\s\.\.\.\s|…", text) if p.strip()]


def _find(answer: str, phrase: str) -> Iterable[tuple[int, int]]:
    if len(phrase) < 2:
        return ()
    pattern = r"(?<!\w)" + re.escape(phrase) + r"(?!\w)"
    return ((m.start(), m.end()) for m in re.finditer(pattern, answer, re.IGNORECASE))


def evidence_spans(answer: str, key_points: Sequence[KeyPointResult]) -> list[EvidenceSpan]:
    """Non-overlapping spans of ``answer``, in order, each marked with the verdict of its key point."""
    found: list[EvidenceSpan] = []
    for index, result in enumerate(key_points):
        if result.verdict == "missed" or not result.evidence.strip():
            continue
        whole = list(_find(answer, result.evidence.strip().strip("\"'“”‘’")))
        spans = whole or [span for piece in _pieces(result.evidence) for span in _find(answer, piece)]
        found += [EvidenceSpan(start, end, result.verdict, index) for start, end in spans]
    found.sort(key=lambda s: (s.start, -_PRIORITY.get(s.verdict, 0), -(s.end - s.start)))
    kept: list[EvidenceSpan] = []
    for span in found:
        if kept and span.start < kept[-1].end:
            continue  # overlaps one already kept (the stronger verdict, or the longer span)
        kept.append(span)
    return kept

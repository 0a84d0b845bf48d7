"""How well a transcript matches what was said: word error rate, terms heard, fillers kept (for benchmarks and tests)."""

from __future__ import annotations

import re
from typing import Iterable

from interviewer.text.delivery import analyse_delivery

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def normalise_words(text: str) -> list[str]:
    """Lower-case words; hyphens split words ("mini-batch" = "mini batch"), punctuation goes."""
    return _WORD_RE.findall(text.lower().replace("’", "'").replace("-", " "))


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference words): word-level Levenshtein distance."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, 1):
        current = [i]
        for j, hyp_word in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word)))
        previous = current
    return previous[-1], len(ref)


def terms_heard(terms: Iterable[str], hypothesis: str) -> tuple[int, int]:
    """(terms found in the hypothesis as whole words, a plural allowed; terms)."""
    words = " " + " ".join(normalise_words(hypothesis)) + " "
    terms = list(terms)
    found = 0
    for term in terms:
        wanted = " " + " ".join(normalise_words(term))
        found += any(wanted + ending + " " in words for ending in ("", "s", "es"))
    return found, len(terms)


def fillers_kept(reference: str, hypothesis: str) -> tuple[int, int]:
    """(fillers of the reference also in the hypothesis, by name and count; fillers in the reference)."""
    said = analyse_delivery(reference).fillers
    heard = analyse_delivery(hypothesis).fillers
    return sum(min(count, heard.get(name, 0)) for name, count in said.items()), sum(said.values())

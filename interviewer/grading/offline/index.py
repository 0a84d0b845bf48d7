"""A reference flattened for fast alignment, and what it has learnt of the answer tokens it met.

``offline_features.align`` asks, for every token of an answer, whether it is a content word,
its stem, how well the reference backs it and which reference slots it resembles. Those
depend only on the (reference, token) pair, so each is worked out once and kept: a bank of
100 questions sees the same few thousand words in every batch. What is kept is bounded for
the whole process (``CACHE_LIMIT`` tokens; all are forgotten when it is reached and relearnt
as they come), so memory stays flat however many answers are graded.

Working a token out compares it only with the reference stems it can be similar to:
``similarity`` is above 0 only for the same stem, stems sharing a synonym group, or stems of
5+ letters with the same first letter (or a number).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from interviewer.text.analysis import is_content, similarity, stem, synonym_groups


@dataclass(frozen=True)
class RefWord:
    """One slot of a reference: a word, or a few alternatives written ``a/b``."""

    surface: str
    stems: tuple[str, ...]
    weight: float

    @property
    def stem(self) -> str:
        return self.stems[0]


@dataclass(frozen=True)
class Unit:
    """One thing a good answer says: a key point, or a clause of the reference.

    ``options`` are alternative phrasings ("Prevents overfitting / acts as regularization"):
    a unit is as covered as its best-covered option.
    """

    text: str
    options: tuple[tuple[RefWord, ...], ...]
    is_key_point: bool
    #: "reference" (a clause of the reference), "core" or "depth" (a key point of that kind).
    kind: str = "reference"
    #: The text of each option, as written (for polarity: where its negations are).
    option_texts: tuple[str, ...] = ()
    #: How many of the options are the point's own phrasings; the rest are its anchors.
    own_options: int = 0


#: The most answer tokens kept over all references (about 250 bytes each).
CACHE_LIMIT = 65536


@dataclass(frozen=True, slots=True)
class AnswerWord:
    surface: str
    stem: str
    in_question: bool


#: What a content token means to a reference: (its word, its stem, its surface, whether the
#: question has it, its support = best similarity to any reference stem, ((slot number,
#: similarity > 0), ...) at each similar slot's best).
TokenInfo = tuple[AnswerWord, str, str, bool, float, tuple[tuple[int, float], ...]]
Entry = tuple[int, str]

_keeping: list["ReferenceIndex"] = []
_kept = 0


def forget_answer_tokens() -> None:
    """Drop every reference's learnt tokens (they are relearnt as they come)."""
    global _kept
    for index in _keeping:
        index.cache = None
    _keeping.clear()
    _kept = 0


class ReferenceIndex:
    """One reference's slots (its distinct words) and units, as tuples and lookup tables."""

    __slots__ = ("slot_stems", "slot_keys", "slot_weights", "options", "alternatives", "by_stem", "by_group",
                 "long_entries", "long_by_first", "long_numbers", "question_stems", "shared", "cache")

    def __init__(self, words: Iterable[RefWord], units: Iterable[Unit], question_stems: frozenset[str],
                 shared: bool = True):
        """``shared``: kept with a cached reference, its tokens count towards ``CACHE_LIMIT``."""
        words = tuple(words)
        self.slot_stems = tuple(w.stems for w in words)
        self.slot_keys = tuple(w.stem for w in words)
        self.slot_weights = tuple(w.weight for w in words)
        slot_numbers = {key: number for number, key in enumerate(self.slot_keys)}
        #: per unit, per option: its words' weights, their slot numbers, and the total weight
        self.options = tuple(
            tuple((tuple(w.weight for w in option), tuple(slot_numbers[w.stem] for w in option),
                   sum(w.weight for w in option))
                  for option in unit.options)
            for unit in units
        )
        #: the slots written as alternatives ("a/b"), whose other stems match too
        self.alternatives = tuple(number for number, stems in enumerate(self.slot_stems) if len(stems) > 1)
        #: (slot number, stem) for every stem of every slot: by stem, by synonym group, and
        #: the 5+ letter ones (all, by first letter, numbers)
        self.by_stem: dict[str, list[Entry]] = {}
        self.by_group: dict[int, list[Entry]] = {}
        self.long_entries: list[Entry] = []
        self.long_by_first: dict[str, list[Entry]] = {}
        self.long_numbers: list[Entry] = []
        for number, stems in enumerate(self.slot_stems):
            for s in stems:
                entry = (number, s)
                self.by_stem.setdefault(s, []).append(entry)
                for group in synonym_groups(s):
                    self.by_group.setdefault(group, []).append(entry)
                if len(s) >= 5:
                    self.long_entries.append(entry)
                    if s.isdigit():
                        self.long_numbers.append(entry)
                    else:
                        self.long_by_first.setdefault(s[0], []).append(entry)
        self.question_stems = question_stems
        self.shared = shared
        #: token -> its TokenInfo, or False for a token that is not a content word
        self.cache: dict[str, TokenInfo | bool] | None = None

    def candidates(self, answer_stem: str) -> list[Entry]:
        """Every (slot, stem) whose similarity to ``answer_stem`` may be above 0 (some twice)."""
        found = list(self.by_stem.get(answer_stem, ()))
        for group in synonym_groups(answer_stem):
            found += self.by_group.get(group, ())
        if len(answer_stem) >= 5:
            if answer_stem.isdigit():
                found += self.long_entries
            else:
                found += self.long_by_first.get(answer_stem[0], ())
                found += self.long_numbers
        return found

    def learn(self, token: str) -> TokenInfo | bool:
        """What an answer token means here: False when it is not a content word."""
        if not is_content(token):
            return False
        s = stem(token)
        best: dict[int, float] = {}
        for number, ref_stem in self.candidates(s):
            score = similarity(ref_stem, s)
            if score > best.get(number, 0.0):
                best[number] = score
        in_question = s in self.question_stems
        return (AnswerWord(token, s, in_question), s, token, in_question,
                max(best.values(), default=0.0), tuple(best.items()))

    def token_infos(self, tokens: tuple[str, ...]) -> list[TokenInfo]:
        """The infos of an answer's content tokens, in order (learnt and kept when new)."""
        global _kept
        if self.shared and _kept >= CACHE_LIMIT:
            forget_answer_tokens()
        cache = self.cache
        if cache is None:
            cache = self.cache = {}
            if self.shared:
                _keeping.append(self)
        infos = list(map(cache.get, tokens))
        if None in infos:  # tokens new to this reference
            for number, token in enumerate(tokens):
                if infos[number] is None:
                    info = cache.get(token)
                    if info is None:
                        info = cache[token] = self.learn(token)
                        _kept += self.shared
                    infos[number] = info
        return list(filter(None, infos))

"""Matching an answer's question to the bank: by id, by exact (normalised) text, or fuzzily.

The bank side is prepared once (normalised texts, stemmed content-word sets, IDF weights and
an inverted index), so matching one question looks only at the bank questions that share a
word with it. A fuzzy score blends an IDF-weighted token-set Jaccard, how much of the bank
question the asked text covers, and difflib's character ratio; it is tried on the whole
question and on each of its sentences, so "Good. Now, what is dropout?" still finds dropout.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, replace
from typing import Literal

from interviewer.bank import QuestionBank, derive_key_points
from interviewer.batch.items import InputItem
from interviewer.grading.follow_ups import follow_up_item
from interviewer.grading.interface import GradingItem
from interviewer.questions import Question
from interviewer.text.analysis import content_tokens, sentences, stem

MatchKind = Literal["id", "exact", "fuzzy", "follow-up", "none"]

DEFAULT_THRESHOLD = 0.6
#: How many bank questions (most shared words first) get a word score, and how many of
#: the best of those also get difflib's (slower) character ratio.
CANDIDATES = 16
RATIO_CANDIDATES = 3
CACHE_SIZE = 4096
#: Words that frame a question without saying what it is about.
FRAMING_WORDS = frozenset(
    stem(w)
    for w in """explain describe tell talk define briefly please okay ok next question walk know
    understand thank thanks great good right alright move say mean give us you your me let
    could would can now another first last one""".split()
)
#: British -ise spellings read as -ize so "optimiser" meets "optimizer".
_BRITISH_ISE = re.compile(r"(?<=\w\w)is(?=(?:e|ed|es|er|ers|ing|ation|ations)\b)")
_PARENTHESIS = re.compile(r"\(([^)]*)\)")
_PUNCTUATION = re.compile(r"[^\w\s+#]")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower-cased text without punctuation or repeated spaces, for exact comparison."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()


def question_words(text: str) -> frozenset[str]:
    """The stemmed content words of a question, framing words ("explain", "tell me") left out."""
    words = (stem(_BRITISH_ISE.sub("iz", t)) for t in content_tokens(text))
    return frozenset(w for w in words if w not in FRAMING_WORDS)


def acronym_expansions(question: str) -> dict[str, frozenset[str]]:
    """Acronyms a question spells out, with the words they stand for.

    "What is a convolutional neural network (CNN)?" gives {"cnn": {"convolut", "neural", "network"}},
    so "What is a CNN?" and "What is a convolutional neural network?" both find it.
    """
    found: dict[str, frozenset[str]] = {}
    for match in _PARENTHESIS.finditer(question):
        inner = question_words(match.group(1))
        before = question_words(question[: match.start()])
        if len(inner) == 1 and before:
            found[next(iter(inner))] = before
    return found


@dataclass(frozen=True, slots=True)
class Match:
    """Which bank question an answer belongs to, how it was found, and how sure we are (0-1)."""

    question: Question | None
    kind: MatchKind
    confidence: float
    note: str = ""

    @property
    def matched(self) -> bool:
        return self.question is not None

    def to_dict(self) -> dict:
        data = {"kind": self.kind, "confidence": round(self.confidence, 3)}
        if self.note:
            data["note"] = self.note
        return data


UNMATCHED = Match(None, "none", 0.0)


class BankMatcher:
    """Matches questions to one bank; build once, call ``match`` per answer."""

    def __init__(self, bank: QuestionBank | None, threshold: float = DEFAULT_THRESHOLD):
        self.bank = bank
        self.threshold = threshold
        questions = list(bank) if bank is not None else []
        self._questions = questions
        self._by_text: dict[str, Question] = {}
        for q in questions:
            self._by_text.setdefault(normalise(q.question), q)
        self._norm = [normalise(q.question) for q in questions]
        self._words = [question_words(q.question) for q in questions]
        self._acronyms = [acronym_expansions(q.question) for q in questions]
        frequency: dict[str, int] = {}
        for words in self._words:
            for word in words:
                frequency[word] = frequency.get(word, 0) + 1
        total = max(1, len(questions))
        self._idf = {w: math.log(1 + total / n) for w, n in frequency.items()}
        self._unknown_idf = math.log(1 + total)
        self._weight = [sum(self._idf[w] for w in words) for words in self._words]
        self._cache: dict[str, Match] = {}
        self._index: dict[str, list[int]] = {}
        for number, words in enumerate(self._words):
            for word in words:
                self._index.setdefault(word, []).append(number)

    def match(self, item: InputItem) -> Match:
        if item.follow_up_of:
            parent = self.bank.get(item.follow_up_of) if self.bank is not None else None
            return Match(parent, "follow-up", 1.0 if parent else 0.0)
        note = ""
        if item.question_id and self.bank is not None:
            found = self.bank.get(item.question_id)
            if found is not None:
                return Match(found, "id", 1.0)
            note = f"question id {item.question_id!r} is not in the bank"
        found = self.match_text(item.question)
        return Match(found.question, found.kind, found.confidence, note) if note else found

    def match_text(self, text: str) -> Match:
        """The bank question this text asks, or ``UNMATCHED`` below the threshold (cached)."""
        found = self._cache.get(text)
        if found is None:
            found = self._match_text(text)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[text] = found
        return found

    def _match_text(self, text: str) -> Match:
        if not text.strip() or not self._questions:
            return UNMATCHED
        variants = [text]
        parts = sentences(text)
        if len(parts) > 1:
            variants.extend(parts)
        best: tuple[float, int] = (0.0, -1)
        for variant in variants:
            exact = self._by_text.get(normalise(variant))
            if exact is not None:
                return Match(exact, "exact", 1.0)
            best = max(best, self._best_fuzzy(variant))
        score, number = best
        if number < 0 or score < self.threshold:
            return Match(None, "none", score)
        return Match(self._questions[number], "fuzzy", score)

    def _best_fuzzy(self, text: str) -> tuple[float, int]:
        words = question_words(text)
        if not words:
            return (0.0, -1)
        shared: dict[int, int] = {}
        for word in words:
            for number in self._index.get(word, ()):
                shared[number] = shared.get(number, 0) + 1
        if not shared:
            return (0.0, -1)
        ranked = sorted(shared, key=lambda n: (-shared[n], n))[:CANDIDATES]
        scored = []
        for number in ranked:
            query = words
            for acronym, expansion in self._acronyms[number].items():
                if acronym in query:
                    query = query | expansion
                elif expansion <= query:
                    query = query | {acronym}
            query_weight = sum(self._idf.get(w, self._unknown_idf) for w in query)
            common = sum(self._idf[w] for w in query & self._words[number])
            union = query_weight + self._weight[number] - common
            jaccard = common / union if union else 0.0
            covered = common / self._weight[number] if self._weight[number] else 0.0
            scored.append((0.5 * jaccard + 0.3 * covered, number))
        scored.sort(reverse=True)
        matcher = difflib.SequenceMatcher(None, "", normalise(text), autojunk=False)
        best = (0.0, -1)
        for word_score, number in scored[:RATIO_CANDIDATES]:
            matcher.set_seq1(self._norm[number])
            score = word_score + 0.2 * matcher.ratio()
            if score > best[0]:
                best = (score, number)
        return best


def grading_item(item: InputItem, match: Match) -> GradingItem:
    """What the grader sees: the input's own reference when it has one, else the bank's.

    A follow-up answer from a session transcript is graded as the session graded it
    (``grading.follow_ups.follow_up_item``): on the bank follow-up's own reference and key
    points, in the context of the first answer.
    """
    bank_question = match.question
    if item.follow_up_of:
        built = follow_up_item(
            bank_question,
            item.question,
            first_question=item.context_question,
            first_answer=item.context_answer,
            answer=item.answer,
            hinted_points=item.hinted_points,
            question_id=item.question_id or item.follow_up_of,
            topic=item.topic,
        )
        if not item.reference:
            return built
        return replace(built, reference=item.reference, key_points=item.key_points or derive_key_points(item.reference))
    if item.reference:
        reference, key_points = item.reference, item.key_points or derive_key_points(item.reference)
    elif bank_question is not None:
        reference, key_points = bank_question.reference, bank_question.key_points
    else:
        reference, key_points = "", item.key_points
    question = item.question or (bank_question.question if bank_question is not None else "")
    return GradingItem(
        question=question,
        answer=item.answer,
        reference=reference,
        key_points=key_points,
        question_id=bank_question.id if bank_question is not None else item.question_id,
        topic=item.topic or (bank_question.topic if bank_question is not None else None),
        hinted_points=item.hinted_points,
        **_bank_extras(bank_question, key_points),
    )


def _bank_extras(bank_question, key_points) -> dict:
    """The bank question's point kinds and model answer, when its own key points are graded
    (so a batch grade is the practice session's)."""
    if bank_question is None or tuple(key_points) != tuple(bank_question.key_points):
        return {}
    return {"point_kinds": bank_question.point_kinds, "model_answer": bank_question.model_answer}

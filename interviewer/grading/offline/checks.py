"""Answers the offline score must not trust: non-answers, text addressed to the grader, keyword
lists, copies of the question, repetition, padding and shuffled words.

Each check looks at the answer (and its alignment) and, when it fires, says how far the score
may go and why, in words the feedback can use. Text addressed to the grader is found by
``interviewer.grading.injection`` (the same flags the LLM grader reports); here it is only cut out
before scoring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, filterfalse
from typing import Iterable

from interviewer.grading.injection import find_injection_flags
from interviewer.grading.injection_rules import CATEGORIES
from interviewer.grading.offline.features import Alignment, stem_bigrams
from interviewer.text.analysis import FILLERS, SENTENCE_MARKERS, STOP_WORDS, remove_fillers, sentences, tokenize, tokens

NON_ANSWERS = frozenset(
    {
        "", "not answered", "no answer", "none", "n a", "na", "pass", "skip", "idk", "no idea",
        "i do not know", "i dont know", "do not know", "dont know", "not sure", "i am not sure",
        "no clue", "i have no idea", "nothing", "blank", "unanswered", "not attempted",
    }
)

#: The injection flags that mean an answer speaks to its grader. Text hidden in invisible,
#: encoded or spaced-out characters adds these too when it does.
GRADER_DIRECTED_FLAGS = frozenset(flag for flag, _ in CATEGORIES)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?;])\s+|\n+")


#: A check that only flags and explains (cross-validation by question found its cap lowered
#: agreement with people: it fired on correct answers given as lists): no ceiling.
NO_LIMIT = 10.0


@dataclass(frozen=True)
class Cap:
    """A ceiling on the score (0-10) and the reason, as feedback can say it (``NO_LIMIT``: only a flag)."""

    limit: float
    #: The grade flag the check adds; None when the grade carries other flags saying it.
    flag: str | None
    reason: str


_LETTERS_RE = re.compile(r"[a-z]+")
#: No stock non-answer is longer than this many words.
_NON_ANSWER_WORDS = max(len(n.split()) for n in NON_ANSWERS)


def is_non_answer(answer: str) -> bool:
    """True for empty answers and stock non-answers ("not answered", "I don't know")."""
    words: list[str] = []
    for match in _LETTERS_RE.finditer(remove_fillers(answer)):
        word = match.group()
        if word not in FILLERS:
            if len(words) == _NON_ANSWER_WORDS:
                return False  # longer than any stock non-answer: no need to read on
            words.append(word)
    return " ".join(words) in NON_ANSWERS


def addresses_grader(injection_flags: Iterable[str]) -> bool:
    """True when ``find_injection_flags`` found the answer (or text hidden in it) speaking to the grader.

    Padding and stray invisible characters alone do not count: the score checks handle padding."""
    return not GRADER_DIRECTED_FLAGS.isdisjoint(injection_flags)


def strip_grader_directed(answer: str) -> str:
    """The answer without the sentences ``find_injection_flags`` finds addressed to the grader.

    Costs a check per sentence: call it only for answers that ``addresses_grader``. A request
    spread over several sentences may survive it; the score is capped for such answers anyway."""
    kept = [s for s in _SENTENCE_SPLIT_RE.split(answer) if s and not addresses_grader(find_injection_flags(s))]
    return " ".join(kept)


#: Words that must be followed by the phrase they introduce.
_DETERMINERS = frozenset("the a an its their this these those each every my your our".split())
_PREPOSITIONS = frozenset("of to in on at by for with from into during about through".split())
_CONJUNCTIONS = frozenset("and or but".split())
_NEVER_AFTER_PREPOSITION = _PREPOSITIONS | _CONJUNCTIONS | frozenset("is are was were".split())
_NEVER_AFTER_DETERMINER = frozenset(
    "the a an of to in on at by for with from is are was were be and or but that which it".split()
)
#: A word that must be followed by a phrase -> the words that may not follow it.
_NEVER_AFTER: dict[str, frozenset[str]] = {
    **{w: _CONJUNCTIONS for w in _CONJUNCTIONS},
    **{w: _NEVER_AFTER_PREPOSITION for w in _PREPOSITIONS},
    **{w: _NEVER_AFTER_DETERMINER for w in _DETERMINERS},
}


#: Words that join terms into sentences (for judging structure, not meaning).
_GRAMMAR_WORDS = STOP_WORDS | frozenset(
    "not no never only once even cant dont doesnt isnt wont either neither every than".split()
)


_LIST_SEPARATOR_RE = re.compile(r"[,;\n]|\s-\s")
_RUN_BREAK_RE = re.compile(r"[.,;:!?()\[\]{}\n]+")


def _content_runs(answer: str) -> list[int]:
    """Lengths of the stretches of content words that no function word or punctuation breaks."""
    runs = []
    for piece in _RUN_BREAK_RE.split(answer):
        run = 0
        for word in tokenize(piece):
            if word in FILLERS:
                continue
            if word in _GRAMMAR_WORDS:
                if run:
                    runs.append(run)
                run = 0
            else:
                run += 1
        if run:
            runs.append(run)
    return runs


@lru_cache(maxsize=16)
def _spoken(answer: str) -> tuple[str, ...]:
    """The answer's tokens without spoken fillers (cached for the checks of one answer)."""
    return tuple(filterfalse(FILLERS.__contains__, tokens(answer)))


def _longest_content_run(answer: str) -> int:
    return max(_content_runs(answer), default=0)


#: Verbs an explanation in a sentence often uses: a sentence may have one of these and no auxiliary
#: ("Deep learning uses neural networks with many layers").
_COMMON_VERBS = frozenset(
    """uses use learns learn computes compute adds add combines combine reduces reduce prevents prevent
    helps help allows allow makes make maps map takes take gives give trains train updates update
    removes remove keeps keep stops stop turns turn finds find means mean needs need works work
    converts convert scales scale drops drop splits split measures measure encodes encode""".split()
)


def _is_adverb(word: str) -> bool:
    """An adverb in -ly ("randomly", "gradually") modifies a verb: terms in a list seldom have one,
    so "Dropout randomly zeroes activations" is a sentence whatever its verb."""
    return len(word) >= 6 and word.endswith("ly") and not word.endswith("aly")  # not "anomaly"


#: A long comma list is a list whatever verbs its terms include: this many commas, this share of
#: pieces of 3 words or fewer.
LONG_LIST_COMMAS = 8
LONG_LIST_SHORT = 0.9


def looks_like_keyword_list(answer: str) -> bool:
    """A list of terms rather than sentences: comma-separated bits, or no function words joining
    the terms (spoken fillers do not count as joining them)."""
    spoken = _spoken(answer)
    if len(spoken) < 4:
        return False
    markers = (sum(map(SENTENCE_MARKERS.__contains__, spoken)) + sum(map(_COMMON_VERBS.__contains__, spoken[1:-1]))
               + sum(map(_is_adverb, spoken[:-1])))
    function_share = sum(map(STOP_WORDS.__contains__, spoken)) / len(spoken)
    # The pieces and the runs below cost a tokenising each: worked out only when they can decide.
    many_commas = answer.count(",") >= LONG_LIST_COMMAS
    pieces = _LIST_SEPARATOR_RE.split(remove_fillers(answer)) if markers <= 1 or many_commas else []
    if len(pieces) >= 4:
        pieces = [p for p in pieces if not FILLERS.issuperset(tokenize(p))]
        short_pieces = sum(1 for p in pieces if len(p.split()) <= 3)
        if len(pieces) >= 4 and short_pieces >= (0.75 if markers <= 1 else LONG_LIST_SHORT) * len(pieces):
            return True
    if markers == 0:
        return function_share < 0.15 or (len(spoken) >= 12 and _longest_content_run(answer) >= 5)
    return len(spoken) >= 10 and function_share < 0.1 and _longest_content_run(answer) >= 5


def misplaced_function_words(answer: str) -> bool:
    """Words in an order no sentence has ("the to", "of and", a text ending in "the"): the mark of
    shuffled words. Fillers are skipped, so spoken answers are not caught."""
    words = _spoken(answer)
    last = len(words) - 1
    nevers = list(map(_NEVER_AFTER.get, words))
    heads = bad = 0
    for i in compress(range(len(words)), nevers):  # the words that need a phrase after them
        heads += 1
        bad += i == last or words[i + 1] in nevers[i]
    return bad >= 3 and bad >= 0.25 * heads


def _shuffled_reference(alignment: Alignment, answer: str) -> bool:
    """Nearly all of the reference's words and nothing else, yet hardly one of its phrases:
    the reference shuffled. (A near-copy keeps the phrases; a paraphrase brings its own words.)"""
    if alignment.recall < 0.8 or alignment.precision < 0.8 or alignment.new_content_words < 8:
        return False
    pairs = stem_bigrams(answer)
    echoed = sum(map(alignment.reference.bigrams.__contains__, pairs))
    return bool(pairs) and echoed < 0.2 * len(pairs)


def shuffled_material(alignment: Alignment, answer: str, material_precision: float, material_recall: float) -> bool:
    """Mostly the words of the question's correct answers (model answer included), yet hardly one
    of their phrases: those answers shuffled."""
    if material_precision < 0.8 or material_recall < 0.4 or alignment.new_content_words < 8:
        return False
    pairs = stem_bigrams(answer)
    echoed = sum(map(alignment.reference.bigrams.__contains__, pairs))
    return bool(pairs) and echoed < 0.2 * len(pairs)


def _said_once_share(answer: str) -> float:
    """The share of the answer's words left when a sentence said again word for word counts once:
    a statement said twice repeats itself, not a term (the repetition check is about terms)."""
    said = [tuple(tokenize(s)) for s in sentences(answer)]
    total = sum(map(len, said))
    return sum(map(len, dict.fromkeys(said))) / total if total else 1.0


def content_caps(alignment: Alignment, answer: str) -> list[Cap]:
    """Every check that fires on an aligned answer, with the cap it sets."""
    caps: list[Cap] = []
    ref = alignment.reference
    words = alignment.answer_words
    new_words = alignment.new_content_words
    ref_words = len(ref.words)
    if words and new_words == 0 and ref.choices.isdisjoint(w.stem for w in words):
        # Naming the alternative the reference picks ("LIFO" to "Is a stack LIFO or FIFO?") answers it.
        caps.append(Cap(1.0, "restates-question", "it only repeats words from the question"))
    if len(words) >= 4:
        unique = len({w.stem for w in words})
        repeats = unique / len(words) < 0.34  # a sentence said again word for word counts once
        if unique <= 2 or (repeats and unique / (len(words) * _said_once_share(answer)) < 0.34):
            caps.append(Cap(NO_LIMIT, "repetition", "it repeats the same term instead of explaining"))
    own_tokens = sum(1 for w in words if not w.in_question)
    if own_tokens > max(60, 6 * ref_words) and alignment.supported_token_share() < 0.2:
        caps.append(
            Cap(3.0, "padded", "most of it is unrelated to the question, so the relevant part is diluted")
        )
    if misplaced_function_words(answer) or _shuffled_reference(alignment, answer):
        caps.append(Cap(3.0, "word-salad", "the reference's words appear shuffled, not as explanations"))
    if ref.sentence_like and looks_like_keyword_list(answer):
        caps.append(
            Cap(NO_LIMIT, "keyword-list", "it lists terms without explaining how they connect; say it in sentences")
        )
    return caps

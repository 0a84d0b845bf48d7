"""Word-level text analysis for offline grading: tokens, stop words, a light stemmer, related forms.

Everything here is pure and cached: the same word is stemmed once per process.
The synonym table is generic English plus common machine-learning vocabulary. A block of
computer-science synonyms and a table of phrase rewrites were removed: written while reading
the Mohler dev questions, they helped those and hurt questions they were not written on. Each
line of this table is checked the same way (``benchmarks/select_synonym_lines.py``): a rule that
drops the lines cross-validation finds useless is adopted only where a nested cross-validation
says it pays. It does not since offline-14, so every line is in but *train*/*learn*/*fit*, which
gave 4 flipped key points of the bank a tick (``tests/test_offline_polarity_bank.py``).
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN_RE = re.compile(r"[a-z][a-z0-9]*(?:\+\+|#)?|\d+(?:\.\d+)?")
_SENTENCE_RE = re.compile(r"(?<!\b[a-z])(?<!\be\.g)(?<!\bi\.e)[.;!?](?=\s|$)|\n+")
_CLAUSE_RE = re.compile(r",\s+(?:and\s+then|then|and|or|but|whereas|while)\s+|\s+whereas\s+")

#: Spoken fillers, in phrases; removed before anything else looks at the text.
FILLER_PHRASES: tuple[str, ...] = (
    "you know", "i mean", "kind of", "sort of", "i guess", "i think", "let me think",
    "let's see", "lets see", "so yeah", "or something", "and stuff",
)

#: Function words. Spoken fillers are included so they never count for or against an answer.
STOP_WORDS: frozenset[str] = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can cannot could did do does doing done down during each either
    etc few for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just let lets me more most my myself nor of off on or
    other ought our ours ourselves out over own same shall she should so some such than that the
    their theirs them themselves then there these they this those through thus to too under until
    up upon very via was we were what when where whether which while who whom whose why will with
    within without would yet you your yours yourself yourselves
    um umm uh uhh er erm ah hmm mm like basically actually literally really okay ok yeah yes well
    anyway kinda sorta gonna wanna just pretty right s t d ll ve re m""".split()
)

#: Verbs and auxiliaries that mark a sentence; a keyword list has none of them.
SENTENCE_MARKERS: frozenset[str] = frozenset(
    """is are was were be been being am has have had do does did can could will would should may
    might must shall it this that which who where when because so if then to by""".split()
)

#: Spoken fillers: never content, and skipped when judging how words are strung together.
FILLERS: frozenset[str] = frozenset(
    "um umm uh uhh er erm ah hmm mm like basically actually literally really okay ok yeah well so "
    "anyway kinda sorta just".split()
)

#: Common content words that say little on their own: they count at half weight.
GENERIC_WORDS: frozenset[str] = frozenset(
    """use used using uses way ways thing things something get gets got make makes made one two
    many much lot lots kind type part parts also another new good bad better best different
    able able need needs needed want wants given give gives example time times case cases
    certain specific simply simple basic general generally usually often always something
    someone anything everything go goes going put take takes taken called call""".split()
)

#: Related forms and near-synonyms, one group a line. A word may sit in several groups.
SYNONYM_GROUPS: tuple[str, ...] = (
    # generic English
    "begin start commence initial first",
    "end finish terminate termination stop halt exit complete conclude",
    "prevent avoid stop reduce combat mitigate counter curb limit",
    "make create construct build generate produce",
    "change modify alter update edit",
    "remove delete drop eliminate discard erase exclude",
    "ignore skip omit disregard drop disable deactivate",
    "random randomly stochastic arbitrary",
    "big large huge",
    "small little tiny",
    "fast quick rapid speed efficient",
    "error bug mistake fault",
    "combine merge join concatenate",
    "divide split partition separate break",
    "problem task issue",
    "main primary principal",
    "difference differ distinguish contrast",
    "same identical equal equivalent",
    "similar alike resemble",
    "include contain consist comprise hold",
    "provide supply give offer",
    "identify find locate determine search detect",
    "increase grow raise",
    "decrease reduce lower shrink",
    "improve enhance boost",
    "multiple several various",
    "whole entire full complete",
    "live exist persist remain stay retain",
    "happen occur",
    "achieve reach obtain attain",
    "need require necessary must",
    "purpose goal aim role objective",
    "show display demonstrate present",
    "advantage benefit",
    "disadvantage drawback downside",
    "influence affect impact",
    "simulate model mimic emulate imitate",
    "portion part piece section segment component subset",
    "desire want intend expect",
    "unlimited infinite endless unbounded limitless infinitely forever",
    "once single",
    "minimum smallest least lowest min",
    "maximum largest greatest highest max",
    "swap exchange interchange switch",
    "insert put place add",
    "location place position spot slot address",
    "whenever every each",
    "explicit explicitly manually",
    "implicit implicitly automatically automatic default",
    "order sequence arrange sorted ordered",
    "size length count number",
    "correct right accurate",
    "wrong incorrect",
    "hide hidden conceal private",
    "visible accessible public",
    # machine learning
    "neuron unit node perceptron",
    "inference predict prediction deployment",
    "overfit overfitting memorize",
    "regularization regularize regularizer regularisation",
    "weight parameter coefficient",
    "gradient derivative slope",
    "loss cost objective",
    "normalize scale standardize rescale",
    "probability likelihood chance",
    "vector embedding representation",
    "matrix tensor",
    "sample example instance observation",
    "dataset data",
    "model network",
    "feature attribute input",
    "accuracy performance",
)

_IRREGULAR: dict[str, str] = {
    "children": "child", "indices": "index", "matrices": "matrix", "vertices": "vertex",
    "data": "data", "analyses": "analysis", "ran": "run", "made": "make", "built": "build",
    "kept": "keep", "held": "hold", "gave": "give", "given": "give", "chose": "choose",
    "chosen": "choose", "went": "go", "gone": "go", "took": "take", "taken": "take",
    "wrote": "write", "written": "write", "began": "begin", "begun": "begin", "fed": "feed",
    "learnt": "learn", "split": "split", "set": "set", "behaviour": "behavior",
    "generally": "general",  # not "gener": that is generate's, and "generally" is a generic word
}

_INFLECTIONS: tuple[tuple[str, str], ...] = (
    ("ated", "ate"), ("ating", "ate"),  # "iterated" meets "iterate" (the "-ate" derivation goes next)
    ("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"),
    ("ingly", ""), ("edly", ""), ("ings", ""), ("ing", ""), ("ied", "y"), ("ed", ""),
    ("es", "e"), ("s", ""),
)
_DERIVATIONS: tuple[tuple[str, str], ...] = (
    ("atively", ""), ("ative", ""),  # "iterative" meets "iteration" and "iterate"
    ("izations", "ize"), ("ization", "ize"), ("isations", "ize"), ("isation", "ize"),
    ("ational", ""), ("ations", ""), ("ation", ""), ("ates", ""), ("ate", ""), ("itions", ""), ("ition", ""),
    ("ments", ""), ("ment", ""), ("nesses", ""), ("ness", ""), ("ities", ""), ("ity", ""),
    ("ively", ""), ("ive", ""), ("ally", ""), ("fully", ""), ("ful", ""), ("ly", ""),
    ("ions", ""), ("ion", ""), ("ise", "ize"), ("able", ""), ("ible", ""), ("ers", ""),
    ("er", ""), ("ors", ""), ("or", ""),
)
_NO_PLURAL_ENDINGS = ("ss", "us", "is", "ous")


def _strip(word: str, rules: tuple[tuple[str, str], ...], keep: int) -> str:
    for suffix, replacement in rules:
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[: len(word) - len(suffix)] + replacement
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stemmer: inflections, common derivations, British/American -ise/-our.

    It is tuned for matching (two forms of one word meet at the same stem), not for
    producing real words: ``initialization``, ``initialized`` and ``initialise`` all give
    ``initializ``.
    """
    word = word.lower()
    word = _IRREGULAR.get(word, word)
    if len(word) <= 3 or not word.isalpha():
        return word
    if not word.endswith(_NO_PLURAL_ENDINGS) or word.endswith(("sses", "ies")):
        word = _strip(word, _INFLECTIONS, 3)
    word = _strip(word, _DERIVATIONS, 4)
    if word.endswith("our") and len(word) > 5:
        word = word[:-3] + "or"
    if word.endswith("ise") and len(word) > 5:
        word = word[:-3] + "ize"
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz" and word[-1].isalpha():
        word = word[:-1]
    return word


_FILLER_PHRASE_RES = tuple((p, re.compile(r"\b" + re.escape(p) + r"\b")) for p in FILLER_PHRASES)


@lru_cache(maxsize=64)
def remove_fillers(text: str) -> str:
    """The text, lowercased, with spoken filler phrases ("you know", "kind of") taken out.

    (Cached for the few texts at hand: an answer's checks and its tokens each start here.)"""
    lowered = text.lower().replace("\u2019", "'").replace("n't", " not")
    for phrase, pattern in _FILLER_PHRASE_RES:
        if phrase in lowered:
            lowered = pattern.sub(" ", lowered)
    return lowered


NUMBER_WORDS: dict[str, str] = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
}
_NUMBER_WORDS = frozenset(NUMBER_WORDS)
_SPOKEN_NUMBERS = {digit: word for word, digit in NUMBER_WORDS.items()}


def as_said(token: str, text: str) -> str:
    """A token of ``text`` as it was said: ``tokenize`` turns "one" into "1", feedback should not."""
    spoken = _SPOKEN_NUMBERS.get(token)
    return spoken if spoken is not None and not re.search(rf"\b{token}\b", text) else token


def tokenize(text: str) -> tuple[str, ...]:
    """Lowercased word tokens, fillers removed, number words as digits; ``c++`` stays whole.

    ``tokens`` is this function cached; call ``tokenize`` for pieces of text seen once."""
    lowered = remove_fillers(text)
    found = _TOKEN_RE.findall(lowered)
    if not _NUMBER_WORDS.isdisjoint(found):
        return tuple([NUMBER_WORDS.get(t, t) for t in found])
    return tuple(found)


#: An answer is tokenised by the alignment and by several checks: once is enough.
tokens = lru_cache(maxsize=256)(tokenize)


def is_content(token: str) -> bool:
    return token not in STOP_WORDS and (len(token) > 1 or token.isdigit())


def content_tokens(text: str) -> list[str]:
    return [t for t in tokens(text) if is_content(t)]


def sentences(text: str) -> list[str]:
    """Sentences of a text, split on . ; ! ? and line breaks (not on "e.g." or "i.e.")."""
    return [s.strip() for s in _SENTENCE_RE.split(text) if s and s.strip()]


def clauses(text: str) -> list[str]:
    """Sentences further split at ", and", "whereas", ", then": the units a reference is made of."""
    parts: list[str] = []
    for sentence in sentences(text):
        parts.extend(p.strip() for p in _CLAUSE_RE.split(sentence) if p.strip())
    return parts


@lru_cache(maxsize=1)
def _synonym_index() -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for number, line in enumerate(SYNONYM_GROUPS):
        for word in line.split():
            index.setdefault(stem(word), set()).add(number)
    return {key: frozenset(value) for key, value in index.items()}


@lru_cache(maxsize=65536)
def synonym_groups(stemmed: str) -> frozenset[int]:
    """The synonym groups a stem belongs to (empty when it has none)."""
    return _synonym_index().get(stemmed, frozenset())


def _within_edits(a: str, b: str, limit: int) -> bool:
    """True when ``a`` and ``b`` are at most ``limit`` insertions/deletions/substitutions/swaps of
    two neighbouring letters apart.

    A shared beginning and end cost nothing; past them the first letters differ, so one of the
    three edits applies there (three tries a step: cheap for the limits of 1-2 used here)."""
    if abs(len(a) - len(b)) > limit:
        return False
    start, end_a, end_b = 0, len(a), len(b)
    while start < end_a and start < end_b and a[start] == b[start]:
        start += 1
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    if start == end_a or start == end_b:
        return max(end_a, end_b) - start <= limit
    if limit == 0:
        return False
    a, b = a[start:end_a], b[start:end_b]
    if len(a) >= 2 and len(b) >= 2 and a[0] == b[1] and a[1] == b[0] and _within_edits(a[2:], b[2:], limit - 1):
        return True  # two letters swapped ("nuerons"): one slip of the fingers
    return (_within_edits(a[1:], b[1:], limit - 1) or _within_edits(a[1:], b, limit - 1)
            or _within_edits(a, b[1:], limit - 1))


@lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> float:
    """How well two stems match: 1 same, 0.9 a likely typo, 0.8 related forms, 0.7 shared root, else 0."""
    if a == b:
        return 1.0
    if a[0] != b[0] and not (a.isdigit() or b.isdigit()):
        if synonym_groups(a) & synonym_groups(b):
            return 0.8
        return 0.0
    shorter = min(len(a), len(b))
    if shorter >= 5 and _within_edits(a, b, 1 if shorter < 8 else 2):
        return 0.9
    if synonym_groups(a) & synonym_groups(b):
        return 0.8
    if shorter >= 5 and (a.startswith(b) or b.startswith(a)):
        return 0.7
    if shorter >= 6 and a[:6] == b[:6]:
        return 0.7
    return 0.0


def is_generic(stemmed: str) -> bool:
    return stemmed in _generic_stems()


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in GENERIC_WORDS)

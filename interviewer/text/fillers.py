"""Spoken fillers in a tokenised answer ("um", "like", "you know"), counted only where they are fillers.

"like" in "um, like, it drops neurons" is a filler, in "it looks like a mask" or "I like
dropout" it is not; "kind of" in "it kind of averages" is, in "a kind of layer" it is not.
Tokens are ``delivery``'s: lowercased words, sentence ends and commas.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import compress

#: Tokens that end a sentence, and every punctuation token.
SENTENCE_END = frozenset({".", "!", "?", "\n"})
PUNCTUATION = frozenset({",", ";", ":"}) | SENTENCE_END

#: Hesitation sounds, with their spelling variants, under one name.
_HESITATIONS = (
    (re.compile(r"u+h*m+"), "um"),
    (re.compile(r"u+h+"), "uh"),
    (re.compile(r"e+r+m+"), "erm"),
    (re.compile(r"e+r+"), "er"),
    (re.compile(r"a+h+"), "ah"),
    (re.compile(r"h+m+"), "hmm"),
)
_ALWAYS_FILLERS = {"basically": "basically", "actually": "actually", "literally": "literally",
                   "kinda": "kind of", "sorta": "sort of"}
#: "like" after these is a verb or a comparison ("looks like", "I like"), not a filler.
_LIKE_NOT_FILLER_AFTER = frozenset(
    "look looks looked looking seem seems seemed sound sounds sounded feel feels felt smell "
    "tastes i you we they he she would i'd we'd you'd don't doesn't didn't not do does did just "
    "something anything nothing things thing more much less exactly very really is are was be".split()
)
#: "like" at the start of a sentence before these is a comparison ("Like the sigmoid, ...").
_LIKE_COMPARISON_BEFORE = frozenset("a an the this that these those in with when how i we my our".split())
#: "kind of" / "sort of" after these names a kind ("a kind of layer"), it is not a hedge.
_KIND_DETERMINERS = frozenset(
    "a an the this that these those what which some any every each one same other another "
    "different special particular certain new first second last that's whatever no".split()
)
_YOU_KNOW_NOT_FILLER_AFTER = frozenset("do did don't didn't if as would will should what whether".split())
_I_MEAN_NOT_FILLER_AFTER = frozenset("what if do did which that don't".split())
_SO_NOT_FILLER_BEFORE = frozenset("that far much many long on".split())
_RIGHT_QUESTION_OPENERS = frozenset("is am are that's that it's isn't".split())

#: Words that may start a filler; every other word is skipped at once.
_FILLER_CANDIDATES = frozenset("like you kind sort i okay ok so right".split())
#: Every token ``find_fillers`` must look at closely, hesitation sounds ("umm") aside.
_NOTABLE = PUNCTUATION | _FILLER_CANDIDATES | frozenset(_ALWAYS_FILLERS)


@lru_cache(maxsize=4096)
def _hesitation(token: str) -> str | None:
    if len(token) > 6 or not token.isalpha():
        return None
    for pattern, name in _HESITATIONS:
        if pattern.fullmatch(token):
            return name
    return None


class _NotableTokens(dict):
    """token -> whether ``find_fillers`` must look at it: punctuation, a word that may start a
    filler, a hesitation sound. Filled as tokens come, up to a bound."""

    def __missing__(self, token: str) -> bool:
        notable = token in _NOTABLE or (token[0] in "uaeh" and _hesitation(token) is not None)
        if len(self) < 65536:
            self[token] = notable
        return notable


_notable_tokens = _NotableTokens()


def find_fillers(tokens: list[str]) -> dict[str, int]:
    """Fillers by name, in order of first use, counted where they are fillers."""
    found: dict[str, int] = {}
    count = len(tokens)
    #: True while the current sentence holds only fillers and commas so far.
    opening = True
    first_sentence = True
    #: Whether the word before was a filler ("um so", "uh, so").
    after_filler = False
    skip_to = -1
    previous = -1
    # Only the notable tokens are visited; a plain word between two of them (one not skipped as
    # part of a filler) would have ended the opening and the filler run.
    for i in compress(range(count), map(_notable_tokens.__getitem__, tokens)):
        if i < skip_to:
            previous = i
            continue
        if max(previous + 1, skip_to) < i:
            opening = after_filler = False
        previous = i
        token = tokens[i]
        if token in SENTENCE_END:
            opening, first_sentence, after_filler = True, False, False
            continue
        if token in PUNCTUATION:
            continue
        if token not in _FILLER_CANDIDATES:
            name = _ALWAYS_FILLERS.get(token) or (_hesitation(token) if token[0] in "uaeh" else None)
            if name is None:
                opening = after_filler = False
            else:
                found[name] = found.get(name, 0) + 1
                after_filler = True
            continue
        prev = _previous_word(tokens, i)
        after = tokens[i + 1] if i + 1 < count else "."
        after2 = tokens[i + 2] if i + 2 < count else "."
        name, width = _candidate_filler(token, prev, after, after2, opening, first_sentence, after_filler)
        if name is None:
            opening = after_filler = False
            continue
        found[name] = found.get(name, 0) + 1
        after_filler = True
        skip_to = i + width
    return found


def _candidate_filler(token: str, prev: str, after: str, after2: str, opening: bool, first_sentence: bool,
                      after_filler: bool) -> tuple[str | None, int]:
    """Whether a word that is sometimes a filler is one here, from the words around it:
    (the filler's name or None, how many tokens it spans)."""
    name = None
    width = 1
    if token == "like":
        if after in PUNCTUATION or (after == "you" and after2 == "know"):
            if prev not in _LIKE_NOT_FILLER_AFTER:
                name = "like"
        elif opening and after not in _LIKE_COMPARISON_BEFORE:
            name = "like"
    elif token == "you" and after == "know":
        if prev not in _YOU_KNOW_NOT_FILLER_AFTER and (
            after2 in PUNCTUATION or prev == "like" and after_filler
        ):
            name, width = "you know", 2
    elif token in ("kind", "sort") and after == "of":
        if prev not in _KIND_DETERMINERS and after2 not in ("thing", "things"):
            name, width = f"{token} of", 2
    elif token == "i" and after == "mean":
        if prev not in _I_MEAN_NOT_FILLER_AFTER and (opening or after2 in PUNCTUATION):
            name, width = "I mean", 2
    elif token in ("okay", "ok"):
        nxt = after2 if after == "," else after
        if nxt == "so":
            name, width = "okay so", (3 if after == "," else 2)
    elif token == "so" and opening and after not in _SO_NOT_FILLER_BEFORE:
        # "So," opening a sentence, "So ..." opening the answer, "um so"; not "So the loss drops."
        if after == "," or first_sentence or after_filler:
            name = "so"
    elif token == "right" and after.startswith("?"):
        if prev not in _RIGHT_QUESTION_OPENERS:
            name = "right?"
    return name, width


def _previous_word(tokens: list[str], index: int) -> str:
    """The word before ``index`` in the same clause, or "" after punctuation or at the start."""
    if index == 0:
        return ""
    before = tokens[index - 1]
    return "" if before in PUNCTUATION else before

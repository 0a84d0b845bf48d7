"""Delivery feedback on a spoken-style answer: length, pace, fillers, hedges, run-on sentences, a direct opening.

This is coaching on *how* an answer was said, shown apart from the grade: nothing
here ever changes a content score. It is pure and fast (one tokenising regex, a
linear scan; well under a millisecond for a two-minute answer).

A filler is counted only where it is a filler: "like" in "um, like, it drops
neurons" is, in "it looks like a mask" or "I like dropout" it is not; "kind of"
in "it kind of averages" is, in "a kind of layer" it is not.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any

from interviewer.text_analysis import STOP_WORDS, stem

#: How fast people speak in an interview, for turning words into seconds.
WORDS_PER_MINUTE = 150
#: A good spoken interview answer lasts this long, in seconds (low, high).
TARGET_SECONDS: tuple[float, float] = (30.0, 120.0)
#: A sentence longer than this many words is hard to follow when spoken.
LONG_SENTENCE_WORDS = 35
#: Fillers per 100 words above which delivery feedback mentions them.
FILLER_RATE_TIP = 3.0
MAX_TIPS = 3

PACE_TOO_SHORT, PACE_GOOD, PACE_LONG = "too short", "good length", "long"

#: Words ("co-adapt", "it's", "0.5" and "e.g." whole), sentence ends, commas, line breaks.
_TOKEN_RE = re.compile(r"e\.g\.|i\.e\.|\d+(?:\.\d+)+|[a-z0-9]+(?:[-'][a-z0-9]+)*|[.!?]+|[,;:]|\n")
_SENTENCE_END = frozenset({".", "!", "?", "\n"})
_PUNCTUATION = frozenset({",", ";", ":"}) | _SENTENCE_END

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

#: Hedging phrases, as (regex, name); matched in one pass.
HEDGES: tuple[tuple[str, str], ...] = (
    (r"i think", "I think"),
    (r"i guess", "I guess"),
    (r"maybe", "maybe"),
    (r"probably", "probably"),
    (r"(?:i'm|im|i am) not (?:\w+ )?sure", "I'm not sure"),
    (r"i believe", "I believe"),
    (r"perhaps", "perhaps"),
    (r"might be", "might be"),
)
_HEDGE_RE = re.compile("|".join(rf"\b(?P<h{i}>{pattern})\b" for i, (pattern, _) in enumerate(HEDGES)))
_HEDGE_NAMES = {f"h{i}": name for i, (_, name) in enumerate(HEDGES)}
#: Words that may start a filler; every other word is skipped at once.
_FILLER_CANDIDATES = frozenset("like you kind sort i okay ok so right".split())

#: Openings that delay the answer: fillers, praise for the question, thinking aloud.
_PREAMBLE_RE = re.compile(
    r"^(?:um+|uh+m?|e+r+m?|a+h+|h+m+|so|well|okay|ok|like|basically|actually|literally|right|yeah"
    r"|you know|i mean|i think|i guess|i believe|i'm not sure|im not sure|honestly|to be honest"
    r"|let me (?:think|see)|let's see|good question|great question|interesting question"
    r"|(?:that's|that is|this is) (?:a |an )?(?:really |very )?(?:good|great|interesting|tough|nice) question"
    r"|in my opinion|personally|from what i (?:remember|know|recall)|if i remember)\b"
)
#: Words a direct answer often starts with: a definition ("A ...", "It is ..."), a yes/no.
_DIRECT_STARTS = frozenset(
    "a an the it it's its they they're this these those yes no we you one two both each there "
    "because by to when i'd i'll".split()
)
_DEFINITION_VERBS = frozenset("is are means refers describes measures was were".split())
_QUESTION_WORDS = frozenset(
    "what why how when which who whom explain describe define compare contrast difference "
    "differences between give example examples name list tell would could should does do did "
    "is are can main mean means role use used purpose work works".split()
)
_SUBJECT_RE = re.compile(
    r"^\s*(?:what|who)\s+(?:is|are)\s+(?:an?\s+|the\s+)?(?P<subject>[^?.,]{2,60}?)\s*\??\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DeliveryReport:
    """How an answer was delivered. Never part of the content score."""

    words: int
    speaking_seconds: float
    target_seconds: tuple[float, float]
    pace_verdict: str
    #: Filler -> how many times, in order of first use ("um", "like", "you know", ...).
    fillers: dict[str, int] = field(default_factory=dict)
    filler_count: int = 0
    #: Fillers per 100 words.
    filler_rate: float = 0.0
    #: Hedging phrases used, each once, in order of first use ("I think", "maybe", ...).
    hedges: tuple[str, ...] = ()
    hedge_count: int = 0
    sentences: int = 0
    long_sentences: int = 0
    longest_sentence_words: int = 0
    direct_opening: bool = False
    #: At most three short pieces of advice, most useful first.
    tips: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(target_seconds=list(self.target_seconds), hedges=list(self.hedges), tips=list(self.tips))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DeliveryReport":
        low, high = data.get("target_seconds") or TARGET_SECONDS
        hedges = tuple(str(h) for h in data.get("hedges") or ())
        return cls(
            words=int(data.get("words", 0)),
            speaking_seconds=float(data.get("speaking_seconds", 0.0)),
            target_seconds=(float(low), float(high)),
            pace_verdict=str(data.get("pace_verdict", "")),
            fillers={str(k): int(v) for k, v in (data.get("fillers") or {}).items()},
            filler_count=int(data.get("filler_count", 0)),
            filler_rate=float(data.get("filler_rate", 0.0)),
            hedges=hedges,
            hedge_count=int(data.get("hedge_count", len(hedges))),
            sentences=int(data.get("sentences", 0)),
            long_sentences=int(data.get("long_sentences", 0)),
            longest_sentence_words=int(data.get("longest_sentence_words", 0)),
            direct_opening=bool(data.get("direct_opening", False)),
            tips=tuple(str(t) for t in data.get("tips") or ()),
        )

    def headline(self) -> str:
        """One line for a status bar: length, pace, fillers, opening."""
        parts = [f"{self.words} words", f"~{format_seconds(self.speaking_seconds)} spoken ({self.pace_verdict})"]
        if self.filler_count:
            top = ", ".join(f"{name} ×{count}" if count > 1 else name for name, count in self.top_fillers(3))
            parts.append(f"{self.filler_count} filler{'s' if self.filler_count != 1 else ''} ({top})")
        else:
            parts.append("no fillers")
        parts.append("direct opening" if self.direct_opening else "slow opening")
        return " · ".join(parts)

    def top_fillers(self, count: int = 3) -> list[tuple[str, int]]:
        """The most used fillers, most used first (ties in order of first use)."""
        return sorted(self.fillers.items(), key=lambda item: -item[1])[:count]


def format_seconds(seconds: float) -> str:
    """``75`` -> ``"1 min 15 s"``, ``40`` -> ``"40 s"``."""
    whole = int(round(seconds))
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def analyse_delivery(answer: str, question: str = "") -> DeliveryReport:
    """Delivery metrics and tips for one answer (the question helps judge the opening)."""
    lowered = answer.lower().replace("’", "'").replace("‘", "'")
    tokens = _TOKEN_RE.findall(lowered)
    sentence_lengths = _sentence_lengths(tokens)
    words = sum(sentence_lengths)
    fillers = _find_fillers(tokens)
    filler_count = sum(fillers.values())
    hedges = [_HEDGE_NAMES[match.lastgroup] for match in _HEDGE_RE.finditer(lowered)]
    hedge_names = list(dict.fromkeys(hedges))
    hedge_count = len(hedges)
    long_sentences = sum(1 for n in sentence_lengths if n > LONG_SENTENCE_WORDS)
    seconds = round(words * 60.0 / WORDS_PER_MINUTE, 1)
    low, high = TARGET_SECONDS
    pace = PACE_TOO_SHORT if seconds < low else PACE_LONG if seconds > high else PACE_GOOD
    direct = _is_direct_opening(tokens, question)
    report = DeliveryReport(
        words=words,
        speaking_seconds=seconds,
        target_seconds=TARGET_SECONDS,
        pace_verdict=pace,
        fillers=fillers,
        filler_count=filler_count,
        filler_rate=round(filler_count * 100.0 / words, 1) if words else 0.0,
        hedges=tuple(hedge_names),
        hedge_count=hedge_count,
        sentences=len(sentence_lengths),
        long_sentences=long_sentences,
        longest_sentence_words=max(sentence_lengths, default=0),
        direct_opening=direct,
    )
    return _with_tips(report, question)


@lru_cache(maxsize=4096)
def _hesitation(token: str) -> str | None:
    if len(token) > 6 or not token.isalpha():
        return None
    for pattern, name in _HESITATIONS:
        if pattern.fullmatch(token):
            return name
    return None


def _find_fillers(tokens: list[str]) -> dict[str, int]:
    """Fillers by name, counted where they are fillers (see the module docstring)."""
    found: dict[str, int] = {}
    count = len(tokens)
    #: True while the current sentence holds only fillers and commas so far.
    opening = True
    first_sentence = True
    #: Whether the word before was a filler ("um so", "uh, so").
    after_filler = False
    skip_to = -1
    for i, token in enumerate(tokens):
        if i < skip_to:
            continue
        if token in _SENTENCE_END:
            opening, first_sentence, after_filler = True, False, False
            continue
        if token in _PUNCTUATION:
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
        name = None
        width = 1
        if token == "like":
            if after in _PUNCTUATION or (after == "you" and after2 == "know"):
                if prev not in _LIKE_NOT_FILLER_AFTER:
                    name = "like"
            elif opening and after not in _LIKE_COMPARISON_BEFORE:
                name = "like"
        elif token == "you" and after == "know":
            if prev not in _YOU_KNOW_NOT_FILLER_AFTER and (
                after2 in _PUNCTUATION or prev == "like" and after_filler
            ):
                name, width = "you know", 2
        elif token in ("kind", "sort") and after == "of":
            if prev not in _KIND_DETERMINERS and after2 not in ("thing", "things"):
                name, width = f"{token} of", 2
        elif token == "i" and after == "mean":
            if prev not in _I_MEAN_NOT_FILLER_AFTER and (opening or after2 in _PUNCTUATION):
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
        if name is None:
            opening = after_filler = False
            continue
        found[name] = found.get(name, 0) + 1
        after_filler = True
        skip_to = i + width
    return found


def _previous_word(tokens: list[str], index: int) -> str:
    """The word before ``index`` in the same clause, or "" after punctuation or at the start."""
    if index == 0:
        return ""
    before = tokens[index - 1]
    return "" if before in _PUNCTUATION else before


def _sentence_lengths(tokens: list[str]) -> list[int]:
    lengths: list[int] = []
    current = 0
    for token in tokens:
        if token in _SENTENCE_END:
            if current:
                lengths.append(current)
            current = 0
        elif token not in _PUNCTUATION:
            current += 1
    if current:
        lengths.append(current)
    return lengths


def _first_sentence(tokens: list[str]) -> list[str]:
    words: list[str] = []
    for token in tokens:
        if token in _SENTENCE_END:
            if words:
                break
            continue
        words.append(token)
    return words


@lru_cache(maxsize=256)
def _question_stems(question: str) -> frozenset[str]:
    lowered = question.lower().replace("’", "'")
    return frozenset(
        stem(part)
        for word in re.findall(r"[a-z][a-z0-9-]*", lowered)
        if len(word) > 2 and word not in STOP_WORDS and word not in _QUESTION_WORDS
        for part in word.split("-")
    )


def _is_direct_opening(tokens: list[str], question: str) -> bool:
    """Whether the first sentence starts on the answer, not on filler or preamble."""
    first = _first_sentence(tokens)
    words = [t for t in first if t not in _PUNCTUATION]
    if not words:
        return False
    if _PREAMBLE_RE.match(" ".join(words[:8])):
        return False
    if not question.strip():
        return True
    if words[0] in _DIRECT_STARTS:
        return True
    if any(w in _DEFINITION_VERBS or w.endswith("'s") for w in words[1:8]):
        return True
    subject = _question_stems(question)
    return any(stem(part) in subject for w in words for part in w.split("-"))


def _subject(question: str) -> str:
    match = _SUBJECT_RE.match(question)
    return match.group("subject").strip() if match else ""


def _with_tips(report: DeliveryReport, question: str) -> DeliveryReport:
    """The report with its tips: the most useful first, at most ``MAX_TIPS``."""
    tips: list[str] = []
    low, high = report.target_seconds
    if report.words == 0:
        tips.append("Say something, even a partial answer: the idea you are sure of is worth saying.")
    elif report.pace_verdict == PACE_TOO_SHORT:
        wanted = int(low * WORDS_PER_MINUTE / 60)
        tips.append(
            f"Too short for an interview answer (~{format_seconds(report.speaking_seconds)}): aim for "
            f"{format_seconds(low)}+ (about {wanted} words): say how it works and give an example."
        )
    if report.words and not report.direct_opening:
        subject = _subject(question)
        example = f' (e.g. "{subject[0].upper()}{subject[1:]} is ...")' if subject else ""
        tips.append(f"Open with the answer itself{example}, then explain; skip the warm-up.")
    if report.filler_count and (report.filler_rate > FILLER_RATE_TIP or report.filler_count >= 4):
        top = ", ".join(f'"{name}" ×{count}' if count > 1 else f'"{name}"' for name, count in report.top_fillers(2))
        plural = "s" if report.filler_count != 1 else ""
        tips.append(f"{report.filler_count} filler{plural} ({top}): a short silent pause sounds more confident.")
    if report.pace_verdict == PACE_LONG:
        tips.append(
            f"Long (~{format_seconds(report.speaking_seconds)}): keep to {format_seconds(high)} or less; "
            "lead with the core idea and let the interviewer ask for detail."
        )
    if report.long_sentences:
        tips.append(
            f"Break up long sentences (the longest has {report.longest_sentence_words} words): one idea per sentence."
        )
    if report.hedge_count >= 2:
        used = ", ".join(f'"{h}"' for h in report.hedges[:2])
        tips.append(f"Fewer hedges ({used}): state what you know plainly, and flag real doubt once.")
    return replace(report, tips=tuple(tips[:MAX_TIPS]))

"""Delivery feedback on a spoken-style answer: length, pace, fillers, hedges, run-on sentences, a direct opening.

This is coaching on *how* an answer was said, shown apart from the grade: nothing
here ever changes a content score. It is pure and fast (one tokenising regex, a
linear scan; well under a millisecond for a two-minute answer).

A filler is counted only where it is a filler: "like" in "um, like, it drops
neurons" is, in "it looks like a mask" or "I like dropout" it is not; "kind of"
in "it kind of averages" is, in "a kind of layer" it is not (``fillers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, filterfalse
from typing import Any

from interviewer.text.fillers import PUNCTUATION as _PUNCTUATION
from interviewer.text.fillers import SENTENCE_END as _SENTENCE_END
from interviewer.text.fillers import find_fillers
from interviewer.text.analysis import STOP_WORDS, stem

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
#: Every hedge starts with one of "imp": the lookahead lets the scan skip other positions fast.
_HEDGE_RE = re.compile(
    r"(?=[imp])\b(?:" + "|".join(rf"(?P<h{i}>{pattern})" for i, (pattern, _) in enumerate(HEDGES)) + r")\b"
)
_HEDGE_NAMES = {f"h{i}": name for i, (_, name) in enumerate(HEDGES)}
#: A word each hedge has: a text with none of them has no hedge (and skips the regex).
_HEDGE_WORDS = ("think", "guess", "maybe", "probably", "sure", "believe", "perhaps", "might")
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
        """Plain JSON types (what ``dataclasses.asdict`` gives, with lists for tuples, at a fraction of its cost)."""
        return {
            "words": self.words,
            "speaking_seconds": self.speaking_seconds,
            "target_seconds": list(self.target_seconds),
            "pace_verdict": self.pace_verdict,
            "fillers": dict(self.fillers),
            "filler_count": self.filler_count,
            "filler_rate": self.filler_rate,
            "hedges": list(self.hedges),
            "hedge_count": self.hedge_count,
            "sentences": self.sentences,
            "long_sentences": self.long_sentences,
            "longest_sentence_words": self.longest_sentence_words,
            "direct_opening": self.direct_opening,
            "tips": list(self.tips),
        }

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


def analyse_delivery(answer: str, question: str = "", reference: str = "") -> DeliveryReport:
    """Delivery metrics and tips for one answer (the question and the reference help judge the opening)."""
    lowered = answer.lower().replace("’", "'").replace("‘", "'")
    tokens = _TOKEN_RE.findall(lowered)
    sentence_lengths = _sentence_lengths(tokens)
    words = sum(sentence_lengths)
    fillers = find_fillers(tokens)
    filler_count = sum(fillers.values())
    hedges = ([_HEDGE_NAMES[match.lastgroup] for match in _HEDGE_RE.finditer(lowered)]
              if any(word in lowered for word in _HEDGE_WORDS) else [])
    hedge_names = list(dict.fromkeys(hedges))
    hedge_count = len(hedges)
    long_sentences = sum(1 for n in sentence_lengths if n > LONG_SENTENCE_WORDS)
    seconds = round(words * 60.0 / WORDS_PER_MINUTE, 1)
    low, high = TARGET_SECONDS
    pace = PACE_TOO_SHORT if seconds < low else PACE_LONG if seconds > high else PACE_GOOD
    direct = _is_direct_opening(tokens, question, reference)
    lead = "" if direct else _lead_in(tokens, question, reference)
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
    # The report is new and seen by nobody yet: set its tips in place (``replace`` costs 3x).
    object.__setattr__(report, "tips", _tips(report, question, lead))
    return report


def _sentence_lengths(tokens: list[str]) -> list[int]:
    """Words per sentence (punctuation is not a word), empty sentences left out."""
    punctuation = list(map(_PUNCTUATION.__contains__, tokens))
    ends = compress(range(len(tokens)), map(_SENTENCE_END.__contains__, tokens))
    lengths: list[int] = []
    start = 0
    for end in (*ends, len(tokens)):
        words = end - start - sum(punctuation[start:end])
        if words:
            lengths.append(words)
        start = end + 1
    return lengths


def _sentence_end(tokens: list[str], start: int) -> int:
    """The index of the first sentence end at or after ``start`` (the length if none)."""
    end = len(tokens)
    for mark in _SENTENCE_END:
        try:
            end = tokens.index(mark, start, end)
        except ValueError:
            pass
    return end


def _first_sentence(tokens: list[str]) -> list[str]:
    start = 0
    while start < len(tokens) and tokens[start] in _SENTENCE_END:
        start += 1
    return tokens[start:_sentence_end(tokens, start)]


@lru_cache(maxsize=256)
def _question_stems(question: str) -> frozenset[str]:
    lowered = question.lower().replace("’", "'")
    return frozenset(
        stem(part)
        for word in re.findall(r"[a-z][a-z0-9-]*", lowered)
        if len(word) > 2 and word not in STOP_WORDS and word not in _QUESTION_WORDS
        for part in word.split("-")
    )


def _is_direct_opening(tokens: list[str], question: str, reference: str = "") -> bool:
    """Whether the first sentence starts on the answer, not on filler or preamble.

    A definition is direct whatever its grammar: "Randomly dropping neurons ...",
    "Algorithm for ...", or a first sentence saying what the reference's says.
    """
    first = _first_sentence(tokens)
    words = list(filterfalse(_PUNCTUATION.__contains__, first))
    if not words:
        return False
    if _PREAMBLE_RE.match(" ".join(words[:8])):
        return False
    if not question.strip():
        return True
    if words[0] in _DIRECT_STARTS or any(len(w) > 5 and w.endswith("ing") for w in words[:2]):
        return True
    if reference.strip() and (_restates_reference(words, reference) or _names_a_way(words, question, reference)):
        return True
    if any(w in _DEFINITION_VERBS or w.endswith("'s") for w in words[1:8]):
        return True
    subject = _question_stems(question)
    # A hyphenated word's own stem keeps its hyphen, and no subject stem has one: its parts are looked up.
    if any(map(subject.__contains__, map(stem, words))):
        return True
    return "-" in " ".join(words) and any(stem(part) in subject for w in words if "-" in w for part in w.split("-"))


#: Words a spoken answer may start with before the answer itself ("So, dropout is ...").
_LEAD_IN_WORDS = frozenset("so well okay ok um umm uh uhm er erm like basically actually right yeah".split())


def _lead_in(tokens: list[str], question: str, reference: str) -> str:
    """The filler words the first sentence starts with ("So"), when the rest of it opens directly;
    else ""."""
    words = list(filterfalse(_PUNCTUATION.__contains__, _first_sentence(tokens)))
    count = 0
    while count < len(words) and words[count] in _LEAD_IN_WORDS:
        count += 1
    if 0 < count < len(words) and _is_direct_opening(words[count:], question, reference):
        return " ".join(words[:count]).capitalize()
    return ""


def _restates_reference(words: list[str], reference: str) -> bool:
    """Whether the first sentence shares at least two content words (and half of its own) with the reference's first."""
    reference_words = _first_sentence(_TOKEN_RE.findall(reference.lower().replace("’", "'")))
    theirs = {stem(w) for w in reference_words if len(w) > 2 and w not in STOP_WORDS}
    ours = {stem(w) for w in words if len(w) > 2 and w not in STOP_WORDS}
    shared = len(ours & theirs)
    return shared >= 2 and shared * 2 >= len(ours)


def _names_a_way(words: list[str], question: str, reference: str) -> bool:
    """For a "how" question, a first sentence that names one of the reference's ways ("Use ReLU
    activations instead of sigmoid." to "How to mitigate vanishing gradients?") is the answer."""
    if not question.lower().lstrip().startswith("how"):
        return False
    asked = _question_stems(question)
    theirs = {stem(w) for w in _TOKEN_RE.findall(reference.lower()) if len(w) > 2 and w not in STOP_WORDS}
    return any(stem(w) in theirs and stem(w) not in asked for w in words if len(w) > 2 and w not in STOP_WORDS)


def _subject(question: str) -> str:
    match = _SUBJECT_RE.match(question)
    return match.group("subject").strip() if match else ""


def _tips(report: DeliveryReport, question: str, lead: str = "") -> tuple[str, ...]:
    """The report's tips: the most useful first, at most ``MAX_TIPS``. ``lead``: the filler words
    before an otherwise direct opening."""
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
    if report.words and not report.direct_opening and lead:
        tips.append(f'Start on the answer: drop the opening "{lead}"; the rest of your first sentence is the answer.')
    elif report.words and not report.direct_opening:
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
    return tuple(tips[:MAX_TIPS])

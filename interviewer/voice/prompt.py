"""The initial prompt that makes Whisper keep fillers and hear the question's terms.

Whisper drops "um" and "uh" unless its prompt contains them, and mishears terms it was not
told about ("a GAN" -> "Again", ReLU -> "Rayleigh"). The prompt is a short spoken-style
opening full of fillers, then the question and the key terms of the question and its key
points as written in the bank (so acronyms keep their case), kept well under Whisper's
prompt budget (about 220 tokens).
"""

from __future__ import annotations

import re
from typing import Iterable

from interviewer.text.analysis import STOP_WORDS

#: A spoken-style preface with the fillers we want kept, spelt the way the filler counter reads them.
FILLER_PREFACE = "Um, so, uh, I mean, like, you know, hmm. Okay, so, um, basically, uh,"
#: Rough bound on the prompt's length in characters (Whisper keeps the last ~223 tokens).
MAX_PROMPT_CHARS = 600
MAX_TERMS = 40

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")


def key_terms(texts: Iterable[str], limit: int = MAX_TERMS) -> list[str]:
    """Distinctive words of the texts, in order of first use, once each (case kept from first use)."""
    seen: set[str] = set()
    terms: list[str] = []
    for text in texts:
        for word in _WORD_RE.findall(text or ""):
            lowered = word.lower()
            if lowered in seen or lowered in STOP_WORDS or (len(word) < 3 and not word.isupper()):
                continue
            seen.add(lowered)
            terms.append(word)
            if len(terms) >= limit:
                return terms
    return terms


def initial_prompt(question: str = "", key_points: Iterable[str] = (), extra_terms: Iterable[str] = ()) -> str:
    """The prompt for one answer: fillers, the question, and its key terms."""
    terms = key_terms([question, *key_points, *extra_terms])
    parts = [FILLER_PREFACE]
    if question.strip():
        parts.append(question.strip())
    if terms:
        parts.append(" ".join(terms) + ".")
    prompt = " ".join(parts)
    return prompt[:MAX_PROMPT_CHARS].rsplit(" ", 1)[0] if len(prompt) > MAX_PROMPT_CHARS else prompt

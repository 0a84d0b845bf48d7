"""Measured delivery: how an answer was spoken, read off the word timings of its audio.

Real speaking time and words per minute, pauses of half a second or more (count, longest,
where), the time before the first word, the fillers heard, and the words the model was
unsure of. Like the text-only delivery report it is coaching shown beside the grade and
never part of the content score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from interviewer.text.delivery import analyse_delivery, format_seconds
from interviewer.voice.spoken import SpokenTranscript, SpokenWord

#: A silence between two words at least this long is a pause.
MIN_PAUSE_S = 0.5
#: A word heard with less confidence than this is reported as unsure.
UNSURE_BELOW = 0.5
#: A comfortable interview pace, in words per minute (low, high).
PACE_WPM: tuple[float, float] = (110.0, 170.0)
#: Waiting longer than this before the first word is worth a tip.
SLOW_START_S = 3.0
#: A pause longer than this is worth a tip.
LONG_PAUSE_S = 3.0

_WORD_RE = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Pause:
    """A silence between two words."""

    start_s: float
    duration_s: float
    #: The word before the pause (stripped of spacing and punctuation).
    after_word: str

    def to_dict(self) -> dict[str, Any]:
        return {"start_s": self.start_s, "duration_s": self.duration_s, "after_word": self.after_word}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Pause":
        return cls(float(data["start_s"]), float(data["duration_s"]), str(data.get("after_word", "")))


@dataclass(frozen=True)
class MeasuredDelivery:
    """Delivery measured from audio. Never part of the content score."""

    words: int
    #: From the first word's start to the last word's end, pauses included.
    speaking_seconds: float
    words_per_minute: float
    #: Silence before the first word.
    time_to_first_word_s: float
    pauses: tuple[Pause, ...] = ()
    #: Filler -> times heard, in order of first use.
    fillers: dict[str, int] | None = None
    filler_count: int = 0
    #: Words the model was unsure of, in order (each once).
    unsure_words: tuple[str, ...] = ()
    audio_seconds: float = 0.0

    @property
    def longest_pause(self) -> Pause | None:
        return max(self.pauses, key=lambda pause: pause.duration_s, default=None)

    def pace_verdict(self) -> str:
        low, high = PACE_WPM
        if not self.words:
            return "no speech"
        return "slow" if self.words_per_minute < low else "fast" if self.words_per_minute > high else "good pace"

    def headline(self) -> str:
        """One line: speaking time, pace, pauses, start, fillers."""
        parts = [f"{format_seconds(self.speaking_seconds)} spoken",
                 f"{self.words_per_minute:.0f} words/min ({self.pace_verdict()})"]
        longest = self.longest_pause
        if longest is None:
            parts.append("no pauses ≥ 0.5 s")
        else:
            plural = "s" if len(self.pauses) != 1 else ""
            parts.append(f"{len(self.pauses)} pause{plural} (longest {longest.duration_s:.1f} s "
                         f"at {longest.start_s:.0f} s, after \"{longest.after_word}\")")
        parts.append(f"first word after {self.time_to_first_word_s:.1f} s")
        parts.append(f"{self.filler_count} filler{'s' if self.filler_count != 1 else ''} heard")
        return " · ".join(parts)

    def tips(self) -> tuple[str, ...]:
        tips: list[str] = []
        low, high = PACE_WPM
        if self.words and self.words_per_minute > high:
            tips.append(f"Fast ({self.words_per_minute:.0f} words/min): slow down to {high:.0f} or less.")
        elif self.words and self.words_per_minute < low:
            tips.append(f"Slow ({self.words_per_minute:.0f} words/min): aim for {low:.0f}-{high:.0f}.")
        if self.time_to_first_word_s > SLOW_START_S:
            tips.append(f"{self.time_to_first_word_s:.0f} s before the first word: start with the core idea.")
        longest = self.longest_pause
        if longest is not None and longest.duration_s > LONG_PAUSE_S:
            tips.append(f"A {longest.duration_s:.0f} s pause after \"{longest.after_word}\": a short pause is fine, "
                        "a long one loses the listener.")
        if self.unsure_words:
            shown = ", ".join(f'"{w}"' for w in self.unsure_words[:3])
            tips.append(f"Hard to make out: {shown}; check the transcript and say key terms clearly.")
        return tuple(tips)

    def to_dict(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "speaking_seconds": self.speaking_seconds,
            "words_per_minute": self.words_per_minute,
            "time_to_first_word_s": self.time_to_first_word_s,
            "pauses": [pause.to_dict() for pause in self.pauses],
            "fillers": dict(self.fillers or {}),
            "filler_count": self.filler_count,
            "unsure_words": list(self.unsure_words),
            "audio_seconds": self.audio_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "MeasuredDelivery":
        return cls(
            words=int(data.get("words", 0)),
            speaking_seconds=float(data.get("speaking_seconds", 0.0)),
            words_per_minute=float(data.get("words_per_minute", 0.0)),
            time_to_first_word_s=float(data.get("time_to_first_word_s", 0.0)),
            pauses=tuple(Pause.from_dict(p) for p in data.get("pauses") or ()),
            fillers={str(k): int(v) for k, v in (data.get("fillers") or {}).items()},
            filler_count=int(data.get("filler_count", 0)),
            unsure_words=tuple(str(w) for w in data.get("unsure_words") or ()),
            audio_seconds=float(data.get("audio_seconds", 0.0)),
        )


def _clean(word: SpokenWord) -> str:
    return word.text.strip().strip(".,;:!?\"'()").strip()


def measure_delivery(transcript: SpokenTranscript, text: str | None = None, min_pause_s: float = MIN_PAUSE_S,
                     unsure_below: float = UNSURE_BELOW) -> MeasuredDelivery:
    """Delivery of a transcribed answer; ``text`` is the answer as submitted (fillers are counted in it)."""
    words = [w for w in transcript.words if _WORD_RE.search(w.text)]
    if not words:
        return MeasuredDelivery(0, 0.0, 0.0, transcript.duration_s, audio_seconds=transcript.duration_s)
    speaking = max(words[-1].end - words[0].start, 0.0)
    pauses = tuple(
        Pause(round(before.end, 2), round(after.start - before.end, 2), _clean(before))
        for before, after in zip(words, words[1:])
        if after.start - before.end >= min_pause_s - 1e-6
    )
    fillers = analyse_delivery(transcript.text if text is None else text).fillers
    unsure = tuple(dict.fromkeys(_clean(w) for w in words if w.probability < unsure_below and _clean(w)))
    return MeasuredDelivery(
        words=len(words),
        speaking_seconds=round(speaking, 2),
        words_per_minute=round(len(words) * 60.0 / speaking, 1) if speaking > 0 else 0.0,
        time_to_first_word_s=round(words[0].start, 2),
        pauses=pauses,
        fillers=fillers,
        filler_count=sum(fillers.values()),
        unsure_words=unsure,
        audio_seconds=round(transcript.duration_s, 2),
    )

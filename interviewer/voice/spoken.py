"""What a transcription gives: the text and every word with its timing and confidence, as one typed record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = 1


@dataclass(frozen=True)
class SpokenWord:
    """One word as heard: its text (with the model's spacing and punctuation), when, how sure."""

    text: str
    start: float
    end: float
    #: The model's confidence in this word, 0-1.
    probability: float

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": round(self.start, 3), "end": round(self.end, 3),
                "probability": round(self.probability, 3)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SpokenWord":
        return cls(str(data["text"]), float(data["start"]), float(data["end"]), float(data.get("probability", 1.0)))


@dataclass(frozen=True)
class SpokenTranscript:
    """An answer as transcribed from audio."""

    text: str
    words: tuple[SpokenWord, ...]
    #: Length of the audio, in seconds.
    duration_s: float
    model: str = ""
    #: Where the audio came from (a file path), when it was a file.
    source: str | None = None
    language: str = "en"
    #: Seconds spent transcribing (wall time and CPU time of this process).
    elapsed_s: float = 0.0
    cpu_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "source": self.source,
            "text": self.text,
            "duration_s": round(self.duration_s, 3),
            "model": self.model,
            "language": self.language,
            "elapsed_s": round(self.elapsed_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "words": [word.to_dict() for word in self.words],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SpokenTranscript":
        return cls(
            text=str(data.get("text", "")),
            words=tuple(SpokenWord.from_dict(w) for w in data.get("words") or ()),
            duration_s=float(data.get("duration_s", 0.0)),
            model=str(data.get("model", "")),
            source=data.get("source"),
            language=str(data.get("language", "en")),
            elapsed_s=float(data.get("elapsed_s", 0.0)),
            cpu_s=float(data.get("cpu_s", 0.0)),
        )


def joined(first: SpokenTranscript | None, second: SpokenTranscript) -> SpokenTranscript:
    """Two recordings of one answer as one: the second's words shifted by the first's length."""
    if first is None:
        return second
    shift = first.duration_s
    moved = tuple(SpokenWord(w.text, w.start + shift, w.end + shift, w.probability) for w in second.words)
    return SpokenTranscript(
        text=f"{first.text} {second.text}".strip(), words=first.words + moved,
        duration_s=first.duration_s + second.duration_s, model=second.model, source=None,
        language=second.language, elapsed_s=first.elapsed_s + second.elapsed_s, cpu_s=first.cpu_s + second.cpu_s,
    )

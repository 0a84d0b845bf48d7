"""Word timings tightened on the signal: Whisper's word edges often run into the silence around them.

Whisper puts a word's start early after a pause and lets a word's end run into the silence
that follows it, which shortens pauses and the measured time before the first word. Only
edges next to silence are moved, and only inwards: a word start moves forward to the first
voiced 10 ms frame of its span, a word end before a gap moves back to the last voiced frame.
A frame is voiced above a threshold set from the clip itself (three times its noise floor,
and at least 10% of its loud frames' level), so it works on a quiet room as on synthetic audio.
"""

from __future__ import annotations

from interviewer.voice.spoken import SpokenWord

FRAME_S = 0.01
#: Only edges next to a gap at least this long (or the clip's first and last words) are moved.
MIN_GAP_S = 0.1


def voiced_frames(samples, rate: int = 16000):
    """A boolean per 10 ms frame: whether it holds sound above the clip's noise floor."""
    import numpy

    size = int(rate * FRAME_S)
    count = len(samples) // size
    if count == 0:
        return numpy.zeros(0, dtype=bool)
    frames = numpy.asarray(samples[: count * size], dtype=numpy.float32).reshape(count, size)
    rms = numpy.sqrt((frames ** 2).mean(axis=1))
    floor, loud = numpy.percentile(rms, 10), numpy.percentile(rms, 95)
    return rms > max(floor * 3.0, loud * 0.1, 1e-4)


def tighten(words: list[SpokenWord], samples, rate: int = 16000) -> list[SpokenWord]:
    """The words with edges next to silence moved inwards onto the voiced signal."""
    voiced = voiced_frames(samples, rate)
    if not words or not voiced.any():
        return list(words)
    result = []
    for index, word in enumerate(words):
        start, end = word.start, word.end
        gap_before = index == 0 or start - words[index - 1].end >= MIN_GAP_S or _silent(voiced, start)
        gap_after = index == len(words) - 1 or words[index + 1].start - end >= MIN_GAP_S or _silent(voiced, end)
        first, last = _frame(start), _frame(end)
        span = voiced[first:last]
        if span.any():
            if gap_before:
                start = max(start, (first + int(span.argmax())) * FRAME_S)
            if gap_after:
                end = min(end, (first + len(span) - int(span[::-1].argmax())) * FRAME_S)
        result.append(SpokenWord(word.text, round(start, 3), round(max(end, start), 3), word.probability))
    return result


def _frame(seconds: float) -> int:
    return max(0, int(round(seconds / FRAME_S)))


def _silent(voiced, seconds: float) -> bool:
    index = _frame(seconds)
    return index < len(voiced) and not voiced[max(0, index - 2):index + 3].any()

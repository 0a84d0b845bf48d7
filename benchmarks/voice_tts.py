"""hibari text-to-speech for a 25-word question: load time, time to first audio, real-time factor. Prints one JSON line.

    .venv/bin/python benchmarks/voice_tts.py

Needs the voice extra. Synthesis only (no playback), wall time.
"""

from __future__ import annotations

import json
import os
import sys
import time

QUESTION = ("Can you explain what batch normalization does during training, and why it often lets "
            "you use a higher learning rate without the loss diverging?")


def main() -> int:
    from interviewer.voice.tts import load_hibari

    started = time.perf_counter()
    tts = load_hibari()
    tts("Warm up.", seed=0)
    load_s = time.perf_counter() - started
    wall = time.perf_counter()
    first = next(tts.stream(QUESTION, seed=0))
    first_s = time.perf_counter() - wall
    audio = tts(QUESTION, seed=0)
    total_wall = time.perf_counter() - wall - first_s
    seconds = len(audio) / tts.sample_rate
    print(json.dumps({
        "benchmark": "voice_tts", "words": len(QUESTION.split()), "load_s": round(load_s, 3),
        "first_audio_ms": round(first_s * 1000), "audio_s": round(seconds, 2),
        "rtf_wall": round(total_wall / seconds, 4),
        "first_chunk_s": round(len(first) / tts.sample_rate, 2),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where a practice answer's recording is kept: beside the session transcript, one WAV per answer."""

from __future__ import annotations

from pathlib import Path

from interviewer.voice.recording import write_wav


def answer_audio_path(transcript: Path, question_id: str, follow_up_of: str | None, attempt: int) -> Path:
    """``session-X.jsonl`` -> ``session-X.audio/dl-021-1.wav`` (a follow-up: ``dl-021-followup-1.wav``)."""
    kind = "-followup" if follow_up_of else ""
    return transcript.with_suffix(".audio") / f"{question_id}{kind}-{attempt}.wav"


def save_answer_audio(transcript: Path, question_id: str, follow_up_of: str | None, attempt: int, samples) -> str:
    """Write the recording; the path stored in the record, relative to the transcript's folder."""
    path = write_wav(answer_audio_path(transcript, question_id, follow_up_of, attempt), samples)
    return str(path.relative_to(transcript.parent))

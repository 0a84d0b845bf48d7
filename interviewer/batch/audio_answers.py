"""Spoken answers in a batch: audio files (alone or with a sidecar question) as items, and their transcription.

An audio file ``alice-dl-021.wav`` is one answer. Its question comes from a sidecar file
with the same name: ``alice-dl-021.txt`` (the question's text) or ``alice-dl-021.json``
(``question``, ``question_id``, ``candidate``, ``reference``, ``key_points``); without one, a
bank id in the file name (``dl-021``) names the question. A CSV or JSONL row may name its
audio in an ``audio`` column instead of giving an ``answer`` (relative paths are read from
the input file's folder).

``transcribe_items`` turns each audio item into a typed answer (the transcript) with its
``SpokenTranscript`` attached, skipping items a resumed run already has, so a resumed run
transcribes nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from interviewer.batch.items import InputItem, InputProblem, item_key

AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".oga", ".webm", ".aac")
SIDECAR_EXTENSIONS = (".txt", ".json")
_QUESTION_ID_RE = re.compile(r"(?<![a-z0-9])([a-z]{1,10}-\d{2,4})(?![0-9])", re.IGNORECASE)

Entry = InputItem | InputProblem


def is_audio(path: str | Path) -> bool:
    return Path(path).suffix.lower() in AUDIO_EXTENSIONS


def sidecars_of(names: Iterable[str]) -> set[str]:
    """The names that are sidecars of an audio file in the same list (read with it, not on their own)."""
    audio_stems = {(Path(n).resolve().parent, Path(n).stem) for n in names if is_audio(n)}
    return {n for n in names if Path(n).suffix.lower() in SIDECAR_EXTENSIONS
            and (Path(n).resolve().parent, Path(n).stem) in audio_stems}


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _sidecar_fields(path: Path) -> dict[str, Any] | str:
    """The question fields of an audio file's sidecar ({} without one), or a problem message."""
    text_file, json_file = path.with_suffix(".txt"), path.with_suffix(".json")
    if json_file.is_file():
        try:
            data = json.loads(json_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            return f"{json_file.name}: not a readable JSON sidecar ({error})"
        return data if isinstance(data, dict) else f"{json_file.name}: the sidecar must be a JSON object"
    if text_file.is_file():
        try:
            return {"question": text_file.read_text(encoding="utf-8").strip()}
        except (OSError, UnicodeDecodeError) as error:
            return f"{text_file.name}: not a readable question ({error})"
    return {}


def read_audio_file(path: Path, name_to_candidate: Callable[[str], str | None] = lambda stem: None) -> Entry:
    """The answer an audio file holds (not transcribed yet), with its question from a sidecar or its name;
    the candidate is the sidecar's, else ``name_to_candidate`` of the file name without the question id."""
    source = str(path)
    fields = _sidecar_fields(path)
    if isinstance(fields, str):
        return InputProblem(source, 0, fields)
    try:
        digest = _file_digest(path)
    except OSError as error:
        return InputProblem(source, 0, f"cannot read: {error.strerror or error}")
    question = str(fields.get("question") or "").strip()
    question_id = str(fields.get("question_id") or "").strip() or None
    if not question and not question_id:
        found = _QUESTION_ID_RE.search(path.stem)
        question_id = found.group(1).lower() if found else None
    points = fields.get("key_points")
    return InputItem(
        key=item_key(str(path.resolve()), "audio", f"{question}\0{question_id or ''}", digest),
        source=source,
        line=0,
        question=question,
        answer="",
        question_id=question_id,
        reference=str(fields.get("reference") or "").strip(),
        key_points=tuple(str(p) for p in points) if isinstance(points, list) else (),
        candidate=str(fields.get("candidate") or "").strip() or name_to_candidate(_QUESTION_ID_RE.sub("", path.stem)),
        audio=str(path),
    )


def audio_path(value: str, source_id: str) -> str:
    """An ``audio`` column's file: as given when absolute, else beside the input file."""
    path = Path(value).expanduser()
    if path.is_absolute() or source_id.startswith("<"):
        return str(path)
    return str(Path(source_id).parent / path)


def transcribe_items(
    entries: Iterable[Entry],
    transcribe: Callable[[InputItem], Any],
    done: set[str] = frozenset(),
    on_transcribed: Callable[[InputItem], Any] | None = None,
) -> Iterator[Entry]:
    """The entries with each audio item not yet done transcribed (``transcribe(item)`` gives a
    ``SpokenTranscript``); an unreadable audio file becomes a problem, the rest go on."""
    from interviewer.voice.transcribe import AudioFileError

    for entry in entries:
        if not isinstance(entry, InputItem) or entry.audio is None or entry.key in done:
            yield entry
            continue
        try:
            spoken = transcribe(entry)
        except AudioFileError as error:
            yield InputProblem(entry.source, entry.line, str(error).removeprefix(f"{entry.audio}: "))
            continue
        item = replace(entry, answer=spoken.text, spoken=spoken)
        if on_transcribed is not None:
            on_transcribed(item)
        yield item


class ItemTranscriber:
    """Transcribes batch items with one model, loaded at the first audio item; the prompt gets the
    question and key points of the item's bank match. ``on_progress(item, fraction)`` follows each file."""

    def __init__(self, home: Path, matcher, on_progress: Callable[[InputItem, float], Any] | None = None):
        self.home = Path(home)
        self.matcher = matcher
        self.on_progress = on_progress
        self._transcriber = None

    def __call__(self, item: InputItem):
        if self._transcriber is None:
            from interviewer.voice.settings import VoiceSettings
            from interviewer.voice.transcribe import Transcriber

            self._transcriber = Transcriber(VoiceSettings.from_env(self.home))
        question = self.matcher.match(item).question if self.matcher is not None else None
        progress = None if self.on_progress is None else (lambda fraction: self.on_progress(item, fraction))
        return self._transcriber.transcribe(
            item.audio,
            question=item.question or (question.question if question else ""),
            key_points=item.key_points or (question.key_points if question else ()),
            progress=progress,
        )

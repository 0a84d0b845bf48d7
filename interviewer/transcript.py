"""Session transcripts: one JSONL file per practice session, appended and flushed after every answer.

Records, one JSON object a line:

* ``{"type": "session", ...}`` first: session id, start time, candidate, bank,
  mode, and the ids of the questions chosen, so ``--resume`` can continue;
* ``{"type": "answer", ...}`` after every graded (or skipped) answer: an
  ``AnswerRecord`` (question, answer, grade, time taken, hints, delivery metrics),
  read back by its versioned reader, so transcripts of earlier versions still load;
* ``{"type": "draft", ...}`` while the candidate types (debounced) and on quit,
  for a typed but ungraded answer (question_id, follow_up_of, answer, hints,
  time_taken_s, saved_at): ``--resume`` puts the last one back in the answer box;
* ``{"type": "end", ...}`` when the session reaches its summary.

A crash or a kill loses nothing written: each record is flushed and fsynced.
A torn last line (a kill mid-write) is ignored on reading.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from interviewer.answer_record import AnswerRecord, RecordError

#: 2: answer lines are versioned ``AnswerRecord``s (``"v": 2``); 1: before that.
FORMAT_VERSION = 2


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_session_id() -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def session_header(session_id: str, **fields: Any) -> dict[str, Any]:
    """The first line of a transcript: the session's id, when it started, and ``fields``
    (candidate, bank, mode, timer, question ids, why each was chosen, the options)."""
    return {"type": "session", "format": FORMAT_VERSION, "session_id": session_id, "started_at": now_iso(), **fields}


class TranscriptWriter:
    """Appends records to a transcript file, durably, one line each."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        with open(self.path, "a", encoding="utf-8") as handle:
            # A kill mid-write leaves a torn line; start on a fresh line after one.
            if handle.tell() > 0 and not _ends_with_newline(self.path):
                handle.write("\n")
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def append_answer(self, record: AnswerRecord) -> None:
        self.append({"type": "answer", **record.to_dict()})


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


@dataclass
class Transcript:
    """What a transcript file holds, as read back."""

    path: Path
    header: dict[str, Any] = field(default_factory=dict)
    answers: list[AnswerRecord] = field(default_factory=list)
    ended: bool = False
    #: Lines that could not be read (torn or edited by hand), as (line number, reason).
    skipped: list[tuple[int, str]] = field(default_factory=list)
    #: Drafts saved at the last quit, by (question id, follow-up of). A draft is written at
    #: quit time; an answer after it means the sitting that put it back went on (the draft
    #: was used or declined), so it is dropped.
    drafts: dict[tuple[str, str | None], dict[str, Any]] = field(default_factory=dict)

    @property
    def session_id(self) -> str:
        return str(self.header.get("session_id", self.path.stem))

    @property
    def question_ids(self) -> list[str]:
        return list(self.header.get("question_ids", []))

    @property
    def answered_ids(self) -> list[str]:
        """Ids of the main questions answered (follow-ups excluded), in order."""
        return [a.question_id or "" for a in self.answers if not a.is_follow_up]


def iter_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """Each line of a JSONL file as (line number, object or None, error)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                yield number, None, f"not valid JSON ({error.msg})"
                continue
            if not isinstance(value, dict):
                yield number, None, "not a JSON object"
                continue
            yield number, value, ""


def read_transcript(path: Path) -> Transcript:
    transcript = Transcript(Path(path))
    for number, record, error in iter_records(transcript.path):
        if record is None:
            transcript.skipped.append((number, error))
            continue
        kind = record.get("type")
        if kind == "session":
            transcript.header = record
        elif kind == "answer":
            try:
                transcript.answers.append(AnswerRecord.from_dict(record))
            except RecordError as error:
                transcript.skipped.append((number, str(error)))
                continue
            transcript.drafts.clear()
        elif kind == "draft" and record.get("question_id"):
            transcript.drafts[(str(record["question_id"]), record.get("follow_up_of"))] = record
        elif kind == "end":
            transcript.ended = True
    return transcript


def transcript_path(transcripts_dir: Path, session_id: str) -> Path:
    return Path(transcripts_dir) / f"session-{session_id}.jsonl"


def list_transcripts(transcripts_dir: Path) -> list[Path]:
    """Session transcripts, oldest first."""
    folder = Path(transcripts_dir)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("session-*.jsonl"), key=lambda p: (p.stat().st_mtime, p.name))


def unfinished_sessions(transcripts_dir: Path, limit: int = 20) -> list[Transcript]:
    """Sessions that did not reach their summary, most recent first (at most ``limit``)."""
    found: list[Transcript] = []
    for path in reversed(list_transcripts(transcripts_dir)):
        transcript = read_transcript(path)
        if transcript.header and not transcript.ended:
            found.append(transcript)
            if len(found) >= limit:
                break
    return found


def latest_unfinished(transcripts_dir: Path) -> Transcript | None:
    """The most recent session that did not reach its summary, if any."""
    found = unfinished_sessions(transcripts_dir, limit=1)
    return found[0] if found else None

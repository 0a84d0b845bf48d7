"""Reading answers to grade: session transcripts, JSONL, CSV, plain-text transcripts, folders, globs, stdin.

``iter_inputs`` is a generator: it yields one ``InputItem`` per answer, or an ``InputProblem``
for a line or file that could not be read (located as ``file:line``), and holds at most one
file's current line in memory. Every item has a stable ``key`` (the same answer in the same
place always gets the same key), which is what makes a batch run resumable.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import os
import sys
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Sequence

from interviewer.batch.audio_answers import AUDIO_EXTENSIONS, audio_path, read_audio_file, sidecars_of
from interviewer.batch.items import NOT_UTF8, InputItem, InputProblem, item_key
from interviewer.answer_record import AnswerRecord, RecordError
from interviewer.batch.text_transcripts import candidate_from_filename, read_text_transcript
from interviewer.errors import UserError

__all__ = ["InputItem", "InputProblem", "iter_inputs", "resolve_inputs", "read_stream", "KNOWN_EXTENSIONS"]

#: Extensions read when a folder is given, and how each is read.
KNOWN_EXTENSIONS: dict[str, str] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "text",
    ".md": "text",
    ".transcript": "text",
    # Spoken answers, transcribed before grading (the voice extra); see ``audio_answers``.
    **dict.fromkeys(AUDIO_EXTENSIONS, "audio"),
}
STDIN = "-"
STDIN_NAME = "<stdin>"

#: Column names (lower-cased, spaces as underscores) accepted for each field.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "question": ("question", "question_text", "prompt"),
    "answer": ("answer", "answer_text", "response"),
    "id": ("id", "answer_id", "row_id"),
    "question_id": ("question_id", "qid"),
    "reference": ("reference", "reference_answer"),
    "candidate": ("candidate", "candidate_name", "name"),
    "topic": ("topic",),
    "audio": ("audio", "audio_file", "audio_path"),
}


# --------------------------------------------------------------------------- finding files


def _is_glob(spec: str) -> bool:
    return any(ch in spec for ch in "*?[")


def _folder_files(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in KNOWN_EXTENSIONS:
                found.append(Path(root) / name)
    return found


def resolve_inputs(specs: Sequence[str], exclude: Iterable[Path] = ()) -> list[str]:
    """The files to read for the INPUT arguments, in order, each once; ``-`` stays as stdin.

    A path that does not exist, or a glob that matches nothing, is a ``UserError``: a typo
    should stop the run before anything is graded.
    """
    excluded = {Path(p).resolve() for p in exclude}
    resolved: list[str] = []
    seen: set[Path] = set()
    missing: list[str] = []

    def add(path: Path) -> None:
        real = path.resolve()
        if real not in seen and real not in excluded:
            seen.add(real)
            resolved.append(str(path))

    for spec in specs:
        if spec == STDIN:
            resolved.append(STDIN)
            continue
        path = Path(spec).expanduser()
        if path.is_dir():
            for file in _folder_files(path):
                add(file)
        elif path.exists():
            add(path)
        elif _is_glob(spec):
            matches = sorted(glob.glob(os.path.expanduser(spec), recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file()]
            for folder in (Path(m) for m in matches if Path(m).is_dir()):
                files.extend(_folder_files(folder))
            if not files:
                missing.append(f"{spec}: no file matches")
            for file in files:
                add(file)
        else:
            missing.append(f"{spec}: no such file or folder")
    if missing:
        raise UserError("\n".join(missing))
    return resolved


# --------------------------------------------------------------------------- reading


def iter_inputs(
    specs: Sequence[str], stdin: IO[bytes] | None = None, exclude: Iterable[Path] = ()
) -> Iterator[InputItem | InputProblem]:
    """Every answer in the INPUT arguments, in order, with a problem for each unreadable part."""
    names = resolve_inputs(specs, exclude)
    sidecars = sidecars_of(names)
    for name in names:
        if name in sidecars:
            continue  # read with its audio file
        if name != STDIN and KNOWN_EXTENSIONS.get(Path(name).suffix.lower()) == "audio":
            yield read_audio_file(Path(name), candidate_from_filename)
            continue
        if name == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from read_stream(stream, STDIN_NAME, STDIN_NAME, kind=None)
            continue
        path = Path(name)
        try:
            handle = open(path, "rb")
        except OSError as error:
            yield InputProblem(name, 0, f"cannot read: {error.strerror or error}")
            continue
        with handle:
            kind = KNOWN_EXTENSIONS.get(path.suffix.lower())
            yield from read_stream(handle, name, str(path.resolve()), kind, path.stem)


def read_stream(
    handle: IO[bytes], source: str, source_id: str, kind: str | None, stem: str = ""
) -> Iterator[InputItem | InputProblem]:
    """Answers in one byte stream; ``kind`` is ``jsonl``, ``csv``, ``text`` or None to sniff."""
    lines = _decoded_lines(handle)
    if kind is None:
        head: list[tuple[int, str | None]] = []
        for numbered in lines:
            head.append(numbered)
            if numbered[1] is not None and numbered[1].strip():
                break
        kind = _sniff(head[-1][1] if head else "")
        lines = _chain(head, lines)
    if kind == "jsonl":
        yield from _read_jsonl(lines, source, source_id)
    elif kind == "csv":
        delimiter = "\t" if source.lower().endswith(".tsv") else None
        yield from _read_csv(lines, source, source_id, delimiter)
    else:
        yield from read_text_transcript(lines, source, source_id, candidate_from_filename(stem))


def _chain(head, rest):
    yield from head
    yield from rest


def _decoded_lines(handle: IO[bytes]) -> Iterator[tuple[int, str | None]]:
    """(line number, text) for each line; text is None for a line that is not UTF-8."""
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield number, text


def _sniff(first_line: str | None) -> str:
    line = (first_line or "").strip()
    if line.startswith("{"):
        return "jsonl"
    header = line.lower()
    if "answer" in header and any(sep in header for sep in (",", "\t", ";")):
        return "csv"
    return "text"



def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _item_from_fields(
    fields: dict[str, Any], source: str, source_id: str, line: int
) -> InputItem | InputProblem:
    """An item from a JSONL object or CSV row (fields already mapped to canonical names)."""
    answer = fields.get("answer")
    audio = _text(fields.get("audio")) if answer is None else None
    if audio:
        answer = ""
        audio = audio_path(audio.strip(), source_id)
    if not isinstance(answer, str):
        message = "missing 'answer'" if answer is None else "'answer' must be text"
        return InputProblem(source, line, message)
    question = _text(fields.get("question")) or ""
    question_id = _text(fields.get("question_id")) or None
    if not question.strip() and not question_id:
        return InputProblem(source, line, "needs a 'question' or a 'question_id'")
    item_id = _text(fields.get("id")) or None
    raw_points = fields.get("key_points")
    key_points = tuple(p.strip() for p in raw_points if isinstance(p, str) and p.strip()) if isinstance(raw_points, list) else ()
    locator = f"id:{item_id}" if item_id else f"line:{line}"
    return InputItem(
        key=item_key(source_id, locator, question, f"\0audio:{audio}" if audio else answer),
        source=source,
        line=line,
        question=question.strip(),
        answer=answer,
        question_id=question_id.strip() if question_id else None,
        reference=(_text(fields.get("reference")) or "").strip(),
        key_points=key_points,
        candidate=(_text(fields.get("candidate")) or "").strip() or None,
        topic=(_text(fields.get("topic")) or "").strip() or None,
        item_id=item_id,
        audio=audio,
    )


def _canonical(row: dict[str, Any]) -> dict[str, Any]:
    lowered = {str(k).strip().lower().replace(" ", "_"): v for k, v in row.items() if k is not None}
    fields: dict[str, Any] = {}
    for name, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            if alias in lowered and lowered[alias] not in (None, ""):
                fields[name] = lowered[alias]
                break
    if "answer" not in fields and "answer" in lowered:
        fields["answer"] = lowered["answer"]
    if "key_points" in lowered:
        fields["key_points"] = lowered["key_points"]
    return fields


# --------------------------------------------------------------------------- JSONL and session transcripts


def _read_jsonl(lines, source: str, source_id: str) -> Iterator[InputItem | InputProblem]:
    session: dict[str, Any] | None = None
    first_object = True
    answers_by_id: dict[str, tuple[str, str]] = {}
    for number, text in lines:
        if text is None:
            yield InputProblem(source, number, NOT_UTF8)
            continue
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            yield InputProblem(source, number, f"not valid JSON ({error.msg})")
            continue
        if not isinstance(record, dict):
            yield InputProblem(source, number, "not a JSON object")
            continue
        if first_object and record.get("type") == "session":
            session = record
        first_object = False
        if session is None:
            yield _item_from_fields(_canonical(record), source, source_id, number)
        elif record.get("type") == "answer":
            item = _session_answer(record, session, answers_by_id, source, source_id, number)
            if item is not None:
                yield item


def _session_answer(data, session, answers_by_id, source, source_id, number):
    """An item for one answer record of a session transcript (any version); None for a skipped question."""
    answer = data.get("answer")
    if not isinstance(answer, (str, type(None))):
        return InputProblem(source, number, "'answer' must be text")
    try:
        record = AnswerRecord.from_dict(data)
    except RecordError as error:
        return InputProblem(source, number, str(error))
    if record.skipped or not record.answer.strip():
        return None
    question = record.question.strip()
    context_question, context_answer = answers_by_id.get(record.follow_up_of or "", ("", ""))
    if record.question_id and not record.follow_up_of:
        answers_by_id[record.question_id] = (record.question, record.answer)
    return InputItem(
        key=item_key(source_id, f"line:{number}", record.question, record.answer),
        source=source,
        line=number,
        question=question,
        answer=record.answer,
        question_id=_text(record.question_id),
        candidate=_text(record.candidate) or _text(session.get("candidate")) or None,
        topic=_text(record.topic),
        item_id=record.item_id,
        follow_up_of=record.follow_up_of,
        context_question=context_question,
        context_answer=context_answer,
        hinted_points=record.hints,
    )


# --------------------------------------------------------------------------- CSV


def _read_csv(lines, source: str, source_id: str, delimiter: str | None) -> Iterator[InputItem | InputProblem]:
    bad_lines: set[int] = set()
    current = [0]

    def text_lines() -> Iterator[str]:
        for number, text in lines:
            current[0] = number
            if text is None:
                bad_lines.add(number)
                text = "\n"
            yield text

    stream = text_lines()
    header_line = next(stream, None)
    if header_line is None:
        return
    if delimiter is None:
        delimiter = max((",", ";", "\t"), key=header_line.count)
    header = next(csv.reader([header_line], delimiter=delimiter), [])
    names = [h.strip().lower().replace(" ", "_") for h in header]
    if not any(name in FIELD_ALIASES["answer"] + FIELD_ALIASES["audio"] for name in names):
        yield InputProblem(source, 1, f"no 'answer' column (columns: {', '.join(h for h in header if h) or 'none'})")
        return
    reader = csv.reader(stream, delimiter=delimiter)
    last_line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            yield InputProblem(source, last_line + 1, f"bad CSV: {error}")
            last_line = current[0]
            continue
        start, last_line = last_line + 1, current[0]
        if bad_lines:
            bad = min(bad_lines)
            bad_lines.clear()
            yield InputProblem(source, bad, NOT_UTF8)
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield InputProblem(source, start, f"{len(row)} fields but the header has {len(header)}")
            continue
        fields = _canonical(dict(zip(header, row)))
        yield _item_from_fields(fields, source, source_id, start)


def read_text_string(text: str, source: str = "<text>") -> list[InputItem | InputProblem]:
    """Everything in a string (for tests and previews)."""
    handle = io.BytesIO(text.encode("utf-8"))
    return list(read_stream(handle, source, source, None))

"""``interviewer transcribe``: audio files to transcripts with word timings and measured delivery (the voice extra)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from interviewer.errors import EXIT_FAILURES, EXIT_OK

DESCRIPTION = """\
Transcribe spoken answers (wav, flac, mp3, m4a, ogg, ...) with word timings, offline, with
the voice extra (pip install 'interviewer[voice]'). The question, when known, makes the
model hear its terms: --question or --question-id for every file, else each file's sidecar
(.txt with the question, or .json) or a bank id in its name (alice-dl-021.wav).

Prints each transcript with its measured delivery; --jsonl prints one JSON record a file
(text, words with start, end and probability, duration, model, delivery); --out appends
those records to a file, and a file already there (same path and content) is skipped, so
an interrupted run continues where it stopped."""

EPILOG = """\
examples:
  interviewer transcribe answer.wav
  interviewer transcribe recordings/*.ogg --out transcripts.jsonl
  INTERVIEWER_STT_SIZE=tiny interviewer transcribe answer.m4a --question-id dl-021 --jsonl

exit codes: 0 all transcribed; 1 some files could not be read; 2 bad input (no such file,
the voice extra or its model missing); 130 interrupted (records written so far are kept)."""


def register(subparsers) -> None:
    command = subparsers.add_parser(
        "transcribe", help="audio answers to transcripts with word timings (voice extra)",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("files", nargs="+", metavar="FILE", help="audio files")
    command.add_argument("--question", metavar="TEXT", help="the question every file answers")
    command.add_argument("--question-id", metavar="ID", help="the bank question every file answers")
    command.add_argument("--bank", metavar="FILE", help="question bank for --question-id and ids in file names")
    command.add_argument("--jsonl", action="store_true", help="print JSON records instead of text")
    command.add_argument("--out", metavar="PATH", help="append JSONL records here; files already there are skipped")
    command.set_defaults(run=run)


def _done_keys(path: Path | None) -> set[str]:
    if path is None or not path.exists():
        return set()
    keys = set()
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                data = json.loads(line)
            except ValueError:
                continue  # a torn last line from a kill: that file is done again
            if isinstance(data, dict) and isinstance(data.get("key"), str):
                keys.add(data["key"])
    return keys


def _items(args, bank):
    """One batch item per file (question from the options, a sidecar, or the file name); problems as they come."""
    from dataclasses import replace

    from interviewer.batch.audio_answers import read_audio_file
    from interviewer.errors import UserError

    missing = [f"{name}: no such file" for name in args.files if not Path(name).is_file()]
    if missing:
        raise UserError("\n".join(missing))
    for name in args.files:
        entry = read_audio_file(Path(name))
        if args.question or args.question_id:
            entry = replace(entry, question=args.question or "", question_id=args.question_id)
        question = bank.get(entry.question_id) if getattr(entry, "question_id", None) else None
        if question is not None:
            entry = replace(entry, question=entry.question or question.question,
                            key_points=entry.key_points or question.key_points)
        yield entry


def run(args: argparse.Namespace, settings) -> int:
    from interviewer.bank import open_bank
    from interviewer.batch.items import InputProblem
    from interviewer.voice.measured import measure_delivery
    from interviewer.voice.settings import VoiceSettings
    from interviewer.voice.transcribe import AudioFileError, Transcriber

    bank = open_bank(args.bank, settings)
    out_path = Path(args.out) if args.out else None
    done = _done_keys(out_path)
    items = list(_items(args, bank))  # every file checked before the model loads
    transcriber = Transcriber(VoiceSettings.from_env(settings.home))
    problems = 0
    progress = _Progress(len(args.files), sys.stderr.isatty())
    with progress:
        for item in items:
            if isinstance(item, InputProblem):
                problems += 1
                progress.say(f"interviewer: {item}")
                continue
            if item.key in done:
                progress.advance()
                continue
            progress.start_file(Path(item.audio).name)
            try:
                spoken = transcriber.transcribe(item.audio, question=item.question, key_points=item.key_points,
                                                progress=progress.fraction)
            except AudioFileError as error:
                problems += 1
                progress.say(f"interviewer: {error}")
                continue
            record = {"key": item.key, "question_id": item.question_id, "question": item.question,
                      **spoken.to_dict(), "delivery": measure_delivery(spoken).to_dict()}
            _emit(record, spoken, args, out_path, progress)
            progress.advance()
    return EXIT_FAILURES if problems else EXIT_OK


def _emit(record, spoken, args, out_path, progress) -> None:
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        with open(out_path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
    if args.jsonl:
        progress.out(line)
    elif out_path is None:
        from interviewer.voice.measured import MeasuredDelivery

        measured = MeasuredDelivery.from_dict(record["delivery"])
        timed = " ".join(f"[{w.start:.2f}]{w.text}" for w in spoken.words)
        progress.out(f"{spoken.source} ({spoken.duration_s:.1f} s, {spoken.model})\n{spoken.text}\n"
                     f"  delivery: {measured.headline()}\n  words: {timed.strip()}\n")


class _Progress:
    """A progress bar on stderr when it is a terminal; plain output otherwise."""

    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("transcribing"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[note]}"), TimeElapsedColumn(),
                                console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("transcribe", total=total, note="")

    def __enter__(self):
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc_info):
        if self.bar is not None:
            self.bar.stop()

    def start_file(self, name: str) -> None:
        self._name = name
        if self.bar is not None:
            self.bar.update(self.task, note=name)

    def fraction(self, value: float) -> None:
        if self.bar is not None:
            self.bar.update(self.task, note=f"{self._name} {value:.0%}")

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1)

    def say(self, message: str) -> None:
        if self.bar is not None:
            self.bar.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr)

    def out(self, text: str) -> None:
        print(text, flush=True)

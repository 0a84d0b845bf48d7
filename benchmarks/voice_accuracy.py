"""Speech-to-text on the committed spoken-answer fixtures: accuracy, delivery timing, speed. Prints one JSON line.

    .venv/bin/python benchmarks/voice_accuracy.py [--size base|tiny] [--network]

Needs the voice extra. The run goes inside a new network namespace (``unshare -n``, so no
socket can reach anything) where that works, and says so in the output (``"network"``).
Figures: WER over all words, technical terms heard, fillers kept, inserted pauses found
(a pause >= 0.5 s measured within 0.5 s of the real one), the mean error of words per
minute against the truth measured on the signal, real-time factor by wall time and by CPU
time of the process (``os.times``), and model load time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "voice"
_INSIDE = "INTERVIEWER_BENCH_NO_NETWORK"


def rerun_without_network(argv: list[str]) -> int | None:
    """Run this script again under ``unshare -n``; None when that is not possible here."""
    unshare = shutil.which("unshare")
    if not unshare or os.environ.get(_INSIDE):
        return None
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    env = {**os.environ, _INSIDE: "1"}
    return subprocess.run([unshare, "-n", sys.executable, __file__, *argv], env=env).returncode


def found_pause(truth: dict, measured):
    """The measured pause that matches the inserted one (>= 0.5 s, starting within 0.5 s of it), or None."""
    want = truth["pause"]
    near = [p for p in measured.pauses if abs(p.start_s - want["start_s"]) <= 0.5 and p.duration_s >= 0.5]
    return min(near, key=lambda p: abs(p.start_s - want["start_s"]), default=None)


def run(size: str, home: Path) -> dict:
    from interviewer.bank import open_bank
    from interviewer.settings import Settings
    from interviewer.voice.accuracy import fillers_kept, normalise_words, terms_heard, word_errors
    from interviewer.voice.measured import measure_delivery
    from interviewer.voice.settings import VoiceSettings
    from interviewer.voice.transcribe import Transcriber, cpu_seconds

    answers = json.loads((FIXTURES / "answers.json").read_text(encoding="utf-8"))
    bank = open_bank(None, Settings(home=home))
    transcriber = Transcriber(VoiceSettings.from_env(home, {**os.environ, "INTERVIEWER_STT_SIZE": size}))
    transcriber.load()  # joins a split model on the first run: load once more to time a normal start
    transcriber = Transcriber(transcriber.settings)
    cpu_before = cpu_seconds()
    transcriber.load()
    load_cpu = cpu_seconds() - cpu_before
    totals = dict.fromkeys(("errors", "words", "terms", "terms_total", "fillers", "fillers_total", "pauses"), 0)
    wpm_errors, pause_errors, start_errors, audio, wall, cpu = [], [], [], 0.0, 0.0, 0.0
    for answer in answers:
        question = bank.get(answer["question_id"])
        spoken = transcriber.transcribe(FIXTURES / answer["file"], question=question.question,
                                        key_points=question.key_points)
        measured = measure_delivery(spoken)
        for key, (got, total) in (("errors", word_errors(answer["text"], spoken.text)),
                                  ("terms", terms_heard(answer["terms"], spoken.text)),
                                  ("fillers", fillers_kept(answer["text"], spoken.text))):
            totals[key] += got
            totals["words" if key == "errors" else f"{key}_total"] += total
        pause = found_pause(answer, measured)
        totals["pauses"] += pause is not None
        if pause is not None:
            pause_errors.append(pause.duration_s - answer["pause"]["duration_s"])
        start_errors.append(measured.time_to_first_word_s - answer["speech_start_s"])
        true_wpm = len(normalise_words(answer["text"])) * 60 / (answer["speech_end_s"] - answer["speech_start_s"])
        wpm_errors.append(abs(measured.words_per_minute - true_wpm) / true_wpm)
        audio += spoken.duration_s
        wall += spoken.elapsed_s
        cpu += spoken.cpu_s
    return {
        "benchmark": "voice_accuracy", "model": transcriber.choice.label, "clips": len(answers),
        "audio_s": round(audio, 1),
        "wer": round(totals["errors"] / totals["words"], 4),
        "terms_right": f"{totals['terms']}/{totals['terms_total']}",
        "fillers_kept": f"{totals['fillers']}/{totals['fillers_total']}",
        "pauses_found": f"{totals['pauses']}/{len(answers)}",
        "wpm_error_mean": round(sum(wpm_errors) / len(wpm_errors), 4),
        "pause_error_mean_s": round(sum(pause_errors) / max(len(pause_errors), 1), 3),
        "first_word_error_mean_s": round(sum(start_errors) / len(start_errors), 3),
        "rtf_wall": round(wall / audio, 3), "rtf_cpu": round(cpu / audio, 3),
        "load_s": round(transcriber.load_seconds, 2), "load_cpu_s": round(load_cpu, 2),
        "cores": os.cpu_count(), "threads": transcriber.settings.threads or "auto",
        "network": "cut (unshare -n)" if os.environ.get(_INSIDE) else "not cut",
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("base", "tiny"), default="base")
    parser.add_argument("--network", action="store_true", help="do not cut the network (no unshare -n)")
    parser.add_argument("--home", type=Path, help="INTERVIEWER_HOME for the joined model (default: a temporary one)")
    args = parser.parse_args(argv)
    if not args.network:
        code = rerun_without_network(argv)
        if code is not None:
            return code
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        home = args.home or Path(os.environ.get("INTERVIEWER_HOME") or folder)
        result = run(args.size, home)
    result["total_wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

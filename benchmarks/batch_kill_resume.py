"""Benchmark: kill -9 ``interviewer grade`` half-way through an LLM batch, resume it, check nothing is repeated.

Starts the fake OpenAI server in its own process, runs the real CLI in a subprocess, sends
SIGKILL once half the answers are in the output, then runs the same command again to the
end. Checks, from the server's own request log: no answer that was already in the output
when the first run died was requested again; and that the output holds exactly one record
per answer. Prints one JSON line (``ok`` is true when both hold).

    .venv/bin/python benchmarks/batch_kill_resume.py --n 200 --concurrency 8 --latency 0.05
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fake_server import ROOT, ServerProcess  # noqa: E402
from offline_batch import synthetic_answers  # noqa: E402


def complete_records(path: Path) -> list[dict]:
    """Records of an output file, ignoring a torn last line."""
    found = []
    if path.exists():
        for raw in path.read_bytes().splitlines(keepends=True):
            if raw.endswith(b"\n"):
                try:
                    found.append(json.loads(raw))
                except ValueError:
                    pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--faults", default="", help='e.g. "429:0.05,500:0.05"')
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of answers written before the kill")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, ServerProcess(args.latency, args.faults, 0.2) as server:
        folder = Path(folder)
        source, out = folder / "answers.jsonl", folder / "grades.jsonl"
        with open(source, "w", encoding="utf-8") as handle:
            for number, (qid, question, answer) in enumerate(synthetic_answers(args.n)):
                handle.write(json.dumps({"id": f"a{number}", "question_id": qid, "question": question,
                                         "answer": answer}) + "\n")
        env = {**os.environ, **server.env(folder / "home"), "INTERVIEWER_MAX_RETRIES": "0", "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "interviewer", "grade", str(source), "--out", str(out),
                   "--concurrency", str(args.concurrency)]

        first = subprocess.Popen(command, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        target = int(args.n * args.kill_at)
        while first.poll() is None and len(complete_records(out)) < target:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = time.monotonic()
        torn = out.exists() and not out.read_bytes().endswith(b"\n")
        done_before = {r["id"] for r in complete_records(out)}

        second = subprocess.run(command, env=env, cwd=folder, capture_output=True, text=True)
        final = complete_records(out)
    resumed = [tag for when, tag in server.requests if when > killed_at]
    repeated = sorted({tag for tag in resumed if tag in done_before})
    ids = [r.get("id") for r in final]
    expected = {f"a{i}" for i in range(args.n)}
    result = {
        "benchmark": "batch_kill_resume", "n": args.n, "concurrency": args.concurrency, "latency_s": args.latency,
        "faults": args.faults or None, "records_at_kill": len(done_before), "torn_line_at_kill": torn,
        "requests_first_run": len(server.requests) - len(resumed), "requests_after_kill": len(resumed),
        "repeated_requests_for_done_answers": len(repeated), "records": len(final),
        "unique_keys": len({r["key"] for r in final}), "missing": len(expected - set(ids)),
        "duplicates": len(ids) - len(set(ids)), "resume_exit_code": second.returncode,
    }
    result["ok"] = (not repeated and result["missing"] == 0 and result["duplicates"] == 0
                    and result["records"] == args.n == result["unique_keys"])
    print(json.dumps(result))
    if second.returncode not in (0, 1):
        print(second.stderr, file=sys.stderr)


if __name__ == "__main__":
    main()

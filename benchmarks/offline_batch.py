"""Benchmark: ``interviewer grade --offline`` end to end on N synthetic answers (default 20,000).

Writes a JSONL input of answers built from the shipped bank (reference sentences and key
points, shuffled, cut to 15-150 words, with fillers and a unique tag), runs the real CLI in a
subprocess, and prints one JSON line: answers, wall seconds (process start to exit),
answers per second, the CPU seconds of the CLI and its grading processes (what load inflates
less than wall time: other work on the machine), peak RSS of the largest process and of all of
them together (sampled every 0.1 s), records written, and the load average.

    .venv/bin/python benchmarks/offline_batch.py                      # 20,000 answers
    .venv/bin/python benchmarks/offline_batch.py --n 2000 -- --workers 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILLERS = ("um", "so", "basically", "you know", "like", "I think")


def synthetic_answers(n: int, seed: int = 1):
    """(question id, question, answer) triples that read like spoken answers of mixed quality."""
    sys.path.insert(0, str(ROOT))
    from interviewer.bank import open_bank

    questions = list(open_bank())
    rng = random.Random(seed)
    for number in range(n):
        q = questions[number % len(questions)]
        words = (q.reference + " " + " ".join(q.key_points)).split()
        rng.shuffle(words)
        words = words[: rng.randint(15, 150)]
        for _ in range(rng.randint(0, 4)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS))
        yield q.id, q.question, " ".join(words) + f" [a{number}]"


def write_input(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for number, (qid, question, answer) in enumerate(synthetic_answers(n)):
            record = {"id": f"a{number}", "question": question, "answer": answer, "candidate": f"cand-{number % 50}"}
            if number % 3 == 0:
                record["question_id"] = qid  # a third by id, the rest by text
            handle.write(json.dumps(record) + "\n")


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in kB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            continue
        child = int(entry)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(child)
        rss[child] = int(fields.get("VmRSS", "0 kB").split()[0] or 0)
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, ()))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("extra", nargs="*", help="more `interviewer grade` options, after --, e.g. -- --workers 1")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        source, out = folder / "answers.jsonl", folder / "grades.jsonl"
        write_input(source, args.n)
        env = {**os.environ, "INTERVIEWER_HOME": str(folder / "home"), "PYTHONPATH": str(ROOT)}
        env.pop("OPENAI_API_KEY", None)
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "interviewer", "grade", str(source), "--offline", "--out", str(out),
             *args.extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=folder,
        )
        tree_peak = 0
        while process.poll() is None:
            tree_peak = max(tree_peak, tree_rss_kb(process.pid))
            time.sleep(0.1)
        wall = time.perf_counter() - started
        stderr = process.stderr.read()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb = children.ru_maxrss / 1024
        records = sum(1 for _ in open(out, encoding="utf-8")) if out.exists() else 0
        print(json.dumps({
            "benchmark": "offline_batch", "n": args.n, "exit_code": process.returncode, "records": records,
            "wall_s": round(wall, 2), "answers_per_s": round(args.n / wall, 1),
            "cpu_s": round(children.ru_utime + children.ru_stime, 2),
            "peak_rss_mb_largest_process": round(peak_mb, 1), "peak_rss_mb_all_processes": round(tree_peak / 1024, 1),
            "load_avg_1m": os.getloadavg()[0],
        }))
        if process.returncode not in (0, 1):
            print(stderr, file=sys.stderr)


if __name__ == "__main__":
    main()

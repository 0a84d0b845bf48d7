"""Benchmark: LLM batch grading end to end, ``interviewer grade`` launched as a process against the fake server.

Starts the fake OpenAI server in its own process (``_fake_server.py``) with a fixed latency and a
fault mix, writes N synthetic answers, launches the real CLI (``python -m interviewer grade``,
SDK retries off, the batch scheduler requeues) and prints one JSON line: n, concurrency,
latency, faults, the ideal time (n x latency / concurrency), the time from launch to the first
request reaching the server, end-to-end wall time (launch to exit: start-up, reading and matching,
grading, the summary), the requests' own span (first request in to last reply out) and both
ratios to ideal, answers lost, duplicate records, errors, requests the server saw, the CLI's CPU
(its helper process included) and the machine's load average.

    .venv/bin/python benchmarks/batch_throughput.py --n 400 --concurrency 16 --latency 0.1
    .venv/bin/python benchmarks/batch_throughput.py --n 4000 --concurrency 16 --latency 0.1
    .venv/bin/python benchmarks/batch_throughput.py --n 400 --concurrency 16 --latency 0.1 \\
        --faults 429:0.10,500:0.05,malformed:0.02

Times come from CLOCK_MONOTONIC, shared by the three processes.

``--baseline`` sends the same grading requests straight through the OpenAI SDK's typed
``chat.completions.create`` (no grader, no scheduler, no records) at the same concurrency, in
this process, to compare the requests' span with.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _fake_server import ROOT, ServerProcess  # noqa: E402
from offline_batch import synthetic_answers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.1, help="server latency per request, seconds")
    parser.add_argument("--faults", default="", help='e.g. "429:0.10,500:0.05,malformed:0.02"')
    parser.add_argument("--retry-after", type=float, default=1.0, help="Retry-After of the 429s, seconds")
    parser.add_argument("--max-attempts", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline", action="store_true", help="raw SDK calls only (see above)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, \
            ServerProcess(args.latency, args.faults, args.retry_after, args.seed) as server:
        folder = Path(folder)
        source, out = folder / "answers.jsonl", folder / "grades.jsonl"
        with open(source, "w", encoding="utf-8") as handle:
            for number, (qid, question, answer) in enumerate(synthetic_answers(args.n, args.seed)):
                handle.write(json.dumps({"id": f"a{number}", "question_id": qid, "question": question,
                                         "answer": answer, "candidate": f"cand-{number % 7}"}) + "\n")
        env = {**os.environ, **server.env(folder / "home"), "INTERVIEWER_MAX_RETRIES": "0", "PYTHONPATH": str(ROOT)}
        if args.baseline:
            return baseline(args, env, source, server)
        command = [sys.executable, "-m", "interviewer", "grade", str(source), "--out", str(out),
                   "--concurrency", str(args.concurrency), "--max-attempts", str(args.max_attempts)]
        launched = time.monotonic()
        finished = subprocess.run(command, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True)
        ended = time.monotonic()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the CLI and its helper (the server is still up)
        records = [json.loads(line) for line in open(out, encoding="utf-8")] if out.exists() else []
    if finished.returncode not in (0, 1) or not records:  # 1 is also Python's exit code for a traceback
        raise SystemExit(f"interviewer grade exited {finished.returncode}: {finished.stderr[-2000:]}")
    arrivals = sorted(when for when, _ in server.requests)
    keys = [r["key"] for r in records]
    tags = {r["id"] for r in records}
    ideal = args.n * args.latency / args.concurrency
    wall = ended - launched
    span = (arrivals[-1] + args.latency - arrivals[0]) if arrivals else None
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({
        "benchmark": "batch_throughput", "n": args.n, "concurrency": args.concurrency, "latency_s": args.latency,
        "faults": args.faults or None, "ideal_s": round(ideal, 2),
        "first_request_s": round(arrivals[0] - launched, 3) if arrivals else None,
        "end_to_end_s": round(wall, 2), "ratio_end_to_end": round(wall / ideal, 2) if ideal else None,
        "requests_span_s": None if span is None else round(span, 2),
        "ratio_requests": round(span / ideal, 2) if span and ideal else None,
        "lost": args.n - len(tags & {f"a{i}" for i in range(args.n)}), "duplicates": len(keys) - len(set(keys)),
        "errors": sum(1 for r in records if r.get("error")), "requests": len(server.requests),
        "cli_cpu_s": round(cpu, 2), "cli_cpu_ms_per_request": round(1000 * cpu / max(1, len(server.requests)), 2),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }))


def baseline(args, env: dict[str, str], source: Path, server) -> None:
    """The same requests through the bare SDK: what the HTTP client alone costs here."""
    import asyncio

    from interviewer.grading.llm.grader import make_llm_grader
    from interviewer.settings import Settings

    grader = make_llm_grader(Settings.from_env(env), fallback=None)
    import openai.resources.chat  # noqa: F401  (the SDK imports this on first use: not per-request cost)
    from interviewer.bank import open_bank
    from interviewer.batch.inputs import iter_inputs
    from interviewer.batch.matching import BankMatcher, grading_item
    from interviewer.grading.llm.judge import GRADE_SCHEMA

    matcher = BankMatcher(open_bank())
    client = grader.client.client  # the adapter's AsyncOpenAI

    async def run() -> tuple[float, float, int]:
        messages = []
        for item in iter_inputs([str(source)]):
            request = await grader.prepare(grading_item(item, matcher.match(item)))
            messages.append(request.messages)
        gate = asyncio.Semaphore(args.concurrency)
        failures = 0

        async def one(conversation) -> None:
            nonlocal failures
            async with gate:
                try:
                    raw = await client.chat.completions.with_raw_response.create(
                        model="fake-model", messages=conversation, temperature=0, seed=7, max_tokens=900,
                        response_format={"type": "json_schema", "json_schema": GRADE_SCHEMA})
                    raw.parse()
                except Exception:  # noqa: BLE001 - faults are counted, not retried, in the baseline
                    failures += 1

        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one(m) for m in messages))
        return time.perf_counter() - wall0, time.process_time() - cpu0, failures

    wall, cpu, failures = asyncio.run(run())
    ideal = args.n * args.latency / args.concurrency
    print(json.dumps({
        "benchmark": "batch_throughput_baseline_raw_sdk", "n": args.n, "concurrency": args.concurrency,
        "latency_s": args.latency, "faults": args.faults or None, "wall_s": round(wall, 2),
        "ideal_s": round(ideal, 2), "ratio": round(wall / ideal, 2) if ideal else None, "failed": failures,
        "client_cpu_s": round(cpu, 2), "client_cpu_ms_per_request": round(1000 * cpu / args.n, 2),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }))


if __name__ == "__main__":
    main()

"""Benchmark helper: the fake OpenAI server in its own process, so it never competes for our GIL.

``ServerProcess(latency_s, faults)`` starts ``python benchmarks/_fake_server.py`` and reads its
base URL; on exit the server writes every chat request it saw as (monotonic time, answer tag),
where the tag is the ``[a123]`` the benchmarks put in each synthetic answer. CLOCK_MONOTONIC
is shared by all processes on Linux, so times compare with the parent's ``time.monotonic()``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAG = re.compile(r"\[(a\d+)\]")


def parse_faults(spec: str) -> dict[str, float]:
    """``"429:0.10,500:0.05,malformed:0.02,drop:0.01"`` -> FaultMix keyword arguments."""
    names = {"429": "rate_limit", "500": "server_error", "5xx": "server_error", "malformed": "malformed",
             "drop": "drop"}
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, chance = part.partition(":")
        if name not in names:
            raise SystemExit(f"unknown fault {name!r}; use 429, 500, malformed or drop")
        mix[names[name]] = float(chance)
    return mix


class ServerProcess:
    def __init__(self, latency_s: float, faults: str = "", retry_after_s: float = 1.0, seed: int = 1):
        self.args = [str(latency_s), faults, str(retry_after_s), str(seed)]
        self.log = Path(tempfile.mkstemp(suffix=".json")[1])
        self.requests: list[tuple[float, str | None]] = []

    def __enter__(self) -> "ServerProcess":
        self.proc = subprocess.Popen([sys.executable, __file__, *self.args, str(self.log)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.base_url = self.proc.stdout.readline().strip()
        return self

    def __exit__(self, *exc_info) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.requests = [tuple(r) for r in json.loads(self.log.read_text())]
        self.log.unlink(missing_ok=True)

    def env(self, home: Path) -> dict[str, str]:
        return {"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": self.base_url, "INTERVIEWER_MODEL": "fake-model",
                "INTERVIEWER_HOME": str(home), "INTERVIEWER_TIMEOUT": "10"}


def _serve(latency: str, faults: str, retry_after: str, seed: str, log: str) -> None:
    sys.path.insert(0, str(ROOT))
    from interviewer.testing import fake_openai_server as fake

    server = fake.FakeOpenAIServer(latency_s=float(latency)).start()
    if faults:
        server.faults = fake.FaultMix(**parse_faults(faults), retry_after=float(retry_after), seed=int(seed))
    print(server.base_url, flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    server.stop()
    seen = []
    for request in server.chat_requests:
        text = " ".join(str(m.get("content") or "") for m in request.messages if m.get("role") == "user")
        tag = TAG.search(text)
        seen.append((request.time, tag.group(1) if tag else None))
    Path(log).write_text(json.dumps(seen))


if __name__ == "__main__":
    _serve(*sys.argv[1:6])

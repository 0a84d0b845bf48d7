"""``interviewer eval``: JSON and table output, bad lines, limits, exit codes, the LLM path
(a stand-in grader, then the real LLM grader against the loopback fake server)."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

import interviewer.grading.choose
from interviewer.cli import main
from interviewer.eval.evaluation import pearson, rmse
from interviewer.grading.interface import Grade, failed_grade
from interviewer.testing.fake_openai_server import Reply

ROOT = Path(__file__).resolve().parents[1]
MOHLER_DEV = ROOT.parent / "shared" / "asag" / "mohler2011_dev.jsonl"
KEYS = {"n", "pearson", "spearman", "qwk", "rmse", "mae", "within1", "answers_per_s",
        "mean_predicted", "mean_human", "per_question_pearson_median", "failed", "skipped_lines"}

QUESTION = "What is a recursive function?"
REFERENCE = "A function that calls itself."
ROWS = [
    ("A function that calls itself.", 5),
    ("It is a function which invokes itself until it reaches a base case.", 5),
    ("A function that repeats.", 3),
    ("A loop.", 1.5),
    ("not answered", 0),
    ("Something about variables in memory.", 1),
    ("A function defined in terms of itself, calling itself on a smaller input.", 5),
    ("A function that calls another function.", 2),
    ("It calls itself.", 4),
    ("A kind of variable.", 0),
    ("I don't know.", 0),
]


@pytest.fixture
def dataset(tmp_path):
    path = tmp_path / "graded.jsonl"
    lines = [
        json.dumps({"qid": "q1", "question": QUESTION, "reference": REFERENCE, "answer": a,
                    "score": s, "scale_max": 5})
        for a, s in ROWS
    ]
    lines.insert(2, "{broken")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch, tmp_path):
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)


def test_json_output_has_every_figure(dataset, capsys):
    code = main(["eval", str(dataset), "--grader", "offline", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    data = json.loads(out)
    assert KEYS <= set(data)
    assert data["n"] == len(ROWS)
    assert data["skipped_lines"] == 1
    # Good answers above bad ones: no CS synonym table (invoke/call do not meet), and "function",
    # a word of the question, earns nothing (cross-validation chose it; 0.78 before, 0.72 now).
    assert data["pearson"] > 0.7
    assert f"{dataset}:3:" in err  # the broken line, by number
    assert out.count("\n") == 1


def test_table_is_the_default(dataset, capsys):
    assert main(["eval", str(dataset)]) == 0
    out, _ = capsys.readouterr()
    assert "Pearson r" in out and "RMSE" in out and "answers per second" in out
    assert not out.lstrip().startswith("{")


def test_limit_grades_only_the_first_answers(dataset, capsys):
    main(["eval", str(dataset), "--json", "--limit", "10"])
    assert json.loads(capsys.readouterr().out)["n"] == 10


def test_missing_file_exits_2_with_a_message(tmp_path, capsys):
    assert main(["eval", str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl: no such file" in capsys.readouterr().err


def test_file_without_a_usable_line_is_nothing_to_grade(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text("{}\n")
    assert main(["eval", str(path)]) == 4
    err = capsys.readouterr().err
    assert f"{path}:1:" in err and "no graded answers" in err


def graded_lines(count, start=0):
    return [json.dumps({"qid": "q1", "question": QUESTION, "reference": REFERENCE, "answer": ROWS[i % len(ROWS)][0],
                        "score": ROWS[i % len(ROWS)][1], "scale_max": 5}) for i in range(start, start + count)]


@pytest.mark.parametrize("good, bad", [(2, 7), (9, 0), (12, 13)])
def test_too_few_usable_lines_give_no_correlation_and_exit_4(tmp_path, capsys, good, bad):
    path = tmp_path / "few.jsonl"
    path.write_text("\n".join(graded_lines(good) + ["{broken"] * bad) + "\n")
    assert main(["eval", str(path), "--json"]) == 4
    out, err = capsys.readouterr()
    assert out == "" and "Pearson" not in err and "no figures computed" in err
    assert (f"only {good} usable" in err) if good < 10 else (f"{bad} of {good + bad} lines are malformed" in err)


def test_a_line_that_is_not_utf8_is_named_and_the_rest_evaluated(tmp_path, capsys):
    path = tmp_path / "bytes.jsonl"
    lines = [line.encode() for line in graded_lines(12)]
    lines.insert(3, b'{"answer": "caf\xe9"}')
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert main(["eval", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert f"{path}:4: not UTF-8 text" in err
    data = json.loads(out)
    assert data["n"] == 12 and data["skipped_lines"] == 1


def test_pearson_comes_with_its_95_percent_interval(dataset, capsys):
    assert main(["eval", str(dataset), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    low, high = data["pearson_ci95"]
    assert -1 <= low < data["pearson"] < high <= 1
    assert main(["eval", str(dataset)]) == 0
    assert f"(95% CI {low:.3f} to {high:.3f})" in capsys.readouterr().out


def test_bad_limit_is_an_argument_error(dataset, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["eval", str(dataset), "--limit", "0"])
    assert exit_.value.code == 2


class FakeLLM:
    """An async grader like the LLM one: no grade_now, one answer fails."""

    name, version = "llm", "fake-1"

    def __init__(self):
        self.in_flight = self.peak = 0

    async def grade(self, item, on_feedback=None):
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.005)
        self.in_flight -= 1
        if item.answer == "A loop.":
            return failed_grade("llm", "fake-1", "timed out")
        good = "itself" in item.answer
        return Grade(score=9.0 if good else 2.0, feedback="", grader="llm", grader_version="fake-1")


def test_llm_grader_runs_concurrently_and_counts_failures(dataset, capsys, monkeypatch):
    fake = FakeLLM()
    asked = []

    def make_grader(settings, kind="auto"):
        asked.append(kind)
        return fake

    monkeypatch.setattr(interviewer.grading.choose, "make_grader", make_grader)
    code = main(["eval", str(dataset), "--grader", "llm", "--json", "--concurrency", "2"])
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert asked == ["llm"]
    assert fake.peak == 2
    assert data["failed"] == 1 and data["n"] == len(ROWS) - 1
    assert data["grader"] == "llm"
    assert code == 1  # finished, but not everything was graded
    assert "could not be graded" in err


# --------------------------------------------------------------------------- the real LLM grader, over HTTP

STACK_QUESTION = "What is a stack?"
STACK_REFERENCE = "A last-in first-out collection: push adds on top, pop removes the top item."
#: (answer, human score on 0-5, the fake model's score on 0-10)
STACK_ROWS = [
    ("A last-in first-out structure where push adds an item on top and pop takes the top one off.", 5, 10),
    ("A LIFO list; you push onto the top and pop from the top.", 5, 9),
    ("It is LIFO: the last element pushed is the first popped.", 4.5, 9),
    ("A collection where you add and remove at the same end.", 4, 7),
    ("Items go on top and come off the top.", 3.5, 7),
    ("A list of items in memory.", 2, 3),
    ("First in, first out, like a queue.", 1, 2),
    ("A kind of array.", 1.5, 4),
    ("Something in the CPU.", 0.5, 1),
    ("A sorted tree of keys.", 0, 0),
]


@pytest.fixture
def stack_dataset(tmp_path):
    path = tmp_path / "stack.jsonl"
    path.write_text("".join(
        json.dumps({"qid": "s1", "question": STACK_QUESTION, "reference": STACK_REFERENCE, "answer": a,
                    "score": h, "scale_max": 5}) + "\n"
        for a, h, _ in STACK_ROWS
    ))
    return path


def scripted_model(request):
    """The fake model's grade for a grading request: the score STACK_ROWS gives the answer."""
    user = next(m["content"] for m in request.messages if m["role"] == "user")
    answer = user.split("<candidate_answer>", 1)[1].split("</candidate_answer>", 1)[0].strip()
    score = {a: llm for a, _, llm in STACK_ROWS}[answer]
    return Reply.grade_json({
        "key_points": [{"point": "last in, first out", "verdict": "covered" if score >= 7 else "missed",
                        "evidence": ""}],
        "feedback": f"Scored {score}.",
        "criteria": {"correctness": score, "completeness": score, "depth": score, "communication": 8},
        "score": score,
    })


@pytest.fixture
def llm_env(monkeypatch, tmp_path, fake_server, estimated_tokens):
    """The CLI pointed at the fake server; every ``aclose`` of an LLM grader is counted."""
    from interviewer.grading.llm.grader import LLMGrader

    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_server.base_url)
    monkeypatch.setenv("INTERVIEWER_MODEL", fake_server.model)
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    monkeypatch.setenv("INTERVIEWER_MAX_RETRIES", "0")
    monkeypatch.setenv("INTERVIEWER_TIMEOUT", "5")
    closed = []
    original = LLMGrader.aclose

    async def counting_aclose(self):
        closed.append(self)
        await original(self)

    monkeypatch.setattr(LLMGrader, "aclose", counting_aclose)
    return closed


def test_llm_eval_end_to_end_against_the_fake_server_then_from_the_cache(stack_dataset, fake_server, llm_env,
                                                                         capsys):
    fake_server.responder = scripted_model
    code = main(["eval", str(stack_dataset), "--grader", "llm", "--json", "--concurrency", "4"])
    out, err = capsys.readouterr()
    assert code == 0, err
    first = json.loads(out)
    human = [h for _, h, _ in STACK_ROWS]
    predicted = [llm / 10 * 5 for _, _, llm in STACK_ROWS]
    assert first["grader"] == "llm" and first["n"] == len(STACK_ROWS) and first["failed"] == 0
    assert first["pearson"] == pytest.approx(pearson(predicted, human), abs=1e-4)
    assert first["rmse"] == pytest.approx(rmse(predicted, human), abs=1e-4)
    assert first["cached"] == 0
    assert len(fake_server.chat_requests) == len(STACK_ROWS)  # one request an answer, none repeated
    assert len(llm_env) == 1  # the grader was closed when the run ended

    sent = len(fake_server.requests)
    assert main(["eval", str(stack_dataset), "--grader", "llm", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert len(fake_server.requests) == sent  # every grade came from the cache
    assert second["cached"] == len(STACK_ROWS)
    assert {k: second[k] for k in ("n", "pearson", "rmse", "qwk")} == {k: first[k] for k in ("n", "pearson", "rmse", "qwk")}
    assert len(llm_env) == 2


def test_llm_eval_with_the_default_fake_model_reports_every_figure(stack_dataset, fake_server, llm_env, capsys):
    assert main(["eval", str(stack_dataset), "--grader", "llm"]) == 0
    out = capsys.readouterr().out
    assert "grader llm" in out and "Pearson r" in out
    assert len(fake_server.chat_requests) == len(STACK_ROWS)


def test_llm_eval_without_a_key_exits_3_with_a_clear_message(stack_dataset, fake_server, llm_env, monkeypatch,
                                                              capsys):
    monkeypatch.delenv("OPENAI_API_KEY")
    assert main(["eval", str(stack_dataset), "--grader", "llm", "--json"]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert "OPENAI_API_KEY" in err and "--grader offline" in err and "Traceback" not in err
    assert fake_server.requests == [] and llm_env == []


def test_llm_eval_with_a_rejected_key_stops_with_exit_3_and_closes_the_grader(stack_dataset, fake_server, llm_env,
                                                                              capsys):
    fake_server.api_key = "the-right-key"
    assert main(["eval", str(stack_dataset), "--grader", "llm", "--json", "--concurrency", "3"]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert "rejected the API key" in err and "Traceback" not in err
    assert len(llm_env) == 1
    assert len(fake_server.chat_requests) <= 3  # the answers still waiting were never sent


@pytest.mark.skipif(not MOHLER_DEV.exists(), reason=f"{MOHLER_DEV} not found (shared ASAG data)")
def test_eval_command_on_the_mohler_dev_set_meets_the_targets():
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "interviewer", "eval", "../shared/asag/mohler2011_dev.jsonl",
         "--grader", "offline", "--json"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress noise when stderr is not a terminal
    data = json.loads(result.stdout)
    assert data["n"] == 1192
    assert data["pearson"] >= 0.60 and data["rmse"] <= 0.90

"""``interviewer eval``: JSON and table output, bad lines, limits, exit codes, the LLM path."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

import interviewer.graders
from interviewer.cli import main
from interviewer.grading import Grade, failed_grade

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
    assert data["pearson"] > 0.8  # good answers above bad ones
    assert f"{dataset}:3:" in err  # the broken line, by number
    assert out.count("\n") == 1


def test_table_is_the_default(dataset, capsys):
    assert main(["eval", str(dataset)]) == 0
    out, _ = capsys.readouterr()
    assert "Pearson r" in out and "RMSE" in out and "answers per second" in out
    assert not out.lstrip().startswith("{")


def test_limit_grades_only_the_first_answers(dataset, capsys):
    main(["eval", str(dataset), "--json", "--limit", "3"])
    assert json.loads(capsys.readouterr().out)["n"] == 3


def test_missing_file_exits_2_with_a_message(tmp_path, capsys):
    assert main(["eval", str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl: no such file" in capsys.readouterr().err


def test_file_without_a_usable_line_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text("{}\n")
    assert main(["eval", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:1:" in err and "no graded answers" in err


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

    monkeypatch.setattr(interviewer.graders, "make_grader", make_grader)
    code = main(["eval", str(dataset), "--grader", "llm", "--json", "--concurrency", "2"])
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert asked == ["llm"]
    assert fake.peak == 2
    assert data["failed"] == 1 and data["n"] == len(ROWS) - 1
    assert data["grader"] == "llm"
    assert code == 1  # finished, but not everything was graded
    assert "could not be graded" in err


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

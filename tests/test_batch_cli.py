"""``interviewer grade`` end to end: a plain-text transcript graded offline, exit codes, reports, resume, LLM."""

from __future__ import annotations

import json

import pytest

from interviewer.batch.records import ProblemRecord, record_from_dict
from interviewer.cli import main
from interviewer.testing.fake_openai_server import FakeOpenAIServer

TRANSCRIPT = """\
Candidate: Jane Doe

Interviewer: Hello Jane, thanks for coming in. Let's begin.
Interviewer: Can you explain what dropout is?
Candidate: Um, so dropout randomly drops units during training,
which stops neurons co-adapting, so it reduces overfitting.
At inference it's switched off and the activations are scaled.
Interviewer: Good. What is the vanishing gradient problem?
Candidate: Gradients get smaller and smaller as they are backpropagated
through many layers, so the early layers learn very slowly.
Interviewer: And what's your favourite colour?
Candidate: Blue.
"""


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "INTERVIEWER_MODEL", "INTERVIEWER_OFFLINE", "INTERVIEWER_BANK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    return tmp_path


def records(path):
    """Every line of an output file as its typed record (duplicates kept)."""
    return [record_from_dict(json.loads(line)) for line in open(path, encoding="utf-8")]


def test_a_plain_text_transcript_is_parsed_matched_graded_and_reported(workdir, capsys):
    (workdir / "jane.txt").write_text(TRANSCRIPT)
    code = main(["grade", "jane.txt", "--offline", "--out", "grades.jsonl", "--report", "report.html"])
    err = capsys.readouterr().err
    assert code == 1  # one question is not in the bank: offline it cannot be graded
    dropout, vanishing, colour = records(workdir / "grades.jsonl")
    assert (dropout.question_id, dropout.match["kind"], dropout.candidate) == ("dl-021", "fuzzy", "Jane Doe")
    assert dropout.score > 3 and dropout.input == "jane.txt:4"
    assert vanishing.question_id == "dl-007" and vanishing.score is not None
    assert colour.failure == "unmatched question" and colour.score is None
    assert "3 answer(s): 2 graded" in err and "Jane Doe" in err and "report: report.html" in err
    page = (workdir / "report.html").read_text()
    assert "<svg" in page and "Jane Doe" in page and "<script" not in page


def test_unreadable_lines_are_named_and_the_rest_is_graded(workdir, capsys):
    (workdir / "a.jsonl").write_text('{"question": "What is dropout?", "answer": "Drops units at random."}\n{oops\n')
    assert main(["grade", "a.jsonl", "--offline", "--format", "csv"]) == 1
    captured = capsys.readouterr()
    assert "a.jsonl:2: not valid JSON" in captured.err
    assert captured.out.startswith("input,id,candidate") and "a.jsonl:1" in captured.out
    assert len(records(workdir / "grades.jsonl")) == 2  # the default --out


def test_a_second_run_resumes_and_sends_nothing_again(workdir, capsys):
    (workdir / "a.jsonl").write_text('{"question": "What is dropout?", "answer": "Drops units at random."}\n')
    assert main(["grade", "a.jsonl", "--offline", "--out", "g.jsonl"]) == 0
    capsys.readouterr()
    assert main(["grade", "a.jsonl", "--offline", "--out", "g.jsonl", "--resume"]) == 0
    assert "resuming g.jsonl: 1 record(s) already there" in capsys.readouterr().err
    assert len(records(workdir / "g.jsonl")) == 1


def test_the_closing_summary_counts_this_run_and_a_resumed_run_counts_earlier_records_too(workdir, capsys):
    from interviewer.batch.reports import format_summary, read_records, summarise

    (workdir / "a.jsonl").write_text('{"question": "What is dropout?", "answer": "Drops units at random."}\n'
                                     '{"question": "What is your favourite colour?", "answer": "Blue."}\n')
    assert main(["grade", "a.jsonl", "--offline", "--out", "g.jsonl"]) == 1
    fresh = capsys.readouterr().err
    assert format_summary(summarise(read_records(workdir / "g.jsonl")), "g.jsonl") in fresh
    (workdir / "b.jsonl").write_text('{"question": "What is the vanishing gradient problem?", '
                                     '"answer": "Gradients shrink through many layers."}\n')
    assert main(["grade", "b.jsonl", "--offline", "--out", "g.jsonl"]) == 1  # the earlier unmatched one counts
    resumed = capsys.readouterr().err
    assert "3 answer(s): 2 graded" in resumed and "1 not graded (1 unmatched)" in resumed


def test_bad_arguments_exit_2_with_a_message(workdir, capsys):
    assert main(["grade", "missing.jsonl", "--offline"]) == 2
    assert "missing.jsonl: no such file or folder" in capsys.readouterr().err
    (workdir / "a.jsonl").write_text("{}\n")
    assert main(["grade", "a.jsonl", "--batch-api"]) == 2  # no key
    assert "--batch-api needs an LLM" in capsys.readouterr().err
    assert main(["grade", "a.jsonl", "--offline", "--report", "grades.jsonl"]) == 2
    with pytest.raises(SystemExit):
        main(["grade", "a.jsonl", "--concurrency", "0"])


@pytest.mark.usefixtures("estimated_tokens")
def test_llm_grading_through_the_cli(workdir, capsys, monkeypatch):
    (workdir / "jane.txt").write_text(TRANSCRIPT)
    with FakeOpenAIServer() as server:
        for name, value in server.env(workdir / "home").items():
            monkeypatch.setenv(name, value)
        assert main(["grade", "jane.txt", "--out", "g.jsonl", "--concurrency", "2"]) == 0
        assert len(server.chat_requests) == 3
    err = capsys.readouterr().err
    graded = records(workdir / "g.jsonl")
    assert all(r.score is not None and r.grade.model == "fake-model" for r in graded)
    # Records are written as grades finish (two in flight), so find the colour one by its question.
    (colour,) = [r for r in graded if "favourite colour" in r.question]
    assert "graded without a reference answer" in colour.grade.flags
    assert "tokens:" in err


@pytest.mark.parametrize("layout", ["empty file", "empty folder", "unrelated files", "question without answer"])
def test_nothing_to_grade_exits_4_with_a_message(workdir, capsys, layout):
    (workdir / "in").mkdir()
    if layout == "empty file":
        (workdir / "in" / "a.jsonl").write_text("")
    elif layout == "unrelated files":
        (workdir / "in" / "photo.png").write_bytes(b"\x89PNG")
        (workdir / "in" / "notes.pdf").write_bytes(b"%PDF")
    elif layout == "question without answer":
        (workdir / "in" / "t.txt").write_text("Interviewer: What is dropout?\n")
    assert main(["grade", "in", "--offline", "--report", "r.html"]) == 4
    err = capsys.readouterr().err
    assert "nothing to grade" in err and "0 answer(s)" not in err
    assert not (workdir / "grades.jsonl").exists() and not (workdir / "r.html").exists()


def test_every_line_unreadable_is_nothing_to_grade_and_the_problems_are_kept(workdir, capsys):
    (workdir / "a.jsonl").write_text('{"question": "q"}\nnot json\n')
    assert main(["grade", "a.jsonl", "--offline"]) == 4
    err = capsys.readouterr().err
    assert "a.jsonl:1: missing 'answer'" in err and "a.jsonl:2: not valid JSON" in err
    assert "nothing to grade: every part of a.jsonl" in err and "2 problem(s)" in err
    assert [type(r) for r in records(workdir / "grades.jsonl")] == [ProblemRecord, ProblemRecord]


def test_control_and_bidi_characters_in_names_reach_the_terminal_escaped(workdir, capsys):
    rows = [{"candidate": "Eve\u202egnp.exe", "question": "What is dropout?", "answer": "drops units"},
            {"candidate": "Mal\x1b]0;pwned\x07", "question": "What is dropout?", "answer": "drops units"}]
    (workdir / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["grade", "a.jsonl", "--offline"]) == 0
    err = capsys.readouterr().err
    assert "\u202e" not in err and "\x1b" not in err and "\x07" not in err
    assert "Eve\\u202egnp.exe" in err and "Mal\\x1b]0;pwned\\x07" in err
    assert {r.candidate for r in records(workdir / "grades.jsonl")} == {rows[0]["candidate"], rows[1]["candidate"]}


def test_repeated_ids_are_merged_or_both_graded_with_a_notice_naming_them(workdir, capsys):
    (workdir / "a.csv").write_text("id,question,answer\n"
                                   "a1,What is dropout?,drops units\n"
                                   "a1,What is dropout?,drops units\n"
                                   "a1,What is dropout?,something else\n"
                                   "b2,What is dropout?,drops units\n")
    assert main(["grade", "a.csv", "--offline"]) == 0
    err = capsys.readouterr().err
    assert "a.csv:3: duplicate id 'a1' (first at a.csv:2), the same answer: merged, graded once" in err
    assert "a.csv:4: duplicate id 'a1' (first at a.csv:2), a different answer: both graded" in err
    assert "1 repeated answer(s) (same id, question and answer) merged" in err
    assert sorted(r.input for r in records(workdir / "grades.jsonl")) == ["a.csv:2", "a.csv:4", "a.csv:5"]


def test_the_progress_display_counts_answers_and_the_ones_not_graded(capsys):
    """On a terminal, ``grade`` shows a bar: one step per record, a note with how many failed."""
    from interviewer.answer_record import AnswerRecord
    from interviewer.batch.items import InputProblem
    from interviewer.batch.records import problem_record
    from interviewer.commands.grade_cmd import _Console
    from interviewer.grading.interface import Grade

    graded = AnswerRecord("Q?", grade=Grade(score=7.0, feedback="", grader="offline", grader_version="1"), key="a")
    unmatched = AnswerRecord("Q?", error="unmatched question", key="b")
    with _Console(total=3, enabled=True) as console:
        console.record(graded)
        console.record(unmatched)
        console.record(problem_record(InputProblem("in.jsonl", 3, "not valid JSON")))
        console.say("interviewer: a message above the bar")
        task = console.progress.tasks[0]
        assert (task.total, task.completed, task.fields["note"]) == (3, 3, "2 not graded")
    assert "a message above the bar" in capsys.readouterr().err


def test_without_a_terminal_there_is_no_bar_and_messages_still_go_to_stderr(capsys):
    from interviewer.commands.grade_cmd import _Console

    with _Console(total=None, enabled=False) as console:
        console.record(record_from_dict({"v": 2, "kind": "answer", "key": "k", "question": "Q?", "error": "x"}))
        console.say("interviewer: plain")
    assert console.progress is None and capsys.readouterr().err == "interviewer: plain\n"

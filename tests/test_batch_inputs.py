"""Batch inputs: JSONL, CSV, plain-text and session transcripts, folders, globs, stdin; keys and bad lines."""

from __future__ import annotations

import inspect
import io
import json

import pytest

from interviewer.batch.inputs import iter_inputs, read_text_string, resolve_inputs
from interviewer.batch.items import InputItem, InputProblem
from interviewer.batch.text_transcripts import candidate_from_filename
from interviewer.errors import UserError


def items(entries):
    return [e for e in entries if isinstance(e, InputItem)]


def problems(entries):
    return [e for e in entries if isinstance(e, InputProblem)]


def test_jsonl_bad_lines_are_reported_with_their_line_and_the_rest_is_read(tmp_path):
    path = tmp_path / "answers.jsonl"
    path.write_bytes(
        b'{"question": "What is dropout?", "answer": "Zeroing units.", "candidate": "Ann", "id": 7}\n'
        b"{not json\n"
        b"\n"
        b"[1, 2]\n"
        b'{"question": "What is GPT?"}\n'
        b'{"question_id": "dl-021", "answer": "Drops units.", "reference": "Own reference."}\n'
        b'{"question": "Q?", "answer": "caf\xe9 latin-1"}\n'
        b'{"question": "Last?", "answer": "still read"}\n'
    )
    entries = list(iter_inputs([str(path)]))
    good = items(entries)
    assert [(i.line, i.question, i.candidate, i.item_id) for i in good] == [
        (1, "What is dropout?", "Ann", "7"),
        (6, "", None, None),
        (8, "Last?", None, None),
    ]
    assert good[1].question_id == "dl-021" and good[1].reference == "Own reference."
    assert [(p.line, p.message.split(" (")[0]) for p in problems(entries)] == [
        (2, "not valid JSON"),
        (4, "not a JSON object"),
        (5, "missing 'answer'"),
        (7, "not UTF-8 text"),
    ]
    assert str(problems(entries)[0]).startswith(f"{path}:2: not valid JSON")
    assert good[0].location == f"{path}:1"


def test_keys_are_stable_and_depend_on_place_and_text(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"question": "Q1?", "answer": "A"}\n{"question": "Q1?", "answer": "A"}\n')
    first = [i.key for i in items(iter_inputs([str(path)]))]
    again = [i.key for i in items(iter_inputs([str(path)]))]
    assert first == again
    assert first[0] != first[1]  # same text, different line
    path.write_text('{"question": "Q1?", "answer": "B"}\n')
    assert items(iter_inputs([str(path)]))[0].key != first[0]


def test_csv_with_multiline_fields_aliases_and_bad_rows(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_bytes(
        b"Question,Response,Candidate Name,QID\n"
        b'"What is dropout?","Randomly zeroes units,\nduring training",Bob,dl-021\n'
        b"What is GPT?,,Ann,\n"
        b"What is BERT?,Bidirectional encoder,Ann,,extra\n"
        b"What is a GAN?,Two nets \xff compete,Cy,\n"
        b"What is a VAE?,A probabilistic autoencoder,Cy,\n"
    )
    entries = list(iter_inputs([str(path)]))
    good = items(entries)
    assert [(i.line, i.candidate, i.question_id) for i in good] == [(2, "Bob", "dl-021"), (7, "Cy", None)]
    assert good[0].answer == "Randomly zeroes units,\nduring training"
    assert [(p.line, p.message) for p in problems(entries)] == [
        (4, "missing 'answer'"),
        (5, "5 fields but the header has 4"),
        (6, "not UTF-8 text"),
    ]


def test_csv_without_an_answer_column_is_one_problem(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("question,reply\nQ?,A\n")
    [problem] = list(iter_inputs([str(path)]))
    assert isinstance(problem, InputProblem) and problem.line == 1 and "no 'answer' column" in problem.message


TRANSCRIPT = """\
Mock interview, 3 May
Candidate: Jane Doe

Interviewer: Welcome! Let's get started.
interviewer: What is dropout?
CANDIDATE: Um, so dropout randomly zeroes units
during training.

It stops neurons co-adapting.
**Interviewer:** Good. Now, what is a CNN?
Candidate: A network with convolutional layers.
Candidate: They share weights across the image.
Q: What is GPT?
A: A decoder-only transformer.
Interviewer: Thanks, that's all from me.
"""


def test_plain_text_transcript_turns_span_lines_and_labels_are_case_insensitive():
    entries = read_text_string(TRANSCRIPT, "jane.txt")
    assert problems(entries) == []
    got = [(i.line, i.question, i.answer, i.candidate) for i in items(entries)]
    assert got == [
        (5, "What is dropout?",
         "Um, so dropout randomly zeroes units\nduring training.\nIt stops neurons co-adapting.", "Jane Doe"),
        (10, "Good. Now, what is a CNN?",
         "A network with convolutional layers.\nThey share weights across the image.", "Jane Doe"),
        (13, "What is GPT?", "A decoder-only transformer.", "Jane Doe"),
    ]


def test_plain_text_candidate_from_the_file_name_and_answer_without_question(tmp_path):
    path = tmp_path / "interview_john-smith_2024-05-01.txt"
    path.write_text("Candidate: I'd like to start by saying hello to everyone.\nQ: What is PCA?\nA: Projection onto "
                    "the top principal components.\n")
    entries = list(iter_inputs([str(path)]))
    [item] = items(entries)
    assert item.candidate == "John Smith" and item.line == 2
    [problem] = problems(entries)
    assert problem.line == 1 and "no question before it" in problem.message
    assert candidate_from_filename("transcript") is None


def test_named_speaker_labels_give_the_candidate():
    text = "Interviewer (Sam): What is t-SNE?\nCandidate (Priya Patel): A nonlinear embedding for visualisation.\n"
    [item] = read_text_string(text)
    assert item.candidate == "Priya Patel" and item.question == "What is t-SNE?"


def test_session_transcript_answers_with_candidate_follow_ups_and_skips(tmp_path):
    path = tmp_path / "session-1.jsonl"
    records = [
        {"type": "session", "session_id": "s1", "candidate": "Ada", "question_ids": ["dl-021", "dl-015"]},
        {"type": "answer", "question_id": "dl-021", "question": "What is dropout?", "answer": "Zeroes units.",
         "skipped": False, "follow_up_of": None, "hints": ["Randomly drops units"]},
        {"type": "answer", "question_id": "dl-021", "question": "Why does that regularise?",
         "answer": "It averages many thinned nets.", "skipped": False, "follow_up_of": "dl-021"},
        {"type": "answer", "question_id": "dl-015", "question": "What is Adam?", "answer": "", "skipped": True},
        {"type": "end"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + '{"type": "answ')  # torn last line
    entries = list(iter_inputs([str(path)]))
    main, follow = items(entries)
    assert (main.candidate, main.question_id, main.follow_up_of, main.hinted_points) == (
        "Ada", "dl-021", None, ("Randomly drops units",))
    assert follow.follow_up_of == "dl-021" and follow.context_answer == "Zeroes units."
    assert follow.context_question == "What is dropout?"
    assert [p.line for p in problems(entries)] == [6]


def test_folders_globs_stdin_and_missing_paths(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.jsonl").write_text('{"question": "Q1?", "answer": "A1"}\n')
    (tmp_path / "sub" / "b.txt").write_text("Q: Q2?\nA: A2\n")
    (tmp_path / "sub" / "notes.pdf").write_text("ignored")
    (tmp_path / "out.jsonl").write_text("")
    found = resolve_inputs([str(tmp_path)], exclude=[tmp_path / "out.jsonl"])
    assert found == [str(tmp_path / "a.jsonl"), str(tmp_path / "sub" / "b.txt")]
    assert resolve_inputs([str(tmp_path / "**" / "*.txt")]) == [str(tmp_path / "sub" / "b.txt")]
    everything = resolve_inputs([str(tmp_path / "a.jsonl"), str(tmp_path)])  # each file once
    assert everything == [str(tmp_path / n) for n in ("a.jsonl", "out.jsonl", "sub/b.txt")]
    stdin = io.BytesIO(b"question,answer\nWhat is RL?,Learning from rewards\n")
    [item] = list(iter_inputs(["-"], stdin=stdin))
    assert item.source == "<stdin>" and item.answer == "Learning from rewards"
    with pytest.raises(UserError) as error:
        resolve_inputs([str(tmp_path / "nope.jsonl"), str(tmp_path / "*.csv")])
    assert "nope.jsonl: no such file" in str(error.value) and "*.csv: no file matches" in str(error.value)


def test_reading_is_lazy():
    assert inspect.isgeneratorfunction(iter_inputs)
    stream = iter(read_text_string("Q: a?\nA: b\n"))
    assert isinstance(next(stream), InputItem)

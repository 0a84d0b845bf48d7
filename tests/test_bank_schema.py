"""The bank's enriched fields: core and depth points, the model answer, follow-ups as questions."""

import json
from pathlib import Path

import pytest

from interviewer.bank import load_bank, validate_bank
from interviewer.cli import main
from interviewer.questions import FollowUp, Question

GOOD = '''topics = ["basics"]

[[question]]
id = "b-1"
topic = "basics"
question = "What is dropout?"
reference = "Randomly zeroes activations during training."
key_points = ["Randomly zeroes activations", "Only during training"]
depth_points = ["Scales the kept activations by 1/(1-p)"]
model_answer = "Dropout randomly zeroes activations while training."

[question.follow_up]
question = "What happens at inference?"
reference = "Dropout is switched off and the full network is used."
key_points = ["Dropout is off at inference", "The whole network is used"]

[[question]]
id = "b-2"
topic = "basics"
question = "What is a tensor?"
reference = "A multi-dimensional array."
follow_up = { question = "What is its rank?", reference = "The number of axes.", key_points = ["Number of axes", "A matrix has rank 2"] }

[[question]]
id = "b-3"
topic = "basics"
question = "Name an optimiser."
reference = "Adam."
key_points = ["Adam"]
follow_up = "Why Adam?"
'''


def write(tmp_path: Path, text: str, name: str = "bank.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_core_depth_model_answer_and_follow_up_table_load(tmp_path):
    bank = load_bank(write(tmp_path, GOOD))
    dropout = bank.get("b-1")
    assert dropout.core_points == ("Randomly zeroes activations", "Only during training")
    assert dropout.depth_points == ("Scales the kept activations by 1/(1-p)",)
    assert dropout.key_points == dropout.core_points + dropout.depth_points
    assert dropout.point_kinds == ("core", "core", "depth")
    assert dropout.model_answer.startswith("Dropout randomly")
    assert dropout.follow_up == FollowUp(
        "What happens at inference?",
        "Dropout is switched off and the full network is used.",
        ("Dropout is off at inference", "The whole network is used"),
    )
    assert bank.get("b-2").follow_up.key_points == ("Number of axes", "A matrix has rank 2")
    assert bank.get("b-2").follow_up.question == "What is its rank?"


def test_plain_follow_up_text_and_no_depth_points_stay_valid(tmp_path):
    path = write(tmp_path, GOOD)
    assert validate_bank(path) == []
    optimiser = load_bank(path).get("b-3")
    assert optimiser.follow_up == FollowUp("Why Adam?") and not optimiser.follow_up.has_reference
    assert optimiser.point_kinds == ("core",) and optimiser.depth_points == ()


def test_markdown_bank_points_are_all_core(tmp_path):
    path = write(tmp_path, "### Q1. Name optimisers.\n- SGD.\n- Adam.\n", "mine.md")
    (question,) = load_bank(path)
    assert question.point_kinds == ("core", "core") and question.follow_up is None


def test_question_accepts_a_string_follow_up_and_checks_kinds():
    question = Question("q", "Q?", "R.", key_points=("a",), follow_up="Why?")
    assert question.follow_up == FollowUp("Why?") and question.follow_up_question == "Why?"
    assert Question("q", "Q?", "R.", follow_up="  ").follow_up is None
    with pytest.raises(ValueError, match="point_kinds"):
        Question("q", "Q?", "R.", key_points=("a", "b"), point_kinds=("core",))
    with pytest.raises(ValueError, match="point_kinds"):
        Question("q", "Q?", "R.", key_points=("a",), point_kinds=("extra",))


BAD_FOLLOW_UPS = '''topics = ["basics"]

[[question]]
id = "c-1"
topic = "basics"
question = "Q one?"
reference = "R one."
key_points = ["One"]
depth_points = ["One", 3]
model_answer = 42

[question.follow_up]
question = ""
reference = "Follow-up reference."
key_points = ["Only one"]
hint = "unknown"

[[question]]
id = "c-2"
topic = "basics"
question = "Q two?"
reference = "R two."
follow_up = 7

[[question]]
id = "c-3"
topic = "basics"
question = "Q three?"
reference = "R three."
key_points = ["Three"]
depth_points = ["Three"]
follow_up = { question = "Why?" }
'''


def test_validate_locates_each_new_field_problem(tmp_path):
    path = write(tmp_path, BAD_FOLLOW_UPS)
    problems = [(p.line, p.is_error, p.message) for p in validate_bank(path)]

    def has(line: int, is_error: bool, words: str) -> bool:
        return any(l == line and e == is_error and words in m for l, e, m in problems)

    assert has(9, True, "'depth_points' must be a list of non-empty texts")
    assert has(10, True, "'model_answer' must be text")
    assert has(13, True, "the follow-up table has no 'question'")
    assert has(15, True, "the follow-up has 1 key points; give 2 to 4")
    assert has(16, False, "unknown follow-up field 'hint'")
    assert has(23, True, "'follow_up' must be a table with 'question', 'reference' and 2-4 'key_points'")
    assert has(31, False, "depth point 'Three' repeats a key point")
    # an inline table's problems point at its line
    assert has(32, True, "no 'reference'") and has(32, True, "no 'key_points'")


def test_validate_command_prints_file_line_for_follow_up_problems(tmp_path, capsys):
    path = write(tmp_path, BAD_FOLLOW_UPS)
    assert main(["bank", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:15: the follow-up has 1 key points; give 2 to 4" in err


def test_list_json_shows_model_answer_kinds_and_follow_up_object(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    assert main(["bank", "list", "--bank", str(path), "--json"]) == 0
    first, second, third = json.loads(capsys.readouterr().out)
    assert first["model_answer"].startswith("Dropout randomly")
    assert first["key_points"] == [
        {"text": "Randomly zeroes activations", "kind": "core"},
        {"text": "Only during training", "kind": "core"},
        {"text": "Scales the kept activations by 1/(1-p)", "kind": "depth"},
    ]
    assert first["follow_up"] == {
        "question": "What happens at inference?",
        "reference": "Dropout is switched off and the full network is used.",
        "key_points": ["Dropout is off at inference", "The whole network is used"],
    }
    assert third["follow_up"] == {"question": "Why Adam?", "reference": "", "key_points": []}
    assert second["model_answer"] == ""


def test_show_prints_depth_points_model_answer_and_follow_up_reference(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    assert main(["bank", "show", "b-1", "--bank", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Depth points (beyond the reference):\n  - Scales the kept" in out
    assert "Model answer:" in out and "Follow-up: What happens at inference?" in out
    assert "Dropout is off at inference" in out

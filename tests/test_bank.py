"""The question bank: the shipped file, custom Markdown and TOML banks, validation, selection."""

from pathlib import Path

import pytest

from interviewer.bank import BankError, derive_key_points, load_bank, read_bank, validate_bank
from interviewer.errors import UserError
from interviewer.questions import TOPICS
from interviewer.resources import default_bank_path

#: The seed list beside the checkout (/work/main -> /work/shared) or, from a worktree, two levels up.
SEED = next(
    (
        root / "shared" / "seed" / "deep_learning_100_questions.md"
        for root in Path(__file__).resolve().parents[2:4]
        if (root / "shared" / "seed" / "deep_learning_100_questions.md").exists()
    ),
    Path("/nonexistent/seed.md"),
)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_shipped_bank_has_100_enriched_questions():
    bank = load_bank(default_bank_path())
    assert len(bank) == 100
    assert len({q.id for q in bank}) == 100
    for q in bank:
        assert q.topic in TOPICS
        assert q.difficulty in (1, 2, 3)
        assert 1 <= len(q.core_points) <= 5 and 2 <= len(q.depth_points) <= 4, q.id
        assert q.key_points == q.core_points + q.depth_points, q.id
        assert q.model_answer and q.question and q.reference, q.id
        assert q.follow_up.question.endswith("?") and q.follow_up.reference, q.id
        assert 2 <= len(q.follow_up.key_points) <= 4, q.id
    assert len(bank.used_topics()) >= 10


def test_shipped_bank_validates_clean():
    assert [p for p in validate_bank(default_bank_path())] == []


@pytest.mark.skipif(not SEED.exists(), reason="shared seed not present")
def test_shipped_references_are_the_seed_word_for_word():
    seed = load_bank(SEED)
    shipped = load_bank(default_bank_path())
    assert len(seed) == 100

    def norm(text: str) -> str:
        return "\n".join(line.rstrip() for line in text.strip().splitlines())

    for seed_q, shipped_q in zip(seed, shipped):
        assert norm(seed_q.question) == norm(shipped_q.question)
        assert norm(seed_q.reference) == norm(shipped_q.reference)


def test_markdown_bank_loads_with_derived_key_points(tmp_path):
    path = write(
        tmp_path,
        "mine.md",
        "# My bank\n\n---\n\n### Q1. What is a tensor?\nA multi-dimensional array.\n\n---\n\n"
        "### Q2. Name three optimisers.\n- SGD with momentum.\n- Adam.\n- RMSProp.\n\n---\n",
    )
    bank = load_bank(path)
    assert [q.id for q in bank] == ["mine-q1", "mine-q2"]
    assert bank.get("mine-q2").key_points == ("SGD with momentum", "Adam", "RMSProp")
    assert bank.get("MINE-Q1").reference == "A multi-dimensional array."


def test_derive_key_points_splits_lists_but_not_parentheses():
    assert derive_key_points("Image recognition, NLP, speech recognition, robotics.") == (
        "Image recognition", "NLP", "speech recognition", "robotics",
    )
    single = "A function introducing non-linearity into the network (e.g., ReLU, Sigmoid, Tanh)."
    assert derive_key_points(single) == (single.rstrip("."),)


def test_toml_bank_problems_name_file_and_line(tmp_path):
    path = write(
        tmp_path,
        "bad.toml",
        """topics = ["basics"]

[[question]]
id = "a-1"
topic = "basics"
question = "What is X?"
reference = "X is Y."

[[question]]
id = "a-1"
topic = "basics"
question = "Duplicate id here?"
reference = "Yes."

[[question]]
id = "a-3"
topic = "nonsense"
difficulty = 7
question = ""
reference = "   "
""",
    )
    messages = [str(p) for p in validate_bank(path)]
    assert f"{path}:10: duplicate id 'a-1' (first used on line 4)" in messages
    assert any(m.startswith(f"{path}:18: bad difficulty 7") for m in messages)
    assert any(m.startswith(f"{path}:17: unknown topic 'nonsense'") for m in messages)
    assert any(m.startswith(f"{path}:19:") and "empty question" in m for m in messages)
    assert any(m.startswith(f"{path}:20:") and "empty reference" in m for m in messages)
    with pytest.raises(BankError) as raised:
        load_bank(path)
    assert "duplicate id" in str(raised.value)


def test_toml_syntax_error_reports_line(tmp_path):
    path = write(tmp_path, "broken.toml", '[[question]]\nid = "x"\nquestion = "unterminated\n')
    (problem,) = validate_bank(path)
    assert problem.line == 3 and "TOML syntax error" in problem.message


def test_unreadable_and_non_utf8_files(tmp_path):
    bad = write(tmp_path, "latin.md", "### Q1. Caf\xe9?\nOui.\n".encode("latin-1"))
    (problem,) = validate_bank(bad)
    assert problem.line == 1 and "not UTF-8" in problem.message
    (missing,) = validate_bank(tmp_path / "nope.toml")
    assert "no such file" in str(missing)
    (folder,) = validate_bank(tmp_path)
    assert "folder" in folder.message


QUESTION_TABLE = '[[question]]\nid = "a-1"\ntopic = "basics"\nquestion = "What is X?"\nreference = "X is Y."\n'


def test_an_unknown_format_is_an_error_naming_the_supported_ones(tmp_path):
    path = write(tmp_path, "future.toml", "# a bank\nformat = 99\n\n" + QUESTION_TABLE)
    messages = [str(p) for p in validate_bank(path)]
    assert messages == [f"{path}:2: unknown bank format 99; this version reads format 1"]
    assert validate_bank(write(tmp_path, "one.toml", "format = 1\n" + QUESTION_TABLE)) == []


@pytest.mark.parametrize("name, text", [("empty.toml", ""), ("blank.toml", "\n  \n"), ("empty.md", "")])
def test_an_empty_file_says_it_is_empty(tmp_path, name, text):
    (problem,) = validate_bank(write(tmp_path, name, text))
    assert problem.line == 1 and problem.message.startswith("the file is empty")


def test_topics_are_optional_in_a_toml_bank_and_come_from_the_questions(tmp_path):
    path = write(tmp_path, "no-topics.toml", QUESTION_TABLE + QUESTION_TABLE.replace("a-1", "b-2").replace(
        "basics", "advanced"))
    bank = load_bank(path)
    assert validate_bank(path) == [] and bank.used_topics() == ["basics", "advanced"]
    assert [q.id for q in bank.select(5, topics=["advanced"])] == ["b-2"]


def test_empty_markdown_answer_is_an_error(tmp_path):
    path = write(tmp_path, "e.md", "### Q1. Question with no answer?\n\n---\n### Q2. Fine?\nYes.\n")
    bank, problems = read_bank(path)
    assert [(p.line, "empty reference" in p.message) for p in problems] == [(1, True)]


def test_select_is_reproducible_and_filters():
    bank = load_bank(default_bank_path())
    first = bank.select(5, seed=42)
    assert [q.id for q in first] == [q.id for q in bank.select(5, seed=42)]
    assert [q.id for q in first] != [q.id for q in bank.select(5, seed=43)]
    graphs = bank.select(10, topics=["graphs"], seed=1)
    assert graphs and all(q.topic == "graphs" for q in graphs)
    assert [q.id for q in bank.select(3, order="bank")] == ["dl-001", "dl-002", "dl-003"]
    hard = bank.select(100, difficulties=[3], seed=0)
    assert hard and all(q.difficulty == 3 for q in hard)
    with pytest.raises(UserError, match="unknown topic 'cooking'"):
        bank.select(3, topics=["cooking"])

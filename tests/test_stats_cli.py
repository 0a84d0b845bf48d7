"""``interviewer stats``: the friendly empty case, the table, --json and --topic, against a real history file."""

import json
from pathlib import Path

import pytest

from interviewer.cli import main
from interviewer.commands.stats_cmd import NO_HISTORY, score_bar, sparkline, trend_arrow
from interviewer.history.store import Attempt, History
from interviewer.settings import Settings


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path / "home"


def fill(home):
    rows = [
        Attempt("s1", "dl-001", "fundamentals", 4.0, answered_at="2024-05-01T12:00:00+00:00"),
        Attempt("s1", "dl-030", "regularisation", 9.0, answered_at="2024-05-01T12:05:00+00:00"),
        Attempt("s2", "dl-001", "fundamentals", 8.0, answered_at="2024-05-03T12:00:00+00:00"),
    ]
    with History(Settings.from_env().history_path) as history:
        history.record_attempts(rows)


def test_no_history_is_a_friendly_line(home, capsys):
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == NO_HISTORY
    assert not home.exists()  # reading never creates the history


def test_no_history_with_json_still_prints_json(home, capsys):
    assert main(["stats", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["attempts"] == 0
    assert NO_HISTORY in captured.err


def test_json_is_one_object(home, capsys):
    fill(home)
    assert main(["stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["attempts"], data["sessions"], data["average"]) == (3, 2, 7.0)
    topics = {t["topic"]: t for t in data["topics"]}
    assert topics["fundamentals"]["trend"] == 4.0
    assert topics["regularisation"]["average"] == 9.0
    assert [p["label"] for p in data["by_session"]] == ["s1", "s2"]


def test_text_table_has_a_bar_and_a_trend_arrow(home, capsys):
    fill(home)
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 attempts in 2 sessions, 2 questions; average 7.0/10 (strong)")
    line = next(row for row in out.splitlines() if row.startswith("fundamentals"))
    assert "▇▇▇▇▇▇▁▁▁▁" in line and " 6.0" in line and "↑ +4.0" in line
    assert "2024-05-03" in line
    assert "by day (2024-05-01 to 2024-05-03):" in out


def test_topic_filter(home, capsys):
    fill(home)
    assert main(["stats", "--json", "--topic", "regularisation"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["attempts"] == 1 and [t["topic"] for t in data["topics"]] == ["regularisation"]
    assert main(["stats", "--topic", "graphs"]) == 0
    err = capsys.readouterr().err
    assert "No attempts yet for topic 'graphs'" in err and "fundamentals, regularisation" in err


def test_a_broken_history_file_is_a_message_not_a_traceback(home, capsys):
    home.mkdir()
    (home / "history.sqlite3").write_text("garbage " * 200)
    assert main(["stats"]) == 2
    err = capsys.readouterr().err
    assert "history.sqlite3: not a usable history database" in err
    assert "Traceback" not in err


def test_bar_arrow_and_sparkline_helpers():
    assert score_bar(6.4) == "▇▇▇▇▇▇▁▁▁▁"
    assert score_bar(10.0) == "▇" * 10 and score_bar(0.0) == "▁" * 10
    assert score_bar(None).strip() == ""
    assert trend_arrow(1.24) == "↑ +1.2" and trend_arrow(-2.0) == "↓ -2.0" and trend_arrow(0.1) == "→ +0.1"
    assert trend_arrow(None) == ""
    assert sparkline([0.0, 5.0, None, 10.0]) == "▁▅ █"


def test_these_modules_import_no_ui_no_llm_client_and_touch_nothing(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, interviewer.commands.stats_cmd\n"
        "print(sorted(m for m in ('interviewer.history.store', 'sqlite3') if m in sys.modules))\n"
        "import interviewer.text.delivery, interviewer.history.store, interviewer.history.review, interviewer.practice.summary\n"
        "print(sorted(m for m in ('textual', 'openai', 'tiktoken') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[1]
    env = {"INTERVIEWER_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, timeout=60)
    assert result.returncode == 0, result.stderr
    # The command module defers even the history; the core never loads the UI or the LLM client.
    assert result.stdout.split() == ["[]", "[]"]
    assert not (tmp_path / "home").exists()


def test_an_unknown_topic_exits_2_like_practice_does(home, capsys):
    fill(home)
    assert main(["stats", "--topic", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "unknown topic 'nosuch'" in err and "graphs" in err

"""The CLI shell: help, exit codes, bank commands, and start-up cost."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env_home: Path | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(env_home or ROOT), "PYTHONPATH": str(ROOT)}
    if env_home:
        env["INTERVIEWER_HOME"] = str(env_home)
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args], capture_output=True, text=True, env=env, cwd=env_home or ROOT, timeout=60
    )


def test_help_lists_commands_and_exit_codes():
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("practice", "bank", "grade", "eval", "stats", "exit codes", "OPENAI_API_KEY"):
        assert word in result.stdout


def test_help_imports_neither_openai_nor_textual():
    code = (
        "import sys\n"
        "from interviewer.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('openai', 'textual', 'tiktoken') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "usage: interviewer" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "HEAVY="


def test_bank_list_json_lists_100(capsys):
    assert main(["bank", "list", "--json"]) == 0
    questions = json.loads(capsys.readouterr().out)
    assert len(questions) == 100
    assert all({"id", "topic", "difficulty", "key_points", "follow_up"} <= set(q) for q in questions)


def test_bank_list_by_topic_and_unknown_topic(capsys):
    assert main(["bank", "list", "--topic", "graphs"]) == 0
    out = capsys.readouterr().out
    assert "dl-090" in out and "dl-021" not in out
    assert main(["bank", "list", "--topic", "cooking"]) == 2
    assert "no question has topic cooking" in capsys.readouterr().err


def test_bank_show(capsys):
    assert main(["bank", "show", "dl-021"]) == 0
    out = capsys.readouterr().out
    assert "What is dropout?" in out and "Key points:" in out and "Follow-up:" in out
    assert main(["bank", "show", "nope-1"]) == 2
    assert "no question with id 'nope-1'" in capsys.readouterr().err


def test_bank_validate_exit_codes(tmp_path, capsys):
    assert main(["bank", "validate"]) == 0
    assert "OK, 100 questions" in capsys.readouterr().out
    broken = tmp_path / "broken.toml"
    broken.write_text('[[question]]\nid = "x"\ntopic = "fundamentals"\nquestion = "Q?"\nreference = ""\n')
    assert main(["bank", "validate", str(broken)]) == 2
    err = capsys.readouterr().err
    assert f"{broken}:5: question 'x' has an empty reference answer" in err


def test_bad_bank_for_list_is_a_clean_error(tmp_path, capsys):
    missing = tmp_path / "missing.toml"
    assert main(["bank", "list", "--bank", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err


def test_bad_setting_is_a_clean_error(monkeypatch, capsys):
    monkeypatch.setenv("INTERVIEWER_TIMEOUT", "soon")
    assert main(["bank", "list"]) == 2
    assert "INTERVIEWER_TIMEOUT='soon' is not a number" in capsys.readouterr().err


def test_unknown_command_exits_2():
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr

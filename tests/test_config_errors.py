"""LLM configuration mistakes are one line naming the setting and the fix: exit 2 for a malformed
value, exit 3 for a missing key or a model the server does not know; never a traceback."""

from __future__ import annotations

import pytest

from interviewer.cli import main
from interviewer.errors import LLMConfigError, UserError
from interviewer.grading.llm.config_check import check_llm_settings
from interviewer.settings import Settings

MOHLER_LIKE = '{"question": "What is a stack?", "reference": "LIFO", "answer": "LIFO list", "score": 4, "scale_max": 5}\n'


@pytest.mark.parametrize(("name", "value", "says"), [
    ("OPENAI_API_KEY", "sk-tést", "OPENAI_API_KEY has a non-ASCII character"),
    ("OPENAI_API_KEY", "sk abc", "OPENAI_API_KEY has a space"),
    ("OPENAI_BASE_URL", "http://127.0.0.1:notaport/v1", "OPENAI_BASE_URL='http://127.0.0.1:notaport/v1' cannot be used"),
    ("OPENAI_BASE_URL", "ftp://127.0.0.1/v1", "its scheme is 'ftp'"),
    ("OPENAI_BASE_URL", "http:///v1", "no host name"),
])
def test_a_malformed_setting_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, name, value, says):
    data = tmp_path / "d.jsonl"
    data.write_text(MOHLER_LIKE * 12)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-good")
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(name, value)
    for command in (["eval", str(data), "--grader", "llm"], ["grade", str(data), "--out", str(tmp_path / "o.jsonl")]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_a_missing_or_blank_key_and_an_unknown_model_are_exit_3(tmp_path, fake_server, monkeypatch, capsys):
    with pytest.raises(LLMConfigError):
        check_llm_settings(Settings(api_key="  ", home=tmp_path))
    fake_server.known_models = ("served-model",)
    data = tmp_path / "d.jsonl"
    data.write_text(MOHLER_LIKE * 12)
    for name, value in fake_server.env(tmp_path / "home").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("INTERVIEWER_MODEL", "no-such-model")
    assert main(["eval", str(data), "--grader", "llm"]) == 3
    err = capsys.readouterr().err
    assert "INTERVIEWER_MODEL" in err and "Traceback" not in err


def test_good_settings_pass():
    check_llm_settings(Settings(api_key="sk-abc_123", base_url="https://example.test:8443/v1"))
    with pytest.raises(UserError):
        check_llm_settings(Settings(api_key="sk-abc", base_url="http://h:70000/v1"))

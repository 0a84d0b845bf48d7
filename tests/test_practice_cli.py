"""``interviewer practice``: flags, when the setup screen shows, errors before the UI starts, what is printed after."""

import pytest

from interviewer.cli import build_parser, main
from interviewer.commands import practice_cmd
from interviewer.practice.options import PracticeOptions, save_preferences
from interviewer.settings import Settings
from interviewer.tui.app import InterviewerApp, PracticeResult


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("INTERVIEWER_BANK", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the project folder
    return tmp_path


@pytest.fixture
def launched(monkeypatch):
    """Run the command without a terminal: record the app it would run."""
    apps = []

    def fake_run(self, *args, **kwargs):
        apps.append(self)
        return PracticeResult(None, False, 0)

    monkeypatch.setattr(InterviewerApp, "run", fake_run)
    return apps


def parse(*argv):
    return build_parser().parse_args(["practice", *argv])


def test_no_command_runs_practice():
    assert build_parser().parse_args(["practice"]).run is practice_cmd.run
    assert parse("--count", "3").count == 3


def test_flags_that_choose_questions_skip_setup_others_only_preset_it():
    remembered = PracticeOptions(count=9, topics=("graphs",), candidate="Ada", timer_s=30)
    options, chose = practice_cmd.options_from_args(parse(), remembered)
    assert not chose and options == remembered
    options, chose = practice_cmd.options_from_args(parse("--offline", "--candidate", "Bo"), remembered)
    assert not chose and options.mode == "offline" and options.candidate == "Bo" and options.count == 9
    options, chose = practice_cmd.options_from_args(
        parse("--review", "--difficulty", "3", "--difficulty", "1", "--timer", "0"), remembered)
    assert chose and options.order == "review" and options.difficulties == (1, 3) and options.timer_s == 0
    assert options.count == 5 and options.topics == () and options.candidate == "Ada"  # defaults, not the last setup
    options, chose = practice_cmd.options_from_args(parse("--topic", "graphs", "--seed", "7"), remembered)
    assert chose and options.topics == ("graphs",) and options.seed == 7 and options.timer_s == 120


@pytest.mark.parametrize("argv", [["--count", "0"], ["--difficulty", "4"], ["--timer", "-1"], ["--order", "best"]])
def test_bad_flags_exit_2(argv, home, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["practice", *argv])
    assert exit_info.value.code == 2


def test_unknown_topic_exits_2_before_the_ui(home, launched, capsys):
    assert main(["practice", "--topic", "astrology"]) == 2
    assert "unknown topic 'astrology'" in capsys.readouterr().err and not launched


def test_speak_without_a_speech_command_exits_2_with_advice(home, launched, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(home))
    assert main(["practice", "--speak", "--count", "1"]) == 2
    assert "espeak-ng" in capsys.readouterr().err and not launched


def test_resume_without_an_unfinished_session_exits_2(home, launched, capsys):
    assert main(["practice", "--resume"]) == 2
    assert "no unfinished session" in capsys.readouterr().err and not launched


def test_setup_shows_with_remembered_choices_and_flags_start_at_once(home, launched):
    save_preferences(home / "preferences.json", PracticeOptions(count=4, candidate="Ada"))
    assert main([]) == 0
    app = launched[-1]
    assert app.options is None and app.preset.count == 4 and app.preset.candidate == "Ada"
    assert main(["--count", "2", "--offline"]) == 0
    app = launched[-1]
    assert app.options.count == 2 and app.options.mode == "offline" and app.options.candidate == "Ada"


def test_resume_hands_the_app_the_unfinished_session(home, launched, capsys):
    from interviewer.bank import open_bank
    from interviewer.practice.start import start_session

    settings = Settings(home=home)
    session = start_session(settings, PracticeOptions(count=2, order="bank", mode="offline"), open_bank())
    session.begin_question()
    session.skip()
    assert main(["practice", "--resume"]) == 0
    app = launched[-1]
    assert app.session.session_id == session.session_id and app.session.index == 1


def test_after_quitting_it_says_how_to_resume(home, monkeypatch, capsys):
    transcript = home / "transcripts" / "session-x.jsonl"
    monkeypatch.setattr(InterviewerApp, "run", lambda self: PracticeResult(transcript, False, 2))
    assert main(["--count", "1"]) == 0
    out = capsys.readouterr().out
    assert "2 question(s) done" in out and "interviewer practice --resume" in out


def test_resume_names_the_session_and_offers_a_choice_when_several_are_unfinished(home, launched, capsys):
    from interviewer.bank import open_bank
    from interviewer.practice.start import start_session

    settings = Settings(home=home)
    first = start_session(settings, PracticeOptions(count=2, order="bank", mode="offline", topics=("graphs",)), open_bank())
    first.begin_question()  # nothing answered yet: the session exists all the same
    assert main(["practice", "--resume"]) == 0
    said = capsys.readouterr().err
    assert "Resuming the session of" in said and "graphs" in said and "answered 0 of 2" in said
    assert launched[-1].session.session_id == first.session_id

    second = start_session(settings, PracticeOptions(count=3, order="bank", mode="offline"), open_bank())
    second.begin_question()
    assert main(["practice", "--resume"]) == 0
    app = launched[-1]
    assert app.session is None and [t.session_id for t in app.resumable] == [second.session_id, first.session_id]


def test_a_missing_bank_file_is_named_without_a_line_zero(home, launched, capsys):
    assert main(["practice", "--bank", str(home / "nonexistent.toml"), "--count", "1"]) == 2
    err = capsys.readouterr().err
    assert "nonexistent.toml: no such file" in err and ":0:" not in err

"""The setup screen: every Tab stop is a field, the theme is remembered, nothing is cut at 80x24."""

import pytest

from interviewer.practice.options import PracticeOptions, load_preferences, load_theme, save_preferences
from interviewer.settings import Settings
from interviewer.tui.app import make_app


@pytest.fixture
def settings(tmp_path):
    return Settings(home=tmp_path)


async def test_tab_tab_2_changes_the_number_of_questions(settings):
    app = make_app(settings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused.id == "start"
        stops = []
        for _ in range(12):
            await pilot.press("tab")
            stops.append(app.focused.id)
        assert None not in stops and "setup-form" not in stops  # no invisible stop
        assert stops[:2] == ["topics", "count"]
    app = make_app(settings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("tab", "tab", "2")
        assert app.screen.query_one("#count").value == "2"


async def test_the_theme_chosen_is_remembered_with_the_other_preferences(settings):
    save_preferences(settings.preferences_path, PracticeOptions(count=3))
    app = make_app(settings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.theme = "textual-light"
        await pilot.pause()
    assert load_theme(settings.preferences_path) == "textual-light"
    assert load_preferences(settings.preferences_path).count == 3
    save_preferences(settings.preferences_path, PracticeOptions(count=4))  # starting a session keeps it
    app = make_app(settings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-light"


async def test_nothing_is_cut_at_80x24(settings):
    app = make_app(settings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        header = str(screen.query_one("#status-bar").render())
        assert header.startswith("Setup · 100 questions") and len(header) <= 80
        for widget in screen.query("#setup-form > *"):
            assert widget.region.right <= 80


async def test_without_text_to_speech_the_reason_wraps_instead_of_being_cut(settings, monkeypatch):
    from interviewer.practice import speech

    from interviewer.voice import tts

    monkeypatch.setattr(speech, "find_tts_command", lambda: None)
    monkeypatch.setattr(tts, "hibari_available", lambda: False)  # nor the voice extra's hibari
    app = make_app(settings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        reason = app.screen.query_one("#speak-reason")
        assert reason.region.right <= 80 and reason.region.height >= 2  # wrapped onto two lines
        assert app.screen.query_one("#speak").disabled

"""The feedback view, driven with Pilot: how sure an offline grade is, the candidate's own marks, the model answer."""

import pytest

from interviewer.history.store import History
from interviewer.practice.options import PracticeOptions
from interviewer.settings import Settings
from interviewer.tui.app import make_app
from interviewer.tui.screens.help import help_content
from interviewer.tui.screens.interview import InterviewScreen

SIZE = (100, 40)
ANSWER = "It adds a penalty on large weights to the loss, which reduces overfitting and keeps the model simpler."


@pytest.fixture
def settings(tmp_path):
    return Settings(home=tmp_path)  # no key: offline


async def graded(pilot) -> InterviewScreen:
    await pilot.pause()
    screen = pilot.app.screen
    screen.answer_box.insert(ANSWER)
    await pilot.press("ctrl+s")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert screen.state == "feedback"
    return screen


async def test_a_digit_marks_a_key_point_beside_the_grade_and_the_history_keeps_it(settings):
    app = make_app(settings, PracticeOptions(count=1, order="bank", topics=("regularisation",), timer_s=0))
    async with app.run_test(size=SIZE) as pilot:
        screen = await graded(pilot)
        grade = screen.panel.grade
        second = grade.key_points[1]
        await pilot.press("2")
        own = "missed" if second.verdict == "covered" else "covered"
        assert app.session.turn.self_marks == {second.point: own}
        assert screen.panel.self_marks == {second.point: own}
        assert f"you: {'✓' if own == 'covered' else '✗'} {own}" in str(screen.panel.build())
        assert screen.panel.grade.key_points[1] == second  # the grader's verdict is untouched
        await pilot.press("9" if len(grade.key_points) < 9 else "0")  # no such point: nothing happens
        assert list(app.session.turn.self_marks) == [second.point]
    (mark,) = History(settings.history_path).self_assessments()
    assert (mark.point, mark.verdict, mark.grader_verdict) == (second.point, own, second.verdict)


async def test_the_offline_grade_says_what_it_is_and_m_shows_the_model_answer(settings):
    app = make_app(settings, PracticeOptions(count=1, order="bank", topics=("regularisation",), timer_s=0))
    async with app.run_test(size=SIZE) as pilot:
        screen = await graded(pilot)
        shown = str(screen.panel.build())
        assert "An estimate from the reference's wording" in shown
        assert f"confidence {screen.panel.grade.confidence.level}" in shown
        model_answer = app.session.turn.question.model_answer
        assert model_answer and model_answer[:40] not in shown
        await pilot.press("m")
        assert screen.panel.show_model_answer and model_answer[:40] in str(screen.panel.build())
        await pilot.press("m")
        assert not screen.panel.show_model_answer


def test_the_help_lists_the_new_keys():
    text = str(help_content())
    assert "model answer" in text and "1-9" in text and "covered or missed yourself" in text

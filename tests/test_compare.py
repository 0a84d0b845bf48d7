"""Side by side: each key point's evidence found in the answer, and the view reached from the feedback and the summary."""

import pytest

from interviewer.grading.interface import KeyPointResult
from interviewer.practice.options import PracticeOptions
from interviewer.settings import Settings
from interviewer.text.evidence import evidence_spans
from interviewer.tui.app import make_app

ANSWER = "Dropout switches off random neurons while training, and it makes the model slower at inference."


def test_offline_word_evidence_and_an_llm_quote_are_both_found():
    points = (
        KeyPointResult("randomly drops neurons during training", "covered", "random, neurons, training"),
        KeyPointResult("no cost at inference", "contradicted", "makes the model slower at inference"),
        KeyPointResult("reduces overfitting", "missed", ""),
    )
    spans = evidence_spans(ANSWER, points)
    marked = [(ANSWER[s.start:s.end], s.verdict, s.point) for s in spans]
    assert marked == [
        ("random", "covered", 0), ("neurons", "covered", 0), ("training", "covered", 0),
        ("makes the model slower at inference", "contradicted", 1),
    ]


def test_overlapping_evidence_keeps_the_stronger_verdict_and_never_matches_inside_a_word():
    points = (KeyPointResult("a", "partial", "model"), KeyPointResult("b", "contradicted", "the model slower"),
              KeyPointResult("c", "covered", "rain"))  # "rain" is inside "training": not evidence
    spans = evidence_spans(ANSWER, points)
    assert [(ANSWER[s.start:s.end], s.verdict) for s in spans] == [("the model slower", "contradicted")]


@pytest.fixture
def settings(tmp_path):
    return Settings(home=tmp_path)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_v_shows_the_answer_beside_the_reference_and_enter_on_a_summary_row_too(settings, size):
    options = PracticeOptions(count=1, order="bank", topics=("regularisation",), timer_s=0)
    app = make_app(settings, options)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        question = app.session.turn.question
        app.screen.answer_box.insert(question.reference)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        compare = app.screen
        assert compare.__class__.__name__ == "CompareScreen"
        left, right = compare.query_one("#compare-answer"), compare.query_one("#compare-reference")
        assert left.region.right <= right.region.x and right.region.right <= size[0]
        assert question.reference.strip()[:20] in str(compare.query_one("#compare-reference-text").render())
        answer_text = compare.query_one("#compare-answer-text").render()
        assert any(span.style for span in answer_text.spans)  # evidence highlighted
        assert "1." in str(compare.query_one("#compare-points").render())
        await pilot.press("escape")
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "SummaryScreen"
        app.screen.query_one("#summary-table").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CompareScreen"

"""The session export: every answer with score, feedback, key points, reference and delivery, as Markdown and HTML."""

from interviewer.bank import open_bank
from interviewer.practice.options import PracticeOptions
from interviewer.practice.report import session_report_html, session_report_markdown
from interviewer.practice.start import start_session
from interviewer.settings import Settings


class FakeClock:
    now = 100.0

    def __call__(self):
        return self.now


async def test_the_export_holds_every_answer_with_its_feedback_key_points_reference_and_delivery(tmp_path):
    settings = Settings(home=tmp_path, offline=True)
    clock = FakeClock()
    session = start_session(settings, PracticeOptions(count=2, order="bank", mode="offline", topics=("regularisation",)),
                            open_bank(), clock=clock)
    first = session.begin_question().question
    clock.now += 40
    session.submit("Um, so it is when the model memorizes noise in the training data and does badly on unseen data.")
    await session.grade()
    session.retry()
    session.submit(first.reference)
    await session.grade()
    session.next_question()
    session.skip()
    summary = session.summary()
    markdown = session_report_markdown(summary, session.records, session.reference_for, "Practice", "Ada")
    assert "## Answers" in markdown and "### 1. " + first.question in markdown
    assert "### 1 (attempt 2). " in markdown  # both attempts, the retry labelled
    assert "> Um, so it is when the model memorizes noise" in markdown
    assert "**Key points**" in markdown and f"{first.key_points[0]}" in markdown
    assert "**Feedback**" in markdown and "It covers" in markdown
    assert first.reference.strip() in markdown
    assert "**Delivery** (not part of the score)" in markdown
    assert "**skipped**" in markdown
    assert "2 questions · 1 graded · 1 skipped" in markdown  # the summary's counts, latest attempt each
    html = session_report_html(summary, session.records, session.reference_for, "Practice <1>", "Ada")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "Practice &lt;1&gt;" in html
    assert html.count('<section class="answer">') == 3 and "memorizes noise" in html
    assert "<script" not in html

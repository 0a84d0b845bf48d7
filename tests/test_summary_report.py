"""The session summary from answer records, and its Markdown export."""

import json

from interviewer.answer_record import AnswerRecord
from interviewer.text.delivery import analyse_delivery
from interviewer.grading.interface import Grade, KeyPointResult, TokenUsage, failed_grade
from interviewer.practice.summary import SessionSummary, session_summary, summary_markdown, text_bar
from interviewer.transcript import TranscriptWriter, read_transcript


def grade(score, missed=(), usage=None, cost=None):
    points = tuple(KeyPointResult(p, "missed") for p in missed) + (KeyPointResult("Covered point", "covered"),)
    return Grade(score=score, feedback="fine", grader="llm", grader_version="1", key_points=points,
                 usage=usage, cost_usd=cost)


def record(question_id, topic, score_grade, question=None, answer="It drops units, um, like, at random.",
           hint_used=False, time_taken_s=60.0, **extra):
    return AnswerRecord(
        question_id=question_id,
        question=question or f"What about {question_id}?",
        topic=topic,
        answer=answer,
        grade=score_grade,
        skipped=score_grade is None,
        time_taken_s=time_taken_s,
        hints=("Covered point",) if hint_used else (),
        delivery=analyse_delivery(answer) if score_grade is not None else None,
        **extra,
    )


def session_records():
    return [
        record("dl-001", "fundamentals", grade(8.0, usage=TokenUsage(1000, 200), cost=0.001), question="What is | deep learning?"),
        record("dl-001", "fundamentals", grade(6.0, usage=TokenUsage(500, 100), cost=0.0005), follow_up_of="dl-001", time_taken_s=30.0),
        record("dl-030", "regularisation", grade(3.0, missed=("Randomly drops units", "Scales at test time")), hint_used=True),
        record("dl-031", "regularisation", None, time_taken_s=5.0),
        record("dl-050", "graphs", failed_grade("llm", "1", "rate limited")),
    ]


def test_summary_counts_averages_and_topics():
    summary = session_summary(session_records())
    assert [r.number for r in summary.rows] == ["1", "1a", "2", "3", "4"]
    assert (summary.graded, summary.skipped, summary.failed, summary.answered) == (3, 1, 1, 4)
    assert summary.average == round((8.0 + 6.0 + 3.0) / 3, 2)
    topics = {t.topic: t for t in summary.topics}
    assert (topics["fundamentals"].answers, topics["fundamentals"].average) == (2, 7.0)
    assert (topics["regularisation"].answers, topics["regularisation"].graded, topics["regularisation"].average) == (2, 1, 3.0)
    assert topics["graphs"].average is None
    assert (summary.strongest_topic, summary.weakest_topic) == ("fundamentals", "regularisation")
    assert summary.total_time_s == 60 + 30 + 60 + 5 + 60


def test_rows_keep_what_the_tui_shows():
    rows = session_summary(session_records()).rows
    assert rows[1].follow_up_of == "dl-001"
    assert rows[2].missed_points == ("Randomly drops units", "Scales at test time") and rows[2].hint_used
    assert rows[3].skipped and rows[3].band == "skipped" and rows[3].score is None
    assert rows[4].failed and rows[4].error == "rate limited" and not rows[4].skipped
    assert rows[0].filler_count == 2 and rows[3].filler_count is None


def test_tokens_and_cost_add_up_and_are_absent_offline():
    summary = session_summary(session_records())
    assert summary.usage == TokenUsage(1500, 300)
    assert summary.cost_usd == 0.0015
    offline = session_summary([record("dl-001", "fundamentals", grade(5.0))])
    assert offline.usage is None and offline.cost_usd is None
    assert "Grading cost" not in summary_markdown(offline)


def test_delivery_fillers_are_totalled_apart_from_scores():
    summary = session_summary(session_records())
    # Four answers with delivery (the skipped one has none), each "um" and "like" once.
    assert summary.fillers == {"um": 4, "like": 4}
    assert summary.words == 4 * analyse_delivery("It drops units, um, like, at random.").words


def test_strengths_and_weaknesses():
    summary = session_summary(session_records())
    assert [r.question_id for r in summary.strengths] == ["dl-001"]
    assert [r.question_id for r in summary.weaknesses] == ["dl-031", "dl-030"]


def test_a_repeated_answer_after_a_resume_counts_once():
    records = session_records()
    again = record("dl-030", "regularisation", grade(5.0))
    summary = session_summary(records + [again])
    assert [r.question_id for r in summary.rows].count("dl-030") == 1
    assert next(r for r in summary.rows if r.question_id == "dl-030").score == 5.0


def test_single_topic_has_no_strongest_or_weakest():
    summary = session_summary([record("a", "graphs", grade(9.0)), record("b", "graphs", grade(2.0))])
    assert summary.strongest_topic is None and summary.weakest_topic is None


def test_empty_session():
    summary = session_summary([])
    assert summary.average is None and summary.rows == () and summary.band == "not graded"
    assert "No answer was graded" in summary_markdown(summary)


def test_markdown_export(tmp_path):
    summary = session_summary(session_records())
    text = summary_markdown(summary, title="Deep learning practice", candidate="Ada")
    assert text.startswith("# Deep learning practice\n\nCandidate: Ada\n")
    # One wording of the counts everywhere: a follow-up counted as one, and what skipping cost.
    assert ("**Average: 5.7/10 (adequate)** (4.2 counting the 1 skipped as 0) · 4 questions + 1 follow-up"
            " · 3 graded · 1 skipped · 1 not graded") in text
    assert "| 1 | What is \\| deep learning? `dl-001` | fundamentals | 8.0 (strong) | 1:00 |" in text
    assert "| 1a | ↳ " in text
    assert "3.0 (weak) (hint)" in text and "| skipped |" in text and "not graded" in text
    assert "| fundamentals | 2 | 7.0 | `███████░░░` |" in text
    assert "Strongest topic: **fundamentals**; weakest: **regularisation**." in text
    assert "missed: Randomly drops units; Scales at test time" in text
    assert "Tokens: 1,800 (1,500 prompt, 300 completion)" in text and "Cost: $0.0015" in text
    assert "Fillers: 8" in text
    # Every table row has the same number of cells as its header.
    for block in text.split("\n\n"):
        lines = [l for l in block.splitlines() if l.startswith("|")]
        if lines:
            widths = {l.replace("\\|", "").count("|") for l in lines}
            assert len(widths) == 1, block


def test_summary_from_a_real_transcript_file(tmp_path):
    writer = TranscriptWriter(tmp_path / "session-x.jsonl")
    writer.append({"type": "session", "session_id": "x", "question_ids": ["dl-001", "dl-030"]})
    for rec in session_records()[:3]:
        writer.append_answer(rec)
    summary = session_summary(read_transcript(tmp_path / "session-x.jsonl").answers)
    assert isinstance(summary, SessionSummary) and summary.graded == 3
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["usage"] == {"prompt_tokens": 1500, "completion_tokens": 300} and data["answered"] == 3


def test_text_bar():
    assert text_bar(7.0) == "███████░░░"
    assert text_bar(None) == "░" * 10

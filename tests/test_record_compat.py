"""Files written before the typed AnswerRecord still load, and derive what they derived then.

The fixtures were written by the code of commit 602aa1a (see tests/fixtures/README.md);
``expected-v1.json`` is what that code derived from them.
"""

import io
import json
from pathlib import Path

import pytest

from interviewer.answer_record import RECORD_VERSION, AnswerRecord, RecordError
from interviewer.batch.records import ProblemRecord, dumps, read_output
from interviewer.batch.reports import format_summary, read_records, summarise, write_csv, write_markdown
from interviewer.history.store import attempt_from_record
from interviewer.practice.summary import session_summary, summary_markdown
from interviewer.transcript import read_transcript

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = json.loads((FIXTURES / "expected-v1.json").read_text(encoding="utf-8"))
OLD_TRANSCRIPT = FIXTURES / "transcript-v1.jsonl"
OLD_OUTPUT = FIXTURES / "batch-output-v1.jsonl"


def test_an_old_transcript_gives_the_same_history_and_summary():
    transcript = read_transcript(OLD_TRANSCRIPT)
    assert transcript.skipped == [] and len(transcript.answers) == 3
    attempts = [attempt_from_record(r, transcript.session_id, "Ada").to_dict() for r in transcript.answers]
    assert [a.pop("attempt") for a in attempts] == [1, 1, 1]  # added later (ctrl+y): old answers are first tries
    spoken = ("words_per_minute", "filler_count", "pause_count", "audio")  # added later (voice): old answers were typed
    assert [[a.pop(name) for name in spoken] for a in attempts] == [[None] * 4] * 3
    assert attempts == EXPECTED["transcript_attempts"]
    summary = session_summary(transcript.answers)
    summary_data = json.loads(json.dumps(summary.to_dict()))
    assert [summary_data.pop(k) for k in ("spoken_answers", "spoken_pauses", "words_per_minute")] == [0, 0, None]
    assert summary_data == EXPECTED["transcript_summary"]
    # The headline now words its counts the one way every screen does (issue 13); the rest is unchanged.
    ours, theirs = summary_markdown(summary, candidate="Ada").splitlines(), EXPECTED["transcript_summary_markdown"].splitlines()
    assert [line for line in ours if not line.startswith("**")] == [line for line in theirs if not line.startswith("**")]
    assert "2 questions + 1 follow-up · 2 graded · 1 skipped" in next(line for line in ours if line.startswith("**"))


def test_an_old_transcript_keeps_every_field_of_its_answers():
    first, follow_up, skipped = read_transcript(OLD_TRANSCRIPT).answers
    assert first.hints == ("zeroes random activations during training",) and first.hint_used
    assert first.grade.usage.prompt_tokens == 812 and first.grade.flags == ("addresses the grader",)
    assert first.missed == ("reduces overfitting",)  # contradicted counts as missed
    assert first.delivery.fillers == {"um": 1, "basically": 1, "like": 1, "you know": 1}
    assert (first.time_taken_s, first.time_limit_s, first.difficulty) == (42.0, 60.0, 2)
    assert follow_up.follow_up_of == "q1" and follow_up.grade.cached
    assert skipped.skipped and skipped.grade is None and skipped.score is None and skipped.band == "skipped"


def test_an_old_batch_output_gives_the_same_reports():
    records = list(read_records(OLD_OUTPUT))
    assert sum(isinstance(r, ProblemRecord) for r in records) == 1
    out = io.StringIO()
    write_csv(read_records(OLD_OUTPUT), out)
    assert out.getvalue() == EXPECTED["batch_csv"]
    summary = summarise(read_records(OLD_OUTPUT))
    markdown = io.StringIO()
    write_markdown(summary, read_records(OLD_OUTPUT), markdown)
    assert markdown.getvalue() == EXPECTED["batch_markdown"]
    assert format_summary(summary) == EXPECTED["batch_summary_text"]


def test_an_old_batch_record_becomes_a_grade_of_the_one_shape():
    llm = next(r for r in read_output(OLD_OUTPUT) if r.key == "k-llm")
    grade = llm.grade
    assert (grade.grader, grade.grader_version, grade.score) == ("llm", "llm-1", 7.5)
    assert (grade.usage.prompt_tokens, grade.usage.completion_tokens) == (812, 143)
    assert llm.attempts == 2 and llm.input.endswith("answers.jsonl:9") and llm.match["kind"] == "exact"
    failed = next(r for r in read_output(OLD_OUTPUT) if r.key == "k-fail")
    assert failed.grade.failed and failed.failure == "rate limited" and failed.score is None
    unmatched = [r for r in read_output(OLD_OUTPUT) if isinstance(r, AnswerRecord) and r.grade is None]
    assert [r.failure for r in unmatched] == ["unmatched question"]


def test_old_records_written_again_read_back_the_same(tmp_path):
    old = list(read_transcript(OLD_TRANSCRIPT).answers) + [r for r in read_output(OLD_OUTPUT)
                                                           if isinstance(r, AnswerRecord)]
    for record in old:
        data = record.to_dict()
        assert data["v"] == RECORD_VERSION
        assert AnswerRecord.from_dict(json.loads(json.dumps(data))) == record
    output = tmp_path / "again.jsonl"
    output.write_text("".join(dumps(r) for r in read_output(OLD_OUTPUT)), encoding="utf-8")
    assert list(read_output(output)) == list(read_output(OLD_OUTPUT))


def test_a_batch_record_embeds_the_grades_own_dict():
    llm = next(r for r in read_output(OLD_OUTPUT) if r.key == "k-llm")
    line = json.loads(dumps(llm))
    assert line["kind"] == "answer" and line["grade"] == llm.grade.to_dict()
    assert "tokens" not in line and line["grade"]["usage"] == {"prompt_tokens": 812, "completion_tokens": 143}


def test_a_newer_record_version_is_refused_with_a_message():
    with pytest.raises(RecordError, match="newer"):
        AnswerRecord.from_dict({"v": RECORD_VERSION + 1, "question": "Q?"})


def test_a_grade_is_written_with_every_field_as_asdict_gives_it():
    """``Grade.to_dict`` builds its dict directly (for speed): it must stay what ``asdict`` gives,
    key order included, so a field added to ``Grade`` is not silently left out of every record."""
    from dataclasses import asdict, fields

    from interviewer.grading.interface import Confidence, Grade, KeyPointResult, TokenUsage

    full = Grade(score=6.5, feedback="Good.", grader="llm", grader_version="v9", criteria={"depth": 5.0},
                 key_points=(KeyPointResult("a", "covered", "says a"), KeyPointResult("b", "missed")),
                 model="m", prompt_hash="h", flags=("f",), error=None, notes=("hint used",),
                 usage=TokenUsage(10, 2), cost_usd=0.01, cached=True, retryable=True, retry_after_s=3.0,
                 confidence=Confidence("low", "why"))
    bare = Grade(score=None, feedback="", grader="offline", grader_version="1", error="failed")
    for grade in (full, bare):
        expected = {**asdict(grade), "key_points": [asdict(k) for k in grade.key_points],
                    "flags": list(grade.flags), "notes": list(grade.notes), "band": grade.band}
        assert list(grade.to_dict()) == [f.name for f in fields(Grade)] + ["band"]
        assert grade.to_dict() == expected
        assert Grade.from_dict(json.loads(json.dumps(grade.to_dict()))) == grade
    written = full.to_dict()
    written["criteria"]["depth"] = 0.0
    assert full.criteria == {"depth": 5.0}  # the dict written is a copy

"""The practice session core: answering, hints, timing, transcript and history, resume, review, preferences, speech."""

import stat
import time
from datetime import datetime, timedelta, timezone

import pytest

from interviewer.bank import QuestionBank
from interviewer.errors import LLMConfigError, UserError
from interviewer.grading.interface import Grade, KeyPointResult, failed_grade
from interviewer.history.store import Attempt, History
from interviewer.practice.options import PracticeOptions, load_preferences, save_preferences
from interviewer.questions import FollowUp, Question
from interviewer.practice.session import PracticeSession
from interviewer.practice.start import choose_questions, resume_session, start_session
from interviewer.settings import Settings
from interviewer.practice.speech import Speaker, find_tts_command
from interviewer.testing.clock import FakeClock
from interviewer.transcript import latest_unfinished, read_transcript


DROPOUT_FOLLOW_UP = FollowUp(
    "Why does dropout reduce overfitting?",
    "Units cannot co-adapt, so the network learns redundant features; it acts like an ensemble of subnetworks.",
    ("Prevents co-adaptation of units", "Acts like an ensemble of subnetworks"),
)


def make_bank(n=4):
    questions = [
        Question(
            id=f"q{i}",
            question=f"Question {i} about dropout?",
            reference="Dropout zeroes random activations during training. It reduces overfitting.",
            topic="regularisation" if i % 2 else "fundamentals",
            difficulty=1 + i % 3,
            key_points=("zeroes random activations during training", "reduces overfitting"),
            follow_up=DROPOUT_FOLLOW_UP,
        )
        for i in range(1, n + 1)
    ]
    return QuestionBank(questions, name="test")


class ScriptedGrader:
    """Returns the grades it is given, in order; records the items it saw."""

    name = "scripted"
    version = "1"

    def __init__(self, *grades):
        self.grades = list(grades)
        self.items = []

    async def grade(self, item, on_feedback=None):
        self.items.append(item)
        if on_feedback:
            on_feedback("Good ")
        return self.grades.pop(0)


def good(score=7.5):
    return Grade(
        score=score, feedback="Good.", grader="scripted", grader_version="1",
        key_points=(KeyPointResult("zeroes random activations during training", "covered"),
                    KeyPointResult("reduces overfitting", "missed")),
    )


@pytest.fixture
def settings(tmp_path):
    return Settings(home=tmp_path, offline=True)


def new_session(settings, grader=None, clock=None, **options):
    options = PracticeOptions(**{"count": 3, "order": "bank", "mode": "offline", "timer_s": 60, **options})
    return start_session(settings, options, make_bank(), history=History(settings.history_path),
                         grader=grader, clock=clock or FakeClock())


async def test_answers_hints_and_skips_are_written_and_recorded_as_they_happen(settings):
    clock = FakeClock()
    grader = ScriptedGrader(good(8.0))
    session = new_session(settings, grader, clock, candidate="Ada")
    turn = session.begin_question()
    assert turn.prompt == "Question 1 about dropout?"
    # The session exists from its first question (a crash before any answer can still be resumed).
    early = read_transcript(session.transcript_path)
    assert early.header["question_ids"] == ["q1", "q2", "q3"] and early.answers == [] and not early.ended
    assert session.reveal_hint() == "zeroes random activations during training"
    clock.now += 42
    assert session.time_left() == 18
    session.submit("Dropout, um, zeroes activations at random.")
    streamed = []
    grade = await session.grade(streamed.append)
    assert grade.score == 8.0 and streamed == ["Good "]
    assert grader.items[0].hinted_points == ("zeroes random activations during training",)

    transcript = read_transcript(session.transcript_path)
    assert transcript.header["candidate"] == "Ada" and transcript.question_ids == ["q1", "q2", "q3"]
    record = transcript.answers[0]
    assert record.time_taken_s == 42 and record.hint_used and record.hints == (grade.key_points[0].point,)
    assert record.grade.score == 8.0 and record.delivery.fillers == {"um": 1}

    session.next_question()
    clock.now += 5
    session.skip("")
    assert read_transcript(session.transcript_path).answers[1].skipped is True
    attempts = History(settings.history_path).attempts()
    assert [(a.question_id, a.score, a.hint_used, a.skipped) for a in attempts] == [
        ("q1", 8.0, True, False), ("q2", None, False, True)]
    session.next_question()
    session.skip("")
    assert session.next_question() is None and session.finished
    session.finish()
    assert read_transcript(session.transcript_path).ended
    summary = session.summary()
    assert [r.number for r in summary.rows] == ["1", "2", "3"] and summary.skipped == 2


def test_llm_mode_without_a_key_grades_offline(settings):
    assert new_session(settings.with_changes(offline=False), mode="llm").mode == "offline"
    assert new_session(settings.with_changes(offline=False, api_key="k"), mode="auto").mode == "llm"
    assert new_session(settings.with_changes(offline=False, api_key="k"), mode="offline").mode == "offline"


async def test_timed_out_answer_counts_the_limit_not_the_overrun(settings):
    clock = FakeClock()
    session = new_session(settings, ScriptedGrader(good()), clock)
    session.begin_question()
    clock.now += 61.7
    assert session.time_left() == 0
    turn = session.submit("Dropout zeroes activations", timed_out=True)
    assert turn.time_taken_s == 60 and turn.timed_out


async def test_a_failed_grade_is_not_recorded_and_can_be_graded_offline(settings):
    failing = ScriptedGrader(failed_grade("llm", "1", "server error 500", retryable=True))
    session = new_session(settings, failing)
    session.begin_question()
    session.submit("Dropout zeroes random activations during training and reduces overfitting.")
    grade = await session.grade()
    assert grade.failed and grade.retryable
    assert read_transcript(session.transcript_path).answers == [] and session.records == []
    grade = await session.grade(offline=True)
    assert not grade.failed and grade.grader != "scripted"
    assert read_transcript(session.transcript_path).answers[0].grade.grader == grade.grader


async def test_a_grader_that_cannot_be_made_gives_a_failed_grade_not_a_crash(settings, monkeypatch):
    import interviewer.grading.choose

    def refuse(*args):
        raise LLMConfigError("No OPENAI_API_KEY set")

    monkeypatch.setattr(interviewer.grading.choose, "make_grader", refuse)
    session = new_session(settings.with_changes(api_key="sk-test", offline=False), mode="llm")
    assert session.mode == "llm"
    session.begin_question()
    session.submit("an answer")
    grade = await session.grade()
    assert grade.failed and "OPENAI_API_KEY" in grade.error


async def test_follow_up_uses_the_bank_question_graded_in_context(settings):
    grader = ScriptedGrader(good(6.0), good(7.0))
    session = new_session(settings, grader)
    session.begin_question()
    session.submit("Dropout zeroes random activations.")
    await session.grade()
    assert session.can_follow_up()
    text = await session.follow_up_question()
    assert text == "Why does dropout reduce overfitting?"
    turn = session.begin_follow_up(text)
    assert not session.can_follow_up()
    session.submit("It stops units co-adapting, so it acts like an ensemble.")
    await session.grade()
    item = grader.items[-1]
    assert item.context.question == "Question 1 about dropout?"
    assert item.context.answer == "Dropout zeroes random activations."
    # graded on the follow-up's own reference and points, not the main question's
    assert item.key_points == DROPOUT_FOLLOW_UP.key_points and item.reference == DROPOUT_FOLLOW_UP.reference
    records = read_transcript(session.transcript_path).answers
    assert records[-1].follow_up_of == "q1" and records[-1].question == text
    assert read_transcript(session.transcript_path).answered_ids == ["q1"]
    assert turn.is_follow_up and session.next_question().question.id == "q2"


async def test_follow_up_hints_reveal_the_follow_ups_own_points(settings):
    session = new_session(settings, ScriptedGrader(good(6.0)))
    session.begin_question()
    session.submit("Dropout zeroes random activations.")
    await session.grade()
    session.begin_follow_up(await session.follow_up_question())
    assert session.hints_left() == 2
    assert [session.reveal_hint(), session.reveal_hint(), session.reveal_hint()] == [
        "Prevents co-adaptation of units", "Acts like an ensemble of subnetworks", None]


async def test_a_made_up_follow_up_is_graded_on_nothing_of_the_main_question(settings):
    grader = ScriptedGrader(good(6.0), good(7.0))
    session = new_session(settings, grader)
    session.begin_question()
    session.submit("Dropout zeroes random activations.")
    await session.grade()
    session.begin_follow_up("How would you pick the dropout rate?")
    assert session.hints_left() == 0 and session.reveal_hint() is None
    session.submit("By validation.")
    await session.grade()
    item = grader.items[-1]
    assert item.reference == "" and item.key_points == ()
    assert item.context.answer == "Dropout zeroes random activations."


async def test_offline_a_follow_up_without_its_own_reference_is_not_offered(settings):
    plain = [Question("p1", "What is dropout?", "Zeroes activations.", key_points=("Zeroes activations",),
                      follow_up="Why does it help?")]
    session = PracticeSession(plain, settings=settings, grader=ScriptedGrader(good(6.0)), clock=FakeClock())
    session.begin_question()
    session.submit("It zeroes activations.")
    await session.grade()
    assert not session.can_follow_up()


async def test_resume_keeps_earlier_answers_and_puts_the_draft_back(settings):
    session = new_session(settings, ScriptedGrader(good(8.0)))
    session.begin_question()
    session.submit("Dropout zeroes activations")
    await session.grade()
    session.next_question()
    session.reveal_hint()
    assert session.save_draft("half an answer")

    transcript = latest_unfinished(settings.transcripts_dir)
    assert transcript is not None and transcript.session_id == session.session_id
    resumed = resume_session(transcript, make_bank(), settings=settings, grader=ScriptedGrader(good(5.0)),
                                     clock=FakeClock())
    assert resumed.resumed and resumed.session_id == session.session_id
    assert [r.question_id for r in resumed.records] == ["q1"]
    assert resumed.records[0].grade.score == 8.0
    turn = resumed.begin_question()
    assert turn.question.id == "q2" and turn.answer == "half an answer"
    assert turn.hints == ["zeroes random activations during training"]
    resumed.submit(turn.answer)
    await resumed.grade()
    resumed.next_question()
    resumed.skip()
    resumed.finish()
    done = read_transcript(session.transcript_path)
    assert [a.question_id for a in done.answers] == ["q1", "q2", "q3"] and done.ended
    assert latest_unfinished(settings.transcripts_dir) is None


async def test_resume_puts_back_a_follow_up_being_answered(settings):
    session = new_session(settings, ScriptedGrader(good(6.0)))
    session.begin_question()
    session.submit("Dropout zeroes activations")
    await session.grade()
    session.begin_follow_up("Why does dropout reduce overfitting?")
    session.save_draft("because of ensembling")
    resumed = resume_session(latest_unfinished(settings.transcripts_dir), make_bank(), settings=settings)
    assert resumed.turn.is_follow_up and resumed.turn.answer == "because of ensembling"
    assert resumed.turn.base_item.context.answer == "Dropout zeroes activations"


def test_resume_with_a_different_bank_says_what_to_do(settings):
    session = new_session(settings)
    session.begin_question()
    session.skip()
    other = QuestionBank([Question("zz", "Q?", "A.")])
    with pytest.raises(UserError, match="--bank"):
        resume_session(latest_unfinished(settings.transcripts_dir), other, settings=settings)


def test_review_order_puts_due_weak_questions_first(settings):
    history = History(settings.history_path)
    old = (datetime.now(timezone.utc) - timedelta(days=10)).isoformat()
    history.record_attempts([
        Attempt("s0", "q3", "regularisation", 2.0, answered_at=old),
        Attempt("s0", "q2", "fundamentals", 9.5, answered_at=datetime.now(timezone.utc).isoformat()),
        Attempt("s0", "q1", "regularisation", 4.0, answered_at=old),
    ])
    options = PracticeOptions(count=3, order="review")
    questions, reasons = choose_questions(make_bank(), options, history)
    # Due ones weakest first, then a never-answered one; q2 (strong, not due) is left out.
    assert [q.id for q in questions] == ["q3", "q1", "q4"]
    assert "scored 2.0" in reasons["q3"]
    only = choose_questions(make_bank(), options.with_changes(topics=("fundamentals",)), history)[0]
    assert {q.topic for q in only} == {"fundamentals"}


def test_preferences_round_trip_and_survive_a_broken_file(tmp_path):
    path = tmp_path / "prefs" / "preferences.json"
    assert load_preferences(path) == PracticeOptions()
    chosen = PracticeOptions(count=7, topics=("graphs",), difficulties=(1, 3), order="review", mode="offline",
                             timer_s=0, candidate="Ada", seed=4, bank="/somewhere/bank.toml")
    save_preferences(path, chosen)
    assert load_preferences(path) == chosen.with_changes(seed=None, bank=None)
    path.write_text('{"count": "many", "order": "sideways", "timer_s": 90, "topics": [1]}')
    loaded = load_preferences(path)
    assert loaded.count == 5 and loaded.order == "random" and loaded.timer_s == 90 and loaded.topics == ()
    path.write_text("{not json")
    assert load_preferences(path) == PracticeOptions()


def test_speech_uses_the_first_command_found_and_does_not_wait(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_tts_command() is None
    assert Speaker().speak("hello") is False
    said = tmp_path / "said.txt"
    script = tmp_path / "espeak-ng"
    script.write_text(f'#!/bin/sh\nsleep 0.3\necho "$1" > {said}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    assert find_tts_command() == [str(script)]
    speaker = Speaker()
    started = time.perf_counter()
    assert speaker.speak("What is dropout?")
    assert time.perf_counter() - started < 0.25  # returned before the command finished
    speaker._process.wait(5)
    assert said.read_text().strip() == "What is dropout?"


async def test_the_grader_is_made_once_when_asked_twice_at_once(settings, monkeypatch):
    import asyncio

    import interviewer.grading.choose

    made = []

    def make(*args):
        time.sleep(0.05)
        made.append(args)
        return ScriptedGrader()

    monkeypatch.setattr(interviewer.grading.choose, "make_grader", make)
    session = new_session(settings)
    first, second = await asyncio.gather(session.grader(), session.grader())
    assert first is second and len(made) == 1


async def test_a_torn_last_line_from_a_kill_loses_no_answer_and_the_session_goes_on(settings):
    """A kill mid-write leaves half a line: reading skips it (and says where), resuming goes on."""
    session = new_session(settings, ScriptedGrader(good(8.0), good(6.0)))
    session.begin_question()
    session.submit("Dropout zeroes activations")
    await session.grade()
    path = session.transcript_path
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"type":"answer","question_id":"q2","answer":"half wri')  # killed here

    torn = read_transcript(path)
    assert [a.question_id for a in torn.answers] == ["q1"] and torn.answers[0].grade.score == 8.0
    [(line, reason)] = torn.skipped
    assert line == len(path.read_text(encoding="utf-8").splitlines()) and "JSON" in reason

    resumed = resume_session(latest_unfinished(settings.transcripts_dir), make_bank(), settings=settings,
                             grader=ScriptedGrader(good(6.0)), clock=FakeClock())
    turn = resumed.begin_question()
    assert turn.question.id == "q2"
    resumed.submit("It reduces overfitting")
    await resumed.grade()
    again = read_transcript(path)
    assert [a.question_id for a in again.answers] == ["q1", "q2"]  # the new line starts after the fragment
    assert [a.grade.score for a in again.answers] == [8.0, 6.0] and len(again.skipped) == 1

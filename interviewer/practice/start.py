"""Starting and resuming practice sessions: choosing the questions, reading a transcript back with its drafts."""

from __future__ import annotations

import time
from typing import Any

from interviewer.errors import UserError
from interviewer.grading.interface import Grader
from interviewer.practice.options import PracticeOptions
from interviewer.questions import Question
from interviewer.practice.session import Clock, PracticeSession
from interviewer.practice.turn import Turn, main_item
from interviewer.settings import Settings
from interviewer.transcript import Transcript, TranscriptWriter


def choose_questions(
    bank: Any, options: PracticeOptions, history: Any = None, now=None
) -> tuple[list[Question], dict[str, str]]:
    """The questions a session asks, and why each was chosen (review order only)."""
    if options.order != "review":
        order = "bank" if options.order == "bank" else "random"
        chosen = bank.select(options.count, options.topics, options.difficulties, seed=options.seed, order=order)
        return chosen, {}
    from interviewer.bank import QuestionBank
    from interviewer.history.review import review_items

    pool = bank.select(len(bank), options.topics, options.difficulties, order="bank")
    scoped = QuestionBank(pool, name=bank.name, path=bank.path, topics=bank.topics)
    attempts = history.attempts() if history is not None else []
    items = review_items(attempts, scoped, options.count, now)
    return [i.question for i in items], {i.question.id: i.reason for i in items}


def start_session(
    settings: Settings,
    options: PracticeOptions,
    bank: Any,
    *,
    history: Any = None,
    grader: Grader | None = None,
    clock: Clock = time.monotonic,
) -> PracticeSession:
    """A new session over ``bank`` as ``options`` ask (nothing is written until the first answer)."""
    questions, reasons = choose_questions(bank, options, history)
    return PracticeSession(
        questions,
        settings=settings,
        options=options,
        bank_path=bank.path,
        history=history,
        grader=grader,
        clock=clock,
        reasons=reasons,
    )


def resume_session(
    transcript: Transcript,
    bank: Any,
    *,
    settings: Settings,
    mode: str | None = None,
    history: Any = None,
    grader: Grader | None = None,
    clock: Clock = time.monotonic,
) -> PracticeSession:
    """Continue an unfinished session with its earlier answers, grades and drafts intact.

    ``mode`` overrides the mode the session was started in (``--offline`` on resume).
    """
    header = transcript.header
    questions = [q for qid in transcript.question_ids if (q := bank.get(qid)) is not None]
    if not questions:
        raise UserError(
            f"{transcript.path}: none of its questions is in the bank {bank.path}; "
            "resume with the bank it was started with (--bank FILE)"
        )
    saved = PracticeOptions.from_dict(header.get("options") or {})
    options = saved.with_changes(
        mode=mode or saved.mode,
        candidate=str(header.get("candidate") or saved.candidate),
        timer_s=int(header.get("timer_s", saved.timer_s) or 0),
    )
    session = PracticeSession(
        questions,
        settings=settings,
        options=options,
        session_id=transcript.session_id,
        bank_path=header.get("bank"),
        history=history,
        grader=grader,
        clock=clock,
        reasons=header.get("reasons") or {},
    )
    session.resumed = True
    session.resumed_from = session_label(transcript, bank)
    session.transcript_path = transcript.path
    session._writer = TranscriptWriter(transcript.path)
    session._header_written = True
    session.records = list(transcript.answers)
    session.followed_up = {r.follow_up_of for r in session.records if r.follow_up_of}
    session._drafts = dict(transcript.drafts)
    answered = session.answered_ids
    session.index = next((i for i, q in enumerate(questions) if q.id not in answered), len(questions))
    _resume_follow_up(session)
    return session


def _resume_follow_up(session: PracticeSession) -> None:
    """Put back a follow-up that was being answered at quit time (its draft says so)."""
    for (_, parent), draft in list(session._drafts.items()):
        if not parent or parent in session.followed_up:
            continue
        main = next((r for r in reversed(session.main_records) if r.question_id == parent), None)
        question = next((q for q in session.questions if q.id == parent), None)
        if main is None or question is None or main.skipped or main.grade is None:
            continue
        session.index = session.questions.index(question)
        session.turn = Turn(question, question.question, main_item(question), session.clock())
        session.turn.answer = main.answer
        session.turn.grade = main.grade
        session.begin_follow_up(str(draft.get("question") or question.follow_up_question))
        return


def session_label(transcript: Transcript, bank: Any = None) -> str:
    """Which session this is, for a person: ``2026-12-02 15:04 · regularisation, graphs · answered 1 of 3``."""
    from datetime import datetime

    started = str(transcript.header.get("started_at") or "")
    try:
        when = datetime.fromisoformat(started).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        when = transcript.session_id
    topics: list[str] = []
    for qid in transcript.question_ids:
        question = bank.get(qid) if bank is not None else None
        if question is not None and question.topic not in topics:
            topics.append(question.topic)
    if not topics:
        topics = list((transcript.header.get("options") or {}).get("topics") or ())
    shown = ", ".join(topics[:3]) + (f" +{len(topics) - 3}" if len(topics) > 3 else "")
    answered = len(set(transcript.answered_ids))
    total = len(transcript.question_ids)
    return " · ".join(part for part in (when, shown, f"answered {answered} of {total}") if part)


def bank_for_resume(transcript: Transcript, bank: Any, bank_chosen: bool) -> Any:
    """The bank a session was started with, when it is still there and none was chosen now."""
    saved = transcript.header.get("bank")
    if bank_chosen or not saved:
        return bank
    from pathlib import Path

    path = Path(saved)
    if path.is_file() and path != bank.path:
        from interviewer.bank import load_bank

        return load_bank(path)
    return bank


def resume_unfinished(
    transcript: Transcript,
    bank: Any,
    *,
    settings: Settings,
    bank_chosen: bool = False,
    offline: bool = False,
    history: Any = None,
    clock: Clock = time.monotonic,
) -> PracticeSession:
    """Resume ``transcript`` over the bank it was started with (unless ``--bank`` chose one now)."""
    return resume_session(
        transcript, bank_for_resume(transcript, bank, bank_chosen), settings=settings,
        mode="offline" if offline else None, history=history, clock=clock,
    )

"""A practice session: the questions chosen, where we are, answers, hints, follow-ups, timing, transcript, history.

Pure core (no Textual): the TUI drives a ``PracticeSession`` and shows what it
says. Every graded or skipped answer is written to the session's transcript
(JSONL, flushed) and recorded in the history the moment it is known, so a quit
or a crash loses nothing answered; a typed but ungraded answer is kept as a
``draft`` record (saved while typing, debounced by the TUI) and put back in the
answer box by ``--resume``, its timer continuing from what was left. The
transcript's header is written when the first question is asked, so a session
exists (and can be resumed) before anything is answered.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Sequence

from interviewer.answer_record import AnswerRecord
from interviewer.errors import UserError
from interviewer.grading.interface import AsksFollowUps, FeedbackListener, Grade, Grader, GradingItem, failed_grade
from interviewer.practice.graders import SessionGraders
from interviewer.practice.options import PracticeOptions
from interviewer.questions import Question
from interviewer.settings import Settings
from interviewer.practice.turn import Turn, main_item
from interviewer.transcript import (
    TranscriptWriter,
    new_session_id,
    session_header,
    now_iso,
    transcript_path,
)

Clock = Callable[[], float]


class PracticeSession:
    """The state of one practice interview, and the only writer of its transcript."""

    def __init__(
        self,
        questions: Sequence[Question],
        *,
        settings: Settings,
        options: PracticeOptions = PracticeOptions(),
        session_id: str | None = None,
        bank_path: Path | str | None = None,
        history: Any = None,
        grader: Grader | None = None,
        clock: Clock = time.monotonic,
        reasons: dict[str, str] | None = None,
    ):
        if not questions:
            raise UserError("no question to ask: the chosen topics and difficulty match none")
        self.questions = list(questions)
        self.settings = settings
        self.options = options
        self.mode = settings.grading_mode(options.mode)
        self.candidate = options.candidate
        self.timer_s = options.timer_s
        self.session_id = session_id or new_session_id()
        self.transcript_path = transcript_path(settings.transcripts_dir, self.session_id)
        self.bank_path = str(bank_path) if bank_path else None
        self.history = history
        #: Why each question was chosen (review order), by question id.
        self.reasons = dict(reasons or {})
        self.clock = clock
        self.index = 0
        self.records: list[AnswerRecord] = []
        self.turn: Turn | None = None
        self.followed_up: set[str] = set()
        #: Problems that did not stop the session (history not writable, ...), for a notice.
        self.warnings: list[str] = []
        self.ended = False
        #: Whether this session continues an earlier sitting (``--resume``), and which one, for a person.
        self.resumed = False
        self.resumed_from = ""
        self._drafts: dict[tuple[str, str | None], dict[str, Any]] = {}
        self._writer = TranscriptWriter(self.transcript_path)
        self._header_written = False
        self._graders = SessionGraders(settings, self.mode, grader)

    # -- where we are ---------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def position(self) -> int:
        """1-based number of the current question."""
        return min(self.index + 1, self.total)

    @property
    def finished(self) -> bool:
        return self.index >= self.total

    @property
    def current_question(self) -> Question | None:
        return None if self.finished else self.questions[self.index]

    @property
    def answered_ids(self) -> set[str]:
        return {r.question_id or "" for r in self.records if not r.is_follow_up}

    @property
    def main_records(self) -> list[AnswerRecord]:
        return [r for r in self.records if not r.is_follow_up]

    def begin_question(self) -> Turn | None:
        """Start the timer on the current question (with any saved draft put back); None when done."""
        question = self.current_question
        if question is None:
            return None
        self.turn = self._new_turn(question, question.question, main_item(question), None)
        self._write_header()
        return self.turn

    def next_question(self) -> Turn | None:
        """Move past the current question (and its follow-up) to the next unanswered one."""
        self.turn = None
        self.index += 1
        answered = self.answered_ids
        while not self.finished and self.questions[self.index].id in answered:
            self.index += 1
        return self.begin_question()

    def _new_turn(self, question: Question, prompt: str, item: GradingItem, follow_up_of: str | None) -> Turn:
        turn = Turn(question, prompt, item, self.clock(), follow_up_of=follow_up_of)
        draft = self._drafts.pop(turn.key, None)
        if draft and (not follow_up_of or draft.get("question") == prompt):
            turn.answer = str(draft.get("answer") or "")
            turn.hints = [h for h in draft.get("hints") or () if h in item.key_points]
            turn.earlier_s = float(draft.get("time_taken_s") or 0.0)
            turn.saved_draft = turn.answer
        return turn

    # -- timing and hints -------------------------------------------------------------------

    def elapsed(self) -> float:
        """Seconds since the current answer's timer started (this sitting)."""
        return 0.0 if self.turn is None else max(0.0, self.clock() - self.turn.started_at)

    def time_used(self) -> float:
        """Seconds spent on the current answer, earlier sittings included (a resumed draft)."""
        return 0.0 if self.turn is None else self.turn.earlier_s + self.elapsed()

    def time_left(self) -> float | None:
        """Seconds left on the answer timer, counting earlier sittings; None when there is no timer."""
        if not self.timer_s or self.turn is None:
            return None
        return max(0.0, self.timer_s - self.time_used())

    def reveal_hint(self) -> str | None:
        """Reveal the next key point not yet revealed (it is recorded); None when none is left."""
        turn = self._require_turn()
        for point in turn.base_item.key_points:
            if point not in turn.hints:
                turn.hints.append(point)
                return point
        return None

    def hints_left(self) -> int:
        turn = self.turn
        return 0 if turn is None else len([p for p in turn.base_item.key_points if p not in turn.hints])

    # -- answering --------------------------------------------------------------------------

    def attach_recording(self, spoken, samples, keep_audio: bool = True) -> None:
        """A recording of the current answer, transcribed: kept for measured delivery (and its audio
        beside the transcript unless ``keep_audio`` is off). Several recordings of one answer join."""
        problem = self._require_turn().attach_recording(spoken, samples, self.transcript_path if keep_audio else None)
        if problem:
            self.warnings.append(problem)

    def submit(self, answer: str, timed_out: bool = False) -> Turn:
        """Stop the timer and keep the answer; grade it next with ``grade``."""
        turn = self._require_turn()
        used = self.time_used()
        if timed_out and self.timer_s:
            used = min(used, float(self.timer_s))
        turn.answer = answer
        turn.timed_out = timed_out
        turn.time_taken_s = round(used, 1)
        return turn

    async def grade(self, on_feedback: FeedbackListener | None = None, offline: bool = False) -> Grade:
        """Grade the submitted answer; a good grade is recorded at once, a failed one is returned to retry."""
        turn = self._require_turn()
        if turn.time_taken_s is None:
            self.submit(turn.answer)
        try:
            grader = await self.offline_grader() if offline else await self.grader()
            grade = await grader.grade(turn.item(), on_feedback)
        except UserError as error:  # LLMConfigError: wrong key, unknown model, unreachable
            grader, grade = None, failed_grade("llm", "", str(error))
        turn.grade, turn.grader = grade, grader
        if not grade.failed:
            self._record(turn, grade)
        return grade

    def skip(self, answer: str = "", timed_out: bool = False) -> None:
        """Skip the current question (recorded as skipped); a follow-up is simply declined."""
        turn = self._require_turn()
        if not turn.is_follow_up:
            if turn.time_taken_s is None:
                self.submit(answer, timed_out)
            self._record(turn, None)
        self.turn = None

    async def grader(self) -> Grader:
        """The session's grader, made once, off the event loop (``SessionGraders``)."""
        return await self._graders.grader()

    async def offline_grader(self) -> Grader:
        return self._graders.offline()

    # -- retrying ---------------------------------------------------------------------------

    def can_retry(self) -> bool:
        """Whether the answer on screen is graded, so its question can be asked again."""
        turn = self.turn
        return turn is not None and turn.grade is not None and not turn.grade.failed

    def retry(self) -> Turn:
        """Ask the graded question again: a new attempt, graded and recorded beside the earlier one."""
        last = self._require_turn()
        if last.grade is None or last.grade.failed:
            raise ValueError("only a graded answer can be retried")
        self.turn = Turn(
            last.question, last.prompt, last.base_item, self.clock(),
            follow_up_of=last.follow_up_of, attempt=last.attempt + 1, previous=last.grade,
        )
        return self.turn

    # -- follow-ups -------------------------------------------------------------------------

    def can_follow_up(self) -> bool:
        """Whether the graded main answer on screen may get a follow-up question.

        Offline, only a bank follow-up with its own reference can be graded; the LLM can
        also make one up, or grade a follow-up given as text alone, in context.
        """
        turn = self.turn
        if turn is None or turn.is_follow_up or turn.grade is None or turn.grade.failed:
            return False
        if turn.question.id in self.followed_up:
            return False
        bank = turn.question.follow_up
        return bool(bank and bank.has_reference) or self.follow_up_is_generated()

    def follow_up_is_generated(self) -> bool:
        """Whether the follow-up is written by the grader (the LLM: it takes a moment), not the bank's."""
        turn = self.turn
        return turn is not None and isinstance(turn.grader, AsksFollowUps)

    async def follow_up_question(self) -> str | None:
        """The follow-up to ask: the LLM's (probing the most important miss), else the bank's."""
        turn = self._require_turn()
        text = None
        if isinstance(turn.grader, AsksFollowUps) and turn.grade is not None:
            text = await turn.grader.follow_up(turn.item(), turn.grade)
        return text or turn.question.follow_up_question or None

    def begin_follow_up(self, text: str) -> Turn:
        """Ask ``text`` as a follow-up to the graded main answer; its answer is graded in context.

        The bank's follow-up is graded and hinted on its own key points; any other on none
        of the main question's (``grading.follow_ups.follow_up_item``).
        """
        main = self._require_turn()
        if main.grade is None or main.is_follow_up:
            raise ValueError("a follow-up needs a graded main answer")
        from interviewer.grading.follow_ups import follow_up_item

        self.followed_up.add(main.question.id)
        item = follow_up_item(main.question, text, first_question=main.prompt, first_answer=main.answer)
        self.turn = self._new_turn(main.question, text, item, main.question.id)
        return self.turn

    # -- the candidate's own verdicts ----------------------------------------------------

    def mark_point(self, number: int) -> tuple[str, str | None] | None:
        """Cycle the candidate's verdict on key point ``number`` (from 1) of the grade on screen.

        Returns (point, verdict or None); None when there is no such point. The mark goes to
        the history beside the grader's verdict, which it never replaces.
        """
        from interviewer.history.self_assessment import SelfAssessment

        turn = self.turn
        marked = None if turn is None else turn.cycle_mark(number)
        if marked is None:
            return None
        result, verdict = marked
        if self.history is not None:
            mark = SelfAssessment(self.session_id, turn.question.id, result.point, verdict, result.verdict,
                                  follow_up_of=turn.follow_up_of, attempt=turn.attempt)
            try:
                self.history.record_self_assessment(mark)
            except UserError as error:  # HistoryError
                self.warnings.append(f"your mark was not saved: {error}")
        return result.point, verdict

    # -- saving -----------------------------------------------------------------------------

    def _header(self) -> dict[str, Any]:
        return session_header(self.session_id, candidate=self.candidate, bank=self.bank_path, mode=self.mode,
                              timer_s=self.timer_s, question_ids=[q.id for q in self.questions],
                              reasons=self.reasons, options=self.options.to_dict())

    def _write_header(self) -> None:
        if not self._header_written:
            self._writer.append(self._header())
            self._header_written = True

    def _append(self, record: dict[str, Any]) -> None:
        self._write_header()
        self._writer.append(record)

    def _record(self, turn: Turn, grade: Grade | None) -> AnswerRecord:
        record = turn.record(grade, session_id=self.session_id, candidate=self.candidate,
                             time_limit_s=self.timer_s or None, answered_at=now_iso())
        self._write_header()
        self._writer.append_answer(record)
        self.records.append(record)
        self._record_history(record)
        return record

    def _record_history(self, record: AnswerRecord) -> None:
        if self.history is None:
            return
        from interviewer.history.store import attempt_from_record

        attempt = attempt_from_record(record, self.session_id, self.candidate)
        try:
            if attempt is not None:
                self.history.record_attempt(attempt)
        except UserError as error:  # HistoryError: the transcript still has the answer
            self.warnings.append(f"history not updated: {error}")

    def save_draft(self, answer: str) -> bool:
        """Keep a typed but ungraded answer (while typing, and on quit); ``--resume`` puts it back.

        False when there is nothing new to keep: no turn, a graded turn, the same text as the
        last draft, or an empty box with no draft to clear.
        """
        turn = self.turn
        if turn is None or (turn.grade is not None and not turn.grade.failed):
            return False
        if answer == turn.saved_draft or (turn.saved_draft is None and not answer.strip()):
            return False
        elapsed = turn.time_taken_s if turn.time_taken_s is not None else self.time_used()
        self._append(turn.draft_record(answer, elapsed, now_iso()))
        turn.saved_draft = answer
        return True

    def finish(self) -> None:
        """Mark the session complete in its transcript (a finished session is not resumed)."""
        if self.ended:
            return
        self.ended = True
        self.turn = None
        self.index = self.total
        if self._header_written:
            self._writer.append({"type": "end", "session_id": self.session_id, "at": now_iso()})

    def record_for(self, question_id: str, follow_up_of: str | None = None) -> AnswerRecord | None:
        """The latest answer recorded to this question (or its follow-up)."""
        wanted = (question_id or "", follow_up_of or "")
        return next((r for r in reversed(self.records) if r.identity == wanted), None)

    def reference_for(self, record: AnswerRecord) -> str:
        """The reference an answer was graded against: its question's, or its follow-up's."""
        question = next((q for q in self.questions if q.id == record.question_id), None)
        if question is None:
            return ""
        if record.is_follow_up:
            return question.follow_up.reference if question.follow_up else ""
        return question.reference

    def summary(self):
        """Scores, times, topics and usage of the answers so far (``practice.summary.SessionSummary``)."""
        from interviewer.practice.summary import session_summary

        return session_summary(self.records)

    def _require_turn(self) -> Turn:
        if self.turn is None:
            raise RuntimeError("no question is being answered")
        return self.turn

"""The interview screen: the interviewer asks, the candidate answers, the answer is graded, discussed, followed up."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static, TextArea
from textual.worker import Worker, WorkerState

from interviewer.tui.widgets.footer import Footer
from interviewer.grading.interface import failed_grade
from interviewer.questions import DIFFICULTY_NAMES
from interviewer.practice.session import PracticeSession, Turn
from interviewer.tui.messages import FeedbackDelta, FollowUpReady, GradeFinished
from interviewer.tui.widgets.countdown import Countdown
from interviewer.tui.widgets.feedback import FeedbackPanel
from interviewer.tui.widgets.grade_bar import GradeBar
from interviewer.tui.widgets.voice_input import TALK_KEY, VoiceInput

TRANSITIONS = ("Next question.", "Let's move on.", "Here's another one.", "Now, something different.")
SUBMIT_HELP = "ctrl+s submit · Enter = new line"
#: At most this many seconds of typing are lost to a crash: the draft is written this often while typing.
DRAFT_SAVE_S = 2.0
#: After the timer ran out on an empty answer, keys are ignored this long (the candidate was still typing).
EXPIRED_GRACE_S = 1.0

#: Actions enabled in each state of the screen (the footer shows only these).
STATE_ACTIONS: dict[str, frozenset[str]] = {
    "answering": frozenset({"submit", "skip", "hint", "repeat", "talk"}),
    "grading": frozenset(),
    "thinking": frozenset(),
    "feedback": frozenset({"next", "follow_up", "reference", "try_again", "model_answer", "mark_point", "compare"}),
    "failed": frozenset({"retry", "grade_offline", "reference", "model_answer"}),
    #: The timer ran out on an empty answer: a pause until the candidate presses a key.
    "expired": frozenset({"next"}),
}
SCREEN_ACTIONS = frozenset().union(*STATE_ACTIONS.values())


class InterviewScreen(Screen):
    """Drives a ``PracticeSession``; every decision about the session is the session's."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit"),
        Binding("ctrl+t", "hint", "Hint"),
        Binding("ctrl+r", "repeat", "Repeat"),
        Binding(TALK_KEY, "talk", "Talk"),
        Binding("ctrl+n", "skip", "Skip"),
        Binding("n,enter", "next", "Next", key_display="n"),
        Binding("f", "follow_up", "Follow-up"),
        Binding("a", "reference", "Reference"),
        Binding("ctrl+y", "try_again", "Try again"),
        Binding("m", "model_answer", "Model answer"),
        Binding("1", "mark_point(1)", "Mark a point", key_display="1-9"),
        *(Binding(str(n), f"mark_point({n})", f"Mark point {n}", show=False) for n in range(2, 10)),
        Binding("v", "compare", "Side by side"),
        Binding("r", "retry", "Retry"),
        Binding("o", "grade_offline", "Grade offline"),
        Binding("question_mark", "app.help", "Help", show=False),
    ]

    #: Shown in the command palette when enabled: (action, title, help).
    PALETTE_COMMANDS = (
        ("submit", "Submit answer", "Grade the answer typed so far"),
        ("hint", "Hint", "Reveal one key point (recorded with the answer)"),
        ("repeat", "Repeat the question", "Ask the current question again"),
        ("talk", "Push to talk", "Start or stop recording a spoken answer (the voice extra)"),
        ("skip", "Skip question", "Skip this question (recorded as skipped)"),
        ("next", "Next question", "Go on to the next question"),
        ("follow_up", "Answer a follow-up", "Get a follow-up question on this answer"),
        ("reference", "Show reference answer", "Show or hide the reference answer"),
        ("compare", "Side by side", "Your answer beside the reference, key points and evidence marked"),
        ("try_again", "Try the question again", "Answer the same question again; both attempts are kept"),
        ("model_answer", "Show model answer", "Show or hide a strong spoken answer beside the reference"),
        ("retry", "Retry grading", "Ask the grader again"),
        ("grade_offline", "Grade offline", "Grade this answer with the offline grader"),
    )

    state: reactive[str] = reactive("answering", init=False, always_update=True)

    def __init__(self, session: PracticeSession, *, speaker=None, resumed: bool = False):
        super().__init__()
        self.session = session
        self.speaker = speaker
        self.resumed = resumed
        self.panel: FeedbackPanel | None = None
        self._draft_timer = None
        self._expired_at: float | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="status-bar"):
            yield Static(id="status")
            yield Countdown(clock=self.session.clock, id="countdown")
        yield VerticalScroll(id="conversation")
        yield GradeBar(id="grade-bar")
        yield VoiceInput(self.session.settings.home, id="voice")
        answer = TextArea(id="answer", soft_wrap=True, tab_behavior="focus", placeholder="Type your answer here…")
        answer.border_title = "Your answer"
        answer.border_subtitle = SUBMIT_HELP
        yield answer
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self.warm_up_grader)  # after the first frame, which its CPU time would delay
        session = self.session
        name = f", {session.candidate}" if session.candidate else ""
        if self.resumed:
            which = session.resumed_from or f"{session.session_id} · answered {len(session.answered_ids)} of {session.total}"
            self.say(f"Welcome back{name}. Resuming the session of {which}; let's carry on.")
        else:
            count = f"{session.total} question{'s' if session.total != 1 else ''}"
            self.say(f"Hello{name}, thanks for coming in. We'll go through {count}. Answer as you would out loud.")
        if session.turn is not None and session.turn.is_follow_up:
            self.ask(session.turn, fresh=False)
        elif (turn := session.begin_question()) is not None:
            self.ask(turn, fresh=False)
        else:  # a resumed session with every question answered: straight to its summary
            self.call_later(self.app.show_summary, session)

    # -- showing -------------------------------------------------------------------------------

    @property
    def conversation(self) -> VerticalScroll:
        return self.query_one("#conversation", VerticalScroll)

    @property
    def answer_box(self) -> TextArea:
        return self.query_one("#answer", TextArea)

    @property
    def countdown(self) -> Countdown:
        return self.query_one(Countdown)

    def say(self, text: str | Content, who: str = "interviewer") -> Static:
        """Add one turn of the conversation: ``interviewer``, ``candidate`` or ``note``."""
        body = Content(text) if isinstance(text, str) else text  # never markup: answers may hold "[...]"
        label = {"interviewer": "Interviewer", "candidate": "You"}.get(who)
        if label:
            body = Content.assemble((f"{label}: ", "bold"), body)
        turn = Static(body, classes=f"turn {who}")
        self.conversation.mount(turn)
        self.conversation.scroll_end(animate=False)
        return turn

    def show_status(self) -> None:
        session, turn = self.session, self.session.turn
        if turn is None:
            return
        question = turn.question
        level = DIFFICULTY_NAMES.get(question.difficulty, str(question.difficulty))
        what = "Follow-up to question" if turn.is_follow_up else "Question"
        mode = f"LLM {session.settings.model}" if session.mode == "llm" else "offline"
        self.query_one("#status", Static).update(
            f"{what} {session.position} of {session.total} · {question.topic} · {level} · {mode}"
        )

    def ask(self, turn: Turn, fresh: bool = True) -> None:
        """Put ``turn``'s question to the candidate and start its timer."""
        if fresh:
            self.conversation.remove_children()
        self.panel = None
        if turn.is_follow_up:
            self.say(f"A follow-up: {turn.prompt}")
        elif turn.attempt > 1:
            self.say(f"Let's try that one again (attempt {turn.attempt}). {turn.prompt}")
        else:
            session = self.session
            last = session.total > 1 and session.position == session.total
            lead = "Last question." if last else TRANSITIONS[session.index % len(TRANSITIONS)] if fresh else ""
            self.say(f"{lead} {turn.prompt}".strip())
            reason = self.session.reasons.get(turn.question.id)
            if reason:
                self.say(f"Chosen for review: {reason}", "note")
        for point in turn.hints:
            self.say(f"Hint (already shown): {point}", "note")
        self.query_one(VoiceInput).cancel()
        box = self.answer_box
        box.text = turn.answer
        if turn.answer:
            self.say("Your saved draft is back in the answer box.", "note")
            box.move_cursor(box.document.end)
        self.show_status()
        # A resumed draft's timer goes on from what was left, not from the start.
        self.countdown.start(self.session.timer_s or None, turn.started_at - turn.earlier_s)
        self.state = "answering"
        self.speak(turn.prompt)

    def speak(self, text: str) -> None:
        if self.speaker is not None:
            self.speaker.speak(text)

    def show_grade_bar(self) -> None:
        """The score and band (or what to do next), pinned below the conversation while feedback scrolls."""
        grade = self.panel.grade if self.panel is not None else None
        self.query_one(GradeBar).show(self.state, grade, self.panel.delta if self.panel is not None else None)

    def watch_state(self, state: str) -> None:
        self.show_grade_bar()
        box = self.answer_box
        answering = state == "answering"
        box.display = answering
        box.disabled = not answering
        if answering:
            box.focus()
        else:
            self.conversation.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in SCREEN_ACTIONS:
            return True
        if action not in STATE_ACTIONS.get(self.state, ()):
            return False
        if action == "hint" and not self.session.hints_left():
            return None
        if action == "follow_up":
            return self.session.can_follow_up()
        if action == "try_again":
            return self.session.can_retry()
        if action == "mark_point":
            grade = self.session.turn.grade if self.session.turn is not None else None
            return grade is not None and bool(parameters) and int(parameters[0]) <= len(grade.key_points)
        return True

    # -- answering -----------------------------------------------------------------------------

    def action_submit(self) -> None:
        text = self.answer_box.text
        if not text.strip():
            self.notify("Type an answer first, or press ctrl+n to skip.", severity="warning")
            return
        self.submit_answer(text)

    def submit_answer(self, text: str, timed_out: bool = False) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        turn = self.session.submit(text, timed_out=timed_out)
        self.countdown.stop(turn.time_taken_s)
        self.say(text.strip(), "candidate")
        # a follow-up's reference is its own (empty for one an LLM made up); it has no model answer
        model_answer = "" if turn.is_follow_up else turn.question.model_answer
        self.panel = FeedbackPanel(turn.base_item.reference, model_answer, classes="turn feedback")
        self.conversation.mount(self.panel)
        self.conversation.scroll_end(animate=False)
        self.state = "grading"
        self.run_grading()

    def action_skip(self) -> None:
        turn = self.session.turn
        self.session.skip(self.answer_box.text)
        self.countdown.stop()
        if turn is not None and not turn.is_follow_up:
            self.notify("Skipped; it is recorded as skipped.", timeout=3)
        self.show_warnings()
        self.action_next()

    def action_hint(self) -> None:
        point = self.session.reveal_hint()
        if point is None:
            self.notify("No more hints for this question.", severity="warning")
        else:
            self.say(f"A pointer: a strong answer mentions “{point}”.")
        self.refresh_bindings()

    def action_repeat(self) -> None:
        turn = self.session.turn
        if turn is not None:
            self.say(f"Sure. {turn.prompt}")
            self.speak(turn.prompt)

    def action_talk(self) -> None:
        """Push to talk: start recording, or stop and put the transcript in the answer box."""
        turn = self.session.turn
        if turn is None:
            return
        problem = self.query_one(VoiceInput).toggle(turn.prompt, turn.base_item.key_points)
        if problem:
            self.notify(problem, severity="warning", timeout=6)

    def on_voice_input_transcribed(self, message: VoiceInput.Transcribed) -> None:
        voice = self.query_one(VoiceInput)
        voice.finished()
        if self.state != "answering" or self.session.turn is None:
            return
        from interviewer.voice.settings import VoiceSettings

        keep = VoiceSettings.from_env(self.session.settings.home).keep_audio
        self.session.attach_recording(message.spoken, message.samples, keep_audio=keep)
        self.show_warnings()
        box = self.answer_box
        text = message.spoken.text
        if not text:
            self.notify("Nothing was heard in that recording.", severity="warning")
            return
        box.text = f"{box.text.rstrip()} {text}".strip() if box.text.strip() else text
        box.move_cursor(box.document.end)
        box.focus()
        self.notify("Transcribed: edit it if needed, then ctrl+s to submit.", timeout=4)

    def on_voice_input_failed(self, message: VoiceInput.Failed) -> None:
        self.query_one(VoiceInput).finished()
        self.notify(message.reason, severity="error", timeout=8)

    @on(TextArea.Changed, "#answer")
    def answer_changed(self) -> None:
        """Keep a draft while typing: written at most ``DRAFT_SAVE_S`` after a change (a kill loses no more)."""
        if self.state == "answering" and self._draft_timer is None:
            self._draft_timer = self.set_timer(DRAFT_SAVE_S, self.save_draft)

    def save_draft(self) -> None:
        self._draft_timer = None
        if self.state == "answering" and self.session.turn is not None:
            self.session.save_draft(self.answer_box.text)

    @on(Countdown.Expired)
    def time_is_up(self) -> None:
        if self.state != "answering":
            return
        text = self.answer_box.text
        if text.strip():
            self.say("Time's up: your answer was submitted as it was.", "note")
            self.submit_answer(text, timed_out=True)
        else:
            self.session.skip(timed_out=True)
            self._expired_at = self.session.clock()
            self.state = "expired"
            self.say("Time's up — nothing was typed, so this question is marked skipped. Press n for the next one.", "note")

    # -- grading -------------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="grading")
    async def run_grading(self, offline: bool = False) -> None:
        grade = await self.session.grade(lambda delta: self.post_message(FeedbackDelta(delta)), offline=offline)
        self.post_message(GradeFinished(grade))

    @work(exclusive=True, exit_on_error=False, group="warm-up")
    async def warm_up_grader(self) -> None:
        """Make the grader while the candidate reads the question (the LLM one imports openai); a
        failure here is left alone: grading tries again and shows it where the candidate can act."""
        await self.session.grader()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "grading":
            error = event.worker.error
            self.post_message(GradeFinished(failed_grade("interviewer", "", f"unexpected error: {error!r}")))
        elif event.state == WorkerState.ERROR and event.worker.group == "follow-up":
            self.post_message(FollowUpReady(None))

    def on_feedback_delta(self, message: FeedbackDelta) -> None:
        if self.panel is not None:
            self.panel.add_feedback(message.text)
            self.conversation.scroll_end(animate=False)

    def on_grade_finished(self, message: GradeFinished) -> None:
        grade = message.grade
        if self.panel is None:
            return
        if grade.failed:
            self.panel.show_grade(grade)
            self.state = "failed"
            self.notify(grade.error or "grading failed", title="Could not grade", severity="error")
        else:
            delivery = self.session.records[-1].delivery if self.session.records else None
            self.panel.spoken = self.session.records[-1].spoken if self.session.records else None
            self.panel.show_grade(grade, delivery, delta=self.session.turn.delta if self.session.turn else None)
            self.state = "feedback"
        self.conversation.scroll_end(animate=False)
        self.show_warnings()

    def show_warnings(self) -> None:
        """Problems the session met without stopping (history not writable, ...)."""
        for warning in self.session.warnings:
            self.notify(warning, severity="warning", timeout=8)
        self.session.warnings.clear()

    def action_retry(self) -> None:
        self._regrade(offline=False)

    def action_grade_offline(self) -> None:
        self._regrade(offline=True)

    def _regrade(self, offline: bool) -> None:
        if self.panel is None:
            return
        self.panel.grade = None
        self.panel.streamed = ""
        self.panel.set_class(False, "-failed")
        self.panel.set_status("Grading offline…" if offline else "Trying again…")
        self.state = "grading"
        self.run_grading(offline=offline)

    def action_reference(self) -> None:
        if self.panel is not None:
            self.panel.toggle_reference()
            self.conversation.scroll_end(animate=False)

    def action_model_answer(self) -> None:
        if self.panel is not None:
            self.panel.toggle_model_answer()
            self.conversation.scroll_end(animate=False)

    def action_mark_point(self, number: int) -> None:
        """The candidate's own verdict on key point ``number``, kept beside the grader's."""
        marked = self.session.mark_point(number)
        if marked is None or self.panel is None:
            return
        point, verdict = marked
        self.panel.set_self_marks(self.session.turn.self_marks)
        said = f"you say you {verdict} it" if verdict else "your mark is taken back"
        self.notify(f"“{point}”: {said} (the grade stays as it is; review counts your word).", timeout=4)
        self.show_warnings()

    # -- follow-up and moving on ---------------------------------------------------------------

    def action_follow_up(self) -> None:
        if not self.session.can_follow_up():
            return
        self.state = "thinking"
        if self.session.follow_up_is_generated():  # the bank's follow-up needs no thinking
            self.say("Let me think of a follow-up…", "note")
        self.make_follow_up()

    @work(exclusive=True, exit_on_error=False, group="follow-up")
    async def make_follow_up(self) -> None:
        self.post_message(FollowUpReady(await self.session.follow_up_question()))

    def on_follow_up_ready(self, message: FollowUpReady) -> None:
        if not message.text:
            self.notify("No follow-up for this one; press n for the next question.")
            self.state = "feedback"
            return
        self.ask(self.session.begin_follow_up(message.text), fresh=False)

    def action_compare(self) -> None:
        from interviewer.tui.screens.compare import CompareScreen

        turn = self.session.turn
        if turn is not None and turn.grade is not None and not turn.grade.failed:
            self.app.push_screen(CompareScreen(turn.prompt, turn.answer, turn.base_item.reference, turn.grade))

    def action_try_again(self) -> None:
        if self.session.can_retry():
            self.ask(self.session.retry(), fresh=False)

    def action_next(self) -> None:
        if self.state == "expired" and self._expired_at is not None:
            if self.session.clock() - self._expired_at < EXPIRED_GRACE_S:
                return  # a key still being typed when the time ran out
        self._expired_at = None
        turn = self.session.next_question()
        if turn is None:
            self.app.show_summary(self.session)
        else:
            self.ask(turn)

    def draft_text(self) -> str:
        """The answer not yet graded (typed, or submitted and not graded yet), to keep on quit."""
        if self.state == "answering":
            return self.answer_box.text
        if self.state in ("grading", "failed") and self.session.turn is not None:
            return self.session.turn.answer
        return ""

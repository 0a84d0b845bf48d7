"""The Textual app: wires settings, options and a session to the screens. ``make_app`` builds it (CLI and tests)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Iterable, Sequence

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from interviewer.errors import UserError
from interviewer.practice.options import PracticeOptions, load_preferences, load_theme, save_preferences, save_theme
from interviewer.practice.session import Clock, PracticeSession
from interviewer.settings import Settings
from interviewer.tui.screens.interview import InterviewScreen


@dataclass(frozen=True)
class PracticeResult:
    """What the app hands back to the CLI when it exits."""

    transcript: Path | None
    finished: bool
    answered: int


class InterviewerApp(App[PracticeResult]):
    CSS_PATH = "interviewer.tcss"
    TITLE = "interviewer"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1", "help", "Help"),
    ]

    def __init__(
        self,
        settings: Settings,
        options: PracticeOptions | None = None,
        *,
        preset: PracticeOptions | None = None,
        session: PracticeSession | None = None,
        bank=None,
        history=None,
        speaker=None,
        resumable: Sequence = (),
        bank_chosen: bool = False,
        clock: Clock = time.monotonic,
    ):
        super().__init__()
        #: Unfinished sessions (transcripts) to pick one from, when ``--resume`` found several.
        self.resumable = list(resumable)
        self.bank_chosen = bank_chosen
        self.settings = settings
        self.options = options
        #: The setup screen's starting choices (default: the remembered ones).
        self.preset = preset
        self.session = session
        self._bank = bank
        self._history = history
        self._signals: list[int] = []
        #: Set once the remembered theme is applied: changes after that are the candidate's.
        self._theme_loaded = False
        self.speaker = speaker
        self.clock = clock

    # -- the pieces, made when first needed ---------------------------------------------------

    @property
    def bank(self):
        if self._bank is None:
            from interviewer.bank_cache import open_bank_cached

            chosen = next((o.bank for o in (self.options, self.preset) if o is not None), None)
            self._bank = open_bank_cached(chosen, self.settings)
        return self._bank

    @property
    def history(self):
        if self._history is None:
            from interviewer.history.store import History

            self._history = History(self.settings.history_path)
        return self._history

    def on_mount(self) -> None:
        self._watch_for_hangup()
        remembered = load_theme(self.settings.preferences_path)
        if remembered in self.available_themes:
            self.theme = remembered
        self._theme_loaded = True
        if self.session is None and self.resumable:
            from interviewer.practice.start import session_label
            from interviewer.tui.screens.resume import ResumeScreen

            self.push_screen(ResumeScreen([session_label(t, self.bank) for t in self.resumable]))
            return
        if self.session is None and self.options is None:
            self.show_setup()  # it shows why LLM grading is off, if it is
            return
        if self.session is None:
            self.session = self.new_session(self.options)
        session = self.session
        self.push_screen(InterviewScreen(session, speaker=self._speaker_for(session.options), resumed=session.resumed))
        if session.mode == "offline" and session.options.mode != "offline" and not self.settings.offline:
            self.notify(self.settings.offline_reason or "Grading offline.", title="Offline grading", timeout=5)

    def watch_theme(self, theme: str) -> None:
        """A theme chosen in the palette is remembered with the other preferences."""
        if not getattr(self, "_theme_loaded", False) or theme == load_theme(self.settings.preferences_path):
            return
        try:
            save_theme(self.settings.preferences_path, theme)
        except OSError as error:
            self.notify(f"Could not remember the theme: {error}", severity="warning")

    def _watch_for_hangup(self) -> None:
        """Closing the terminal (SIGHUP) or a plain kill (SIGTERM) keeps the typed answer as a draft."""
        import asyncio
        import signal

        loop = asyncio.get_running_loop()
        for name in ("SIGHUP", "SIGTERM"):
            number = getattr(signal, name, None)  # Windows has no SIGHUP
            if number is None:
                continue
            try:
                loop.add_signal_handler(number, self.save_draft_and_exit)
            except (NotImplementedError, RuntimeError, ValueError):
                continue
            self._signals.append(number)

    def save_draft_and_exit(self) -> None:
        """Leave now, keeping what is typed in the answer box for ``--resume``."""
        interview = next((s for s in self.screen_stack if isinstance(s, InterviewScreen)), None)
        if interview is not None and self.session is not None and not self.session.ended:
            interview.session.save_draft(interview.draft_text())
        self.exit(self.result())

    def on_unmount(self) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        while self._signals:
            loop.remove_signal_handler(self._signals.pop())
        if self._history is not None:
            self._history.close()
        if self.speaker is not None:
            self.speaker.stop()

    def new_session(self, options: PracticeOptions) -> PracticeSession:
        from interviewer.practice.start import start_session

        return start_session(self.settings, options, self.bank, history=self.history, clock=self.clock)

    def _speaker_for(self, options: PracticeOptions):
        if options.speak and self.speaker is None:
            from interviewer.practice.speech import make_speaker

            self.speaker = make_speaker()
        return self.speaker if options.speak else None

    # -- screens -------------------------------------------------------------------------------

    def show_setup(self) -> None:
        from interviewer.practice.speech import speech_available
        from interviewer.tui.screens.setup import SetupScreen

        remembered = self.preset or load_preferences(self.settings.preferences_path)
        unavailable = None if self.settings.api_key else "No OPENAI_API_KEY: LLM grading is off (see .env.example)."
        screen = SetupScreen(remembered, self.bank, unavailable, speech_available())
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def on_resume_screen_chosen(self, message) -> None:
        from interviewer.practice.start import resume_unfinished

        transcript = self.resumable[message.index]
        chosen = self.options or self.preset
        offline = (chosen is not None and chosen.mode == "offline") or self.settings.offline
        try:
            session = resume_unfinished(
                transcript, self.bank, settings=self.settings, bank_chosen=self.bank_chosen,
                offline=offline, history=self.history, clock=self.clock,
            )
        except UserError as error:
            self.notify(str(error), title="Cannot resume", severity="error", timeout=8)
            return
        self.session = session
        self.switch_screen(InterviewScreen(session, speaker=self._speaker_for(session.options), resumed=True))

    def on_setup_screen_start(self, message) -> None:
        options = message.options
        try:
            session = self.new_session(options)
        except UserError as error:
            self.notify(str(error), title="Cannot start", severity="error", timeout=8)
            return
        try:
            save_preferences(self.settings.preferences_path, options)
        except OSError as error:
            self.notify(f"Could not remember these choices: {error}", severity="warning")
        self.session, self.preset = session, options
        self.switch_screen(InterviewScreen(session, speaker=self._speaker_for(options)))

    def show_summary(self, session: PracticeSession) -> None:
        from interviewer.tui.screens.summary import SummaryScreen

        session.finish()
        self.switch_screen(SummaryScreen(session))

    def action_new_session(self) -> None:
        self.session = None
        self.show_setup()

    def action_history(self) -> None:
        from interviewer.history.stats import compute_stats
        from interviewer.history.review import due_from_attempts
        from interviewer.tui.screens.history import HistoryScreen

        if isinstance(self.screen, HistoryScreen):
            return
        try:
            attempts = self.history.attempts()
            error = None
        except UserError as problem:
            attempts, error = [], str(problem)
        due = len(due_from_attempts(attempts, self.bank))
        self.push_screen(HistoryScreen(compute_stats(attempts), due=due, error=error))

    def action_help(self) -> None:
        from interviewer.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # -- quitting ------------------------------------------------------------------------------

    def result(self) -> PracticeResult:
        session = self.session
        if session is None:
            return PracticeResult(None, False, 0)
        written = session.transcript_path if session.transcript_path.exists() else None
        return PracticeResult(written, session.ended, len(session.main_records))

    async def action_quit(self) -> None:
        """Quit at once outside an interview; in one, ask first and keep the typed answer as a draft."""
        from interviewer.tui.screens.confirm import ConfirmQuitScreen

        screen = self.screen
        if isinstance(screen, ConfirmQuitScreen):
            return
        interview = next((s for s in self.screen_stack if isinstance(s, InterviewScreen)), None)
        if interview is None or self.session is None or self.session.ended:
            self.exit(self.result())
            return
        done = len(self.session.main_records)
        message = (
            f"{done} answer{'s' if done != 1 else ''} saved. What you are typing is kept as a draft.\n"
            "Continue later with: interviewer practice --resume"
        )

        def leave(confirmed: bool | None) -> None:
            if confirmed:
                interview.session.save_draft(interview.draft_text())
                self.exit(self.result())

        self.push_screen(ConfirmQuitScreen(message), leave)

    # -- command palette ----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for action, title, help_text in getattr(screen, "PALETTE_COMMANDS", ()):
            if screen.check_action(action, ()):
                yield SystemCommand(title, help_text, partial(screen.run_action, action))
        yield SystemCommand("Help", "Show every key", self.action_help)
        yield SystemCommand("History", "Your scores per topic over past sessions", self.action_history)


def make_app(
    settings: Settings,
    options: PracticeOptions | None = None,
    *,
    session: PracticeSession | None = None,
    clock: Clock = time.monotonic,
    **pieces,
) -> InterviewerApp:
    """The app: the setup screen when ``options`` is None, else straight into the interview.

    ``preset`` fills the setup screen (default: the choices remembered last time);
    ``session`` (a resumed one) goes straight into the interview. ``pieces``:
    ``bank``, ``history``, ``speaker`` already made by the caller.
    """
    return InterviewerApp(settings, options, session=session, clock=clock, **pieces)

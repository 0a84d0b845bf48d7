"""The setup screen: topics, number of questions, difficulty, order, grading mode, timer, candidate name."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, SelectionList, Static
from textual.widgets.selection_list import Selection

from interviewer.tui.widgets.footer import Footer
from interviewer.practice.options import MAX_COUNT, ORDERS, PracticeOptions
from interviewer.questions import DIFFICULTY_NAMES

ORDER_LABELS = {"random": "random", "bank": "bank", "review": "review"}


class SetupScreen(Screen):
    """Collects ``PracticeOptions``; posts ``Start`` (the app starts the session or says what is wrong)."""

    BINDINGS = [
        Binding("ctrl+s", "start", "Start"),
        Binding("f2", "app.history", "History"),
    ]
    PALETTE_COMMANDS = (("start", "Start the interview", "Start with the choices on screen"),)

    class Start(Message):
        def __init__(self, options: PracticeOptions):
            super().__init__()
            self.options = options

    def __init__(
        self, options: PracticeOptions, bank, llm_unavailable: str | None, tts_available: bool
    ):
        super().__init__()
        self.options = options
        self.topics = bank.used_topics()
        self.bank_label = f"{bank.name or bank.path}"
        self.bank_size = len(bank)
        self.llm_unavailable = llm_unavailable
        self.tts_available = tts_available

    def compose(self) -> ComposeResult:
        options = self.options
        yield Static(Content(f"Setup · {self.bank_size} questions · {self.bank_label}"), id="status-bar")
        with Horizontal(id="setup-body"):
            with Vertical(id="setup-topics"):
                yield Label("Topics [dim](none = all)[/]")
                chosen = {t.lower() for t in options.topics}
                yield SelectionList[str](
                    *(Selection(topic, topic, topic.lower() in chosen) for topic in self.topics), id="topics"
                )
            # The form scrolls on a small terminal but is no Tab stop of its own: its fields are.
            with VerticalScroll(id="setup-form", can_focus=False):
                with Horizontal(classes="row"):
                    yield Label("Questions", classes="field")
                    yield Input(str(options.count), type="integer", id="count", compact=True, max_length=3)
                with Horizontal(classes="row"):
                    yield Label("Difficulty", classes="field")
                    for level, name in DIFFICULTY_NAMES.items():
                        on = not options.difficulties or level in options.difficulties
                        yield Checkbox(name, on, id=f"difficulty-{level}", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Order", classes="field")
                    with RadioSet(id="order", compact=True):
                        for order in ORDERS:
                            yield RadioButton(ORDER_LABELS[order], value=order == options.order)
                with Horizontal(classes="row"):
                    yield Label("Grading", classes="field")
                    llm = self.llm_unavailable is None and options.mode != "offline"
                    with RadioSet(id="mode", compact=True):
                        yield RadioButton("LLM", value=llm, disabled=self.llm_unavailable is not None, id="mode-llm")
                        yield RadioButton("offline", value=not llm, id="mode-offline")
                if self.llm_unavailable:
                    yield Static(Content.styled(self.llm_unavailable, "$text-muted"), id="mode-reason", classes="reason")
                with Horizontal(classes="row"):
                    yield Label("Timer (s)", classes="field")
                    yield Input(str(options.timer_s), type="integer", id="timer", compact=True, max_length=4)
                    yield Static(Content.styled(" 0 = off", "$text-muted"), classes="unit")
                with Horizontal(classes="row"):
                    yield Label("Candidate", classes="field")
                    yield Input(options.candidate, id="candidate", compact=True, placeholder="your name (optional)", max_length=80)
                with Horizontal(classes="row"):
                    yield Label("Read aloud", classes="field")
                    yield Checkbox(
                        "questions", options.speak and self.tts_available, id="speak", compact=True,
                        disabled=not self.tts_available,
                    )
                if not self.tts_available:
                    note = "No text-to-speech command found (espeak-ng, espeak, spd-say or say)."
                    yield Static(Content.styled(note, "$text-muted"), id="speak-reason", classes="reason")
                yield Button("Start interview  ctrl+s", id="start", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#start", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()

    def _number(self, field_id: str, low: int, high: int, what: str) -> int | None:
        field = self.query_one(f"#{field_id}", Input)
        try:
            value = int(field.value.strip())
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            self.notify(f"{what} must be a whole number from {low} to {high}.", severity="error")
            field.focus()
            return None
        return value

    def chosen_options(self) -> PracticeOptions | None:
        """The options on screen, or None (after saying what to fix)."""
        count = self._number("count", 1, MAX_COUNT, "The number of questions")
        if count is None:
            return None
        timer = self._number("timer", 0, 3600, "The timer")
        if timer is None:
            return None
        levels = tuple(level for level in DIFFICULTY_NAMES if self.query_one(f"#difficulty-{level}", Checkbox).value)
        order_index = self.query_one("#order", RadioSet).pressed_index
        return self.options.with_changes(
            count=count,
            topics=tuple(self.query_one("#topics", SelectionList).selected),
            difficulties=() if len(levels) in (0, len(DIFFICULTY_NAMES)) else levels,
            order=ORDERS[order_index] if order_index >= 0 else "random",
            mode="llm" if self.query_one("#mode-llm", RadioButton).value else "offline",
            timer_s=timer,
            candidate=self.query_one("#candidate", Input).value.strip(),
            speak=self.query_one("#speak", Checkbox).value,
            seed=None,
        )

    def action_start(self) -> None:
        options = self.chosen_options()
        if options is not None:
            self.post_message(self.Start(options))

"""The resume picker: several unfinished sessions, each with its date, topics and progress; Enter resumes one."""

from __future__ import annotations

from typing import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from interviewer.tui.widgets.footer import Footer


class ResumeScreen(Screen):
    """Lists unfinished sessions (most recent first); posts ``Chosen`` with the index picked."""

    BINDINGS = [Binding("escape", "app.quit", "Quit")]

    class Chosen(Message):
        def __init__(self, index: int):
            super().__init__()
            self.index = index

    def __init__(self, labels: Sequence[str]):
        super().__init__()
        self.labels = list(labels)

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Resume · {len(self.labels)} unfinished sessions"), id="status-bar")
        yield Static("Which session do you want to continue? (Enter resumes it)", id="resume-prompt")
        yield OptionList(*(Option(Content(label), id=str(i)) for i, label in enumerate(self.labels)), id="sessions")
        yield Footer()

    def on_mount(self) -> None:
        sessions = self.query_one("#sessions", OptionList)
        sessions.highlighted = 0
        sessions.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.post_message(self.Chosen(event.option_index))

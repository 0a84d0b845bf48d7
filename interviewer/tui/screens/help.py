"""The help screen: every key, by screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

#: (section, [(key, what it does)]): the one list of keys the help shows.
KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("While answering (Enter makes a new line)", (
        ("ctrl+s", "submit the answer for grading"),
        ("ctrl+t", "hint: reveal one key point (recorded with the answer)"),
        ("ctrl+r", "repeat the question"),
        ("ctrl+o", "push to talk: start / stop recording; the transcript lands in the box (voice extra)"),
        ("ctrl+n", "skip the question (recorded as skipped)"),
    )),
    ("After the grade", (
        ("n, Enter", "next question"),
        ("f", "answer a follow-up question, graded in context"),
        ("a", "show or hide the reference answer"),
        ("ctrl+y", "try the same question again (both attempts are kept)"),
        ("m", "show or hide the model answer, a strong spoken answer"),
        ("1-9", "mark key point N covered or missed yourself (press again to change; kept beside the grade)"),
        ("v", "side by side: your answer beside the reference, evidence marked"),
        ("r / o", "after a failed grade: retry, or grade offline"),
    )),
    ("Setup and summary", (
        ("ctrl+s", "setup: start the interview"),
        ("f2, h", "your history: scores per topic over past sessions"),
        ("e", "summary: export Markdown (and HTML) next to the transcript"),
        ("Enter", "summary: the selected answer side by side with the reference"),
        ("n", "summary: a new session"),
    )),
    ("Anywhere", (
        ("ctrl+q", "quit; answers so far are saved (interviewer practice --resume)"),
        ("F1", "this help (? too, except while typing an answer)"),
        ("ctrl+p", "command palette: every action, and the theme (light/dark)"),
        ("tab", "next field"),
    )),
)

TIMER_NOTE = (
    "The timer turns amber in the last 15 seconds. At zero, what you typed is "
    "submitted; if you typed nothing, the question is marked skipped and the "
    "interview waits for n before the next one. What you type is saved as a "
    "draft every few seconds, so even a crash loses almost nothing."
)


def help_content() -> Content:
    lines: list[Content] = []
    for section, keys in KEYS:
        lines.append(Content.styled(section, "bold $text-accent"))
        for key, what in keys:
            lines.append(Content.assemble((f"  {key:<10}", "bold"), what))
        lines.append(Content(""))
    lines.append(Content.styled(TIMER_NOTE, "$text-muted"))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """The keys of every screen."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Static("interviewer: keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(help_content(), id="help-keys")
            yield Static("escape closes", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)

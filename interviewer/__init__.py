"""interviewer: a mock-interview coach for the terminal.

The package root holds the pure core (questions, banks, grades, sessions,
transcripts, batch runs, history). It imports neither Textual nor OpenAI:
the TUI lives in ``interviewer.tui`` and the one adapter for
OpenAI-compatible servers in ``interviewer.grading.llm.adapter``.
"""

__version__ = "0.1.0"

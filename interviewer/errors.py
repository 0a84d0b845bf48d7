"""Errors meant for people, and the exit codes the CLI maps them to."""

from __future__ import annotations

#: Exit codes, documented in ``interviewer --help`` and the README.
EXIT_OK = 0
EXIT_FAILURES = 1  # the run finished but some answers could not be graded
EXIT_BAD_INPUT = 2  # bad arguments, unreadable or invalid files
EXIT_LLM_CONFIG = 3  # the LLM server refused us: missing/wrong key, unknown model, unreachable
EXIT_NOTHING_TO_GRADE = 4  # no answer in the input (or, for eval, too few valid lines for figures)
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """exit codes:
  0    success
  1    finished, but some answers could not be graded (see the output)
  2    bad input: arguments, unreadable or invalid files (file:line: message)
  3    LLM not usable: missing or wrong key, unknown model, server unreachable
  4    nothing to grade: no answer found in the input (eval: too few valid lines)
  130  interrupted (Ctrl+C); everything graded so far is kept"""


class UserError(Exception):
    """A mistake the user can fix; the CLI prints the message without a traceback."""

    exit_code = EXIT_BAD_INPUT


class NothingToGrade(UserError):
    """The input holds no answer to grade (empty, no answer files, every line unreadable)."""

    exit_code = EXIT_NOTHING_TO_GRADE


class LLMConfigError(UserError):
    """The LLM cannot be used as configured (no key, wrong key, unknown model, unreachable)."""

    exit_code = EXIT_LLM_CONFIG

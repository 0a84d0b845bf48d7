"""The command line: a thin shell that parses arguments and hands them to the core.

Start-up is a feature: this module and the command modules import only the
standard library at load time; each command imports what it needs when run.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from interviewer import __version__
from interviewer.commands import COMMANDS
from interviewer.errors import EXIT_CODES_HELP, EXIT_INTERRUPTED, UserError

DESCRIPTION = """\
A mock-interview coach for the terminal. It asks interview questions, you
answer in free form, and it grades your answer against a reference answer:
with an LLM when OPENAI_API_KEY is set, or offline from the reference alone.

Run with no command to start a practice interview."""

ENVIRONMENT_HELP = """environment (also read from a .env file in the current folder):
  OPENAI_API_KEY       key for the LLM grader; without it grading is offline
  OPENAI_BASE_URL      any OpenAI-compatible server (Ollama, vLLM, LM Studio, ...)
  INTERVIEWER_MODEL    model name for the LLM grader (default gpt-4o-mini)
  INTERVIEWER_HOME     where transcripts, history and caches go
  INTERVIEWER_OFFLINE  1 to always grade offline, like --offline
  see .env.example for every setting"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interviewer",
        description=DESCRIPTION,
        epilog=ENVIRONMENT_HELP + "\n\n" + EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"interviewer {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def _load_dotenv() -> None:
    """Read ``.env`` from the current folder once; real environment variables win."""
    from dotenv import find_dotenv, load_dotenv

    path = find_dotenv(usecwd=True)
    if path:
        load_dotenv(path, override=False)


def _say_error(error: Exception) -> None:
    """A message for people: file names and values in it come from the user, and a URL's
    credentials are not echoed."""
    from interviewer.safe_text import for_terminal

    print(f"interviewer: {for_terminal(error, multiline=True)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # No command, or only practice options: the practice interview.
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["practice", *argv]
    args = parser.parse_args(argv)
    _load_dotenv()
    from interviewer.settings import Settings, SettingsError

    try:
        settings = Settings.from_env()
        return int(args.run(args, settings) or 0)
    except SettingsError as error:
        _say_error(error)
        return 2
    except UserError as error:
        _say_error(error)
        return error.exit_code
    except KeyboardInterrupt:
        print("interviewer: interrupted; everything graded so far is saved.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0

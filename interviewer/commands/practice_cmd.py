"""``interviewer practice`` (also ``interviewer`` alone): a mock interview in the terminal UI."""

from __future__ import annotations

import argparse
import sys

from interviewer.errors import EXIT_BAD_INPUT, EXIT_OK

#: Flags that choose the session; any of them skips the setup screen.
SESSION_FLAGS = ("count", "topic", "difficulty", "order", "seed", "timer", "review")


def _difficulty(value: str) -> int:
    if value not in ("1", "2", "3"):
        raise argparse.ArgumentTypeError(f"{value!r}: use 1 (easy), 2 (medium) or 3 (hard)")
    return int(value)


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= number <= 100:
        raise argparse.ArgumentTypeError(f"{value!r}: ask for 1 to 100 questions")
    return number


def _seconds(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of seconds") from None
    if not 0 <= number <= 3600:
        raise argparse.ArgumentTypeError(f"{value!r}: use 0 (no timer) to 3600 seconds")
    return number


def register(subparsers) -> None:
    practice = subparsers.add_parser(
        "practice",
        help="a mock interview in the terminal (the default command)",
        description=(
            "A mock interview: questions one at a time, free-form answers, a grade and feedback "
            "after each, a summary at the end. With no option the setup screen asks for the "
            "choices (and remembers them); --count, --topic, --difficulty, --order/--review, "
            "--seed and --timer start the interview straight away. --bank, --offline, "
            "--candidate and --speak apply either way."
        ),
        epilog="Keys: ctrl+s submits an answer (Enter is a new line); F1 shows every key.",
    )
    practice.add_argument("--count", type=_count, metavar="N", help="number of questions (default 5)")
    practice.add_argument("--topic", action="append", metavar="T", help="only this topic (repeatable)")
    practice.add_argument(
        "--difficulty", action="append", type=_difficulty, metavar="1-3", help="1 easy, 2 medium, 3 hard (repeatable)"
    )
    practice.add_argument(
        "--order", choices=("random", "bank", "review"),
        help="random (default), the bank's order, or review: what is due, weakest first",
    )
    practice.add_argument("--review", action="store_true", help="same as --order review")
    practice.add_argument("--seed", type=int, metavar="N", help="seed for a reproducible random choice")
    practice.add_argument("--bank", metavar="FILE", help="a question bank file (default: the shipped 100 questions)")
    practice.add_argument("--offline", action="store_true", help="grade offline even when an API key is set")
    practice.add_argument("--timer", type=_seconds, metavar="SECONDS", help="time per answer (default 120; 0 = off)")
    practice.add_argument("--candidate", metavar="NAME", help="your name, for the greeting and the summary")
    practice.add_argument("--resume", action="store_true", help="continue an unfinished session (named on start; a list to pick from when there are several)")
    practice.add_argument(
        "--speak", action="store_true",
        help="read questions aloud (needs espeak-ng, espeak, spd-say or say; exits 2 if none is found)",
    )
    practice.set_defaults(run=run)


def options_from_args(args: argparse.Namespace, remembered):
    """The session's options from the flags (None when the setup screen should ask)."""
    from interviewer.practice.options import PracticeOptions

    chose = any(getattr(args, name) not in (None, False, []) for name in SESSION_FLAGS)
    base = PracticeOptions(candidate=remembered.candidate) if chose else remembered
    options = base.with_changes(
        count=args.count or base.count,
        topics=tuple(args.topic or base.topics),
        difficulties=tuple(sorted(set(args.difficulty))) if args.difficulty else base.difficulties,
        order="review" if args.review else (args.order or base.order),
        seed=args.seed,
        bank=args.bank or base.bank,
        mode="offline" if args.offline else base.mode,
        timer_s=base.timer_s if args.timer is None else args.timer,
        candidate=base.candidate if args.candidate is None else args.candidate.strip(),
        speak=args.speak or (base.speak and not chose),
    )
    return options, chose


def run(args: argparse.Namespace, settings) -> int:
    from interviewer.bank_cache import open_bank_cached
    from interviewer.practice.options import load_preferences
    from interviewer.practice.speech import NO_TTS_MESSAGE, speech_available

    if args.speak and not speech_available():
        print(f"interviewer: {NO_TTS_MESSAGE}", file=sys.stderr)
        return EXIT_BAD_INPUT
    remembered = load_preferences(settings.preferences_path)
    options, chose = options_from_args(args, remembered)
    # A bad bank stops here with file:line messages; a good one is kept parsed for the next start.
    bank = open_bank_cached(options.bank, settings)
    session, resumable = None, []
    if args.resume:
        session, resumable = _resumed_session(args, settings, bank)
    elif chose:
        from interviewer.practice.start import choose_questions

        choose_questions(bank, options)  # unknown topic, nothing matching: say so before the UI starts
    from interviewer.tui.app import make_app

    app = make_app(
        settings,
        options if chose else None,
        preset=options,
        session=session,
        bank=bank,
        history=session.history if session is not None else None,
        resumable=resumable,
        bank_chosen=bool(args.bank),
    )
    result = app.run()
    if app.return_code not in (None, 0):
        return app.return_code
    return _report(result)


def _resumed_session(args, settings, bank):
    """The one unfinished session to resume, or (None, several) for the app to offer a choice."""
    from interviewer.errors import UserError
    from interviewer.history.store import History
    from interviewer.practice.start import resume_unfinished, session_label
    from interviewer.transcript import unfinished_sessions

    found = unfinished_sessions(settings.transcripts_dir)
    if not found:
        raise UserError(f"no unfinished session to resume in {settings.transcripts_dir}; start one with 'interviewer'")
    if len(found) > 1:
        return None, found
    session = resume_unfinished(
        found[0], bank, settings=settings, bank_chosen=bool(args.bank), offline=args.offline,
        history=History(settings.history_path),
    )
    print(f"Resuming the session of {session_label(found[0], bank)}", file=sys.stderr)
    return session, []


def _report(result) -> int:
    if result is None or result.transcript is None:
        return EXIT_OK
    if result.finished:
        print(f"Session saved: {result.transcript}")
    else:
        print(f"{result.answered} question(s) done; every answer is saved in {result.transcript}")
        print("Continue with: interviewer practice --resume")
    return EXIT_OK

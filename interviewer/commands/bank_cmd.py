"""``interviewer bank``: list, show and validate question banks."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from interviewer.errors import EXIT_BAD_INPUT, EXIT_OK


def register(subparsers) -> None:
    bank = subparsers.add_parser(
        "bank",
        help="list, show or validate question banks",
        description="List, show or validate question banks (TOML or the seed's Markdown layout).",
    )
    actions = bank.add_subparsers(dest="bank_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the questions of a bank")
    listing.add_argument("--bank", metavar="FILE", help="a bank file (default: the shipped 100 questions)")
    listing.add_argument("--topic", action="append", default=[], metavar="T", help="only this topic (repeatable)")
    listing.add_argument("--json", action="store_true", help="print JSON: one object per question")
    listing.set_defaults(run=run_list)

    show = actions.add_parser("show", help="show one question with its reference answer and key points")
    show.add_argument("id", metavar="ID", help="question id, e.g. dl-021")
    show.add_argument("--bank", metavar="FILE", help="a bank file (default: the shipped 100 questions)")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(run=run_show)

    validate = actions.add_parser(
        "validate",
        help="check a bank file; print file:line: message for each problem",
        description="Check a bank file. Prints file:line: message for every problem; "
        "exits 2 on any error, 0 when clean (warnings alone exit 0).",
        epilog="A TOML question table: id, topic, difficulty (1-3), question, reference; key_points: the core "
        "points, what the reference states (at most 5; derived from the reference when absent); depth_points: "
        "what a strong answer adds beyond the reference (optional, at most 4); model_answer: a strong spoken "
        "answer (optional); follow_up: a [question.follow_up] table with its own question, reference and 2-4 "
        "key_points, or just the follow-up question as text.",
    )
    validate.add_argument("file", nargs="?", metavar="FILE", help="the bank file (default: the shipped bank)")
    validate.set_defaults(run=run_validate)


def run_list(args: argparse.Namespace, settings) -> int:
    from interviewer.bank import open_bank

    bank = open_bank(args.bank, settings)
    questions = bank.filter(args.topic) if args.topic else list(bank)
    if args.topic and not questions:
        print(f"interviewer: no question has topic {', '.join(args.topic)}; topics: {', '.join(bank.used_topics())}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        json.dump([q.to_dict() for q in questions], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return EXIT_OK
    from interviewer.safe_text import for_terminal

    id_width = max(len(q.id) for q in questions)
    topic_width = max(len(q.topic) for q in questions)
    for q in questions:
        first_line = (q.question.splitlines() or [""])[0]
        print(for_terminal(f"{q.id:<{id_width}}  {q.topic:<{topic_width}}  {'*' * q.difficulty:<3}  {first_line}"))
    print(f"\n{len(questions)} question(s) from {bank.path}", file=sys.stderr)
    return EXIT_OK


def run_show(args: argparse.Namespace, settings) -> int:
    from interviewer.bank import open_bank
    from interviewer.questions import DIFFICULTY_NAMES
    from interviewer.safe_text import for_terminal

    def say(text: str = "") -> None:  # a bank is user data: no escape sequence or bidi override acts
        print(for_terminal(text, multiline=True))

    bank = open_bank(args.bank, settings)
    question = bank.get(args.id)
    if question is None:
        print(f"interviewer: no question with id {args.id!r} in {bank.path} (see 'interviewer bank list')", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(question.to_dict(), indent=2, ensure_ascii=False))
        return EXIT_OK
    say(f"{question.id}  [{question.topic}, {DIFFICULTY_NAMES.get(question.difficulty, question.difficulty)}]")
    say(f"\n{question.question}\n\nReference answer:")
    say(textwrap.indent(question.reference, "  "))
    say("\nKey points:")
    for point in question.core_points:
        say(f"  - {point}")
    if question.depth_points:
        say("\nDepth points (beyond the reference):")
        for point in question.depth_points:
            say(f"  - {point}")
    if question.model_answer:
        say("\nModel answer:")
        say(textwrap.indent(textwrap.fill(question.model_answer, 88), "  "))
    follow_up = question.follow_up
    if follow_up:
        say(f"\nFollow-up: {follow_up.question}")
        if follow_up.reference:
            say(textwrap.indent(textwrap.fill(f"Reference: {follow_up.reference}", 88), "  "))
        for point in follow_up.key_points:
            say(f"  - {point}")
    return EXIT_OK


def run_validate(args: argparse.Namespace, settings) -> int:
    from pathlib import Path

    from interviewer.bank import read_bank
    from interviewer.resources import default_bank_path

    path = Path(args.file) if args.file else default_bank_path()
    from interviewer.safe_text import for_terminal

    bank, problems = read_bank(path)
    for problem in problems:
        print(for_terminal(problem), file=sys.stderr)
    errors = sum(p.is_error for p in problems)
    if errors:
        print(f"{path}: {errors} error(s)", file=sys.stderr)
        return EXIT_BAD_INPUT
    warnings = len(problems) - errors
    note = f", {warnings} warning(s)" if warnings else ""
    print(f"{path}: OK, {len(bank)} questions{note}")
    return EXIT_OK

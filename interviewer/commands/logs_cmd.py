"""``interviewer logs``: read the audit log of LLM requests (every prompt, reply, mode, usage, latency, outcome)."""

from __future__ import annotations

import argparse
import json
import sys

from interviewer.commands.arguments import positive_int

DESCRIPTION = """\
Show the audit log of LLM requests kept in INTERVIEWER_HOME (llm_log.sqlite3): for each
request the time, model, server, output mode, prompt hash, token usage, latency and outcome
(ok, degraded, invalid, failed), and with --json the messages sent and the raw reply.
API keys are never written to it."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("logs", help="show the audit log of LLM requests", description=DESCRIPTION,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--last", type=positive_int, default=20, metavar="N", help="the newest N requests (default 20)")
    parser.add_argument("--json", action="store_true", help="one JSON object a line, messages and reply included")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings) -> int:
    from interviewer.grading.llm.audit import LOG_FILE, read_log
    from interviewer.safe_text import for_terminal

    entries = read_log(settings.home / LOG_FILE, args.last)
    if args.json:
        for entry in entries:
            print(json.dumps(entry.to_dict(), ensure_ascii=False))
        return 0
    if not entries:
        print(f"interviewer: no LLM requests logged in {settings.home / LOG_FILE}", file=sys.stderr)
        return 0
    for entry in entries:
        tokens = "-" if entry.prompt_tokens is None else f"{entry.prompt_tokens}+{entry.completion_tokens}"
        line = (f"{entry.at}  {entry.model}  {entry.mode or '-'}  {entry.purpose}  {entry.latency_s:.2f}s  "
                f"tokens {tokens}  {entry.outcome[:160]}")
        print(for_terminal(line))
    return 0

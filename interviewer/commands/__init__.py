"""The CLI's commands. Each module has ``register(subparsers)``; its handler imports what it needs when run."""

from interviewer.commands import bank_cmd, eval_cmd, grade_cmd, logs_cmd, practice_cmd, stats_cmd, transcribe_cmd

COMMANDS = (practice_cmd, bank_cmd, grade_cmd, eval_cmd, stats_cmd, transcribe_cmd, logs_cmd)

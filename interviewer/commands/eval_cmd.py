"""Placeholder until this command lands."""

def register(subparsers) -> None:
    pass

"""What can be wrong with a question bank file: one ``BankProblem`` per fault, located as ``file:line``, and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from interviewer.errors import UserError


@dataclass(frozen=True)
class BankProblem:
    """One thing wrong with a bank file, located as ``file:line``."""

    path: Path
    line: int
    message: str
    is_error: bool = True

    def __str__(self) -> str:
        kind = "" if self.is_error else "warning: "
        where = f"{self.path}:{self.line}" if self.line > 0 else str(self.path)  # line 0: the file as a whole
        return f"{where}: {kind}{self.message}"


class BankError(UserError):
    """A bank could not be loaded; ``problems`` says where and why."""

    def __init__(self, problems: Sequence[BankProblem]):
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.is_error]
        lines = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        if len(errors) == 1 and errors[0].line <= 0:
            super().__init__(f"cannot open the question bank {errors[0]}")
        else:
            super().__init__(f"the question bank has {len(errors)} error(s):\n{lines}{more}")

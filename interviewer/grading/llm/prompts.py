"""Prompts as data: loading the plain-text prompts in ``prompts/`` and filling their named placeholders.

A prompt file is plain text with ``{name}`` placeholders (a name is letters,
digits and underscores; any other brace is literal text, so JSON examples need
no escaping). Lines at the top that start with ``#`` are comments (a version
line, a list of placeholders) and are not sent. A prompt's ``hash`` covers the
text that is sent, so every grade can say which prompt made it.

The user's own folder (``INTERVIEWER_PROMPTS_DIR``) replaces shipped prompts
file by file. Rendering fails with a ``PromptError`` naming the file before any
request is made when a placeholder is missing, unknown, or not filled.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from interviewer.errors import UserError

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
HASH_LENGTH = 12


class PromptError(UserError):
    """A prompt file is missing, unreadable, or its placeholders do not match what the code fills."""


@dataclass(frozen=True)
class Prompt:
    """One prompt template: its name, the text sent (comments removed), and a short hash of that text."""

    name: str
    text: str
    hash: str
    source: Path | None = None
    #: The line in ``source`` where ``text`` starts (comments above it), for messages.
    first_line: int = 1

    @classmethod
    def from_text(cls, name: str, raw: str, source: Path | None = None) -> "Prompt":
        lines = raw.splitlines(keepends=True)
        skipped = 0
        while skipped < len(lines) and lines[skipped].lstrip().startswith("#"):
            skipped += 1
        text = "".join(lines[skipped:]).strip("\n") + "\n"
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]
        return cls(name=name, text=text, hash=digest, source=source, first_line=skipped + 1)

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(PLACEHOLDER.findall(self.text))

    @property
    def where(self) -> str:
        return str(self.source) if self.source else f"prompt {self.name!r}"

    def _line_of(self, name: str) -> int:
        index = self.text.find("{" + name + "}")
        return self.first_line + self.text.count("\n", 0, max(index, 0))

    def check(self, names: set[str] | frozenset[str]) -> None:
        """Fail unless the template's placeholders are exactly ``names``."""
        unknown = sorted(self.placeholders - set(names))
        if unknown:
            first = unknown[0]
            raise PromptError(
                f"{self.where}:{self._line_of(first)}: unknown placeholder "
                f"{', '.join('{' + n + '}' for n in unknown)}; "
                f"this prompt may use {_listed(names)}"
            )
        missing = sorted(set(names) - self.placeholders)
        if missing:
            raise PromptError(
                f"{self.where}: placeholder {', '.join('{' + n + '}' for n in missing)} is missing; "
                f"this prompt must use {_listed(names)}"
            )

    def render(self, **values: object) -> str:
        """The text with every placeholder filled; values are inserted as they are, once."""
        self.check(frozenset(values))
        return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), self.text)


def _listed(names) -> str:
    return ", ".join("{" + n + "}" for n in sorted(names)) or "no placeholders"


def prompt_path(name: str, override_dir: Path | None = None) -> Path:
    """Where prompt ``name`` is read from: the user's folder when it has the file, else the shipped one."""
    filename = name if name.endswith(".txt") else f"{name}.txt"
    if override_dir is not None:
        candidate = Path(override_dir).expanduser() / filename
        if candidate.is_file():
            return candidate
    from interviewer.resources import prompts_dir

    return prompts_dir() / filename


def load_prompt(name: str, override_dir: Path | None = None) -> Prompt:
    """Load prompt ``name`` (``grader_system`` or ``grader_system.txt``)."""
    if override_dir is not None and not Path(override_dir).expanduser().is_dir():
        raise PromptError(
            f"INTERVIEWER_PROMPTS_DIR={override_dir} is not a folder; "
            "point it at a folder of prompt .txt files, or unset it to use the shipped prompts"
        )
    path = prompt_path(name, override_dir)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"{path}: prompt file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PromptError(f"{path}: cannot read the prompt ({error})") from None
    prompt = Prompt.from_text(name.removesuffix(".txt"), raw, source=path)
    if not prompt.text.strip():
        raise PromptError(f"{path}: the prompt is empty")
    return prompt


def combined_hash(*prompts: Prompt) -> str:
    """One short hash for a set of prompts used together (stored with every grade)."""
    digest = hashlib.sha256("\0".join(p.hash for p in prompts).encode("ascii")).hexdigest()
    return digest[:HASH_LENGTH]

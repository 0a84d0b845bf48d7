"""The judge's reply, checked in code: the JSON schema, a tolerant JSON finder, validation, and streamed feedback.

Nothing the model says is trusted until it passes ``validate_judgement``: the
shape, the verdict words, and every number in 0-10. A reply that fails gets
one repair request (see ``llm_grader``); a score is never invented.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from interviewer.grading.interface import CRITERIA, SCORE_MAX, VERDICTS, GradingItem, KeyPointResult

#: The response_format ``json_schema`` (strict) the grader asks for; its property
#: order is the order the judge writes: checklist, feedback, criteria, score.
GRADE_SCHEMA: dict[str, Any] = {
    "name": "interview_grade",
    "strict": True,
    "schema": {
        "type": "object",
        "additionalProperties": False,
        "required": ["key_points", "feedback", "criteria", "score"],
        "properties": {
            "key_points": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["point", "verdict", "evidence"],
                    "properties": {
                        "point": {"type": "string"},
                        "verdict": {"type": "string", "enum": list(VERDICTS)},
                        "evidence": {"type": "string"},
                    },
                },
            },
            "feedback": {"type": "string"},
            "criteria": {
                "type": "object",
                "additionalProperties": False,
                "required": list(CRITERIA),
                "properties": {name: {"type": "number"} for name in CRITERIA},
            },
            "score": {"type": "number"},
        },
    },
}

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s*")
_WORD = re.compile(r"[a-z0-9]+")
_MAX_DECODE_ATTEMPTS = 50


def extract_json_object(text: str) -> dict | None:
    """The first JSON object in ``text``: bare, inside a code fence, or inside prose."""
    if not text:
        return None
    candidates = [text.strip()]
    candidates += [match.group(1).strip() for match in _FENCE.finditer(text)]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    start = text.find("{")
    attempts = 0
    while start != -1 and attempts < _MAX_DECODE_ATTEMPTS:
        attempts += 1
        try:
            value, _ = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None


@dataclass(frozen=True)
class Judgement:
    """A reply that passed every check."""

    key_points: tuple[KeyPointResult, ...]
    feedback: str
    criteria: dict[str, float]
    score: float


def _number(value: Any, label: str, problems: list[str]) -> float | None:
    if isinstance(value, bool):
        problems.append(f"{label} is not a number")
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            problems.append(f"{label} is not a number ({value!r})")
            return None
    if not isinstance(value, (int, float)) or math.isnan(value):
        problems.append(f"{label} is not a number")
        return None
    if not 0 <= value <= SCORE_MAX:
        problems.append(f"{label} is {value:g}, outside 0-10")
        return None
    return round(float(value), 1)


def _verdict(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    word = value.strip().lower()
    if word in VERDICTS:
        return word
    if word.startswith("partial"):
        return "partial"
    if word.startswith("contradict") or word in ("wrong", "incorrect"):
        return "contradicted"
    if word.startswith("miss") or word in ("not covered", "absent", "omitted"):
        return "missed"
    if word.startswith("cover") or word in ("present", "yes"):
        return "covered"
    return None


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _match_points(entries: list[str], expected: tuple[str, ...]) -> list[int]:
    """For each judged entry, the index of the expected key point it is about.

    The judge is told to keep the order, so the index is the default; an entry
    that clearly names another (still unmatched) point is moved to it.
    """
    expected_words = [_words(p) for p in expected]
    used: set[int] = set()
    result: list[int] = []
    for index, entry in enumerate(entries):
        words = _words(_NUMBERING.sub("", entry))
        best, best_overlap = index, -1.0
        for candidate, target in enumerate(expected_words):
            if candidate in used or not target or not words:
                continue
            overlap = len(words & target) / len(words | target)
            if overlap > best_overlap:
                best, best_overlap = candidate, overlap
        if best_overlap < 0.5 or best in used:
            best = index if index not in used else next(i for i in range(len(expected)) if i not in used)
        used.add(best)
        result.append(best)
    return result


def validate_judgement(data: Any, item: GradingItem) -> tuple[Judgement | None, list[str]]:
    """The judgement in ``data``, or None and the problems a repair request should name."""
    if not isinstance(data, dict):
        return None, ["the reply is not a JSON object"]
    problems: list[str] = []

    raw_points = data.get("key_points")
    results: list[KeyPointResult] = []
    if not isinstance(raw_points, list):
        problems.append("key_points is missing or not a list")
    else:
        expected = item.key_points
        if expected and len(raw_points) != len(expected):
            problems.append(f"key_points has {len(raw_points)} entries, expected {len(expected)}")
        else:
            texts: list[str] = []
            verdicts: list[str] = []
            evidence: list[str] = []
            for number, entry in enumerate(raw_points, 1):
                if not isinstance(entry, dict):
                    problems.append(f"key_points entry {number} is not an object")
                    continue
                verdict = _verdict(entry.get("verdict"))
                if verdict is None:
                    problems.append(
                        f"key_points entry {number} has verdict {entry.get('verdict')!r}; "
                        "use covered, partial, missed or contradicted"
                    )
                texts.append(str(entry.get("point") or ""))
                verdicts.append(verdict or "missed")
                evidence.append(str(entry.get("evidence") or "").strip())
            if not problems:
                if expected:
                    slots: list[KeyPointResult | None] = [None] * len(expected)
                    for j, target in enumerate(_match_points(texts, expected)):
                        slots[target] = KeyPointResult(expected[target], verdicts[j], evidence[j])
                    results = [slot for slot in slots if slot is not None]
                else:
                    results = [
                        KeyPointResult(_NUMBERING.sub("", t).strip(), v, e)
                        for t, v, e in zip(texts, verdicts, evidence)
                        if t.strip()
                    ]

    feedback = data.get("feedback")
    if not isinstance(feedback, str) or not feedback.strip():
        problems.append("feedback is missing or empty")

    criteria: dict[str, float] = {}
    raw_criteria = data.get("criteria")
    if not isinstance(raw_criteria, dict):
        problems.append("criteria is missing or not an object")
    else:
        for name in CRITERIA:
            if name not in raw_criteria:
                problems.append(f"criteria.{name} is missing")
                continue
            value = _number(raw_criteria[name], f"criteria.{name}", problems)
            if value is not None:
                criteria[name] = value

    score = None
    if "score" not in data:
        problems.append("score is missing")
    else:
        score = _number(data["score"], "score", problems)

    if problems or score is None:
        return None, problems or ["score is missing"]
    return Judgement(tuple(results), feedback.strip(), criteria, score), []


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class FeedbackExtractor:
    """Reads streamed JSON text and returns, chunk by chunk, the new characters of the top-level
    ``"feedback"`` string, decoded. Text before the first ``{`` (prose, a code fence) is ignored."""

    def __init__(self, key: str = "feedback"):
        self.key = key
        self.depth = 0
        self.in_string = False
        self.escape: str | None = None  # "" after a backslash, then the \\u hex digits so far
        self.string_chars: list[str] = []
        self.expect_key = False
        self.last_key: str | None = None
        self.value_key: str | None = None
        self.capturing = False
        self.pending_high_surrogate: str | None = None
        self.done = False
        self.text = ""

    def feed(self, chunk: str) -> str:
        if self.done or not chunk:
            return ""
        out: list[str] = []
        for char in chunk:
            if self.done:
                break
            if self.in_string:
                self._string_char(char, out)
            else:
                self._structure_char(char)
        emitted = "".join(out)
        self.text += emitted
        return emitted

    def _structure_char(self, char: str) -> None:
        if self.depth == 0:
            if char == "{":
                self.depth, self.expect_key = 1, True
            return
        if char in "{[":
            self.depth += 1
            self.value_key = None
        elif char in "}]":
            self.depth -= 1
        elif char == "," and self.depth == 1:
            self.expect_key, self.value_key = True, None
        elif char == ":" and self.depth == 1:
            self.value_key, self.last_key = self.last_key, None
        elif char == '"':
            self.in_string = True
            self.string_chars = []
            self.capturing = self.depth == 1 and not self.expect_key and self.value_key == self.key

    def _string_char(self, char: str, out: list[str]) -> None:
        if self.escape is not None:
            if self.escape == "":
                if char == "u":
                    self.escape = "u"
                    return
                self._emit(_ESCAPES.get(char, char), out)
                self.escape = None
                return
            self.escape += char
            if len(self.escape) == 5:
                try:
                    decoded = chr(int(self.escape[1:], 16))
                except ValueError:
                    decoded = ""
                self.escape = None
                self._emit(decoded, out)
            return
        if char == "\\":
            self.escape = ""
        elif char == '"':
            self.in_string = False
            if self.capturing:
                self.capturing = False
                self.done = True
            elif self.depth == 1 and self.expect_key:
                self.last_key = "".join(self.string_chars)
                self.expect_key = False
            self.value_key = None if not self.capturing else self.value_key
        else:
            self._emit(char, out)

    def _emit(self, char: str, out: list[str]) -> None:
        if not self.capturing:
            if self.depth == 1 and self.expect_key:
                self.string_chars.append(char)
            return
        if char and 0xD800 <= ord(char[0]) <= 0xDBFF:
            self.pending_high_surrogate = char
            return
        if self.pending_high_surrogate is not None:
            high, self.pending_high_surrogate = self.pending_high_surrogate, None
            if char and 0xDC00 <= ord(char[0]) <= 0xDFFF:
                char = (high + char).encode("utf-16", "surrogatepass").decode("utf-16")
        out.append(char)

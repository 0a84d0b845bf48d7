"""The judge's reply, checked in code: the JSON schema, a tolerant JSON finder, and honest validation.

Nothing the model says is trusted until it passes ``validate_judgement``:

* no usable score (missing, not a number, outside 0-10), or a reply that copies the
  prompt's template (placeholders such as ``"..."``, every number 0 beside a covered
  point): invalid, with the problems a repair request names; a score is never invented;
* a score without feedback, criteria or checklist: a degraded judgement (``partial``),
  kept and flagged, never a failure;
* a checklist with missing, extra or merged points: what matches the item's key points
  is kept, the rest is marked ``not judged``, with a note;
* plain prose with a ``Score: N/10`` line (a server without JSON modes): a degraded
  judgement from that line.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from interviewer.grading.interface import CRITERIA, NOT_JUDGED, SCORE_MAX, VERDICTS, GradingItem, KeyPointResult
from interviewer.grading.llm.feedback_stream import FeedbackExtractor  # noqa: F401  (part of this module's API)

PARTIAL_REPLY = "partial-reply"
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s*")
_WORD = re.compile(r"[a-z0-9]+")
_MAX_DECODE_ATTEMPTS = 50
_SCORE_LINE = re.compile(
    r"^[\s*#>_-]*(?:overall\s+|final\s+)?score\s*[:=]\s*\**\s*(\d+(?:\.\d+)?)\s*(?:/\s*10|out of 10)?\b",
    re.IGNORECASE | re.MULTILINE,
)
#: Field values that are the prompt's template, not a judgement.
_PLACEHOLDERS = frozenset({"...", "…", "..", ". . .", "<feedback>", "<evidence>", "<point>"})
#: A checklist entry matches a key point at this word overlap (Jaccard) or containment.
_MATCH_OVERLAP, _MATCH_CONTAINED = 0.5, 0.6
#: Feedback taken from a prose reply is cut to this many characters.
_PROSE_FEEDBACK_CHARS = 1200


def grade_schema(points: int = 0) -> dict[str, Any]:
    """The ``json_schema`` (strict) asked for; with ``points``, the checklist has exactly that many entries.

    Its property order is the order the judge writes: checklist, feedback, criteria, score."""
    key_points: dict[str, Any] = {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["point", "verdict", "evidence"],
            "properties": {
                "point": {"type": "string", "minLength": 4},
                "verdict": {"type": "string", "enum": list(VERDICTS)},
                "evidence": {"type": "string"},
            },
        },
    }
    if points > 0:
        key_points["minItems"] = key_points["maxItems"] = points
    return {
        "name": "interview_grade",
        "strict": True,
        "schema": {
            "type": "object",
            "additionalProperties": False,
            "required": ["key_points", "feedback", "criteria", "score"],
            "properties": {
                "key_points": key_points,
                # A constrained decoder cannot then write the template's "..." (Gemma 270M did).
                "feedback": {"type": "string", "minLength": 20},
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


#: The schema without a fixed checklist length (the Batch API and benchmarks build per item).
GRADE_SCHEMA: dict[str, Any] = grade_schema()


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
    """A reply that gave a usable score. ``partial``: something besides the score was missing."""

    key_points: tuple[KeyPointResult, ...]
    feedback: str
    criteria: dict[str, float]
    score: float
    notes: tuple[str, ...] = ()
    partial: tuple[str, ...] = ()


def _number(value: Any, label: str, problems: list[str]) -> float | None:
    if isinstance(value, bool):
        problems.append(f"{label} is not a number")
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().removesuffix("/10").strip())
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
    if "|" in word:
        return None  # "covered|partial|missed|contradicted": the template, not a verdict
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


def _similarity(entry: set[str], point: set[str]) -> float:
    if not entry or not point:
        return 0.0
    common = len(entry & point)
    jaccard = common / len(entry | point)
    contained = common / len(point)
    return max(jaccard, contained if contained >= _MATCH_CONTAINED else 0.0)


def _match_points(entries: list[str], expected: tuple[str, ...]) -> dict[int, int]:
    """expected index -> entry index. Same count: the order is the default and an entry that
    clearly names another point moves to it. Otherwise only clear matches count."""
    expected_words = [_words(p) for p in expected]
    entry_words = [_words(_NUMBERING.sub("", e)) for e in entries]
    pairs = sorted(
        ((_similarity(words, target), e, x) for e, words in enumerate(entry_words)
         for x, target in enumerate(expected_words)),
        reverse=True,
    )
    assigned: dict[int, int] = {}
    used: set[int] = set()
    for similarity, e, x in pairs:
        if similarity < _MATCH_OVERLAP:
            break
        if e not in used and x not in assigned:
            assigned[x], _ = e, used.add(e)
    if len(entries) == len(expected):
        free_entries = [e for e in range(len(entries)) if e not in used]
        for x in range(len(expected)):
            if x not in assigned and free_entries:
                e = x if x in free_entries else free_entries[0]
                assigned[x] = e
                free_entries.remove(e)
    return assigned


def _template_problems(data: dict) -> list[str]:
    """Signs that the reply copied the prompt's JSON template instead of judging."""
    problems: list[str] = []
    feedback = data.get("feedback")
    said = feedback.strip() if isinstance(feedback, str) else ""
    if said and (said in _PLACEHOLDERS or not _WORD.search(said.lower())):
        problems.append(f"feedback is the template's placeholder {said!r}")
    points = data.get("key_points") if isinstance(data.get("key_points"), list) else []
    fields = [str(entry.get(name) or "").strip() for entry in points if isinstance(entry, dict)
              for name in ("point", "evidence", "verdict")]
    if any(value in _PLACEHOLDERS for value in fields):
        problems.append("key_points copy the template's placeholders ('...')")
    if any("|" in str(entry.get("verdict") or "") for entry in points if isinstance(entry, dict)):
        problems.append("a verdict lists every choice ('covered|partial|...'); pick one")
    numbers = [data.get("score"), *((data.get("criteria") or {}).values() if isinstance(data.get("criteria"), dict) else ())]
    judged = {_verdict(entry.get("verdict")) for entry in points if isinstance(entry, dict)}
    if numbers and all(n == 0 for n in numbers) and judged & {"covered", "partial"}:
        problems.append("every number is 0 although a key point is covered: the template's zeros, not a judgement")
    if problems:
        problems.append("judge this answer and write real values")
    return problems


def _checklist(raw: Any, item: GradingItem, notes: list[str], partial: list[str]) -> list[KeyPointResult]:
    expected = item.key_points
    if not isinstance(raw, list) or not raw:
        if expected:
            partial.append("no checklist in the reply: key points not judged")
        return [KeyPointResult(point, NOT_JUDGED) for point in expected]
    texts, verdicts, evidence = [], [], []
    for entry in raw:
        entry = entry if isinstance(entry, dict) else {"point": str(entry)}
        texts.append(str(entry.get("point") or ""))
        verdicts.append(_verdict(entry.get("verdict")))
        evidence.append(str(entry.get("evidence") or "").strip())
    if not expected:
        return [KeyPointResult(_NUMBERING.sub("", t).strip(), v, e)
                for t, v, e in zip(texts, verdicts, evidence) if t.strip() and v is not None]
    assigned = _match_points(texts, expected)
    results = []
    for x, point in enumerate(expected):
        e = assigned.get(x)
        verdict = verdicts[e] if e is not None else None
        results.append(KeyPointResult(point, verdict, evidence[e]) if verdict else KeyPointResult(point, NOT_JUDGED))
    unjudged = sum(1 for r in results if r.verdict == NOT_JUDGED)
    if unjudged or len(raw) != len(expected):
        notes.append(f"checklist had {len(raw)} entries for {len(expected)} key points; "
                     f"{unjudged} not judged by the model")
    return results


def _prose_judgement(text: str, item: GradingItem) -> Judgement | None:
    """A reply without JSON that still says ``Score: N/10``."""
    match = _SCORE_LINE.search(text or "")
    if match is None:
        return None
    value = float(match.group(1))
    if not 0 <= value <= SCORE_MAX:
        return None
    feedback = (text[: match.start()] + text[match.end():]).strip()[:_PROSE_FEEDBACK_CHARS]
    return Judgement(
        key_points=tuple(KeyPointResult(point, NOT_JUDGED) for point in item.key_points),
        feedback=feedback or "(the model gave a score without feedback)",
        criteria={},
        score=round(value, 1),
        partial=("a prose reply: only its 'Score: N/10' line was read",),
    )


def validate_judgement(data: Any, item: GradingItem, text: str = "") -> tuple[Judgement | None, list[str]]:
    """The judgement in ``data`` (``text``: the raw reply, for a prose ``Score:`` line), or None
    and the problems a repair request should name."""
    if not isinstance(data, dict):
        prose = _prose_judgement(text, item)
        return (prose, []) if prose is not None else (None, ["the reply is not a JSON object"])
    problems = _template_problems(data)
    if problems:
        return None, problems
    if "score" not in data:
        return None, ["score is missing"]
    score = _number(data["score"], "score", problems)
    if score is None:
        return None, problems
    notes: list[str] = []
    partial: list[str] = []
    results = _checklist(data.get("key_points"), item, notes, partial)
    feedback = data.get("feedback")
    if not isinstance(feedback, str) or not feedback.strip():
        partial.append("no feedback in the reply")
        feedback = "(the model gave no feedback)"
    criteria: dict[str, float] = {}
    raw_criteria = data.get("criteria")
    if isinstance(raw_criteria, dict):
        for name in CRITERIA:
            if name in raw_criteria:
                value = _number(raw_criteria[name], f"criteria.{name}", [])
                if value is not None:
                    criteria[name] = value
    if len(criteria) < len(CRITERIA):
        partial.append("criteria missing or invalid: " + ", ".join(n for n in CRITERIA if n not in criteria))
    return Judgement(tuple(results), feedback.strip(), criteria, score, tuple(notes), tuple(partial)), []

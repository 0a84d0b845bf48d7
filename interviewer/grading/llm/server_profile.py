"""What one chat server accepts (output mode, token parameter, optional parameters), learnt from its errors and remembered.

Pure (no ``openai``): the adapter hands over an error's status and text, ``next_profile``
says how to ask again. Output modes, best first (``chat.OUTPUT_MODES``):

* ``json_schema``: ``response_format: {"type": "json_schema", "json_schema": {...}}`` (OpenAI,
  vLLM, Ollama >= 0.5, LM Studio);
* ``json_object_schema``: ``{"type": "json_object", "schema": {...}}``, llama.cpp's
  (and llama-cpp-python's) constrained decoding;
* ``json_object``: ``{"type": "json_object"}``;
* ``text``: no ``response_format``; the reply's JSON, or a ``Score: N/10`` line, is read.

Any 4xx/5xx whose body names ``response_format``/``json_schema``/``json_object`` steps one
mode down (llama-cpp-python answers ``json_schema`` with HTTP 500 "Input should be 'text' or
'json_object'"); a body naming ``minItems``/``maxItems`` drops the fixed checklist length
(and ``minLength``) first. A 400 that names nothing steps down blindly, then drops the optional parameters.
What worked is stored per base URL in ``<home>/server_modes.json``, only once it worked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from interviewer.grading.llm.chat import OUTPUT_MODES, OutputMode

#: Parameters a server may refuse; each is dropped (and remembered) when a 400 names it.
OPTIONAL_PARAMS = ("seed", "temperature", "stream_options")
#: 400s that asking differently cannot fix.
HOPELESS_400 = ("context_length_exceeded", "context length", "maximum context", "too many tokens")
#: Words in an error body that say the way JSON was asked for is the problem.
MODE_WORDS = ("response_format", "json_schema", "json_object", "'text' or 'json_object'", "structured output")
COUNT_WORDS = ("minitems", "maxitems", "minlength")
#: Statuses that say nothing about the request's shape (key, access, model, rate, conflict).
NOT_ABOUT_SHAPE = (401, 403, 404, 408, 409, 429)
MODES_FILE = "server_modes.json"


@dataclass(frozen=True)
class ServerProfile:
    """What a server accepts, learnt from its errors."""

    output_mode: OutputMode = "json_schema"
    token_param: str = "max_tokens"
    dropped: frozenset[str] = field(default_factory=frozenset)
    #: Whether the schema may fix the checklist's length (minItems = maxItems).
    fixed_counts: bool = True

    def to_json(self) -> dict:
        return {"output_mode": self.output_mode, "token_param": self.token_param, "dropped": sorted(self.dropped),
                "fixed_counts": self.fixed_counts}

    @classmethod
    def from_json(cls, data: Any) -> "ServerProfile":
        if not isinstance(data, dict):
            return cls()
        mode = data.get("output_mode")
        token_param = data.get("token_param")
        return cls(
            output_mode=mode if mode in OUTPUT_MODES else "json_schema",
            token_param=token_param if token_param in ("max_tokens", "max_completion_tokens") else "max_tokens",
            dropped=frozenset(p for p in data.get("dropped") or () if p in OPTIONAL_PARAMS),
            fixed_counts=data.get("fixed_counts") is not False,
        )


def _step_down(profile: ServerProfile) -> ServerProfile | None:
    if profile.output_mode == "text":
        return None
    return replace(profile, output_mode=OUTPUT_MODES[OUTPUT_MODES.index(profile.output_mode) + 1])


def next_profile(profile: ServerProfile, status: int, said: str, code: str, wants_json: bool) -> ServerProfile | None:
    """How to ask again after an error (``said``: its message and param), or None: nothing to change."""
    said = said.lower()
    if status in NOT_ABOUT_SHAPE:
        return None
    if any(word in said for word in HOPELESS_400) or code in HOPELESS_400:
        return None
    if wants_json and profile.output_mode != "text":
        if profile.fixed_counts and any(word in said for word in COUNT_WORDS):
            return replace(profile, fixed_counts=False)
        if any(word in said for word in MODE_WORDS):
            return _step_down(profile)
    if status != 400:
        return None  # a 5xx that does not name the output mode is a server fault, not a shape problem
    if profile.token_param == "max_tokens" and "max_completion_tokens" in said:
        return replace(profile, token_param="max_completion_tokens")
    for name in OPTIONAL_PARAMS:
        if name in said and name not in profile.dropped:
            return replace(profile, dropped=profile.dropped | {name})
    if wants_json and profile.output_mode != "text":
        return _step_down(profile)
    if set(OPTIONAL_PARAMS) - profile.dropped:
        return replace(profile, dropped=frozenset(OPTIONAL_PARAMS))
    return None


def _without_counts(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_counts(v) for k, v in schema.items() if k not in ("minItems", "maxItems", "minLength")}
    if isinstance(schema, list):
        return [_without_counts(v) for v in schema]
    return schema


def response_format(mode: OutputMode, json_schema: dict | None, fixed_counts: bool = True) -> dict | None:
    """The ``response_format`` to send for ``mode`` (None: send none)."""
    if json_schema is None or mode == "text":
        return None
    if not fixed_counts:
        json_schema = _without_counts(json_schema)
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": json_schema}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": json_schema["schema"]}
    return {"type": "json_object"}


class ProfileStore:
    """Server profiles by base URL in one JSON file; unreadable or unwritable is not an error."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _all(self) -> dict:
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return stored if isinstance(stored, dict) else {}

    def load(self, base_url: str) -> ServerProfile:
        return ServerProfile.from_json(self._all().get(base_url))

    def save(self, base_url: str, profile: ServerProfile) -> None:
        stored = self._all()  # read again: another process may have added a server
        stored[base_url] = profile.to_json()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        except OSError:
            pass  # remembering is an optimisation; memory still holds it

"""Parsed banks kept as JSON, so the practice UI starts without parsing TOML again (0.2 s for the shipped bank).

An entry is keyed by the bank file's path, size and modification time and by the code that
parses banks, so an edited bank or a new version of ``interviewer`` parses afresh. Only a
bank without errors is kept; anything unreadable in the cache is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from interviewer.bank import QuestionBank, chosen_bank_path, load_bank
from interviewer.questions import FollowUp, Question

CACHE_FORMAT = 1


def _key(path: Path) -> str:
    import interviewer.bank

    stat = path.stat()
    here = Path(interviewer.bank.__file__).parent  # the parsing code, by file (importing bank_toml costs 25 ms)
    code = [(here / name).stat().st_mtime_ns for name in ("bank.py", "bank_toml.py", "bank_problems.py", "questions.py")]
    raw = json.dumps([CACHE_FORMAT, str(path.resolve()), stat.st_size, stat.st_mtime_ns, code])
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def _question(data: dict[str, Any]) -> Question:
    follow = data.get("follow_up")
    return Question(**{
        **data,
        "key_points": tuple(data["key_points"]),
        "point_kinds": tuple(data["point_kinds"]),
        "follow_up": FollowUp(follow["question"], follow["reference"], tuple(follow["key_points"])) if follow else None,
    })


def load_bank_cached(path: Path | str, cache_dir: Path) -> QuestionBank:
    """``load_bank(path)``, from the cache when this very file was parsed before."""
    path = Path(path)
    try:
        entry = Path(cache_dir) / f"bank-{_key(path)}.json"
    except OSError:
        return load_bank(path)  # no such file: load_bank says so
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
        return QuestionBank([_question(q) for q in data["questions"]], name=data["name"], path=path,
                            topics=tuple(data["topics"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    bank = load_bank(path)
    data = {"name": bank.name, "topics": list(bank.topics), "questions": [asdict(q) for q in bank.questions]}
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        temporary = entry.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, entry)
    except OSError:
        pass  # a cache that cannot be written only costs the parse next time
    return bank


def open_bank_cached(path: Path | str | None, settings) -> QuestionBank:
    """``bank.open_bank``, kept parsed in ``settings.bank_cache_dir`` (the practice UI's start-up)."""
    return load_bank_cached(chosen_bank_path(path, settings), settings.bank_cache_dir)

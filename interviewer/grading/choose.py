"""Choosing a grader from settings: the offline grader always, the LLM grader when a key is set."""

from __future__ import annotations

from typing import Literal

from interviewer.grading.interface import Grader
from interviewer.settings import Settings

GraderKind = Literal["auto", "llm", "offline"]


def make_offline_grader() -> Grader:
    from interviewer.grading.offline.grader import OfflineGrader

    return OfflineGrader()


def make_grader(settings: Settings, kind: GraderKind = "auto") -> Grader:
    """The grader for ``kind``: ``auto`` and ``offline`` as ``Settings.grading_mode`` decides;
    ``llm`` insists (without a key it raises LLMConfigError, for ``eval --grader llm``).

    The LLM grader module (and through it ``openai``) is imported only here,
    only when an LLM grader is wanted.
    """
    if kind != "llm" and settings.grading_mode(kind) == "offline":
        return make_offline_grader()
    from interviewer.grading.llm.grader import make_llm_grader

    return make_llm_grader(settings, fallback=make_offline_grader())

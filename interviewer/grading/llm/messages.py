"""What the LLM grader sends: its prompts, the grading and follow-up messages, the answer marked as untrusted.

Pure and cheap (no ``openai``, no tokenizer): the benchmark of prompt sizes and
the tests build messages with these functions exactly as the grader does. The
system prompt is the same for every question (a cache-friendly prefix); the
question, reference, key points, context and answer all go in the user message,
the answer (and an earlier answer) passed through ``injection.mark_untrusted``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interviewer.grading.interface import Grade, GradingItem
from interviewer.grading.llm.prompts import Prompt, combined_hash, load_prompt

#: Each prompt and the placeholders the code fills (exactly these).
PROMPT_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "grader_system": frozenset(),
    "grader_user": frozenset({"question", "reference", "key_points", "context", "answer"}),
    "grader_context": frozenset({"question", "answer"}),
    "repair_user": frozenset({"problems"}),
    "followup_system": frozenset(),
    "followup_user": frozenset({"question", "answer", "missed_point"}),
}


@dataclass(frozen=True)
class GraderPrompts:
    """The prompts the LLM grader uses, loaded and checked once, before any request."""

    system: Prompt
    user: Prompt
    context: Prompt
    repair: Prompt
    followup_system: Prompt
    followup_user: Prompt

    @classmethod
    def load(cls, override_dir=None) -> "GraderPrompts":
        loaded = {}
        for name, placeholders in PROMPT_PLACEHOLDERS.items():
            prompt = load_prompt(name, override_dir)
            prompt.check(placeholders)
            loaded[name] = prompt
        return cls(
            system=loaded["grader_system"],
            user=loaded["grader_user"],
            context=loaded["grader_context"],
            repair=loaded["repair_user"],
            followup_system=loaded["followup_system"],
            followup_user=loaded["followup_user"],
        )

    @property
    def grading_hash(self) -> str:
        """The hash stored with every grade: the prompts that shape a grade."""
        return combined_hash(self.system, self.user, self.context, self.repair)


@dataclass(frozen=True)
class GradingRequest:
    """What is sent to grade one answer: the messages, their counted prompt tokens (None: not
    counted), and notes for the grade."""

    messages: list[dict[str, str]]
    prompt_tokens: int | None
    notes: tuple[str, ...] = ()


def untrusted(text: str) -> str:
    """``injection.mark_untrusted``: it turns every ``<`` into ``‹``, so no delimiter tag survives in the answer."""
    from interviewer.grading.injection import mark_untrusted  # compiles the injection rules: not on import

    return mark_untrusted(text)


def render_key_points(points: tuple[str, ...]) -> str:
    if not points:
        return "(none given: judge against the reference answer and list the points you checked)"
    return "\n".join(f"{number}. {point}" for number, point in enumerate(points, 1))


def build_grading_messages(prompts: GraderPrompts, item: GradingItem, answer: str) -> list[dict[str, str]]:
    """System prompt (the same for every question) then one user message with everything else."""
    context = ""
    if item.context is not None:
        context = prompts.context.render(
            question=item.context.question, answer=untrusted(item.context.answer)
        )
    user = prompts.user.render(
        context=context,
        question=item.question.strip(),
        reference=item.reference.strip() or "(none given)",
        key_points=render_key_points(item.key_points),
        answer=untrusted(answer),
    )
    return [{"role": "system", "content": prompts.system.text}, {"role": "user", "content": user}]


def build_follow_up_messages(prompts: GraderPrompts, item: GradingItem, missed_point: str) -> list[dict[str, str]]:
    """Ask for one follow-up question that probes ``missed_point``."""
    user = prompts.followup_user.render(
        question=item.question.strip(), answer=untrusted(item.answer), missed_point=missed_point
    )
    return [{"role": "system", "content": prompts.followup_system.text}, {"role": "user", "content": user}]


def follow_up_target(grade: Grade) -> str | None:
    """The key point a follow-up should probe: the first missed or contradicted, else the first partial."""
    if grade.failed:
        return None
    for verdicts in (("contradicted", "missed"), ("partial",)):
        for result in grade.key_points:
            if result.verdict in verdicts:
                return result.point
    return None


_QUESTION_PREFIX = re.compile(r"^\s*(?:follow[- ]?up(?: question)?|question|interviewer)\s*[:\-]\s*", re.IGNORECASE)


def clean_follow_up(text: str) -> str | None:
    """One question from the model's reply, or None when the reply is not a usable question."""
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    if not lines:
        return None
    question = _QUESTION_PREFIX.sub("", lines[0]).strip().strip('"“”\'*').strip()
    if len(question) < 8 or len(question) > 400:
        return None
    return question

"""The LLM grader: prompts in, a checked ``Grade`` out, over any OpenAI-compatible chat server.

Pure logic: sends the messages ``llm_messages`` builds, checks the
judge's JSON in code (one repair request, one retry with more room when cut
off), streams the feedback, flags suspicious answers and grades, records
tokens and cost, and caches good grades. ``openai`` is imported only by
``make_llm_grader`` (through ``interviewer.grading.llm.adapter``).

``grade`` never raises for a bad answer or a server fault (it returns a failed
``Grade`` saying why, ``retryable`` for 429/5xx/timeouts); it raises
``LLMConfigError`` only when the configuration cannot work at all (no or wrong
key, unknown model, unreachable server), so a run can stop with one message.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from interviewer.errors import LLMConfigError, UserError
from interviewer.grading.interface import (
    VERDICT_CREDIT,
    FeedbackListener,
    Grade,
    Grader,
    GradingItem,
    KeyPointResult,
    TokenUsage,
    failed_grade,
    zero_grade,
)
from interviewer.grading.llm.judge import GRADE_SCHEMA, FeedbackExtractor, extract_json_object, validate_judgement
from interviewer.grading.llm.chat import ChatClient, ChatReply, ChatUnavailable, RateLimitInfo
from interviewer.grading.llm.messages import (  # noqa: F401  (re-exported for callers of the grader)
    PROMPT_PLACEHOLDERS,
    GraderPrompts,
    GradingRequest,
    build_follow_up_messages,
    build_grading_messages,
    clean_follow_up,
    follow_up_item,
    follow_up_target,
)
from interviewer.settings import Settings

GRADER_VERSION = "llm-1"
FOLLOW_UP_MAX_TOKENS = 120
#: How much of an unusable reply is echoed back in the repair request.
REPAIR_ECHO_CHARS = 4000
#: A score this far above what the checklist supports is flagged for review.
CHECKLIST_SLACK = 4.5

NO_KEY_MESSAGE = (
    "No OPENAI_API_KEY set: set OPENAI_API_KEY in the environment or .env "
    "(and OPENAI_BASE_URL for a local server), or run with --offline."
)


def checklist_flag(score: float, key_points: tuple[KeyPointResult, ...]) -> str | None:
    """A flag when the score is far above what the judge's own checklist supports."""
    if not key_points:
        return None
    covered = sum(VERDICT_CREDIT.get(k.verdict, 0.0) for k in key_points)
    supported = 10.0 * covered / len(key_points)
    if score > supported + CHECKLIST_SLACK:
        return (
            f"score {score:g} does not follow from the checklist "
            f"({covered:g} of {len(key_points)} key points covered); review this grade"
        )
    return None


def fits_token_budget(text: str, budget: int) -> bool:
    """True when ``text`` surely fits in ``budget`` tokens without counting: a token is at least
    one byte (tiktoken), and the estimate never gives more tokens than bytes from two bytes up."""
    return budget >= 2 and len(text) <= budget and len(text.encode("utf-8")) <= budget


def context_key(item: GradingItem) -> str:
    """Everything besides question and answer that changes a grade, for the cache key."""
    return json.dumps(
        {
            "reference": item.reference,
            "key_points": list(item.key_points),
            "context": None if item.context is None else [item.context.question, item.context.answer],
        },
        sort_keys=True,
    )


#: ``LLMGrader(cache=DEFAULT_CACHE)``: a ``GradeCache`` at ``settings.cache_path``, opened on first use.
DEFAULT_CACHE = "default"


class LLMGrader:
    """Grades with a chat model. Concurrency-safe: a batch may run many ``grade`` calls at once.

    ``client``: any ``ChatClient`` (the real one is ``OpenAIChatClient``).
    ``fallback``: the offline grader; its score on the same item is compared with
    the LLM's (a far higher LLM score is flagged), and callers may grade with it
    when the LLM fails. ``cache``: ``DEFAULT_CACHE``, None (no cache), or any
    object with ``get(key)``/``put(key, grade)``.
    """

    name = "llm"
    version = GRADER_VERSION

    def __init__(
        self,
        settings: Settings,
        client: ChatClient,
        *,
        fallback: Grader | None = None,
        prompts: GraderPrompts | None = None,
        cache: Any = DEFAULT_CACHE,
    ):
        self.settings = settings
        self.client = client
        self.fallback = fallback
        self.prompts = prompts or GraderPrompts.load(settings.prompts_dir)
        self.model = getattr(client, "model", settings.model)
        self.prompt_hash = self.prompts.grading_hash
        self._cache = cache

    async def aclose(self) -> None:
        """Close the client's connections; call it (or use ``async with``) before the event loop ends."""
        close = getattr(self.client, "aclose", None)
        if close is not None:
            await close()
        cache_close = getattr(self._cache, "close", None)
        if cache_close is not None:
            cache_close()

    async def __aenter__(self) -> "LLMGrader":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    @property
    def rate_limit(self) -> RateLimitInfo | None:
        """The server's latest rate-limit facts (for the batch scheduler)."""
        return getattr(self.client, "rate_limit", None)

    # -- cache ---------------------------------------------------------------------------

    def disable_cache(self) -> None:
        """Grade without the cache from now on (a batch: its output file already says what is
        done, and an SQLite read and write per answer would slow every request down)."""
        cache, self._cache = self._cache, None
        close = getattr(cache, "close", None)
        if close is not None:
            close()

    def _grade_cache(self):
        if isinstance(self._cache, str) and self._cache == DEFAULT_CACHE:
            try:
                from interviewer.grading.llm.cache import GradeCache

                self._cache = GradeCache(self.settings.cache_path)
            except (OSError, UserError, ImportError):
                self._cache = None
        return self._cache

    def cache_key(self, item: GradingItem) -> str:
        from interviewer.grading.llm.cache import cache_key

        # The same model name on two servers is two models; a different answer
        # budget cuts the answer differently: both are part of the key.
        server = self.settings.base_url or "openai"
        model = f"{self.model}@{server}#answer-budget={self.settings.answer_token_budget}"
        return cache_key(model, self.prompt_hash, item.question, item.answer, context_key(item))

    async def _cached(self, key: str | None) -> Grade | None:
        cache = self._grade_cache()
        if cache is None or key is None:
            return None
        try:  # a thread: an SQLite read or commit must not stall other grades' streams
            found = await asyncio.to_thread(cache.get, key)
        except Exception:  # a broken cache never stops grading
            return None
        if found is None or found.failed:
            return None
        # Served without a request: it cost nothing this time (totals must not count it twice).
        return replace(found, cached=True, usage=None, cost_usd=0.0)

    async def _store(self, key: str | None, grade: Grade) -> None:
        cache = self._grade_cache()
        if cache is None or key is None or grade.failed:
            return
        try:
            await asyncio.to_thread(cache.put, key, grade)
        except Exception:
            pass

    # -- tokens ----------------------------------------------------------------------------

    async def prepare(self, item: GradingItem, *, count: bool = True) -> GradingRequest:
        """The messages for ``item`` (answer cut to the token budget), their token count (only
        with ``count``: grading counts them only if the server reports no usage), and notes."""
        budget = self.settings.answer_token_budget
        if fits_token_budget(item.answer, budget):
            answer, truncated = item.answer, False  # no tokenizer, no thread: most answers
        else:
            from interviewer.grading.llm.tokens import truncate_to_token_budget

            answer, truncated = await asyncio.to_thread(
                truncate_to_token_budget, item.answer, budget, self.model, self.settings
            )
        notes = (f"answer truncated to {budget} tokens",) if truncated else ()
        messages = build_grading_messages(self.prompts, item, answer)
        return GradingRequest(messages, await self.count_tokens(messages) if count else None, notes)

    async def count_tokens(self, messages: list[dict[str, str]]) -> int:
        from interviewer.grading.llm.tokens import count_message_tokens

        return await asyncio.to_thread(count_message_tokens, messages, self.model, self.settings)

    async def _usage(self, reply: ChatReply, messages: list[dict[str, str]], counted: int | None) -> tuple[TokenUsage, bool]:
        """The reply's usage, or an estimate (True) when the server did not report it."""
        if reply.usage is not None:
            return reply.usage, False
        prompt = counted if counted is not None else await self.count_tokens(messages)
        completion = await self.count_tokens([{"role": "assistant", "content": reply.text}])
        return TokenUsage(prompt, completion), True

    def _cost(self, usage: TokenUsage) -> tuple[float | None, str | None]:
        from interviewer.grading.llm.pricing import estimate_cost

        try:
            return estimate_cost(self.model, usage, self.settings), None
        except UserError as error:
            return None, f"cost unknown: {error}"

    # -- grading -----------------------------------------------------------------------------

    def _failed(self, error: str, **extra: Any) -> Grade:
        return failed_grade(self.name, self.version, error, model=self.model, prompt_hash=self.prompt_hash, **extra)

    async def grade(self, item: GradingItem, on_feedback: FeedbackListener | None = None) -> Grade:
        from interviewer.grading.injection import earlier_answer_flags, find_injection_flags

        flags = find_injection_flags(item.answer) + earlier_answer_flags(item)
        if not item.answer.strip():
            grade = self._empty_answer(item).with_flags(*flags)
            return grade.with_notes("hint used") if item.hinted_points else grade

        key = self.cache_key(item) if self._grade_cache() is not None else None
        grade = await self._cached(key)
        if grade is None:
            request = await self.prepare(item, count=False)
            grade = await self._ask(item, request, on_feedback)
            grade = grade.with_notes(*request.notes).with_flags(*flags)
            if not grade.failed:
                grade = await self._review_flags(item, grade)
                await self._store(key, grade)
        return grade.with_notes("hint used") if item.hinted_points else grade

    def _empty_answer(self, item: GradingItem) -> Grade:
        return zero_grade(
            self.name,
            self.version,
            "No answer was given.",
            item.key_points,
            model=self.model,
            prompt_hash=self.prompt_hash,
            notes=("empty answer: graded without a request",),
        )

    async def _review_flags(self, item: GradingItem, grade: Grade) -> Grade:
        """Flags from code, not the model: a score the checklist does not support, or far above offline."""
        extra: list[str] = []
        flag = checklist_flag(grade.score, grade.key_points)
        if flag:
            extra.append(flag)
        if self.fallback is not None:
            try:
                offline = await self.fallback.grade(item)
            except Exception:  # the cross-check must never break a good grade
                offline = None
            if offline is not None and not offline.failed:
                from interviewer.grading.injection import score_divergence_flag

                divergence = score_divergence_flag(grade.score, offline.score)
                if divergence:
                    extra.append(divergence)
        return grade.with_flags(*extra) if extra else grade

    async def _ask(self, item: GradingItem, request: GradingRequest, on_feedback) -> Grade:
        """Request, check, repair once, retry once with more room; always returns a Grade."""
        messages = request.messages
        usage_total = TokenUsage()
        estimated = False
        max_tokens = self.settings.max_output_tokens
        conversation = messages
        stream_to = on_feedback
        length_retried = repaired = False
        notes: list[str] = []

        def finish(grade: Grade) -> Grade:
            cost, cost_note = self._cost(usage_total)
            all_notes = notes + (["token usage estimated"] if estimated else []) + ([cost_note] if cost_note else [])
            return replace(grade, usage=usage_total, cost_usd=cost).with_notes(*all_notes)

        while True:
            extractor = FeedbackExtractor() if stream_to is not None else None
            on_delta = None
            if extractor is not None:

                def on_delta(delta: str, _extractor=extractor, _listener=stream_to) -> Any:
                    text = _extractor.feed(delta)
                    return _listener(text) if text else None  # the adapter awaits an async listener

            try:
                reply = await self.client.complete(
                    conversation, json_schema=GRADE_SCHEMA, max_tokens=max_tokens, on_delta=on_delta
                )
            except ChatUnavailable as fault:
                return finish(
                    self._failed(fault.message, retryable=fault.retryable, retry_after_s=fault.retry_after_s)
                )
            usage, guessed = await self._usage(
                reply, conversation, request.prompt_tokens if conversation is messages else None
            )
            usage_total += usage
            estimated = estimated or guessed
            stream_to = None  # a second request is never streamed: its text would repeat the first

            if reply.refusal:
                return finish(self._failed(f"the model refused to grade this answer: {reply.refusal.strip()}"))
            if reply.finish_reason == "content_filter":
                return finish(self._failed("the server's content filter stopped the grade"))
            if reply.finish_reason == "length":
                if not length_retried:
                    length_retried = True
                    notes.append(f"reply cut off at {max_tokens} tokens; asked again with {max_tokens * 2}")
                    max_tokens *= 2
                    continue
                return finish(
                    self._failed(
                        f"the model's reply was cut off at {max_tokens} output tokens twice; "
                        "raise INTERVIEWER_MAX_OUTPUT_TOKENS"
                    )
                )

            judgement, problems = validate_judgement(extract_json_object(reply.text), item)
            if judgement is not None:
                if repaired:
                    notes.append("the first reply was repaired")
                return finish(
                    Grade(
                        score=judgement.score,
                        feedback=judgement.feedback,
                        grader=self.name,
                        grader_version=self.version,
                        criteria=judgement.criteria,
                        key_points=judgement.key_points,
                        model=self.model,
                        prompt_hash=self.prompt_hash,
                    )
                )
            if repaired:
                return finish(
                    self._failed(
                        "the model's reply was not a valid grade, even after one repair request: "
                        + "; ".join(problems)
                    )
                )
            repaired = True
            conversation = [
                *messages,
                {"role": "assistant", "content": reply.text[:REPAIR_ECHO_CHARS]},
                {"role": "user", "content": self.prompts.repair.render(problems="; ".join(problems))},
            ]

    # -- follow-ups --------------------------------------------------------------------------

    async def follow_up(self, item: GradingItem, grade: Grade) -> str | None:
        """One follow-up question probing the most important missed key point, or None
        (nothing missed, or the call failed: the caller then uses the bank's follow-up)."""
        target = follow_up_target(grade)
        if target is None:
            return None
        messages = build_follow_up_messages(self.prompts, item, target)
        try:
            reply = await self.client.complete(messages, max_tokens=FOLLOW_UP_MAX_TOKENS)
        except (ChatUnavailable, LLMConfigError):
            return None
        if reply.refusal or reply.finish_reason not in (None, "stop", "length"):
            return None
        return clean_follow_up(reply.text)


def make_llm_grader(settings: Settings, fallback: Grader | None = None, *, cache: Any = DEFAULT_CACHE) -> LLMGrader:
    """The LLM grader for ``settings``; raises LLMConfigError without a key, PromptError for a bad prompt.

    ``cache=None`` grades without the grade cache (a batch, whose output file is its resume store)."""
    if not settings.api_key:
        raise LLMConfigError(NO_KEY_MESSAGE)
    prompts = GraderPrompts.load(settings.prompts_dir)
    import interviewer.grading.injection  # noqa: F401  (compiles its rules: here, not inside the first grade)
    from interviewer.grading.llm.adapter import OpenAIChatClient

    return LLMGrader(settings, OpenAIChatClient(settings), fallback=fallback, prompts=prompts, cache=cache)

"""The LLM grader: prompts in, a checked ``Grade`` out, over any OpenAI-compatible chat server.

Pure logic: sends the messages ``messages`` builds, turns each reply into a
grade through the one judge step (``judging.judge``: one repair request when a
reply is unusable or cut off, within the same output bound), streams the
feedback, runs the code-side checks (``judging.check_grade``), records tokens
and cost, and caches good grades. ``openai`` is imported only by
``make_llm_grader`` (through ``interviewer.grading.llm.adapter``).

``grade`` never raises for a bad answer or a server fault (it returns a failed
``Grade`` saying why, ``retryable`` for 429/5xx/timeouts); it raises
``LLMConfigError`` only when the configuration cannot work at all (no or wrong
key, unknown model, unreachable server), so a run can stop with one message.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from typing import Any, Protocol, runtime_checkable

from interviewer.errors import LLMConfigError, UserError
from interviewer.grading.interface import (
    Closes,
    FeedbackListener,
    Grade,
    Grader,
    GradingItem,
    TokenUsage,
    zero_grade,
)
from interviewer.grading.llm.audit import grade_outcome
from interviewer.grading.llm.config_check import NO_KEY_MESSAGE  # noqa: F401  (re-exported)
from interviewer.grading.llm.judge import FeedbackExtractor, grade_schema
from interviewer.grading.llm.judging import (  # noqa: F401  (GRADER_VERSION, checklist_flag: re-exported)
    CHECKLIST_SLACK,
    GRADER_VERSION,
    GradeOrigin,
    check_grade,
    checklist_flag,
    combine_samples,
    judge,
    without_item_notes,
)
from interviewer.grading.llm.chat import ChatClient, ChatReply, ChatUnavailable, RateLimitInfo
from interviewer.grading.llm.messages import (  # noqa: F401  (re-exported for callers of the grader)
    PROMPT_PLACEHOLDERS,
    GraderPrompts,
    GradingRequest,
    build_follow_up_messages,
    build_grading_messages,
    clean_follow_up,
    follow_up_target,
)
from interviewer.safe_text import without_credentials
from interviewer.settings import Settings

FOLLOW_UP_MAX_TOKENS = 120
#: Timeouts or lost connections in a row (no reply between them) that stop a run.
BREAKER_LIMIT = 5
#: How much of an unusable reply is echoed back in the repair request.
REPAIR_ECHO_CHARS = 4000


def _ignore_delta(delta: str) -> None:
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
        audit: Any = DEFAULT_CACHE,
    ):
        self.settings = settings
        self.client = client
        self.fallback = fallback
        self.prompts = prompts or GraderPrompts.load(settings.prompts_dir)
        self.model = client.model or settings.model
        self.prompt_hash = self.prompts.grading_hash
        self._cache = cache
        self._down_in_a_row = 0
        self._stream_everything = False
        #: The audit log of every request (``audit.AuditLog``; the default is the one under the home
        #: folder, None keeps no log).
        if isinstance(audit, str) and audit == DEFAULT_CACHE:
            from interviewer.grading.llm.audit import LOG_FILE, AuditLog

            audit = AuditLog(settings.home / LOG_FILE, settings.api_key)
        self.audit = audit

    async def aclose(self) -> None:
        """Close the client's connections; call it (or use ``async with``) before the event loop ends."""
        if isinstance(self.client, Closes):
            await self.client.aclose()
        _close_cache(self._cache)
        if self.audit is not None:
            await asyncio.to_thread(self.audit.close)

    async def __aenter__(self) -> "LLMGrader":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    @property
    def rate_limit(self) -> RateLimitInfo | None:
        """The server's latest rate-limit facts (for the batch scheduler)."""
        return self.client.rate_limit

    # -- cache ---------------------------------------------------------------------------

    def disable_cache(self) -> None:
        """Grade without the cache from now on (a batch: its output file already says what is
        done, and an SQLite read and write per answer would slow every request down)."""
        cache, self._cache = self._cache, None
        _close_cache(cache)

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
        if self.settings.samples > 1:
            model += f"#samples={self.settings.samples}"
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

    async def grade(self, item: GradingItem, on_feedback: FeedbackListener | None = None) -> Grade:
        if not item.answer.strip():
            return check_grade(item, self._empty_answer(item))
        key = self.cache_key(item) if self._grade_cache() is not None else None
        cached = await self._cached(key)
        if cached is not None:
            return check_grade(item, cached)
        request = await self.prepare(item, count=False)
        grade = (await self._sampled(item, request, on_feedback)).with_notes(*request.notes)
        grade = check_grade(item, grade, None if grade.failed else await self._offline_score(item))
        if not grade.failed:
            await self._store(key, without_item_notes(grade))
        return grade

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

    async def _offline_score(self, item: GradingItem) -> float | None:
        """The offline grader's score on the same answer, for the cross-check (None without one)."""
        if self.fallback is None:
            return None
        try:
            offline = await self.fallback.grade(item)
        except Exception:  # the cross-check must never break a good grade
            return None
        return None if offline.failed else offline.score

    def _log(self, purpose: str, messages: list[dict[str, str]], reply: ChatReply | None, started: float,
             outcome: str) -> None:
        """One row of the audit log (``audit``) for one request."""
        if self.audit is not None:
            from interviewer.grading.llm.audit import request_entry

            server = without_credentials(self.settings.base_url or "api.openai.com")
            self.audit.record(request_entry(self.model, server, self.prompt_hash, purpose, messages, reply,
                                            time.monotonic() - started, outcome))

    def _count_outage(self, fault: ChatUnavailable) -> None:
        """The circuit breaker: after ``BREAKER_LIMIT`` timeouts or lost connections in a row (no
        reply between them), stop the run with one message instead of trying every answer."""
        if fault.cause == "timeout":
            # A server that overran a deadline may keep generating for a request nobody reads any
            # more (llama.cpp does, for a reply that is not streamed): stream from now on, so the
            # next deadline closes the stream and the server stops.
            self._stream_everything = True
        if not fault.server_down:
            self._down_in_a_row = 0
            return
        self._down_in_a_row += 1
        if self._down_in_a_row >= BREAKER_LIMIT:
            raise LLMConfigError(
                f"stopped: the LLM server at {without_credentials(self.settings.base_url or 'api.openai.com')} failed "
                f"{self._down_in_a_row} requests in a row with timeouts or lost connections (last: {fault.message}). "
                f"Check that it is running and answers within INTERVIEWER_TIMEOUT ({self.settings.timeout_s:g}s), "
                "or run with --offline; everything graded so far is kept."
            )

    def _listener(self, on_feedback: FeedbackListener | None):
        """A delta callback that passes on the new characters of the reply's feedback field."""
        if on_feedback is None:
            return None
        extractor = FeedbackExtractor()

        def on_delta(delta: str) -> Any:
            text = extractor.feed(delta)
            return on_feedback(text) if text else None  # the adapter awaits an async listener

        return on_delta

    async def _sampled(self, item: GradingItem, request: GradingRequest, on_feedback) -> Grade:
        """One judge call, or ``settings.samples`` of them combined (``judging.combine_samples``)."""
        count = max(1, self.settings.samples)
        if count == 1:
            return await self._ask(item, request, on_feedback)
        first = await self._ask(item, request, on_feedback, sample=0)
        if first.failed:
            return first
        others = await asyncio.gather(*(self._ask(item, request, None, sample=i) for i in range(1, count)))
        return combine_samples([first, *others])

    async def _ask(self, item: GradingItem, request: GradingRequest, on_feedback, sample: int | None = None) -> Grade:
        """Request, judge, and repair once when the reply is unusable; always returns a Grade."""
        messages = request.messages
        usage_total = TokenUsage()
        estimated = False
        conversation = messages
        on_delta = self._listener(on_feedback)
        if on_delta is None and self._stream_everything:
            on_delta = _ignore_delta
        origin = GradeOrigin(self.model, self.prompt_hash, self.name, self.version)
        notes: list[str] = []

        def finish(grade: Grade) -> Grade:
            cost, cost_note = self._cost(usage_total)
            all_notes = notes + (["token usage estimated"] if estimated else []) + ([cost_note] if cost_note else [])
            return replace(grade, usage=usage_total, cost_usd=cost).with_notes(*all_notes)

        schema = grade_schema(len(item.key_points))
        for attempt in ("first", "repair"):
            started = time.monotonic()
            try:
                reply = await self.client.complete(
                    conversation, json_schema=schema, max_tokens=self.settings.max_output_tokens,
                    on_delta=on_delta, **({} if sample is None else {"sample": sample}),
                )
            except (ChatUnavailable, LLMConfigError) as fault:
                self._log(attempt, conversation, None, started, f"failed: {fault}")
                if isinstance(fault, LLMConfigError):
                    raise
                self._count_outage(fault)
                return finish(origin.failed(fault.message, retryable=fault.retryable,
                                            retry_after_s=fault.retry_after_s))
            self._down_in_a_row = 0
            usage, guessed = await self._usage(
                reply, conversation, request.prompt_tokens if conversation is messages else None
            )
            usage_total += usage
            estimated = estimated or guessed
            judged = judge(item, reply, origin, repaired=attempt == "repair")
            self._log(attempt, conversation, reply, started, grade_outcome(judged.grade))
            if not judged.needs_repair or attempt == "repair":
                if attempt == "repair" and not judged.grade.failed:
                    notes.append("the first reply was repaired")
                return finish(judged.grade)
            # A repair streams (so a deadline closes it and the server can stop), to nobody:
            # its text would repeat what the listener already has.
            on_delta = _ignore_delta
            conversation = [
                *messages,
                {"role": "assistant", "content": reply.text[:REPAIR_ECHO_CHARS]},
                {"role": "user", "content": self.prompts.repair.render(problems="; ".join(judged.problems))},
            ]
        raise AssertionError("unreachable")

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


@runtime_checkable
class _ClosableCache(Protocol):
    def close(self) -> None: ...


def _close_cache(cache: object) -> None:
    """Close an opened grade cache (the ``DEFAULT_CACHE`` marker and None have nothing to close)."""
    if isinstance(cache, _ClosableCache):
        cache.close()


def make_llm_grader(settings: Settings, fallback: Grader | None = None, *, cache: Any = DEFAULT_CACHE,
                    batch: bool = False) -> LLMGrader:
    """The LLM grader for ``settings``; raises LLMConfigError without a key, PromptError for a bad prompt.

    ``cache=None`` grades without the grade cache (a batch, whose output file is its resume store).
    ``batch``: built for many requests, soon: replies that are not streamed go through the
    adapter's plain HTTP client, and the injection rules (needed once the first reply is
    judged, 0.1-0.3 s to compile) compile in a thread while the first requests go out."""
    from interviewer.grading.llm.config_check import check_llm_settings

    check_llm_settings(settings)
    prompts = GraderPrompts.load(settings.prompts_dir)
    if not batch:
        import interviewer.grading.injection  # noqa: F401  (compiles its rules: here, not inside the first grade)
    from interviewer.grading.llm.adapter import OpenAIChatClient

    client = OpenAIChatClient(settings, plain_http=batch)
    grader = LLMGrader(settings, client, fallback=fallback, prompts=prompts, cache=cache)
    if batch:
        import importlib
        import threading

        threading.Thread(target=importlib.import_module, args=("interviewer.grading.injection",), daemon=True,
                         name="compile-injection-rules").start()
    return grader

"""Grading through the OpenAI Batch API (``interviewer grade --batch-api``): half price, results within 24 h.

1. Every answer still to grade becomes one chat-completion request (the same prompts and JSON
   schema as live grading) with ``custom_id`` = the answer's key, in a JSONL file; the answers
   themselves go to a side file, so collecting needs neither the inputs nor stdin again.
2. The file is uploaded (purpose ``batch``) and a batch is created (``/v1/chat/completions``,
   window ``24h``); its id is saved in ``<out>.batch.json`` at once.
3. The batch is polled until it ends; Ctrl+C is safe: running again (``--resume``) picks the
   saved batch up instead of submitting a second one.
4. The output and error files are downloaded, joined on ``custom_id``, each reply checked as
   a live reply is (the judge step, ``grading.llm.judging``), and one record per answer appended to the output.
   Answers the batch did not reach (expired, cancelled) get no record: the next run sends them.

The HTTP side is ``interviewer.grading.llm.adapter.OpenAIBatchService`` (the one module that
imports ``openai``); tests pass any object with the same four methods.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

from interviewer.batch.items import InputItem
from interviewer.batch.matching import Match
from interviewer.batch.records import NO_REFERENCE_NOTE, answer_record
from interviewer.batch.runner import BatchRun, Entry, OutputWriter
from interviewer.errors import UserError
from interviewer.grading.interface import FollowUpContext, Grade, GradingItem, TokenUsage, failed_grade, zero_grade
from interviewer.grading.llm.chat import SEED, ChatReply, MalformedReply, reply_from_completion
from interviewer.settings import Settings

ENDPOINT = "/v1/chat/completions"
TERMINAL = ("completed", "failed", "expired", "cancelled")
POLL_START_S, POLL_MAX_S = 5.0, 60.0


class BatchService(Protocol):
    """Files and batches on the server (``OpenAIBatchService`` in the adapter)."""

    def upload(self, path: Path) -> str: ...
    def create(self, input_file_id: str, metadata: dict[str, str]) -> dict[str, Any]: ...
    def retrieve(self, batch_id: str) -> dict[str, Any]: ...
    def content(self, file_id: str) -> bytes: ...


def side_paths(out_path: Path) -> tuple[Path, Path, Path]:
    """The state file (batch id), the answers waiting for the batch, and the uploaded requests."""
    out_path = Path(out_path)
    return (out_path.with_name(out_path.name + ".batch.json"),
            out_path.with_name(out_path.name + ".batch-items.jsonl"),
            out_path.with_name(out_path.name + ".batch-requests.jsonl"))


def load_state(path: Path) -> dict[str, Any] | None:
    try:
        state = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise UserError(f"{path}: cannot read the saved batch state ({error}); delete it to submit anew") from None
    if not isinstance(state, dict) or not isinstance(state.get("batch_id"), str):
        raise UserError(f"{path}: no batch id in the saved batch state; delete it to submit anew")
    return state


def save_state(path: Path, state: dict[str, Any]) -> None:
    temporary = Path(str(path) + ".tmp")
    temporary.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


# --------------------------------------------------------------------------- requests


def build_request(key: str, messages: list[dict[str, str]], model: str, max_tokens: int,
                  points: int = 0) -> dict[str, Any]:
    """One Batch API line; ``points``: the item's key points, which the schema's checklist must match."""
    from interviewer.grading.llm.judge import grade_schema

    return {
        "custom_id": key,
        "method": "POST",
        "url": ENDPOINT,
        "body": {
            "model": model,
            "messages": messages,
            "temperature": 0,
            "seed": SEED,
            "max_tokens": max_tokens,
            "response_format": {"type": "json_schema", "json_schema": grade_schema(points)},
        },
    }


def _grading_to_json(grading: GradingItem) -> dict[str, Any]:
    return asdict(grading)


def _grading_from_json(data: dict[str, Any]) -> GradingItem:
    context = data.get("context")
    return GradingItem(
        question=data["question"], answer=data["answer"], reference=data.get("reference", ""),
        key_points=tuple(data.get("key_points") or ()), question_id=data.get("question_id"),
        topic=data.get("topic"), context=FollowUpContext(**context) if context else None,
        hinted_points=tuple(data.get("hinted_points") or ()),
        point_kinds=tuple(data.get("point_kinds") or ()), model_answer=data.get("model_answer") or "",
    )


def _item_from_json(data: dict[str, Any]) -> InputItem:
    values = dict(data)
    for name in ("key_points", "hinted_points"):
        values[name] = tuple(values.get(name) or ())
    return InputItem(**values)


def prepare_requests(batch: BatchRun, entries: Iterable[Entry], settings: Settings,
                     items_path: Path, requests_path: Path) -> int:
    """Write the request file and the side file for every answer still to grade; return how many."""
    from interviewer.grading.llm.messages import GraderPrompts, build_grading_messages
    from interviewer.grading.llm.tokens import truncate_to_token_budget

    from interviewer.grading.llm.grader import GRADER_VERSION

    prompts = GraderPrompts.load(settings.prompts_dir)
    count = 0
    with OutputWriter(batch.out_path) as writer, open(items_path, "w", encoding="utf-8") as items, \
            open(requests_path, "w", encoding="utf-8") as requests:
        for item, match, grading in batch.pending(entries, writer):
            if not item.answer.strip():
                grade = zero_grade("llm", GRADER_VERSION, "No answer was given.", grading.key_points,
                                   model=settings.model, notes=("empty answer: graded without a request",))
                batch.write_record(writer, answer_record(item, match, grading, grade, delivery=batch.delivery(item)))
                continue
            answer, truncated = truncate_to_token_budget(item.answer, settings.answer_token_budget,
                                                         settings.model, settings)
            messages = build_grading_messages(prompts, grading, answer)
            request = build_request(item.key, messages, settings.model, settings.max_output_tokens,
                                    len(grading.key_points))
            requests.write(json.dumps(request, ensure_ascii=False) + "\n")
            side = {"item": asdict(item), "match": match.to_dict(), "grading": _grading_to_json(grading),
                    "truncated": truncated}
            items.write(json.dumps(side, ensure_ascii=False) + "\n")
            count += 1
    return count


# --------------------------------------------------------------------------- results


def parse_results(*contents: bytes) -> dict[str, tuple[ChatReply | None, str | None]]:
    """``custom_id`` -> (the reply, or None and why not) from batch output and error files."""
    results: dict[str, tuple[ChatReply | None, str | None]] = {}
    for content in contents:
        for raw in (content or b"").splitlines():
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
                continue
            results[line["custom_id"]] = _reply_of(line)
    return results


def _reply_of(line: dict[str, Any]) -> tuple[ChatReply | None, str | None]:
    error = line.get("error")
    response = line.get("response") or {}
    status = response.get("status_code")
    body = response.get("body") or {}
    if error or (status is not None and status != 200):
        detail = error or body.get("error") or {}
        message = detail.get("message") if isinstance(detail, dict) else str(detail)
        return None, f"the batch request failed (HTTP {status}): {message or 'no detail'}"
    try:
        return reply_from_completion(body, mode="json_schema"), None
    except MalformedReply as fault:
        return None, f"the batch returned a malformed response ({fault})"


def grade_from_reply(reply: ChatReply, item: GradingItem, model: str, prompt_hash: str | None,
                     settings: Settings, offline=None) -> Grade:
    """A batch reply through the same judge step and code-side checks as a live reply; a bad
    reply fails (a batch cannot ask for a repair).

    ``offline``: a grader with ``grade_now`` for the cross-check live grading does."""
    from interviewer.grading.llm.judging import GradeOrigin, check_grade, judge

    cost, notes = _batch_cost(model, reply.usage, settings)
    grade = judge(item, reply, GradeOrigin(model, prompt_hash)).grade
    grade = replace(grade, usage=reply.usage, cost_usd=cost).with_notes(*notes, "graded through the Batch API")
    offline_score = None
    if offline is not None and item.has_reference and not grade.failed:
        other = offline.grade_now(item)
        offline_score = None if other.failed else other.score
    return check_grade(item, grade, offline_score)


def _batch_cost(model: str, usage: TokenUsage | None, settings: Settings) -> tuple[float | None, tuple[str, ...]]:
    if usage is None:
        return None, ()
    try:
        from interviewer.grading.llm.pricing import estimate_cost

        return estimate_cost(model, usage, settings, batch=True), ()
    except (UserError, ImportError) as error:
        return None, (f"cost unknown: {error}",)


def collect(batch: BatchRun, settings: Settings, state: dict[str, Any], info: dict[str, Any],
            service: BatchService, items_path: Path) -> tuple[int, int]:
    """Write a record for every answer the batch answered; return (written, not reached)."""
    from interviewer.grading.choose import make_offline_grader
    from interviewer.grading.llm.grader import GRADER_VERSION

    contents = [service.content(info[name]) for name in ("output_file_id", "error_file_id") if info.get(name)]
    results = parse_results(*contents)
    offline = make_offline_grader()
    written = missing = 0
    with OutputWriter(batch.out_path) as writer, open(items_path, encoding="utf-8") as items:
        for raw in items:
            side = json.loads(raw)
            item = _item_from_json(side["item"])
            if item.key in batch.done:
                continue
            if item.key not in results:
                missing += 1
                continue
            grading = _grading_from_json(side["grading"])
            kind = side["match"]
            match = Match(None, kind.get("kind", "none"), float(kind.get("confidence", 0.0)), kind.get("note", ""))
            reply, error = results[item.key]
            if reply is None:
                grade = failed_grade("llm", GRADER_VERSION, error or "no reply", model=state.get("model"))
            else:
                grade = grade_from_reply(reply, grading, state.get("model") or settings.model,
                                         state.get("prompt_hash"), settings, offline)
            if side.get("truncated"):
                grade = grade.with_notes(f"answer truncated to {settings.answer_token_budget} tokens")
            flags = () if grading.has_reference else (NO_REFERENCE_NOTE,)
            batch.write_record(writer, answer_record(item, match, grading, grade, delivery=batch.delivery(item),
                                               extra_flags=flags))
            written += 1
    return written, missing


# --------------------------------------------------------------------------- the whole run


def run_batch_api(batch: BatchRun, entries: Iterable[Entry], settings: Settings, *, resume: bool = False,
                  say: Callable[[str], None] = print, service: BatchService | None = None,
                  poll_start_s: float = POLL_START_S, poll_max_s: float = POLL_MAX_S,
                  sleep: Callable[[float], None] = time.sleep) -> str:
    """Submit (or pick up) a batch, wait for it, write its records; return the batch's final status."""
    state_path, items_path, requests_path = side_paths(batch.out_path)
    state = load_state(state_path)
    if service is None:
        from interviewer.grading.llm.adapter import OpenAIBatchService
        from interviewer.grading.llm.config_check import check_llm_settings

        check_llm_settings(settings)

        service = OpenAIBatchService(settings)
    if state is None:
        count = prepare_requests(batch, entries, settings, items_path, requests_path)
        if count == 0:
            items_path.unlink(missing_ok=True)
            requests_path.unlink(missing_ok=True)
            say("interviewer: nothing to send to the Batch API: every answer is already in the output")
            return "empty"
        file_id = service.upload(requests_path)
        info = service.create(file_id, {"tool": "interviewer", "output": batch.out_path.name[:500]})
        from interviewer.grading.llm.messages import GraderPrompts

        state = {"batch_id": info["id"], "input_file_id": file_id, "model": settings.model, "requests": count,
                 "prompt_hash": GraderPrompts.load(settings.prompts_dir).grading_hash,
                 "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        save_state(state_path, state)
        requests_path.unlink(missing_ok=True)
        say(f"interviewer: submitted batch {info['id']} ({count} answers); waiting for it. "
            f"Ctrl+C is safe: run the same command with --resume to collect the results later.")
    else:
        say(f"interviewer: picking up batch {state['batch_id']} ({state.get('requests', '?')} answers) "
            f"from {state_path}" + ("" if resume else " (a submitted batch is never sent twice)"))
    info = wait_for(service, state["batch_id"], say, poll_start_s, poll_max_s, sleep)
    status = info.get("status", "unknown")
    if status == "failed":
        state_path.unlink(missing_ok=True)
        errors = (info.get("errors") or {}).get("data") or []
        detail = "; ".join(str(e.get("message")) for e in errors if isinstance(e, dict)) or "no detail given"
        raise UserError(f"batch {state['batch_id']} failed: {detail}. Run again to submit a new batch.")
    written, missing = collect(batch, settings, state, info, service, items_path)
    state_path.unlink(missing_ok=True)
    items_path.unlink(missing_ok=True)
    if missing:
        say(f"interviewer: batch {state['batch_id']} ended '{status}' before {missing} answer(s); "
            "run the command again to send them in a new batch")
    return status


def wait_for(service: BatchService, batch_id: str, say: Callable[[str], None], start_s: float, max_s: float,
             sleep: Callable[[float], None]) -> dict[str, Any]:
    """Poll until the batch ends, saying so when its status or progress changes."""
    delay = start_s
    last = None
    while True:
        info = service.retrieve(batch_id)
        status = info.get("status", "unknown")
        counts = info.get("request_counts") or {}
        progress = f"{status}: {counts.get('completed', 0)}/{counts.get('total', '?')} done"
        if counts.get("failed"):
            progress += f", {counts['failed']} failed"
        if progress != last:
            say(f"interviewer: batch {batch_id} {progress}")
            last = progress
        if status in TERMINAL:
            return info
        sleep(delay)
        delay = min(max_s, delay * 1.5)

"""The one adapter to OpenAI-compatible chat servers, and the only module that imports ``openai``.

``OpenAIChatClient(settings)`` implements ``interviewer.grading.llm.chat.ChatClient``:

* ``AsyncOpenAI`` with the settings' base URL, key, explicit timeout and
  ``max_retries`` (the SDK's bounded retries with back-off, honouring Retry-After);
* JSON the best way the server allows (``server_profile``): ``json_schema``
  (strict), then ``json_object`` with the schema (llama.cpp), then
  ``json_object``, then plain text; an error that names the output mode (any
  4xx/5xx) steps down the chain, a 400 may drop a parameter it names (e.g.
  ``seed``), and what worked is remembered per base URL, in memory and in
  ``<home>/server_modes.json`` (only once a request succeeds with it);
* temperature 0, a seed, and a bound on output tokens;
* streaming with a delta callback, usage, refusals, finish reasons, and the
  rate-limit headers of every response in ``client.rate_limit``; a reply that is
  not streamed is read from its JSON directly (``parse_completion``), without the
  SDK's typed request and response layer (most of its CPU per request);
* faults mapped for people: a wrong key, unknown model or unreachable server
  raises ``LLMConfigError`` (how to fix it, or ``--offline``); 429, 5xx,
  timeouts, dropped connections and malformed bodies raise ``ChatUnavailable``
  (retryable, with the server's Retry-After) once the retries are spent.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from interviewer.errors import LLMConfigError
from interviewer.grading.llm.chat import (
    SAMPLE_TEMPERATURE,
    SEED,
    ChatReply,
    ChatUnavailable,
    DeltaListener,
    MalformedReply,
    OutputMode,
    RateLimitInfo,
    parse_completion,
    parse_rate_limit_headers,
    parse_retry_after,
    usage_of,
)
from interviewer.grading.llm.server_profile import MODES_FILE, ProfileStore, ServerProfile, next_profile, response_format
from interviewer.grading.llm.plain_http import PlainHTTPClient, PlainHTTPError, usable_for
from interviewer.safe_text import without_credentials
from interviewer.settings import Settings

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_ADJUSTMENTS = 6
FIX_HINT = "Set OPENAI_API_KEY / OPENAI_BASE_URL / INTERVIEWER_MODEL (environment or .env), or run with --offline."


class _Dropped(Exception):
    """The connection closed in the middle of a streamed reply."""


def _warm_async_backend() -> None:
    """httpcore imports anyio's asyncio backend inside the first request (about 30 ms, and every
    request of a batch's first wave waits for it): import it with the client instead."""
    import importlib

    try:
        importlib.import_module("anyio._backends._asyncio")
    except ImportError:  # a warm-up only: the first request imports what it needs
        pass


class _LazyModule:
    """A module imported on first use. ``openai`` takes 1-2 s to import and ``httpx`` (with
    httpcore and anyio) about 0.3 s; a batch's requests (``plain_http``) need them only for a
    fault or a streamed reply. ``openai.X`` here, in an ``except`` clause too, imports it then;
    ``_sdk_ready`` imports the SDK off the event loop first."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


openai = _LazyModule("openai")
httpx = _LazyModule("httpx")


def deadline_client(timeout_s: float, verify: Any) -> Any:
    from interviewer.grading.llm.deadline import deadline_client as make

    return make(timeout_s, verify)


_sdk_imported = False


def _import_sdk() -> None:
    global _sdk_imported
    importlib.import_module("openai")
    _sdk_imported = True


async def _sdk_ready() -> None:
    """Import the SDK in a thread, so the requests in flight keep going meanwhile."""
    if not _sdk_imported:
        await asyncio.to_thread(_import_sdk)


def _error_text(error: openai.APIError) -> str:  # cleaned before any cut could keep half a password
    return without_credentials(str(getattr(error, "message", "") or error).strip())


class OpenAIChatClient:
    """Chat completions against one OpenAI-compatible server; safe for many concurrent requests."""

    def __init__(self, settings: Settings, *, http_client: httpx.AsyncClient | None = None,
                 plain_http: bool = False):
        """``plain_http``: post replies that are not streamed with ``plain_http.PlainHTTPClient``
        where it reaches the server as httpx would (a batch: a tenth of httpx's CPU a request)."""
        self.settings = settings
        self.model = settings.model
        self.base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        #: The base URL as it may be shown or stored: without a key or password placed in it.
        self.shown_url = without_credentials(self.base_url)
        self.max_retries = settings.max_retries
        self._http_client = http_client
        self._sdk_client: Any = None
        #: Without SDK retries (a batch: its scheduler requeues), a reply that is not streamed is
        #: posted with plain httpx: no SDK import before the first request, no typed layer.
        self._http: httpx.AsyncClient | None = None
        self._plain: PlainHTTPClient | None = None
        if self.max_retries == 0:
            self._url = _join(self.base_url, "/chat/completions")
            self._headers = _auth_headers(settings.api_key)
            if plain_http and http_client is None and usable_for(self._url):
                self._plain = PlainHTTPClient(self._url, self._headers, settings.timeout_s)
            else:
                self._http = http_client or deadline_client(settings.timeout_s, _tls_context(self.base_url))
                _warm_async_backend()
        else:
            # The SDK imports its resources (about 1 s) on first attribute access:
            # pay that here, where the caller builds the grader off the UI thread,
            # not inside the first request.
            self.client.chat.completions  # noqa: B018
            _warm_async_backend()
        self.rate_limit: RateLimitInfo | None = None
        self._profile: ServerProfile | None = None
        self._reached = False

    @property
    def client(self) -> Any:
        """The SDK's ``AsyncOpenAI``, made on first use."""
        if self._sdk_client is None:
            self._sdk_client = openai.AsyncOpenAI(
                api_key=self.settings.api_key,
                base_url=self.base_url,
                timeout=self.settings.timeout_s,
                max_retries=self.max_retries,
                # One deadline per request, body included (``deadline``); the SDK's pool limits.
                http_client=self._http_client or deadline_client(self.settings.timeout_s, _tls_context(self.base_url)),
            )
        return self._sdk_client

    async def aclose(self) -> None:
        """Close the HTTP connections (call before the event loop ends)."""
        if self._sdk_client is not None:
            await self._sdk_client.close()
        if self._http is not None:
            await self._http.aclose()
        if self._plain is not None:
            await self._plain.aclose()

    # -- what the server accepts, remembered per base URL ------------------------------------

    @property
    def modes_path(self) -> Path:
        return self.settings.home / MODES_FILE

    @property
    def profile(self) -> ServerProfile:
        if self._profile is None:
            self._profile = ProfileStore(self.modes_path).load(self.shown_url)
        return self._profile

    def _remember(self, profile: ServerProfile) -> None:
        self._profile = profile
        ProfileStore(self.modes_path).save(self.shown_url, profile)

    # -- requests ------------------------------------------------------------------------------

    def _params(self, messages, profile: ServerProfile, mode: OutputMode, json_schema, max_tokens, stream: bool,
                sample: int | None = None):
        params: dict[str, Any] = {"model": self.model, "messages": messages}
        if "temperature" not in profile.dropped:
            params["temperature"] = 0 if sample is None else SAMPLE_TEMPERATURE
        if "seed" not in profile.dropped:
            params["seed"] = SEED + (sample or 0)
        if max_tokens:
            params[profile.token_param] = max_tokens
        fmt = response_format(mode, json_schema, profile.fixed_counts)
        if fmt is not None:
            params["response_format"] = fmt
        if stream:
            params["stream"] = True
            if "stream_options" not in profile.dropped:
                params["stream_options"] = {"include_usage": True}
        return params

    async def complete(
        self,
        messages: list[dict[str, str]],
        *,
        json_schema: dict | None = None,
        max_tokens: int | None = None,
        on_delta: DeltaListener | None = None,
        sample: int | None = None,
    ) -> ChatReply:
        profile = self.profile
        adjustments = 0
        body_retries = self.max_retries
        while True:
            mode: OutputMode = profile.output_mode if json_schema is not None else "text"
            params = self._params(messages, profile, mode, json_schema, max_tokens, on_delta is not None, sample)
            try:
                if on_delta is not None:
                    reply = await self._stream(params, on_delta, mode)
                else:
                    reply = await self._once(params, mode)
                self._reached = True
                if profile != self.profile:
                    self._remember(profile)  # only what a server accepted: a 400 nothing fixes changes nothing
                return reply
            except openai.APIStatusError as error:
                changed = self._next_profile(profile, error, json_schema is not None)
                if changed is None or adjustments >= MAX_ADJUSTMENTS:
                    if error.status_code == 400:
                        raise ChatUnavailable(
                            f"the server rejected the request (HTTP 400): {_error_text(error)}", retryable=False,
                            cause="rejected",
                        ) from None
                    raise self._map_error(error) from None
                adjustments += 1
                profile = changed
            except (MalformedReply, _Dropped) as fault:
                self._reached = True
                if body_retries <= 0:
                    cause = "connection" if isinstance(fault, _Dropped) else "malformed"
                    raise ChatUnavailable(str(fault), retryable=True, cause=cause) from None
                body_retries -= 1
                on_delta = None  # a second stream would repeat text the listener already has
            except openai.APIError as error:
                raise self._map_error(error) from None

    def _next_profile(self, profile: ServerProfile, error: openai.APIStatusError, wants_json: bool):
        """How to ask again after an error status (None: the error stands)."""
        self._note_headers(error.response.headers)
        self._reached = True
        try:
            body = error.response.text[:2000]
        except Exception:  # a streamed error body that was not read: the message has to do
            body = ""
        said = f"{getattr(error, 'param', '') or ''} {_error_text(error)} {body}"
        return next_profile(profile, error.status_code, said, str(error.code or ""), wants_json)

    def _note_headers(self, headers) -> RateLimitInfo:
        info = parse_rate_limit_headers(headers or {})
        self.rate_limit = info
        return info

    async def _once(self, params: dict, mode: OutputMode) -> ChatReply:
        # ``post`` with ``cast_to=httpx.Response`` keeps the SDK's retries, timeouts and status
        # errors but skips its per-request walk of the parameters against the typed schema and
        # its pydantic parse of the reply: most of the SDK's CPU per request, for nothing here.
        if self._plain is not None:
            return await self._post_plain(params, mode)
        if self._http is not None:
            return await self._post(params, mode)
        response = await self.client.post("/chat/completions", body=params, cast_to=httpx.Response)
        info = self._note_headers(response.headers)
        return parse_completion(response.content, info, mode)

    async def _post(self, params: dict, mode: OutputMode) -> ChatReply:
        """One request with plain httpx; a fault becomes the SDK's own error (imported off the
        event loop first), so it is handled as every SDK error is."""
        try:
            response = await self._http.post(self._url, json=params, headers=self._headers)
        except httpx.TimeoutException as error:
            await _sdk_ready()
            raise openai.APITimeoutError(request=error.request) from None
        except httpx.TransportError as error:
            await _sdk_ready()
            raise openai.APIConnectionError(request=error.request) from error
        info = self._note_headers(response.headers)
        if response.is_success:
            try:
                return parse_completion(response.content, info, mode)
            except MalformedReply:
                await _sdk_ready()
                raise
        await _sdk_ready()
        await response.aread()
        raise self.client._make_status_error_from_response(response)

    async def _post_plain(self, params: dict, mode: OutputMode) -> ChatReply:
        """One request through the plain client; a fault becomes the SDK's own error, as in ``_post``."""
        try:
            reply = await self._plain.post_json(params)
        except PlainHTTPError as error:
            await _sdk_ready()
            request = httpx.Request("POST", self._url)
            if error.timeout:
                raise openai.APITimeoutError(request=request) from None
            cause = (httpx.ConnectError if error.connect else httpx.ReadError)(str(error), request=request)
            raise openai.APIConnectionError(request=request) from cause
        info = self._note_headers(reply.header_map)
        if 200 <= reply.status < 300:
            try:
                return parse_completion(reply.body, info, mode)
            except MalformedReply:
                await _sdk_ready()
                raise
        await _sdk_ready()
        response = httpx.Response(reply.status, headers=reply.headers, content=reply.body,
                                  request=httpx.Request("POST", self._url))
        raise self.client._make_status_error_from_response(response)

    async def _stream(self, params: dict, on_delta: DeltaListener, mode: OutputMode) -> ChatReply:
        if self._sdk_client is None:
            await _sdk_ready()
            await asyncio.to_thread(lambda: self.client.chat.completions)  # its resources import, off the loop
        raw = await self.client.chat.completions.with_raw_response.create(**params)
        info = self._note_headers(raw.headers)
        parts: list[str] = []
        refusal: list[str] = []
        finish_reason = None
        usage = None
        try:
            stream = raw.parse()
            async for chunk in stream:
                if getattr(chunk, "usage", None):
                    usage = chunk.usage
                for choice in getattr(chunk, "choices", None) or ():
                    delta = choice.delta
                    if delta is not None and delta.content:
                        parts.append(delta.content)
                        result = on_delta(delta.content)
                        if inspect.isawaitable(result):
                            await result
                    if delta is not None and getattr(delta, "refusal", None):
                        refusal.append(delta.refusal)
                    if choice.finish_reason:
                        finish_reason = choice.finish_reason
        except httpx.TimeoutException:
            raise ChatUnavailable(
                f"the reply did not finish within the {self.settings.timeout_s:g}s deadline (timeout)",
                retryable=True, cause="timeout",
            ) from None
        except httpx.TransportError as error:
            raise _Dropped(f"the connection dropped in the middle of the reply ({error.__class__.__name__})") from None
        except (ValueError, openai.APIResponseValidationError) as error:
            raise MalformedReply(f"the server sent a malformed stream ({error.__class__.__name__})") from None
        if finish_reason is None and not parts and not refusal:
            raise _Dropped("the stream ended before any reply")
        return ChatReply(
            text="".join(parts),
            finish_reason=finish_reason,
            usage=usage_of(usage),
            refusal="".join(refusal) or None,
            rate_limit=info,
            output_mode=mode,
        )

    # -- faults ----------------------------------------------------------------------------------

    def _map_error(self, error: openai.APIError) -> Exception:
        where = f"the LLM server at {self.shown_url}"
        headers = getattr(getattr(error, "response", None), "headers", None)
        if headers is not None:
            self._note_headers(headers)
        if isinstance(error, openai.AuthenticationError):
            return LLMConfigError(
                f"{where} rejected the API key (HTTP 401: {_error_text(error)}). "
                "Check OPENAI_API_KEY in the environment or .env, or run with --offline."
            )
        if isinstance(error, openai.PermissionDeniedError):
            return LLMConfigError(
                f"{where} refused access to model {self.model!r} with this key (HTTP 403: {_error_text(error)}). "
                + FIX_HINT
            )
        if isinstance(error, openai.NotFoundError):
            return LLMConfigError(
                f"model {self.model!r} was not found at {self.shown_url} (HTTP 404: {_error_text(error)}). "
                "Set INTERVIEWER_MODEL to a model the server serves, check that OPENAI_BASE_URL ends in /v1, "
                "or run with --offline."
            )
        retry_after = parse_retry_after(headers) if headers is not None else None
        if isinstance(error, openai.RateLimitError):
            if (error.code or "") == "insufficient_quota":
                return LLMConfigError(f"{where} says the key has no quota left ({_error_text(error)}). " + FIX_HINT)
            wait = f"; it asked to wait {retry_after:g}s" if retry_after is not None else ""
            return ChatUnavailable(
                f"rate limited by the server (HTTP 429) after {self.max_retries} retries{wait}",
                retryable=True,
                retry_after_s=retry_after,
            )
        if isinstance(error, openai.APIStatusError):
            status = error.status_code
            return ChatUnavailable(
                f"the server failed (HTTP {status}: {_error_text(error)[:200]}) after {self.max_retries} retries",
                retryable=status >= 500 or status in (408, 409),
                retry_after_s=retry_after,
            )
        if isinstance(error, openai.APITimeoutError):
            return ChatUnavailable(
                f"the server did not answer within the {self.settings.timeout_s:g}s deadline "
                f"(timeout, after {self.max_retries} retries)",
                retryable=True, cause="timeout",
            )
        if isinstance(error, openai.APIConnectionError):
            cause = error.__cause__
            if isinstance(cause, httpx.ConnectError) and not self._reached:
                return LLMConfigError(
                    f"cannot reach {where} ({cause or 'connection refused'}). "
                    "Check OPENAI_BASE_URL and that the server is running, or run with --offline."
                )
            return ChatUnavailable(
                f"the connection to the server failed ({cause.__class__.__name__ if cause else 'connection error'}) "
                f"after {self.max_retries} retries",
                retryable=True, cause="connection",
            )
        if isinstance(error, openai.APIResponseValidationError):
            return ChatUnavailable("the server sent a malformed response", retryable=True, cause="malformed")
        return ChatUnavailable(f"the LLM request failed: {_error_text(error)}", retryable=True)


def _tls_context(base_url: str) -> Any:
    """httpx's default TLS setup (loading the CA bundle: 0.1-0.3 s) only for an https server;
    a plain http one (a local server) never uses it, so it gets a bare context."""
    if base_url.lower().startswith("https:"):
        return True
    import ssl

    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _join(base_url: str, path: str) -> str:
    """``base_url`` + ``path``, keeping a query the base URL carries (``?api-version=...``)."""
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + path))


def _auth_headers(api_key: str | None) -> dict[str, str]:
    """What the SDK sends to say who is asking: the key, and the organisation and project it reads."""
    from interviewer import __version__

    headers = {"Authorization": f"Bearer {api_key or ''}", "User-Agent": f"interviewer/{__version__}"}
    for variable, header in (("OPENAI_ORG_ID", "OpenAI-Organization"), ("OPENAI_PROJECT_ID", "OpenAI-Project")):
        if os.environ.get(variable):
            headers[header] = os.environ[variable]
    return headers


class OpenAIBatchService:
    """The OpenAI Batch API for ``interviewer grade --batch-api`` (files and batches; see ``batch.batch_api``).

    Synchronous (the batch flow uploads once and then polls). Faults become ``LLMConfigError``
    with the server's message: nothing here can be retried by the batch flow itself.
    """

    def __init__(self, settings: Settings, *, http_client: httpx.Client | None = None):
        self.base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        #: The base URL as it may be shown or stored: without a key or password placed in it.
        self.shown_url = without_credentials(self.base_url)
        self.client = openai.OpenAI(
            api_key=settings.api_key,
            base_url=self.base_url,
            timeout=max(settings.timeout_s, 120.0),
            max_retries=max(2, settings.max_retries),
            http_client=http_client,
        )

    def _call(self, what: str, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except openai.AuthenticationError as error:
            raise LLMConfigError(f"the Batch API at {self.shown_url} rejected the API key ({_error_text(error)}). "
                                 + FIX_HINT) from None
        except openai.APIStatusError as error:
            raise LLMConfigError(f"the Batch API could not {what} (HTTP {error.status_code}: "
                                 f"{_error_text(error)[:300]})") from None
        except openai.APIError as error:
            raise LLMConfigError(f"the Batch API could not {what}: {_error_text(error)[:300]}") from None

    def upload(self, path: Path) -> str:
        with open(path, "rb") as handle:
            return self._call("upload the requests", self.client.files.create, file=handle, purpose="batch").id

    def create(self, input_file_id: str, metadata: dict[str, str]) -> dict:
        batch = self._call("create the batch", self.client.batches.create, input_file_id=input_file_id,
                           endpoint="/v1/chat/completions", completion_window="24h", metadata=metadata)
        return batch.model_dump()

    def retrieve(self, batch_id: str) -> dict:
        return self._call("read the batch", self.client.batches.retrieve, batch_id).model_dump()

    def content(self, file_id: str) -> bytes:
        return self._call("download the results", self.client.files.content, file_id).content

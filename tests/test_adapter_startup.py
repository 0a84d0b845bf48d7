"""A batch's requests go out before the SDK (or httpx) is imported: they are imported only for a fault."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import asyncio, json, sys
    from interviewer.grading.llm.adapter import OpenAIChatClient
    from interviewer.grading.llm.chat import ChatUnavailable
    from interviewer.testing.fake_openai_server import FakeOpenAIServer, Reply

    async def main():
        seen = {}
        with FakeOpenAIServer() as server:
            settings = server.settings(home=sys.argv[1])
            client = OpenAIChatClient(settings, plain_http=True)
            seen["after_client"] = "openai" in sys.modules or "httpx" in sys.modules
            reply = await client.complete([{"role": "user", "content": "hi"}], max_tokens=5)
            seen["reply"] = bool(reply.text)
            seen["after_reply"] = "openai" in sys.modules or "httpx" in sys.modules
            request = server.chat_requests[-1]
            seen["path"] = request.path
            seen["auth"] = request.headers.get("authorization")
            seen["org"] = request.headers.get("openai-organization")
            server.script(Reply.server_error(503, retry_after=7))
            try:
                await client.complete([{"role": "user", "content": "hi"}])
            except ChatUnavailable as error:
                seen["fault"] = [error.retryable, error.retry_after_s]
            seen["after_fault"] = "openai" in sys.modules
            await client.aclose()
        print(json.dumps(seen))

    asyncio.run(main())
""")


def test_requests_go_out_before_the_sdk_is_imported_and_a_fault_is_mapped_as_before(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "OPENAI_ORG_ID": "org-1"}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["reply"] and not seen["after_client"] and not seen["after_reply"]
    assert seen["path"].endswith("/v1/chat/completions")
    assert seen["auth"] == "Bearer test-key" and seen["org"] == "org-1"
    assert seen["fault"] == [True, 7.0] and seen["after_fault"]


def test_the_request_url_keeps_a_query_the_base_url_carries():
    from interviewer.grading.llm.adapter import _join

    assert str(_join("https://h.example/openai/v1?api-version=7", "/chat/completions")) == \
        "https://h.example/openai/v1/chat/completions?api-version=7"
    assert str(_join("http://127.0.0.1:8/v1/", "/chat/completions")) == "http://127.0.0.1:8/v1/chat/completions"

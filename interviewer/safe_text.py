"""User-supplied text made safe for where it goes: spreadsheet cells, terminals, messages with URLs.

* ``spreadsheet_cell``: a text cell that a spreadsheet would read as a formula (it starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``, as OWASP's
  CSV-injection guidance recommends; the spreadsheet then shows the text as it was.
* ``for_terminal``: control characters (escape sequences, carriage returns, backspaces) and
  bidirectional overrides (U+202E and kin, which reorder what a reader sees) are shown as
  visible ``\\x1b`` / ``\\u202e`` escapes instead of acting on the terminal.
* ``without_credentials``: ``user:password@`` and key-like query parameters are cut out of
  every URL in a text, and API keys (``sk-...``) and ``Bearer`` tokens are masked,
  before the text is printed or stored (error text in batch records, transcripts, the audit log).
"""

from __future__ import annotations

import re

#: Leading characters that make a spreadsheet evaluate a cell (OWASP, "CSV Injection").
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")

#: Bidirectional formatting characters: embeddings, overrides, isolates, marks.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@?#]+@")
_SECRET_QUERY = re.compile(
    r"(?P<name>[?&;](?:api[-_]?key|key|token|access[-_]?token|secret|password|pass|auth|sig|signature)=)[^&#\s]*",
    re.IGNORECASE,
)
#: An API key (``sk-...``, ``sk-proj-...``) or a bearer token: 8 or more key characters,
#: at least one a digit, so "sk-learn" or "Bearer authentication" stay as written.
_KEY_CHARS = r"[A-Za-z0-9_-]"
_TOKEN_CHARS = r"[A-Za-z0-9._~+/=-]"
_API_KEY = re.compile(rf"\bsk-(?={_KEY_CHARS}*\d){_KEY_CHARS}{{8,}}")
_BEARER_TOKEN = re.compile(rf"\b(?P<scheme>bearer\s+)(?={_TOKEN_CHARS}*\d){_TOKEN_CHARS}{{8,}}", re.IGNORECASE)


def spreadsheet_cell(value: object) -> object:
    """``value`` as a CSV cell a spreadsheet shows as text; numbers and other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADERS):
        return "'" + value
    return value


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: object, *, multiline: bool = False) -> str:
    """``text`` with control and bidi characters shown as escapes, and URLs without credentials.

    ``multiline`` keeps newlines and tabs (a reference answer); otherwise they are escaped too,
    so one record stays on one line."""
    text = without_credentials("" if text is None else str(text))
    if text.isprintable():  # the common case: nothing to escape
        return text
    kept = "\n\t" if multiline else ""
    return "".join(
        _escape(c) if ((c < " " or "\x7f" <= c <= "\x9f") and c not in kept) or c in BIDI_CONTROLS
        or c in "\u2028\u2029" else c
        for c in text
    )


def without_credentials(text: str) -> str:
    """``text`` with the ``user:password@`` of every URL, key-like query values, API keys and
    bearer tokens replaced by ``***`` (the host and the rest of the text are kept)."""
    if "://" in text:
        text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}***@", text)
        text = _SECRET_QUERY.sub(lambda m: f"{m['name']}***", text)
    if "sk-" in text:
        text = _API_KEY.sub("sk-***", text)
    if "earer" in text or "EARER" in text:
        text = _BEARER_TOKEN.sub(lambda m: f"{m['scheme']}***", text)
    return text

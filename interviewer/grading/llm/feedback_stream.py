"""Streamed feedback: the new characters of a streamed JSON reply's top-level ``"feedback"`` string, as they arrive."""

from __future__ import annotations

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class FeedbackExtractor:
    """Reads streamed JSON text and returns, chunk by chunk, the new characters of the top-level
    ``"feedback"`` string, decoded. Text before the first ``{`` (prose, a code fence) is ignored."""

    def __init__(self, key: str = "feedback"):
        self.key = key
        self.depth = 0
        self.in_string = False
        self.escape: str | None = None  # "" after a backslash, then the \\u hex digits so far
        self.string_chars: list[str] = []
        self.expect_key = False
        self.last_key: str | None = None
        self.value_key: str | None = None
        self.capturing = False
        self.pending_high_surrogate: str | None = None
        self.done = False
        self.text = ""

    def feed(self, chunk: str) -> str:
        if self.done or not chunk:
            return ""
        out: list[str] = []
        for char in chunk:
            if self.done:
                break
            if self.in_string:
                self._string_char(char, out)
            else:
                self._structure_char(char)
        emitted = "".join(out)
        self.text += emitted
        return emitted

    def _structure_char(self, char: str) -> None:
        if self.depth == 0:
            if char == "{":
                self.depth, self.expect_key = 1, True
            return
        if char in "{[":
            self.depth += 1
            self.value_key = None
        elif char in "}]":
            self.depth -= 1
        elif char == "," and self.depth == 1:
            self.expect_key, self.value_key = True, None
        elif char == ":" and self.depth == 1:
            self.value_key, self.last_key = self.last_key, None
        elif char == '"':
            self.in_string = True
            self.string_chars = []
            self.capturing = self.depth == 1 and not self.expect_key and self.value_key == self.key

    def _string_char(self, char: str, out: list[str]) -> None:
        if self.escape is not None:
            if self.escape == "":
                if char == "u":
                    self.escape = "u"
                    return
                self._emit(_ESCAPES.get(char, char), out)
                self.escape = None
                return
            self.escape += char
            if len(self.escape) == 5:
                try:
                    decoded = chr(int(self.escape[1:], 16))
                except ValueError:
                    decoded = ""
                self.escape = None
                self._emit(decoded, out)
            return
        if char == "\\":
            self.escape = ""
        elif char == '"':
            self.in_string = False
            if self.capturing:
                self.capturing = False
                self.done = True
            elif self.depth == 1 and self.expect_key:
                self.last_key = "".join(self.string_chars)
                self.expect_key = False
            self.value_key = None if not self.capturing else self.value_key
        else:
            self._emit(char, out)

    def _emit(self, char: str, out: list[str]) -> None:
        if not self.capturing:
            if self.depth == 1 and self.expect_key:
                self.string_chars.append(char)
            return
        if char and 0xD800 <= ord(char[0]) <= 0xDBFF:
            self.pending_high_surrogate = char
            return
        if self.pending_high_surrogate is not None:
            high, self.pending_high_surrogate = self.pending_high_surrogate, None
            if char and 0xDC00 <= ord(char[0]) <= 0xDFFF:
                char = (high + char).encode("utf-16", "surrogatepass").decode("utf-16")
        out.append(char)

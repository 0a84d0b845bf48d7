"""User text made safe for terminals and spreadsheets, and URLs shown without credentials."""

from __future__ import annotations

from interviewer.safe_text import for_terminal, spreadsheet_cell, without_credentials


def test_control_and_bidi_characters_are_shown_as_escapes():
    assert for_terminal("Ann\x1b[31mRed\x07") == "Ann\\x1b[31mRed\\x07"
    assert for_terminal("abc\u202egnp.exe") == "abc\\u202egnp.exe"
    assert for_terminal("\u2066x\u2069 \u200f \x9b") == "\\u2066x\\u2069 \\u200f \\x9b"
    assert for_terminal("over\rwrite\bline\nnext\tcol") == "over\\x0dwrite\\x08line\\x0anext\\x09col"
    assert for_terminal("line\nnext\tcol\r", multiline=True) == "line\nnext\tcol\\x0d"


def test_ordinary_text_is_left_alone():
    for text in ("Zoë Ångström — 日本語, emoji 👩‍💻", "a = b + c", ""):
        assert for_terminal(text) == text
    assert for_terminal(None) == ""


def test_urls_lose_their_credentials_and_key_like_query_values():
    assert without_credentials("at http://alice:sk-1@host:8/v1 now") == "at http://***@host:8/v1 now"
    assert without_credentials("https://sk-only@api.x.com/v1") == "https://***@api.x.com/v1"
    assert without_credentials("https://h/v1?api-key=abc&x=1&token=t#f") == "https://h/v1?api-key=***&x=1&token=***#f"
    assert without_credentials("mail alice@example.com, see https://h/v1") == "mail alice@example.com, see https://h/v1"
    assert for_terminal("http://u:p@h/\x1b") == "http://***@h/\\x1b"


def test_api_keys_and_bearer_tokens_are_masked_and_words_like_them_are_not():
    assert without_credentials("key sk-proj-Ab12Cd34Ef56 refused") == "key sk-*** refused"
    assert without_credentials("Authorization: Bearer eyJ0.abc123-x_y") == "Authorization: Bearer ***"
    assert without_credentials("https://u:sk-live-12345678@h/v1") == "https://***@h/v1"
    for text in ("sk-learn and sk-learn-contrib", "Bearer authentication", "mask-abc12345678", "sk-1"):
        assert without_credentials(text) == text


def test_spreadsheet_cells_keep_numbers_and_plain_text():
    assert spreadsheet_cell("=1+2") == "'=1+2" and spreadsheet_cell("-3") == "'-3"
    assert spreadsheet_cell(-3) == -3 and spreadsheet_cell("Ann") == "Ann" and spreadsheet_cell(None) is None

"""What keeps start-up fast: the parsed bank kept as JSON, and one footer recompose per burst of binding changes."""

import os
import shutil

from interviewer.bank import load_bank
from interviewer.bank_cache import load_bank_cached
from interviewer.practice.options import PracticeOptions
from interviewer.resources import default_bank_path
from interviewer.settings import Settings
from interviewer.tui.app import make_app
from interviewer.tui.widgets.footer import Footer


def test_a_cached_bank_is_the_parsed_bank_and_an_edit_or_a_broken_cache_parses_afresh(tmp_path):
    bank_file = tmp_path / "bank.toml"
    shutil.copy(default_bank_path(), bank_file)
    cache = tmp_path / "cache"
    parsed = load_bank(bank_file)
    first = load_bank_cached(bank_file, cache)
    (entry,) = cache.iterdir()
    again = load_bank_cached(bank_file, cache)
    assert again.questions == parsed.questions and again.topics == parsed.topics and again.name == parsed.name
    text = bank_file.read_text(encoding="utf-8").replace("What is overfitting", "What is over-fitting", 1)
    bank_file.write_text(text, encoding="utf-8")
    os.utime(bank_file, ns=(entry.stat().st_mtime_ns + 10**9,) * 2)
    edited = load_bank_cached(bank_file, cache)
    assert any("over-fitting" in q.question for q in edited.questions)
    assert first.questions != edited.questions
    for stale in cache.iterdir():
        stale.write_text("{broken", encoding="utf-8")
    assert load_bank_cached(bank_file, cache).questions == edited.questions


async def test_the_footer_is_recomposed_at_most_three_times_while_the_first_question_shows(tmp_path, monkeypatch):
    recomposes = []
    original = Footer.recompose

    async def counted(self):
        recomposes.append(self)
        return await original(self)

    monkeypatch.setattr(Footer, "recompose", counted)
    app = make_app(Settings(home=tmp_path), PracticeOptions(count=1, mode="offline", order="bank"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert 1 <= len(recomposes) <= 3  # Textual's own footer recomposed 6 times here
        keys = {b.binding.key for b in app.screen.active_bindings.values() if b.binding.show and b.enabled}
        assert "ctrl+s" in keys

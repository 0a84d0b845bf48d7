"""The footer of every screen: Textual's, recomposed once per burst of binding changes.

Textual's footer recomposes once for each change of the screen's bindings; showing the
first question changes them six times (mount, focus, state), and each recompose restyles
every key: about half the start-up time. This one coalesces a burst into one recompose.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _recompose_pending = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True  # what Textual's footer sets before its first compose
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_pending = False
        await self.recompose()

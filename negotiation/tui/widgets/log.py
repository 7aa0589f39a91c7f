"""A log that wraps its lines to the width it is shown at.

Textual's RichLog lays a line out once, at the width it has when the line is written. A log on
a tab that is not shown has no width, and its lines came out one letter to a row; a log whose
terminal was resized kept its old line breaks. This one keeps what it was given and lays it out
when it is shown, again when its width changes, and otherwise a line at a time as it comes.
"""

from __future__ import annotations

from textual.events import Resize, Show
from textual.widgets import RichLog


class WrappingLog(RichLog):
    """A RichLog of markup lines, laid out at the width it is shown at (see the module)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, wrap=True, markup=True, min_width=1)
        self.texts: list[str] = []
        """Every line given, as markup."""
        self._laid_width = 0
        """The width the lines on screen were laid out at (0: none yet)."""
        self._laid = 0
        """How many of :attr:`texts` are on screen."""

    def add(self, text: str) -> None:
        """Add a line (markup)."""
        self.texts.append(text)
        self._lay_out()

    def clear_lines(self) -> None:
        """Forget every line."""
        self.texts.clear()
        self.clear()
        self._laid = 0

    def _on_resize(self, event: Resize) -> None:
        self._lay_out()

    def _on_show(self, event: Show) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 1:  # not shown: laid out once it is
            return
        if width != self._laid_width:
            self.clear()
            self._laid, self._laid_width = 0, width
        for text in self.texts[self._laid :]:
            self.write(text, width=width)
        self._laid = len(self.texts)

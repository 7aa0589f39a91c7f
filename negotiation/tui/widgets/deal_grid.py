"""The deal grid: issues down, options across, the deal on the table highlighted.

The cursor picks an option; the screen shows its full label, description and a what-if preview
of what amending to it would do, and Enter (or a click) tables the amendment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from negotiation.scenario.model import Issue


class DealGrid(Widget, can_focus=True):
    """Issues × options, with a cell cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "deal-grid--header",
        "deal-grid--current",
        "deal-grid--cursor",
        "deal-grid--cursor-current",
        "deal-grid--issue",
    }
    DEFAULT_CSS = """
    DealGrid { height: auto; min-height: 3; padding: 0 1; }
    DealGrid > .deal-grid--header { color: $text-muted; text-style: bold; }
    DealGrid > .deal-grid--issue { color: $text; }
    DealGrid > .deal-grid--current { background: $success 35%; color: $text; text-style: bold; }
    DealGrid > .deal-grid--cursor { background: $accent 40%; color: $text; }
    DealGrid > .deal-grid--cursor-current { background: $accent; color: $text; text-style: bold; }
    DealGrid:blur > .deal-grid--cursor { background: $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1, 0)", "Up", show=False),
        Binding("down", "cursor(1, 0)", "Down", show=False),
        Binding("left", "cursor(0, -1)", "Left", show=False),
        Binding("right", "cursor(0, 1)", "Right", show=False),
        Binding("home", "first_option", show=False),
        Binding("end", "last_option", show=False),
        Binding("enter", "select", "Amend", id="amend"),
    ]

    row: reactive[int] = reactive(0)
    column: reactive[int] = reactive(0)

    class _OptionMessage(Message):
        def __init__(self, grid: DealGrid, issue: str, option: str) -> None:
            super().__init__()
            self.grid = grid
            self.issue = issue
            self.option = option

        @property
        def control(self) -> DealGrid:
            return self.grid

    class Highlighted(_OptionMessage):
        """The cursor moved to an option."""

    class Selected(_OptionMessage):
        """Enter or a click on an option."""

    def __init__(
        self,
        issues: Mapping[str, Issue],
        package: Mapping[str, str],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.issues = dict(issues)
        self.issue_ids = list(issues)
        self.package = dict(package)

    # --- data ---------------------------------------------------------------------------------

    def options_of(self, row: int) -> list[str]:
        return list(self.issues[self.issue_ids[row]].options)

    @property
    def cursor_issue(self) -> str:
        return self.issue_ids[self.row]

    @property
    def cursor_option(self) -> str:
        options = self.options_of(self.row)
        return options[min(self.column, len(options) - 1)]

    def set_package(self, package: Mapping[str, str]) -> None:
        self.package = dict(package)
        self.refresh()

    def move_to(self, issue: str, option: str) -> None:
        """Put the cursor on an option."""
        self.row = self.issue_ids.index(issue)
        self.column = self.options_of(self.row).index(option)

    # --- actions ------------------------------------------------------------------------------

    def action_cursor(self, drow: int, dcol: int) -> None:
        if drow:
            self.row = (self.row + drow) % len(self.issue_ids)
            self.column = min(self.column, len(self.options_of(self.row)) - 1)
        if dcol:
            self.column = (self.column + dcol) % len(self.options_of(self.row))

    def action_first_option(self) -> None:
        self.column = 0

    def action_last_option(self) -> None:
        self.column = len(self.options_of(self.row)) - 1

    def action_select(self) -> None:
        self.post_message(self.Selected(self, self.cursor_issue, self.cursor_option))

    def watch_row(self) -> None:
        self._moved()

    def watch_column(self) -> None:
        self._moved()

    def _moved(self) -> None:
        if self.is_mounted:
            self.refresh()
            self.post_message(self.Highlighted(self, self.cursor_issue, self.cursor_option))

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y - 1
        if not 0 <= row < len(self.issue_ids):
            return
        label_w, cell_w = self._layout()
        x = offset.x - label_w
        if x < 0:
            return
        column = x // cell_w
        if column < len(self.options_of(row)):
            self.row, self.column = row, column
            if event.chain >= 2 or self.has_focus:
                self.action_select()
            self.focus()

    # --- drawing ------------------------------------------------------------------------------

    def _layout(self) -> tuple[int, int]:
        width = max(20, self.content_size.width)
        longest = max(len(i.label) for i in self.issues.values())
        label_w = min(longest + 2, max(10, width * 2 // 7 if width >= 70 else width // 5))
        most = max(len(i.options) for i in self.issues.values())
        cell_w = max(6, (width - label_w) // most)
        return label_w, cell_w

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self.issue_ids) + 1

    def render(self) -> Text:
        label_w, cell_w = self._layout()
        header = self.get_component_rich_style("deal-grid--header")
        plain = self.get_component_rich_style("deal-grid--issue")
        current = self.get_component_rich_style("deal-grid--current")
        cursor = self.get_component_rich_style("deal-grid--cursor")
        both = self.get_component_rich_style("deal-grid--cursor-current")
        text = Text(no_wrap=True, overflow="crop")
        text.append(_fit("Issue", label_w), header)
        text.append(_fit("Options (● on the table)", cell_w * 4), header)
        for r, issue_id in enumerate(self.issue_ids):
            text.append("\n")
            issue = self.issues[issue_id]
            # A space always parts the label from the first option, even when it is cut.
            text.append(_fit(issue.label, label_w - 1) + " ", plain)
            for c, option_id in enumerate(issue.options):
                on_table = self.package.get(issue_id) == option_id
                here = r == self.row and c == self.column
                mark = "●" if on_table else " "
                cell = _fit(f"{mark}{issue.options[option_id].label}", cell_w - 1) + " "
                style = (
                    both
                    if (here and on_table)
                    else cursor
                    if here
                    else current
                    if on_table
                    else plain
                )
                text.append(cell, style)
        return text


def _fit(text: str, width: int) -> str:
    """Pad or cut text to a width, marking a cut with an ellipsis."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text.ljust(width)
    return text[: width - 1] + "…"


class OfferGrid(DealGrid):
    """The deal grid for a seat outside the coalition: Enter signals an offer, not an amendment."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Offer", id="offer"),
    ]

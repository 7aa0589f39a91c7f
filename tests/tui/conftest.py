"""Helpers for Pilot and snapshot tests of the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Markdown, RichLog, Static

from negotiation.tui.app import NegotiationApp


def screen_text(app: NegotiationApp) -> str:
    """Everything the top screen shows as text (Static widgets, the deal grid, Markdown)."""
    from negotiation.tui.widgets.deal_grid import DealGrid
    from negotiation.tui.widgets.gauge import Panel

    parts: list[str] = []
    screen = app.screen
    widgets: list[Widget] = [*screen.query(Static), *screen.query(DealGrid), *screen.query(Panel)]
    for widget in widgets:
        parts.append(str(widget.render()))
    for markdown in screen.query(Markdown):
        parts.append(markdown.source)
    for log in screen.query(RichLog):
        parts.extend(line.text for line in log.lines)
    return "\n".join(parts)


async def settle(pilot: Pilot[int]) -> None:
    """Let queued work (bot moves, screen changes) finish."""
    for _ in range(3):
        await pilot.pause()


@pytest.fixture
def make_app(tmp_path: Path):
    def factory(**kwargs: object) -> NegotiationApp:
        return NegotiationApp(tmp_path / "saves", bot_delay=0.0, **kwargs)  # type: ignore[arg-type]

    return factory

"""The debrief: what the game came to, why, and what could have been — at the end of a game
and from the replay viewer. It shows the same debrief as ``negotiation report``."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown

from negotiation.engine import GameState
from negotiation.report.timeline import timeline
from negotiation.tui.widgets.plot import ScorePlot, game_series


class DebriefScreen(Screen[None]):
    """The debrief of a game (or of a replay up to its current step)."""

    DEFAULT_CSS = """
    DebriefScreen ScorePlot { height: 12; border-bottom: solid $primary; }
    DebriefScreen VerticalScroll { height: 1fr; }
    DebriefScreen Markdown { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", id="debrief.close"),
    ]

    def __init__(self, states: list[GameState], name: str = "") -> None:
        super().__init__()
        self.states = states
        self.game_name = name

    def compose(self) -> ComposeResult:
        from negotiation.report.debrief import debrief_of
        from negotiation.report.markdown import to_markdown

        spec = self.states[0].scenario
        points = timeline(self.states)
        plot = ScorePlot(game_series(spec, points), id="plot")
        plot.current = len(points) - 1
        yield plot
        with VerticalScroll():  # the arrows, Page Up/Down, Home and End scroll it
            yield Markdown(to_markdown(debrief_of(self.states, self.game_name)), id="debrief")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)

"""The terminal app.

For now a title screen that names the scenario and points to the headless commands; the full
game at the terminal (setup, briefings, the negotiation table, votes, the end screen) is the
next piece of work.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.widgets import Footer, Static

from negotiation.scenario import DEFAULT_SCENARIO, ScenarioError, resolve_scenario


class NegotiationApp(App[int]):
    """The negotiation game in the terminal."""

    TITLE = "Coalition of the Willing"
    CSS = """
    #title-box { width: 72; height: auto; border: round $accent; padding: 1 2; }
    #title { text-style: bold; color: $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="quit_ctrl"),
    ]

    def __init__(self, saves_dir: Path | None = None) -> None:
        super().__init__()
        self.saves_dir = saves_dir or Path("saves")

    def compose(self) -> ComposeResult:
        try:
            scenario = resolve_scenario(DEFAULT_SCENARIO)
            about = f"{scenario.title}\n\n{scenario.summary}"
        except ScenarioError as exc:
            about = f"The default scenario does not load:\n{exc}"
        with Center(), Vertical(id="title-box"):
            yield Static("COALITION OF THE WILLING", id="title")
            yield Static(about, id="about")
            yield Static(
                "\nThe playable table arrives in the next version. Until then, from a shell:\n"
                "  negotiation simulate --games 100\n"
                "  negotiation replay SAVE --headless\n\nPress q to quit.",
                id="hint",
            )
        yield Footer()


def run(saves_dir: Path | None = None) -> int:
    """Open the app; returns the exit code."""
    NegotiationApp(saves_dir).run()
    return 0

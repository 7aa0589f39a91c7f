"""The title screen: new game, continue, load, replay, scenarios, help, quit."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

BANNER = """\
 ╔═╗┌─┐┌─┐┬  ┬┌┬┐┬┌─┐┌┐┌
 ║  │ │├─┤│  │ │ ││ ││││
 ╚═╝└─┘┴ ┴┴─┘┴ ┴ ┴└─┘┘└┘  of the Willing"""


def menu_options(*, network: bool = False) -> list[Option]:
    """The title menu; with ``network``, first a way back to the game on a server."""
    options = [
        Option("New game", id="new"),
        Option("Continue the last game", id="continue"),
        Option("Load a saved game", id="load"),
        Option("Replay a saved game", id="replay"),
        Option("Compare groups' games", id="compare"),
        Option("Join a game on a server", id="join"),
        Option("Scenarios", id="scenarios"),
        Option("Help", id="help"),
        Option("Quit", id="quit"),
    ]
    if network:
        options.insert(0, Option("Back to the game on the server", id="network"))
    return options


class TitleScreen(Screen[None]):
    """Where every session starts."""

    DEFAULT_CSS = """
    TitleScreen { align: center middle; }
    TitleScreen #box { width: 60; height: auto; }
    TitleScreen #banner { color: $accent; text-style: bold; margin-bottom: 1; }
    TitleScreen #tagline { color: $text-muted; margin-bottom: 1; }
    TitleScreen OptionList { height: auto; max-height: 12; border: round $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "pick('new')", "New game", id="title.new"),
        Binding("c", "pick('continue')", "Continue", id="title.continue"),
        Binding("l", "pick('load')", "Load", id="title.load"),
        Binding("j", "pick('join')", "Join", id="title.join"),
        Binding("q", "app.quit", "Quit", id="title.quit"),
    ]

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="box"):
            yield Static(BANNER, id="banner")
            yield Static(
                "Negotiate a security guarantee for Ukraine: six delegations, one deal, "
                "and a rules engine that scores how credible it would be.",
                id="tagline",
            )
            yield OptionList(*menu_options(), id="menu")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#menu", OptionList).focus()
        self.offer_network_game()

    def on_screen_resume(self) -> None:
        self.offer_network_game()

    def offer_network_game(self) -> None:
        """While this app holds a seat in a game on a server, the menu leads back to it."""
        menu = self.query_one("#menu", OptionList)
        holding = getattr(self.app, "network", None) is not None
        try:
            menu.get_option("network")
            offered = True
        except OptionDoesNotExist:
            offered = False
        if holding != offered:
            menu.set_options(menu_options(network=holding))
            menu.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.action_pick(event.option.id)

    def action_pick(self, choice: str) -> None:
        app = self.app
        from negotiation.tui.app import NegotiationApp

        assert isinstance(app, NegotiationApp)
        app.title_choice(choice)

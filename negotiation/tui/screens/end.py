"""The end of a game: the result, credibility, each human's satisfaction, and what next."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from negotiation.engine import RoleView, Status, outcome
from negotiation.tui.markup import escape

if TYPE_CHECKING:
    from negotiation.tui.session import GameSession

HEADLINES = {
    Status.ADOPTED: "A deal is adopted and ratified",
    Status.UNRATIFIED: "Signed, but voted down at home",
    Status.COLLAPSED: "The talks collapsed",
    Status.NO_DEAL: "No deal",
}


class EndScreen(Screen[None]):
    """What came of the talks."""

    DEFAULT_CSS = """
    EndScreen { align: center middle; }
    EndScreen #box { width: 84; max-width: 100%; height: auto; max-height: 100%;
                     border: thick $accent; padding: 0 1; }
    EndScreen #headline { text-style: bold; color: $accent; }
    EndScreen VerticalScroll { height: auto; max-height: 16; }
    EndScreen #buttons { height: auto; align-horizontal: center; }
    EndScreen #buttons Button { margin: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "choose('debrief')", "Debrief", id="end.debrief"),
        Binding("s", "choose('save')", "Save a copy", id="end.save"),
        Binding("n", "choose('new')", "New game", id="end.new"),
        Binding("q", "choose('quit')", "Quit", id="end.quit"),
        Binding("escape", "choose('title')", "Title", id="end.title"),
        Binding("u", "choose('undo')", "Undo last move", id="end.undo"),
        Binding("f2", "console", "Facilitator", id="end.console"),
    ]

    def __init__(self, session: GameSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        state = self.session.state
        spec = state.scenario
        result = outcome(state)
        what = "the deal" if state.adopted else "the deal left on the table"
        lines = [f"Credibility of {what}: [b]{result.credibility:.1f}[/b] / 100"]
        card = state.scorecard()
        lines.append("  " + " · ".join(f"{d} {v:.0f}" for d, v in card.dimensions.items()))
        if state.walked_out:
            lines.append(f"{escape(spec.roles[state.walked_out].name)} walked out.")
        for vote in state.ratifications:
            word = "[$success]passed[/]" if vote.passed else "[$error]failed[/]"
            lines.append(f"Ratification — {escape(vote.body)}: {word}")
        if state.stress is not None:
            s = state.stress
            told = "held" if s.held_this_time else "broke"
            lines.append(
                f"Stress test: deterrence held in {s.held} of {s.draws} futures "
                f"({s.hold_rate:.0%}); in the one told, the truce {told}."
            )
        lines.append("")
        # A facilitator with no seat of their own sees every delegation.
        roles = self.session.humans or (list(spec.roles) if self.session.facilitated else [])
        lines.append(
            "[b]How each human delegation fared[/b]"
            if self.session.humans
            else "[b]How each delegation fared[/b]"
        )
        for role in roles:
            sat = RoleView(state, role).satisfaction()
            verdict = "[$success]beats[/]" if sat.acceptable else "[$error]falls short of[/]"
            team = self.session.classroom.teams.get(role)
            who = spec.roles[role].name + (f" ({team.name})" if team else "")
            lines.append(
                f"  {escape(who)}: satisfaction {sat.value:.1f}, "
                f"{verdict} its walk-away value of {sat.walk_away:.0f}"
            )
        if self.session.save_path is not None:
            lines.append("")
            lines.append(f"[dim]Saved as {escape(str(self.session.save_path))}[/]")
        with Center(), Vertical(id="box"):
            yield Static(HEADLINES.get(state.status, state.status.value), id="headline")
            with VerticalScroll():
                yield Static("\n".join(lines))
            with Horizontal(id="buttons"):
                yield Button("Debrief (d)", id="debrief", variant="success")
                yield Button("Save a copy (s)", id="save")
                yield Button("New game (n)", id="new", variant="primary")
                yield Button("Quit (q)", id="quit")
                if self.session.facilitated:
                    yield Button("Undo last move (u)", id="undo", variant="warning")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#new", Button).focus()

    def refresh_from_game(self) -> None:
        """The whole game came from the server (or an undo took the end back): show it."""
        if self.session.state.over:
            self.refresh(recompose=True)
        else:
            self.action_choose("table")

    def action_console(self) -> None:
        """The facilitator's console: the class debrief on the projector, reveal, undo."""
        from negotiation.tui.screens.facilitator import FacilitatorScreen

        if self.session.facilitated:
            self.app.push_screen(FacilitatorScreen(self.session), self._back_from_console)

    def _back_from_console(self, _: object = None) -> None:
        if not self.session.state.over:
            # The facilitator took back the move that ended the game: back to the table.
            self.action_choose("table")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "console":
            return self.session.facilitated
        if action == "choose" and parameters == ("undo",):
            # Only a facilitator takes moves back (a class may not re-run its vote at will).
            return self.session.facilitated
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id:
            self.action_choose(event.button.id)

    def action_choose(self, choice: str) -> None:
        from negotiation.tui.app import NegotiationApp

        app = self.app
        assert isinstance(app, NegotiationApp)
        app.end_choice(self.session, choice)

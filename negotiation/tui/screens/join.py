"""Taking a seat in a game on a server: the join screen, and the projector over the network.

A student types the server's address (given by the facilitator, or filled in by
``negotiation join ws://HOST:PORT``) and the join code of their delegation; the facilitator
and the projector join the same way with their own codes. What the code opens decides what
comes next: a delegation's brief and table, the facilitator's table and console, or the
projector view.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from negotiation.net.client import ClientError, SeatConnection
from negotiation.savefile import SaveError, loads, replay_states
from negotiation.tui.markup import escape
from negotiation.tui.screens.projector import ProjectorScreen, game_key

if TYPE_CHECKING:
    from negotiation.classroom import Team
    from negotiation.net.protocol import Created
    from negotiation.scenario import Scenario
    from negotiation.tui.remote import RemoteSession


class JoinScreen(Screen[None]):
    """Server address and join code, then into the game."""

    DEFAULT_CSS = """
    JoinScreen { align: center middle; }
    JoinScreen #box { width: 64; height: auto; border: thick $accent; padding: 1 2; }
    JoinScreen .title { text-style: bold; color: $accent; margin-bottom: 1; }
    JoinScreen Label { margin-top: 1; }
    JoinScreen #problem { color: $error; height: auto; margin-top: 1; }
    JoinScreen #buttons { height: auto; margin-top: 1; align-horizontal: right; }
    JoinScreen #buttons Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", id="join.back"),
    ]

    def __init__(self, server: str = "", code: str = "") -> None:
        super().__init__()
        self.server = server
        self.code = code
        self.joining = False

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="box"):
            yield Static("Join a game on a server", classes="title")
            yield Static(
                "Your facilitator gives you the server's address and your delegation's code."
            )
            yield Label("Server")
            yield Input(self.server, placeholder="ws://192.168.1.20:8750", id="server")
            yield Label("Join code")
            yield Input(self.code, placeholder="e.g. K7QM-4XPD-2R9T", id="code", max_length=40)
            yield Static(id="problem")
            with Horizontal(id="buttons"):
                yield Button("Back", id="back")
                yield Button("Join", id="join", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        empty = "#server" if not self.server else "#code"
        self.query_one(empty, Input).focus()
        if self.server and self.code:
            self.join()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "server" and not self.query_one("#code", Input).value.strip():
            self.query_one("#code", Input).focus()
            return
        self.join()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "join":
            self.join()
        else:
            self.action_leave()

    def action_leave(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.dismiss(None)
        else:
            self.app.exit(0)

    def say(self, text: str) -> None:
        self.query_one("#problem", Static).update(escape(text))

    def join(self) -> None:
        server = self.query_one("#server", Input).value.strip()
        code = self.query_one("#code", Input).value.strip()
        if not server:
            self.say("Type the server's address, e.g. ws://192.168.1.20:8750.")
            self.query_one("#server", Input).focus()
            return
        if not code:
            self.say("Type your join code.")
            self.query_one("#code", Input).focus()
            return
        if "://" not in server:
            server = f"ws://{server}"
        if self.joining:
            return
        self.joining = True
        self.say("Joining…")
        self.connect(server, code)

    @work(exclusive=True, group="join")
    async def connect(self, server: str, code: str) -> None:
        connection = SeatConnection(server, code)
        try:
            await connection.join(timeout=10)
        except ClientError as exc:
            self.joining = False
            self.say(str(exc))
            return
        from negotiation.tui.app import NegotiationApp

        app = self.app
        assert isinstance(app, NegotiationApp)
        self.joining = False
        self.say("")
        app.enter_network_game(connection)


class RemoteProjectorScreen(ProjectorScreen):
    """The projector of a networked game: the public table from the server, and the whole game
    while the facilitator reveals it or shows the class debrief."""

    def __init__(self, session: RemoteSession) -> None:
        from pathlib import Path

        super().__init__(Path("(network)"), poll_seconds=0.5)
        self.session = session
        self.saves_seen = -1

    def now(self) -> float:
        return super().now() + self.session.clock_offset

    def poll(self) -> None:
        """Take in what the server sent (called on every message, and twice a second)."""
        connection = self.session.connection
        self.session.refresh()
        self.classroom = connection.classroom
        wants_all = self.classroom.reveal or self.classroom.projector == "debrief"
        over = connection.mirror is not None and connection.mirror.state.over
        if (wants_all or over) and connection.debrief is not None:
            if connection.saves_received != self.saves_seen:
                self.saves_seen = connection.saves_received
                try:
                    save = loads(json.dumps(connection.debrief), "the server's game")
                    key = game_key(save)
                    if key != self.key:
                        self.states = list(replay_states(save, "the server's game"))
                    self.save, self.key = save, key
                except SaveError as exc:
                    self.show_problem(str(exc))
                    return
            self.state = self.states[-1]
        else:
            mirror = connection.mirror
            assert mirror is not None
            self.state = mirror.state
            if wants_all:
                self.show_problem("Waiting for the whole game from the server…")
                return
        self.problem = ""
        self.show()


class CodesScreen(Screen[None]):
    """A game made on a server: its join codes, to read out or write on the board."""

    DEFAULT_CSS = """
    CodesScreen { align: center middle; }
    CodesScreen #box { width: 76; max-width: 100%; height: auto; border: thick $accent;
                       padding: 1 2; }
    CodesScreen .title { text-style: bold; color: $accent; }
    CodesScreen #codes { margin: 1 0; }
    CodesScreen #hint { color: $text-muted; }
    CodesScreen #buttons { height: auto; margin-top: 1; align-horizontal: right; }
    CodesScreen #buttons Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "join_as_facilitator", "Run it (facilitator)", id="codes.facilitator"),
        Binding("escape", "close", "Close", id="codes.close"),
    ]

    def __init__(
        self,
        server: str,
        scenario: Scenario,
        created: Created,
        teams: dict[str, Team] | None = None,
    ) -> None:
        super().__init__()
        self.server = server
        self.scenario = scenario
        self.created = created
        self.teams = dict(teams or {})

    def codes_text(self) -> str:
        names = {r: role.name for r, role in self.scenario.roles.items()}
        names.update({"facilitator": "Facilitator", "projector": "Projector (read-only)"})
        width = max(len(n) for n in names.values()) + 2
        lines = []
        for seat, code in self.created.codes.items():
            team = self.teams.get(seat)
            label = f"  ({team.name})" if team else ""
            lines.append(f"{escape(names.get(seat, seat)):<{width}}[b]{code}[/b]{escape(label)}")
        return "\n".join(lines)

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="box"):
            yield Static(
                f"Game {self.created.game} on {escape(self.server)}: {escape(self.scenario.title)}",
                classes="title",
            )
            yield Static(self.codes_text(), id="codes")
            yield Static(
                "Each delegation joins with its code: the title screen's Join (or "
                f"negotiation join {escape(self.server)}), or in a browser where the server "
                "runs --web. A seat nobody takes can be played by a bot: "
                f"negotiation join {escape(self.server)} --code CODE --bot",
                id="hint",
            )
            with Horizontal(id="buttons"):
                yield Button("Close", id="close")
                yield Button("Run it as the facilitator (f)", id="facilitator", variant="primary")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "facilitator":
            self.action_join_as_facilitator()
        else:
            self.action_close()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_join_as_facilitator(self) -> None:
        self.join_as_facilitator()

    @work(exclusive=True, group="join")
    async def join_as_facilitator(self) -> None:
        from negotiation.engine import FACILITATOR
        from negotiation.net.protocol import Settings
        from negotiation.tui.app import NegotiationApp

        connection = SeatConnection(self.server, self.created.codes[FACILITATOR])
        try:
            await connection.join(timeout=10)
            if self.teams:
                await connection.send_message(Settings(teams=self.teams))
        except ClientError as exc:
            self.notify(str(exc), severity="error")
            return
        app = self.app
        assert isinstance(app, NegotiationApp)
        app.enter_network_game(connection)

"""Setting up a game: the scenario, who plays each role, the seed and the number of rounds.

The defaults make Enter-Enter start a game as the chair (France) against bots.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from negotiation import MAX_ROUNDS
from negotiation.bots import STRATEGIES
from negotiation.classroom import Team, parse_team
from negotiation.scenario import Scenario, ScenarioError, builtin_paths, load_scenario
from negotiation.tui.markup import escape
from negotiation.tui.session import HUMAN, default_seats, seat_label


class SetupScreen(Screen[None]):
    """Choose the scenario, the seats, the seed and the rounds."""

    DEFAULT_CSS = """
    SetupScreen { align: center top; }
    SetupScreen #box { width: 90; max-width: 100%; height: 1fr; padding: 0 1; }
    SetupScreen .title { text-style: bold; color: $accent; }
    SetupScreen #about { color: $text-muted; height: auto; max-height: 4; }
    SetupScreen #seats { height: auto; max-height: 10; }
    SetupScreen #settings { height: auto; }
    SetupScreen #settings Input { width: 18; }
    SetupScreen #settings Label { padding: 1 1 0 0; }
    SetupScreen #start-row { height: auto; align-horizontal: center; margin-top: 1; }
    SetupScreen #start-row Button { margin: 0 1; }
    SetupScreen #network { height: auto; }
    SetupScreen #network Label { padding: 1 1 0 0; }
    SetupScreen #network Input { width: 36; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="setup.back"),
        Binding("ctrl+s", "start", "Start", id="setup.start"),
        Binding("ctrl+e", "team", "Team for the seat", id="setup.team"),
        Binding("ctrl+n", "create_on_server", "Create on a server", id="setup.network"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.scenarios: dict[str, Scenario] = {}
        for path in builtin_paths():
            try:
                spec = load_scenario(path)
            except ScenarioError:
                continue
            self.scenarios[spec.id] = spec
        self.scenario = next(iter(self.scenarios.values()), None)
        self.seats: dict[str, str] = {}
        self.teams: dict[str, Team] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label("New game", classes="title")
            if self.scenario is None:
                yield Static("No scenario could be loaded. Check the scenarios folder.")
                return
            with VerticalScroll():
                yield Select(
                    [(s.title, s.id) for s in self.scenarios.values()],
                    value=self.scenario.id,
                    allow_blank=False,
                    id="scenario",
                )
                yield Static(self.scenario.summary, id="about")
                yield Label(
                    "Who plays each delegation (Enter or click to change; Ctrl+E names a team)",
                    classes="title",
                )
                yield OptionList(id="seats")
                with Horizontal(id="settings"):
                    yield Label("Seed")
                    yield Input("0", id="seed", type="integer", max_length=12)
                    yield Label("Rounds")
                    yield Input(
                        str(self.scenario.turns.rounds), id="rounds", type="integer", max_length=2
                    )
                yield Checkbox(
                    "Class exercise: a facilitator runs it (F2 console, timer, events, undo)",
                    id="facilitator",
                )
                with Horizontal(id="network"):
                    yield Label("Or over the network, on the server")
                    yield Input(placeholder="ws://127.0.0.1:8750", id="server")
            with Horizontal(id="start-row"):
                yield Button("Start the talks", id="start", variant="primary")
                yield Button("Create on the server", id="create")
        yield Footer()

    def seat_cycle(self) -> list[str]:
        """What a seat can be, in the order a click cycles through."""
        return [HUMAN, *(f"bot:{name}" for name in STRATEGIES if name != "baseline")]

    def fill_seats(self, scenario: Scenario, seats: dict[str, str] | None = None) -> None:
        self.seats = seats if seats is not None else default_seats(scenario)
        for role, seat in self.seats.items():
            if seat not in self.seat_cycle():
                self.seats[role] = "bot:baseline"
        option_list = self.query_one("#seats", OptionList)
        highlighted = option_list.highlighted
        option_list.clear_options()
        width = max(len(r.name) for r in scenario.roles.values()) + 2
        option_list.add_options(
            Option(
                escape(  # a team's name is typed by the facilitator: never markup
                    f"{role.name:<{width}}{seat_label(self.seats[role_id]):<22}"
                    + (self.teams[role_id].label if role_id in self.teams else "")
                ),
                id=role_id,
            )
            for role_id, role in scenario.roles.items()
        )
        if highlighted is not None:
            option_list.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        role = event.option.id
        if role is None or self.scenario is None:
            return
        cycle = self.seat_cycle()
        self.seats[role] = cycle[(cycle.index(self.seats[role]) + 1) % len(cycle)]
        self.fill_seats(self.scenario, self.seats)

    def on_mount(self) -> None:
        if self.scenario is not None:
            self.fill_seats(self.scenario)
            self.query_one("#start", Button).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "scenario" or not isinstance(event.value, str):
            return
        chosen = self.scenarios.get(event.value)
        if chosen is None or chosen is self.scenario:
            return
        self.scenario = chosen
        self.teams = {}
        self.query_one("#about", Static).update(chosen.summary)
        self.fill_seats(chosen)
        self.query_one("#rounds", Input).value = str(chosen.turns.rounds)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()
        elif event.button.id == "create":
            self.action_create_on_server()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "server":
            self.action_create_on_server()
        else:
            self.action_start()

    def action_create_on_server(self) -> None:
        """Set the game up on a game server: every delegation, the facilitator and the
        projector get a join code (the seats above do not apply: each seat is whoever joins
        with its code, a student or ``negotiation join --bot``)."""
        result = self.settings()
        if isinstance(result, str):
            self.notify(result, severity="error")
            return
        server = self.query_one("#server", Input).value.strip()
        if not server:
            self.notify("Type the game server's address first (negotiation serve prints it).")
            self.query_one("#server", Input).focus()
            return
        if "://" not in server:
            server = f"ws://{server}"
        scenario, _, seed, rounds = result
        self.create_on_server(server, scenario, seed, rounds)

    @work(exclusive=True, group="create")
    async def create_on_server(
        self, server: str, scenario: Scenario, seed: int, rounds: int
    ) -> None:
        from negotiation.net.client import ClientError, create_game
        from negotiation.tui.screens.join import CodesScreen

        try:
            created = await create_game(
                server, scenario.model_dump(mode="json"), seed=seed, rounds=rounds
            )
        except ClientError as exc:
            self.notify(str(exc), title="The game was not created", severity="error")
            return
        self.app.push_screen(CodesScreen(server, scenario, created, dict(self.teams)))

    def action_team(self) -> None:
        """Name the team of students who play the highlighted delegation."""
        from negotiation.tui.screens.dialogs import TextDialog

        option_list = self.query_one("#seats", OptionList)
        if self.scenario is None or option_list.highlighted is None:
            self.notify("Highlight a delegation in the list first.", severity="warning")
            return
        role = option_list.get_option_at_index(option_list.highlighted).id
        if role is None:
            return
        scenario = self.scenario
        current = self.teams.get(role)
        value = f"{current.name}: {', '.join(current.members)}" if current else ""

        def entered(text: object) -> None:
            if not isinstance(text, str):
                return
            if not text.strip():
                self.teams.pop(role, None)
            else:
                try:
                    self.teams[role] = parse_team(text)
                except ValueError as exc:
                    self.notify(str(exc), severity="error")
                    return
            self.fill_seats(scenario, self.seats)

        self.app.push_screen(
            TextDialog(
                f"Team for {scenario.roles[role].name}",
                "NAME: MEMBER, MEMBER (empty: no team)",
                value=value,
                max_length=400,
            ),
            entered,
        )

    def action_back(self) -> None:
        self.app.pop_screen()

    def settings(self) -> tuple[Scenario, dict[str, str], int, int] | str:
        """The chosen settings, or a sentence saying what is wrong."""
        scenario = self.scenario
        if scenario is None:
            return "No scenario is loaded."
        seats = dict(self.seats)
        seed_text = self.query_one("#seed", Input).value.strip() or "0"
        rounds_text = self.query_one("#rounds", Input).value.strip() or str(scenario.turns.rounds)
        try:
            seed = int(seed_text)
            rounds = int(rounds_text)
        except ValueError:
            return "Seed and rounds must be whole numbers."
        if not 0 <= seed < 2**63:
            return "The seed must be 0 or more."
        if not 1 <= rounds <= MAX_ROUNDS:
            return f"Rounds must be between 1 and {MAX_ROUNDS}."
        return scenario, seats, seed, rounds

    def action_start(self) -> None:
        result = self.settings()
        if isinstance(result, str):
            self.notify(result, severity="error")
            return
        scenario, seats, seed, rounds = result
        from negotiation.tui.app import NegotiationApp

        app = self.app
        assert isinstance(app, NegotiationApp)
        facilitator = self.query_one("#facilitator", Checkbox).value
        app.start_game(
            scenario,
            seats,
            seed=seed,
            rounds=rounds,
            facilitator=facilitator,
            teams=dict(self.teams),
        )

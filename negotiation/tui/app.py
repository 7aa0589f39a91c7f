"""The terminal app: screens come and go; the game lives in a :class:`GameSession`.

The app itself only routes between screens (title, setup, briefings, table, end) and offers
what every screen shares: help, the theme, the command palette.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from negotiation.tui.screens.title import TitleScreen

if TYPE_CHECKING:
    from negotiation.classroom import Team
    from negotiation.net.client import SeatConnection
    from negotiation.scenario import Scenario
    from negotiation.tui.remote import RemoteSession

DARK, LIGHT = "textual-dark", "textual-light"


@dataclass(frozen=True)
class PlaySettings:
    """A game to start at once (``negotiation play``)."""

    scenario: Scenario
    seats: dict[str, str]
    seed: int = 0
    rounds: int | None = None
    facilitator: bool = False
    teams: dict[str, Team] = field(default_factory=dict)


@dataclass(frozen=True)
class JoinSettings:
    """A seat of a game on a server to take (``negotiation join``); the code may be typed."""

    server: str
    code: str = ""


class NegotiationApp(App[int]):
    """Coalition of the Willing, in the terminal."""

    TITLE = "Coalition of the Willing"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+t", "toggle_theme", "Light/dark", show=False, id="app.theme"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit"),
    ]

    def __init__(
        self,
        saves_dir: Path | None = None,
        *,
        bot_delay: float = 0.35,
        play: PlaySettings | None = None,
        resume: Path | None = None,
        replay: Path | None = None,
        projector: Path | None = None,
        join: JoinSettings | None = None,
    ) -> None:
        super().__init__()
        self.join_settings = join
        self.network: RemoteSession | None = None
        self._outbox: asyncio.Queue[BaseModel] = asyncio.Queue()
        self.replay_path = replay
        self.projector_path = projector
        self.saves_dir = saves_dir or Path("saves")
        self.bot_delay = bot_delay
        self.play_settings = play
        self.resume_path = resume
        self.theme = DARK

    def on_mount(self) -> None:
        self.push_screen(TitleScreen())
        if os.environ.get("NEGOTIATION_EXIT_AFTER_FIRST_PAINT"):
            # For benchmarks/startup.py: measure launch-to-first-paint, then leave.
            self.call_after_refresh(lambda: self.call_after_refresh(self.exit, 0))
        if self.play_settings is not None:
            s = self.play_settings
            self._start_game(
                s.scenario,
                s.seats,
                seed=s.seed,
                rounds=s.rounds,
                facilitator=s.facilitator,
                teams=s.teams,
            )
        elif self.resume_path is not None:
            self._open_save(self.resume_path)
        elif self.replay_path is not None:
            self._open_replay(self.replay_path)
        elif self.projector_path is not None:
            from negotiation.tui.screens.projector import ProjectorScreen

            self.push_screen(ProjectorScreen(self.projector_path))
        elif self.join_settings is not None:
            from negotiation.tui.screens.join import JoinScreen

            self.push_screen(JoinScreen(self.join_settings.server, self.join_settings.code))

    # --- shared actions -----------------------------------------------------------------------

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_help(self) -> None:
        from negotiation.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        sections: list[tuple[str, list[BindingType]]] = []
        screen = self.screen
        if screen.BINDINGS:
            sections.append(
                (type(screen).__name__.removesuffix("Screen") or "Screen", list(screen.BINDINGS))
            )
        from negotiation.tui.screens.table import TableScreen
        from negotiation.tui.widgets.deal_grid import DealGrid

        if isinstance(screen, TableScreen):
            sections.append(("Deal grid", list(DealGrid.BINDINGS)))
        sections.append(
            (
                "Everywhere",
                [*self.BINDINGS, Binding("ctrl+p", "command_palette", "Command palette")],
            )
        )
        self.push_screen(HelpScreen(sections))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "How to play, and every key", self.action_help)
        yield SystemCommand(
            "Light or dark theme", "Switch the colour theme", self.action_toggle_theme
        )
        from negotiation.tui.screens.table import MOVE_TYPES, TableScreen

        if isinstance(screen, TableScreen):
            for binding in screen.BINDINGS:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                name = binding.action.split("(")[0]
                if name in MOVE_TYPES and not screen.can(name):
                    continue
                yield SystemCommand(
                    f"Game: {binding.description}",
                    f"Key: {binding.key}",
                    lambda action=binding.action: self.call_later(screen.run_action, action),
                )

    # --- routing ------------------------------------------------------------------------------
    # Screens ask for a change of screen through these methods; the work is deferred to the
    # app's own message loop so that dialogs it opens answer to the app, not to a screen that
    # is about to be popped (a popped screen's callbacks would never run).

    def title_choice(self, choice: str) -> None:
        self.call_later(self._title_choice, choice)

    def start_game(
        self,
        scenario: Scenario,
        seats: dict[str, str],
        *,
        seed: int = 0,
        rounds: int | None = None,
        facilitator: bool = False,
        teams: dict[str, Team] | None = None,
    ) -> None:
        self.call_later(
            lambda: self._start_game(
                scenario, seats, seed=seed, rounds=rounds, facilitator=facilitator, teams=teams
            )
        )

    def open_save(self, path: Path) -> None:
        self.call_later(self._open_save, path)

    def show_end(self, session: object) -> None:
        self.call_later(self._show_end, session)

    def table_menu(self, screen: Screen[None]) -> None:
        self.call_later(self._table_menu, screen)

    def end_choice(self, session: object, choice: str) -> None:
        self.call_later(self._end_choice, session, choice)

    def back_to_title(self) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, TitleScreen):
            self.pop_screen()

    def _title_choice(self, choice: str) -> None:
        """What the title screen's menu does."""
        from negotiation.tui.screens.dialogs import Notice
        from negotiation.tui.screens.saves import SavesScreen
        from negotiation.tui.screens.setup import SetupScreen
        from negotiation.tui.session import latest_unfinished

        if choice == "new":
            self.push_screen(SetupScreen())
        elif choice == "continue":
            entry = latest_unfinished(self.saves_dir)
            if entry is None:
                self.notify(
                    f"No unfinished game in {self.saves_dir}. Start a new one.", severity="warning"
                )
                return
            self._open_save(entry.path)
        elif choice == "load":
            self.push_screen(SavesScreen(self.saves_dir), self._loaded)
        elif choice == "replay":
            self.push_screen(SavesScreen(self.saves_dir, "Replay a saved game"), self._replay)
        elif choice == "compare":
            from negotiation.tui.screens.compare import open_compare

            open_compare(self, self.saves_dir)
        elif choice == "join":
            from negotiation.tui.screens.join import JoinScreen

            self.push_screen(JoinScreen())
        elif choice == "network":
            self.back_to_network_game()
        elif choice == "scenarios":
            self.push_screen(Notice("Scenarios", self.scenarios_text()))
        elif choice == "help":
            self.action_help()
        elif choice == "quit":
            self.exit(0)

    def scenarios_text(self) -> str:
        from negotiation.scenario import ScenarioError, builtin_paths, load_scenario
        from negotiation.tui.markup import escape

        lines = []
        for path in builtin_paths():
            try:
                spec = load_scenario(path)
            except ScenarioError as exc:
                lines.append(f"[$error]{escape(path.name)}: {escape(str(exc))}[/]")
                continue
            lines.append(
                f"[b]{escape(spec.title)}[/b] ({escape(spec.id)})\n{escape(spec.summary)}\n"
            )
        return "\n".join(lines) or "No scenarios are installed."

    def _loaded(self, path: Path | None) -> None:
        if path is not None:
            self._open_save(path)

    def _replay(self, path: Path | None) -> None:
        if path is not None:
            self._open_replay(path)

    def open_replay(self, path: Path) -> None:
        self.call_later(self._open_replay, path)

    def _open_replay(self, path: Path) -> None:
        """Open a save in the replay viewer (a broken one is a notification; the file is
        left alone)."""
        from negotiation.report.timeline import timeline
        from negotiation.savefile import SaveError, loads, replay_states
        from negotiation.tui.screens.replay import ReplayScreen

        try:
            save = loads(path.read_bytes(), str(path))
            states = list(replay_states(save, str(path)))
        except (SaveError, OSError) as exc:
            self.notify(str(exc), title="This save cannot be opened", severity="error", timeout=10)
            return
        self.push_screen(
            ReplayScreen(
                states, timeline(states), name=save.name or path.stem, path=path, seats=save.seats
            )
        )

    def fork(
        self, state: object, seats: dict[str, str], name: str, classroom: object = None
    ) -> None:
        self.call_later(self._fork, state, seats, name, classroom)

    def _fork(
        self, state: object, seats: dict[str, str], name: str, classroom: object = None
    ) -> None:
        """Play on from a replay's step in a new game (a new save)."""
        from negotiation.classroom import Classroom
        from negotiation.engine import GameState
        from negotiation.tui.session import GameSession

        assert isinstance(state, GameState)
        try:
            session = GameSession.fork(
                state,
                seats,
                saves_dir=self.saves_dir,
                name=f"{name} (from step {state.steps})",
                classroom=classroom if isinstance(classroom, Classroom) else None,
            )
        except OSError as exc:
            self.notify(f"Cannot save in {self.saves_dir}: {exc}", severity="error")
            return
        self._open_table(session)

    def _open_save(self, path: Path) -> None:
        """Resume a saved game at the table (or at its end screen if it is over)."""
        from negotiation.savefile import SaveError
        from negotiation.tui.session import GameSession

        try:
            session = GameSession.resume(path)
        except SaveError as exc:
            self.notify(str(exc), title="This save cannot be opened", severity="error", timeout=10)
            return
        if session.state.over:
            self._show_end(session)
            return
        self._open_table(session)

    def _start_game(
        self,
        scenario: Scenario,
        seats: dict[str, str],
        *,
        seed: int = 0,
        rounds: int | None = None,
        facilitator: bool = False,
        teams: dict[str, Team] | None = None,
    ) -> None:
        """Create the game, brief each human seat (with hand-offs), then open the table."""
        from negotiation.tui.screens.briefing import BriefingScreen, HandoffScreen
        from negotiation.tui.session import GameSession

        if not facilitator and not any(seat == "human" for seat in seats.values()):
            self.notify(
                "Make at least one delegation human (or run `negotiation simulate` for bots only).",
                severity="error",
            )
            return
        try:
            session = GameSession.start(
                scenario,
                seats,
                seed=seed,
                rounds=rounds,
                saves_dir=self.saves_dir,
                facilitator=facilitator,
                teams=teams,
            )
        except OSError as exc:
            self.notify(f"Cannot save in {self.saves_dir}: {exc}", severity="error")
            return
        humans = session.humans
        self.back_to_title()
        if facilitator and session.save_path is not None:
            self.notify(
                f"F2 opens the facilitator's console. For the projector, in a second terminal: "
                f"negotiation projector {session.save_path}",
                title="Facilitated game",
                timeout=12,
            )

        def brief(index: int) -> None:
            if index >= len(humans):
                self._open_table(session, viewer=humans[-1] if humans else None)
                return
            role = humans[index]
            view = session.view(role)

            def show_brief(_: object = None) -> None:
                self.push_screen(BriefingScreen(scenario, view), lambda _: brief(index + 1))

            if index == 0:
                show_brief()
            else:
                self.push_screen(
                    HandoffScreen(
                        scenario.roles[role].name,
                        "Time to read your brief.",
                        session.classroom.team_label(role),
                    ),
                    show_brief,
                )

        brief(0)

    def _open_table(self, session: object, viewer: str | None = None) -> None:
        from negotiation.tui.screens.table import TableScreen
        from negotiation.tui.session import GameSession

        assert isinstance(session, GameSession)
        self.back_to_title()
        self.push_screen(TableScreen(session, viewer))

    def _show_end(self, session: object) -> None:
        from negotiation.tui.screens.end import EndScreen
        from negotiation.tui.session import GameSession

        assert isinstance(session, GameSession)
        self.back_to_title()
        self.push_screen(EndScreen(session))

    # --- a seat of a game on a server -----------------------------------------------------------

    def enter_network_game(self, connection: SeatConnection) -> None:
        """Joined: brief the delegation and open its table (or the facilitator's table and
        console, or the projector), then follow the server."""
        from negotiation.engine import FACILITATOR
        from negotiation.net.seatview import PROJECTOR
        from negotiation.tui.remote import RemoteSession
        from negotiation.tui.screens.briefing import BriefingScreen
        from negotiation.tui.screens.join import RemoteProjectorScreen
        from negotiation.tui.screens.table import TableScreen

        session = RemoteSession(connection, self._outbox.put_nowait)
        self.network = session
        self.run_worker(self._send_loop(connection), group="network-out", exclusive=True)
        self.run_worker(self._listen(session), group="network-in", exclusive=True)
        self.back_to_title()
        scenario = session.state.scenario
        if connection.seat == PROJECTOR:
            self.push_screen(RemoteProjectorScreen(session))
        elif connection.seat == FACILITATOR:
            from negotiation.tui.screens.facilitator import FacilitatorScreen

            # The console first; Escape shows the table (as the chair sees it), F2 comes back.
            self.push_screen(TableScreen(session))
            self.push_screen(FacilitatorScreen(session))
            self.notify(
                f"You run game {connection.game}. Escape shows the table; F2 the console again.",
                title="Facilitator",
                timeout=10,
            )
        elif session.state.over:
            self._show_end(session)
        else:
            role = connection.seat
            table = TableScreen(session, role)
            # The brief first, even when the talks have begun (a delegation that joins late).
            self.push_screen(
                BriefingScreen(scenario, session.view(role)), lambda _: self.push_screen(table)
            )

    def back_to_network_game(self) -> None:
        """From the title screen, back to the game this app holds a seat in (its end screen
        once it is over)."""
        from negotiation.engine import FACILITATOR
        from negotiation.net.seatview import PROJECTOR
        from negotiation.tui.screens.join import RemoteProjectorScreen
        from negotiation.tui.screens.table import TableScreen

        session = self.network
        if session is None:
            return
        self.back_to_title()
        if session.seat == PROJECTOR:
            self.push_screen(RemoteProjectorScreen(session))
        elif session.state.over:
            self._show_end(session)
        elif session.seat == FACILITATOR:
            self.push_screen(TableScreen(session))
        else:
            self.push_screen(TableScreen(session, session.seat))

    async def _send_loop(self, connection: SeatConnection) -> None:
        """Send the seat's moves and settings in order; a move the connection loses is sent
        again when it joins again (the server applies it once)."""
        from websockets.exceptions import ConnectionClosed

        from negotiation.net.protocol import Act

        while True:
            message = await self._outbox.get()
            if isinstance(message, Act):
                connection.pending = message
            try:
                await connection.send_message(message)
            except (ConnectionClosed, OSError):
                continue  # the listener joins again; a move waits in ``pending`` meanwhile

    async def _listen(self, session: RemoteSession) -> None:
        """Follow the server: redraw on every change, rejoin when the connection drops."""
        from websockets.exceptions import ConnectionClosed

        from negotiation.net.client import ClientError
        from negotiation.net.protocol import CodeChanged, Error

        connection = session.connection
        while True:
            try:
                message = await connection.receive()
            except (ClientError, OSError) as exc:
                if not await self._rejoin(session, str(exc)):
                    return
                continue
            except ConnectionClosed:
                if not await self._rejoin(session, "the connection closed"):
                    return
                continue
            if isinstance(message, Error):
                if message.fatal:
                    self.notify(
                        message.reason, title="The server closed the seat", severity="error"
                    )
                else:
                    self.notify(message.reason, title="Not accepted", severity="error")
                self._network_refused()
            elif isinstance(message, CodeChanged):
                name = session.state.scenario.roles.get(message.seat)
                self.notify(
                    f"{name.name if name else message.seat.title()}: {message.code}. The old "
                    "code no longer works.",
                    title="New join code",
                    timeout=300,
                )
            self._network_changed(session)

    async def _rejoin(self, session: RemoteSession, why: str) -> bool:
        """Join again with the same code until the server answers (a laptop back on the
        network, a server restarted); the game goes on from where the server has it.

        False if the server answers but refuses the code (the facilitator gave the seat a
        new one): the seat is left, with the reason, and the title screen shown.
        """
        from negotiation.net.client import ClientError, CodeRefused

        self.notify(f"Connection lost ({why}). Joining again…", severity="warning", timeout=6)
        delay = 0.5
        while True:
            await asyncio.sleep(delay)  # back off between attempts, up to 5 s
            try:
                await session.connection.join(timeout=10)
            except CodeRefused as exc:
                self.network = None
                self.back_to_title()
                self.notify(
                    f"{exc}. Ask the facilitator for your seat's code, and join again.",
                    title="Left the game",
                    severity="error",
                    timeout=30,
                )
                return False
            except ClientError:  # not there yet, or busy: try again
                delay = min(5.0, delay * 2)
                continue
            self.notify("Back in the game.", timeout=4)
            self._network_changed(session)
            return True

    def _network_changed(self, session: RemoteSession) -> None:
        """The server's game (or its classroom settings) changed: show it."""
        from negotiation.tui.screens.end import EndScreen
        from negotiation.tui.screens.facilitator import FacilitatorScreen
        from negotiation.tui.screens.join import RemoteProjectorScreen
        from negotiation.tui.screens.table import TableScreen

        changed = session.refresh()
        for screen in self.screen_stack:
            if not screen.is_mounted:
                continue  # it draws the game when it is mounted
            if isinstance(screen, RemoteProjectorScreen):
                screen.poll()
            elif isinstance(screen, TableScreen) and screen.is_mounted:
                if changed and screen.flow_started and not screen.busy:
                    screen.after_change()
                else:
                    screen.tick()
            elif isinstance(screen, FacilitatorScreen | EndScreen) and screen.is_mounted:
                screen.refresh_from_game()

    def _network_refused(self) -> None:
        """The server refused a move: ask the table to carry on (e.g. to ask a vote again)."""
        from negotiation.tui.screens.table import TableScreen

        for screen in self.screen_stack:
            if isinstance(screen, TableScreen) and screen.is_mounted and not screen.busy:
                screen.next_step()

    def _table_menu(self, screen: Screen[None]) -> None:
        """Escape on the table: a small menu."""
        from negotiation.tui.screens.dialogs import ChoiceDialog

        choices = [
            ("resume", "Back to the table"),
            ("help", "Help and keys"),
            ("theme", "Switch light/dark theme"),
            ("title", "Leave to the title screen (the game is saved)"),
            ("quit", "Quit (the game is saved)"),
        ]

        def chosen(choice: object) -> None:
            if choice == "help":
                self.action_help()
            elif choice == "theme":
                self.action_toggle_theme()
            elif choice == "title":
                self.back_to_title()
            elif choice == "quit":
                self.exit(0)

        self.push_screen(ChoiceDialog("Menu", choices), chosen)

    def _end_choice(self, session: object, choice: str) -> None:
        """What the end screen's buttons do."""
        from negotiation.tui.screens.dialogs import TextDialog
        from negotiation.tui.screens.setup import SetupScreen
        from negotiation.tui.session import GameSession, safe_file_name

        assert isinstance(session, GameSession)
        if choice == "new":
            self.back_to_title()
            self.push_screen(SetupScreen())
        elif choice == "quit":
            self.exit(0)
        elif choice == "title":
            self.back_to_title()
        elif choice == "table":
            self._open_table(session)
        elif choice == "undo":
            from negotiation.engine import FACILITATOR, IllegalAction, Undo

            try:
                session.act(Undo(role=FACILITATOR))
            except (IllegalAction, OSError) as exc:
                self.notify(str(exc), severity="error")
                return
            self._open_table(session)
        elif choice == "debrief":
            from negotiation.savefile import replay_states
            from negotiation.tui.remote import RemoteSession
            from negotiation.tui.screens.debrief import DebriefScreen

            if isinstance(session, RemoteSession) and not session.full:
                self.notify("The whole game is on its way from the server; try again.")
                return
            states = list(replay_states(session.save, "this game", ruleset=session.state.rules))
            self.push_screen(DebriefScreen(states, session.save.name))
        elif choice == "save":
            from negotiation.tui.remote import RemoteSession

            if isinstance(session, RemoteSession) and not session.full:
                self.notify("The whole game is on its way from the server; try again.")
                return

            def named(name: object) -> None:
                if not isinstance(name, str) or not name.strip():
                    return
                path = self.saves_dir / f"{safe_file_name(name)}.json"
                try:
                    session.save_as(path, name.strip())
                except OSError as exc:
                    self.notify(f"Could not save: {exc}", severity="error")
                    return
                self.notify(f"Saved as {path}")

            self.push_screen(
                TextDialog("Save a copy as…", "A name for this game", max_length=60), named
            )


def run(
    saves_dir: Path | None = None,
    *,
    play: PlaySettings | None = None,
    resume: Path | None = None,
    replay: Path | None = None,
    projector: Path | None = None,
    join: JoinSettings | None = None,
) -> int:
    """Open the app; returns the exit code."""
    app = NegotiationApp(
        saves_dir, play=play, resume=resume, replay=replay, projector=projector, join=join
    )
    result = app.run()
    return result if isinstance(result, int) else 0

"""Seats of a networked game in the app: the join screen, a delegation's table, the
facilitator's console and the projector, each talking to a real server on a loopback port."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import RichLog

from negotiation.bots import strategy
from negotiation.engine import FACILITATOR
from negotiation.net.client import create_game, run_bot
from negotiation.net.server import GameServer, LiveGame
from negotiation.net.store import SQLiteStore
from negotiation.scenario import resolve_scenario
from negotiation.tui.app import JoinSettings, NegotiationApp
from negotiation.tui.screens.briefing import BriefingScreen
from negotiation.tui.screens.facilitator import FacilitatorScreen
from negotiation.tui.screens.join import JoinScreen, RemoteProjectorScreen
from negotiation.tui.screens.table import TableScreen

from conftest import screen_text

PARIS = resolve_scenario("paris-2025")


class Game:
    def __init__(self, server: GameServer, url: str, game: str, codes: dict[str, str]) -> None:
        self.server, self.url, self.id, self.codes = server, url, game, codes

    async def live(self) -> LiveGame:
        return await self.server.game(self.id)


@pytest.fixture
async def game(tmp_path: Path) -> AsyncIterator[Game]:
    server = GameServer(SQLiteStore(tmp_path / "server.db"))
    listener = await server.start("127.0.0.1", 0)
    url = f"ws://127.0.0.1:{next(iter(listener.sockets)).getsockname()[1]}"
    created = await create_game(url, PARIS.model_dump(mode="json"), seed=4)
    yield Game(server, url, created.game, created.codes)
    listener.close()
    await listener.wait_closed()
    server.close()


async def until(pilot: Pilot[int], condition: Callable[[], bool], what: str) -> None:
    """Let the app and the server work until ``condition`` holds (at most ten seconds)."""
    for _ in range(400):
        if condition():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"timed out waiting for {what}")


def bots_for(game: Game, *roles: str) -> list[asyncio.Task[object]]:
    return [
        asyncio.create_task(
            run_bot(game.url, game.codes[r], strategy(PARIS.roles[r].default_strategy))
        )
        for r in roles
    ]


async def test_a_wrong_code_is_told_on_the_join_screen(
    game: Game, make_app: Callable[..., NegotiationApp]
) -> None:
    app = make_app(join=JoinSettings(game.url, "ZZZZ-ZZZZ-ZZZZ"))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "unknown join code" in screen_text(app), "the refusal")
        assert isinstance(app.screen, JoinScreen)


async def test_a_code_typed_on_the_join_screen_opens_the_delegations_brief(
    game: Game, make_app: Callable[..., NegotiationApp]
) -> None:
    app = make_app(join=JoinSettings(game.url))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*game.codes["germany"].lower(), "enter")
        await until(pilot, lambda: isinstance(app.screen, BriefingScreen), "the brief")
        assert "Germany" in screen_text(app)


async def test_a_delegation_plays_its_seat_over_the_network(
    game: Game, make_app: Callable[..., NegotiationApp]
) -> None:
    others = bots_for(game, "france", "germany", "us", "ukraine", "russia")
    app = make_app(join=JoinSettings(game.url, game.codes["uk"]))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, BriefingScreen), "the brief")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, TableScreen), "the table")
            table = app.screen
            assert isinstance(table, TableScreen)
            live = await game.live()
            await until(pilot, lambda: live.state.turn == "uk", "the UK's turn")
            await until(pilot, lambda: "your move" in screen_text(app), "the table to say so")
            await pilot.press("e")  # end the turn: a pass, sent to the server
            await until(
                pilot,
                lambda: any(e.text == "United Kingdom passes." for e in live.state.log),
                "the server to take the pass",
            )
            # The table follows the server as the bots move on.
            log = table.query_one("#log-text", RichLog)
            await until(
                pilot,
                lambda: any("United Kingdom passes." in line.text for line in log.lines),
                "the pass in the table's log",
            )

            def same_as_the_server() -> bool:
                mine, theirs = table.session.state, live.state
                return mine.steps > 3 and (mine.steps, mine.package, mine.pledges) == (
                    theirs.steps,
                    theirs.package,
                    theirs.pledges,
                )

            await until(pilot, same_as_the_server, "the table to show the server's game")
    finally:
        for task in others:
            task.cancel()


async def test_the_facilitators_console_runs_the_servers_clock_and_the_projector(
    game: Game, make_app: Callable[..., NegotiationApp]
) -> None:
    chair = make_app(join=JoinSettings(game.url, game.codes[FACILITATOR]))
    wall = make_app(join=JoinSettings(game.url, game.codes["projector"]))
    async with chair.run_test(size=(120, 40)) as pilot, wall.run_test(size=(120, 40)) as shown:
        await until(pilot, lambda: isinstance(chair.screen, FacilitatorScreen), "the console")
        await until(shown, lambda: isinstance(wall.screen, RemoteProjectorScreen), "projector")
        # No delegation has joined yet (the console lists the seats once it has drawn them).
        await until(pilot, lambda: "not connected" in screen_text(chair), "the seats listed")
        from negotiation.net.client import SeatConnection

        uk = SeatConnection(game.url, game.codes["uk"])
        await uk.join()

        def uk_line() -> str:
            return next(
                line for line in screen_text(chair).splitlines() if "United Kingdom" in line
            )

        await until(pilot, lambda: "not connected" not in uk_line(), "the UK online")
        assert "connected" in uk_line()
        await pilot.press("t", *"10", "enter")
        live = await game.live()
        await until(pilot, lambda: live.classroom.timer is not None, "the server's timer")
        timer = live.classroom.timer
        assert timer is not None and timer.running and timer.seconds == 600
        await until(shown, lambda: "TIME LEFT" in screen_text(wall), "the projector's timer")
        await pilot.press("r")  # reveal: the projector is sent the whole game
        await until(shown, lambda: "SATISFACTION AGAINST" in screen_text(wall), "the standings")
        stored = json.loads(game.server.store.load(game.id)[0].classroom or "{}")
        assert stored["reveal"] is True


async def test_the_setup_screen_creates_a_game_on_a_server_and_lists_its_codes(
    game: Game, make_app: Callable[..., NegotiationApp]
) -> None:
    from negotiation.tui.screens.join import CodesScreen
    from negotiation.tui.screens.setup import SetupScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, SetupScreen), "the setup screen")
        app.screen.query_one("#server").focus()
        await pilot.press(*game.url, "enter")
        await until(pilot, lambda: isinstance(app.screen, CodesScreen), "the codes")
        codes = app.screen
        assert isinstance(codes, CodesScreen)
        text = screen_text(app)
        for seat, code in codes.created.codes.items():
            assert code in text, seat
        assert "Projector" in text and "United Kingdom" in text
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FacilitatorScreen), "the console")
        await pilot.press("escape")  # the table behind it, as the chair sees it
        await until(pilot, lambda: isinstance(app.screen, TableScreen), "the table")
        assert "the facilitator, at France's place" in screen_text(app)
        assert app.network is not None and app.network.seat == FACILITATOR
        assert codes.created.game in game.server.games


async def test_after_the_game_a_seat_gets_the_whole_game_for_its_debrief(
    game: Game, make_app: Callable[..., NegotiationApp]
) -> None:
    from negotiation.tui.screens.debrief import DebriefScreen
    from negotiation.tui.screens.end import EndScreen

    await asyncio.gather(*bots_for(game, *PARIS.roles))
    live = await game.live()
    assert live.state.over
    app = make_app(join=JoinSettings(game.url, game.codes["ukraine"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, EndScreen), "the end screen")
        assert app.network is not None
        session = app.network
        await until(pilot, lambda: session.full, "the whole game")
        assert session.state.fingerprint() == live.state.fingerprint()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DebriefScreen), "the debrief")
        text = screen_text(app)
        for role in PARIS.roles.values():  # every delegation against its walk-away value
            assert role.name in text


async def test_a_seat_that_left_for_the_title_screen_finds_its_way_back(
    game: Game, make_app: Callable[..., NegotiationApp]
) -> None:
    from negotiation.tui.screens.title import TitleScreen

    app = make_app(join=JoinSettings(game.url, game.codes["germany"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, BriefingScreen), "the brief")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TableScreen), "the table")
        app.back_to_title()
        await until(pilot, lambda: isinstance(app.screen, TitleScreen), "the title screen")
        from textual.widgets import OptionList

        def first_entry() -> str:
            menu = app.screen.query_one("#menu", OptionList)
            return str(menu.get_option_at_index(0).prompt)

        await until(pilot, lambda: first_entry() == "Back to the game on the server", "the way")
        await pilot.press("enter")  # the first entry, highlighted
        await until(pilot, lambda: isinstance(app.screen, TableScreen), "the table again")
        table = app.screen
        assert isinstance(table, TableScreen) and table.viewer == "germany"


async def test_a_seat_whose_code_the_facilitator_replaced_is_told_and_let_go(
    game: Game, make_app: Callable[..., NegotiationApp]
) -> None:
    """A code that got into the wrong hands: the facilitator gives the seat a new one, and
    whoever held it with the old one is told why (not left rejoining for ever)."""
    from negotiation.net.client import replace_code
    from negotiation.tui.screens.title import TitleScreen

    app = make_app(join=JoinSettings(game.url, game.codes["germany"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, BriefingScreen), "the brief")
        new = await replace_code(game.url, game.codes[FACILITATOR], "germany")
        await until(pilot, lambda: isinstance(app.screen, TitleScreen), "the title screen")
        told = [n for n in app._notifications if n.title == "Left the game"]
        assert told and "unknown join code" in told[0].message
        assert "Ask the facilitator for your seat's code" in told[0].message
        assert app.network is None
    assert new != game.codes["germany"]


async def test_the_facilitators_console_gives_a_seat_a_new_code(
    game: Game, make_app: Callable[..., NegotiationApp]
) -> None:
    from negotiation.net.client import CodeRefused, SeatConnection
    from negotiation.tui.screens.dialogs import ChoiceDialog

    chair = make_app(join=JoinSettings(game.url, game.codes[FACILITATOR]))
    async with chair.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(chair.screen, FacilitatorScreen), "the console")
        console = chair.screen
        assert isinstance(console, FacilitatorScreen)
        assert console.check_action("new_code", ()) is True  # over the network only
        await pilot.press("c")
        await until(pilot, lambda: isinstance(chair.screen, ChoiceDialog), "the seats")
        dialog = chair.screen
        order = list(PARIS.turns.order)
        dialog.query_one("OptionList").highlighted = order.index("uk")
        await pilot.press("enter")

        def told() -> list[str]:
            return [str(n.message) for n in chair._notifications if n.title == "New join code"]

        await until(pilot, lambda: bool(told()), "the new code")
        new = game.server.store.codes_of(game.id)["uk"]
        assert new != game.codes["uk"] and told()[0].startswith(f"United Kingdom: {new}.")
    with pytest.raises(CodeRefused):
        await SeatConnection(game.url, game.codes["uk"]).join()

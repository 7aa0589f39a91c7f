"""Pilot tests of the facilitator's console: written events, the round timer, undo, seats,
notes and what the projector is told to show."""

from __future__ import annotations

from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Digits, Input, Select, SelectionList

from negotiation.classroom import Team
from negotiation.engine import FACILITATOR, CustomInject, RoleView, Undo, effective_actions
from negotiation.savefile import read_save
from negotiation.scenario import resolve_scenario
from negotiation.tui.app import NegotiationApp, PlaySettings
from negotiation.tui.screens.briefing import BriefingScreen, HandoffScreen
from negotiation.tui.screens.dialogs import ChoiceDialog, Confirm, Notice, TextDialog
from negotiation.tui.screens.end import EndScreen
from negotiation.tui.screens.facilitator import (
    FacilitatorScreen,
    WriteEventDialog,
    parse_minutes,
)
from negotiation.tui.screens.table import TableScreen
from negotiation.tui.session import default_seats

from conftest import screen_text, settle


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(FacilitatorScreen, "now", staticmethod(fake))
    return fake


def facilitated(make_app: Any, human: str = "france", **kw: Any) -> NegotiationApp:
    scenario = resolve_scenario("paris-2025")
    settings = PlaySettings(
        scenario,
        default_seats(scenario, human),
        seed=4,
        facilitator=True,
        teams={"france": Team(name="Les Bleus [A]", members=("Ana", "Ben"))},
        **kw,
    )
    app: NegotiationApp = make_app(play=settings)
    return app


async def to_the_table(pilot: Pilot[int]) -> TableScreen:
    app = pilot.app
    for _ in range(60):
        await settle(pilot)
        screen = app.screen
        if isinstance(screen, TableScreen) and screen.my_turn and not screen.busy:
            return screen
        if isinstance(screen, BriefingScreen | Notice | HandoffScreen):
            await pilot.press("enter")
    raise AssertionError(f"never reached the table: {app.screen}")


async def open_console(pilot: Pilot[int]) -> FacilitatorScreen:
    await pilot.press("f2")
    await settle(pilot)
    console = pilot.app.screen
    assert isinstance(console, FacilitatorScreen)
    return console


async def test_the_facilitator_writes_an_event_for_one_delegation(make_app, clock):
    app = facilitated(make_app)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await to_the_table(pilot)
        session = table.session
        before = session.state.scorecard().dimensions["resolve"]
        console = await open_console(pilot)
        assert console.check_action("new_code", ()) is False  # codes are for network games
        # Private information is on the console: every delegation against its walk-away.
        text = screen_text(app)
        assert "Les Bleus [A] (Ana, Ben)" in text
        assert f"{RoleView(session.state, 'russia').walk_away():4.0f}" in text
        await pilot.press("w")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, WriteEventDialog)
        dialog.query_one("#title", Input).value = "Sabotage at Odesa"
        dialog.query_one("#text", Input).value = "Saboteurs blow up a rail bridge."
        dialog.query_one("#told", SelectionList).select("france")
        dialog.query_one("#dim-resolve", Input).value = "-25"
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Beyond the scenario's limit: the dialog says why and stays open.
        assert app.screen is dialog
        assert "at most 10" in str(dialog.query_one("#error").render())
        for odd in ("nan", "inf", "-infinity"):  # floats Python reads, but not numbers here
            dialog.query_one("#dim-resolve", Input).value = odd
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog
            assert f"{odd!r} is not a number" in str(dialog.query_one("#error").render())
        dialog.query_one("#title", Input).value = "Sabotage at Odesa\x1b[2J"  # as pasted
        dialog.query_one("#dim-resolve", Input).value = "-6"
        dialog.query_one("#walk-points", Input).value = "4"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # a walk-away change needs a delegation
        assert "whose walk-away" in str(dialog.query_one("#error").render())
        dialog.query_one("#walk-role", Select).value = "germany"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is console
        state = session.state
        last = state.actions[-1]
        assert isinstance(last, CustomInject) and last.visible_to == ("france",)
        assert last.walk_away == {"germany": 4.0}
        assert state.walk_away_shift["germany"] == pytest.approx(4.0)
        assert state.scorecard().dimensions["resolve"] == pytest.approx(before - 6)
        assert "Sabotage at Odesa" in screen_text(app)
        # Saved at once, for the projector to follow.
        assert session.save_path is not None
        assert read_save(session.save_path)[1].fingerprint() == state.fingerprint()
        # Back at the table, France (told of it) gets the event.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, Notice)
        assert "Saboteurs blow up a rail bridge." in screen_text(app)


def face(console: FacilitatorScreen) -> str:
    digits = console.query_one("#timer", Digits)
    return digits.value


async def test_the_round_timer_counts_pauses_and_extends_for_everyone(make_app, clock):
    app = facilitated(make_app)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await to_the_table(pilot)
        console = await open_console(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"10", "enter")
        await settle(pilot)
        timer = table.session.classroom.timer
        assert timer is not None and timer.running
        clock.now += 90
        console.tick()
        assert "08:30" in face(console)
        await pilot.press("space")  # pause
        await settle(pilot)
        clock.now += 300
        console.tick()
        assert "08:30" in face(console)
        assert "paused" in screen_text(app)
        await pilot.press("plus", "plus")  # two more minutes
        await settle(pilot)
        await pilot.press("space")  # run again
        await settle(pilot)
        clock.now += 30
        console.tick()
        assert "10:00" in face(console)
        # The save carries it (the projector's copy), and the table shows it to every seat.
        path = table.session.save_path
        assert path is not None
        saved = read_save(path)[0].classroom.timer
        assert saved is not None and saved.left(clock.now) == pytest.approx(600)
        await pilot.press("escape")
        await settle(pilot)
        table.tick()
        assert "⏱ 10:00" in str(table.query_one("#status").render())
        clock.now += 601
        table.tick()
        assert "TIME IS UP" in str(table.query_one("#status").render())
        # An empty length turns the timer off, for the seats and the projector alike.
        await open_console(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert table.session.classroom.timer is None
        assert read_save(path)[0].classroom.timer is None


async def test_the_hand_off_names_the_team_coming_to_the_keyboard(make_app, clock):
    scenario = resolve_scenario("paris-2025")
    seats = {**default_seats(scenario, "france"), "uk": "human"}
    teams = {"uk": Team(name="Whitehall", members=("Chloe", "Dev"))}
    app = make_app(play=PlaySettings(scenario, seats, seed=4, facilitator=True, teams=teams))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HandoffScreen)
        assert "Whitehall (Chloe, Dev)" in screen_text(app)


async def test_undo_takes_a_move_back_and_the_log_keeps_it(make_app, clock):
    app = facilitated(make_app)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await to_the_table(pilot)
        session = table.session
        before = session.state
        await pilot.press("s")  # France supports the deal
        await settle(pilot)
        table = await to_the_table(pilot)  # bots have moved; France again (next round)
        moved = session.state
        assert moved.steps > before.steps
        await open_console(pilot)
        undos = 0
        while len(effective_actions(session.state)) > len(effective_actions(before)):
            await pilot.press("u")
            await settle(pilot)
            assert isinstance(app.screen, Confirm)
            await pilot.press("y")
            await settle(pilot)
            undos += 1
            assert undos < 40
        state = session.state
        assert undos == moved.steps - before.steps
        assert state.turn == "france"
        assert state.package == before.package and state.round == before.round
        assert state.scorecard() == before.scorecard()
        assert sum(isinstance(a, Undo) for a in state.actions) == undos
        # Nothing erased: the support and the undos are all in the log.
        assert any("supports" in e.text for e in state.log if e.actor == "france")
        assert sum("takes back" in e.text for e in state.log) == undos
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TableScreen)
        assert app.screen.my_turn


async def test_swap_a_seat_note_reveal_and_debrief(make_app, clock):
    app = facilitated(make_app)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await to_the_table(pilot)
        session = table.session
        await open_console(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        app.screen.query_one("OptionList").highlighted = 4  # Ukraine: a bot
        await pilot.press("enter")
        await settle(pilot)
        assert session.seats["ukraine"] == "human"
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Germany stalls", "enter")
        await settle(pilot)
        note = session.state.log[-1]
        assert note.text == "Facilitator's note: Germany stalls"
        assert note.visible_to == (FACILITATOR,)
        await pilot.press("r")
        await settle(pilot)
        assert session.classroom.reveal
        await pilot.press("d", "right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert session.classroom.projector == "debrief"
        assert session.classroom.debrief_page == 2
        assert "page 3 of 8: United Kingdom" in screen_text(app)
        await pilot.press(*["right_square_bracket"] * 12)
        await settle(pilot)
        assert session.classroom.debrief_page == 7  # the last page: the questions
        assert "questions for discussion" in screen_text(app)
        path = session.save_path
        assert path is not None
        saved = read_save(path)[0]
        assert saved.seats["ukraine"] == "human" and saved.classroom.reveal
        # The note is for the facilitator: the table never shows it.
        await pilot.press("escape")
        await settle(pilot)
        assert "Germany stalls" not in screen_text(app)


async def test_the_console_is_closed_to_a_game_without_a_facilitator(make_app):
    scenario = resolve_scenario("paris-2025")
    app = make_app(play=PlaySettings(scenario, default_seats(scenario, "france"), seed=4))
    async with app.run_test(size=(120, 40)) as pilot:
        await to_the_table(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, TableScreen)


async def test_the_facilitator_can_undo_the_move_that_ended_the_game(make_app, clock):
    app = facilitated(make_app, rounds=1)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await settle(pilot)
            screen = app.screen
            if isinstance(screen, EndScreen):
                break
            if isinstance(screen, TableScreen) and screen.my_turn and not screen.busy:
                await pilot.press("w", "y")  # walk out
            elif not isinstance(screen, TableScreen):
                await pilot.press("enter")
        assert isinstance(app.screen, EndScreen)
        session = app.screen.session
        assert session.state.over
        # After the game, the console puts the class debrief on the projector.
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, FacilitatorScreen)
        await pilot.press("d")
        await settle(pilot)
        assert session.classroom.projector == "debrief"
        told = [Content.from_markup(str(n.message)).plain for n in app._notifications]
        assert any("[ and ] turn its pages" in line for line in told)  # the keys, not markup
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, EndScreen)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, TableScreen)
        assert not session.state.over
        assert isinstance(session.state.actions[-1], Undo)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10", 600), ("7:30", 450), ("0.5", 30), (":45", 45), ("0", None), ("x", None), ("999", None)],
)
def test_timer_lengths_are_read_as_minutes(text, seconds):
    assert parse_minutes(text) == seconds

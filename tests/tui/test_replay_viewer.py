"""Pilot tests of the replay viewer, forking a game, and renaming and deleting saves."""

from __future__ import annotations

from pathlib import Path

import pytest

from negotiation.bots import strategy
from negotiation.bots.runner import play_game
from negotiation.engine import Status
from negotiation.rules import Ruleset
from negotiation.savefile import loads, make_save, read_save, write_save
from negotiation.scenario import resolve_scenario
from negotiation.tui.screens.dialogs import Confirm, TextDialog
from negotiation.tui.screens.replay import ReplayScreen
from negotiation.tui.screens.saves import SavesScreen
from negotiation.tui.screens.table import TableScreen

from conftest import screen_text, settle


@pytest.fixture(scope="module")
def finished_game():
    scenario = resolve_scenario("paris-2025")
    rules = Ruleset(scenario)
    bots = {r: strategy(role.default_strategy) for r, role in scenario.roles.items()}
    for seed in range(20):
        state = play_game(rules, seed, bots)
        if state.status is Status.ADOPTED and state.votes_held:
            return state
    raise AssertionError("no adopted game in 20 seeds")


@pytest.fixture
def saved_game(tmp_path: Path, finished_game) -> Path:
    path = tmp_path / "saves" / "game.json"
    seats = {r: "bot:pragmatist" for r in finished_game.scenario.roles}
    write_save(path, make_save(finished_game, seats, name="Class B"))
    return path


async def test_the_viewer_steps_jumps_and_marks_the_current_step(
    make_app, saved_game, finished_game
):
    app = make_app(replay=saved_game)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        viewer = app.screen
        assert isinstance(viewer, ReplayScreen)
        last = finished_game.steps
        assert viewer.step == last and f"step {last}/{last}" in screen_text(app)
        await pilot.press("home")
        assert viewer.step == 0
        await pilot.press("right", "right", "right")
        assert viewer.step == 3
        await pilot.press("left")
        assert viewer.step == 2
        assert viewer.state.fingerprint() == viewer.states[2].fingerprint()
        await pilot.press("pagedown")
        assert viewer.state.round == 2 and viewer.states[viewer.step - 1].round == 1
        await pilot.press("pageup")
        assert viewer.state.round == 1
        await pilot.press("v")
        vote_step = viewer.step
        assert viewer.states[vote_step].votes_held == viewer.states[vote_step - 1].votes_held + 1
        await pilot.press("end")
        assert viewer.step == last
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press("1", "0", "enter")
        await settle(pilot)
        assert viewer.step == 10
        # the log marks the current step and shows private entries (a replay is a debrief)
        await pilot.press("left")  # any key leaves the tab choice alone
        log = str(viewer.query_one("#log-text").render())
        assert "▶" in log
        # every role's satisfaction is on screen
        text = screen_text(app)
        for role in finished_game.scenario.roles.values():
            assert role.name[:14] in text
        # pledges in their units, as the table shows them ("3 thousand troops")
        await pilot.press("end")
        await settle(pilot)
        spec = finished_game.scenario
        for role_id, own in finished_game.pledges.items():
            for kind, units in own.items():
                shown = f"{spec.roles[role_id].short}: "
                assert shown in screen_text(app)
                assert f"{units} {spec.pledge_kinds[kind].unit}" in screen_text(app)


async def test_play_on_from_a_step_starts_a_new_game(make_app, saved_game, tmp_path):
    app = make_app(replay=saved_game)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        viewer = app.screen
        assert isinstance(viewer, ReplayScreen)
        await pilot.press("home", "right", "right", "right", "right", "right")
        history = viewer.state.actions
        await pilot.press("f")
        await settle(pilot)
        tables = [s for s in app.screen_stack if isinstance(s, TableScreen)]
        assert len(tables) == 1
        table = tables[0]
        assert table.session.state.actions[: len(history)] == history
        assert table.session.save_path != saved_game
        assert table.session.save_path is not None and table.session.save_path.exists()
    assert loads(saved_game.read_bytes()).name == "Class B"  # the original is untouched


async def test_saves_can_be_renamed_and_deleted_with_confirmation(make_app, saved_game):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, SavesScreen)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Group 3", "enter")  # the old name is selected: typing replaces it
        await settle(pilot)
        save, _ = read_save(saved_game)
        assert save.name == "Group 3"
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await settle(pilot)
        assert saved_game.exists()
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not saved_game.exists()
        assert "No saved games" in screen_text(app)


async def test_replay_from_the_title_screen_opens_the_viewer(make_app, saved_game):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # Replay a saved game
        await settle(pilot)
        assert isinstance(app.screen, SavesScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReplayScreen)

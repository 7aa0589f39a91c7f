"""Snapshot tests of how the main screens look, at 80×24 and at 120×40.

Update them after an intended change of looks with: pytest tests/tui --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from negotiation.scenario import resolve_scenario
from negotiation.tui.app import NegotiationApp, PlaySettings
from negotiation.tui.screens.briefing import BriefingScreen
from negotiation.tui.screens.dialogs import Notice
from negotiation.tui.screens.end import EndScreen
from negotiation.tui.screens.table import TableScreen
from negotiation.tui.session import default_seats

from conftest import settle

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def fixed_saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Saves go to ./saves/game.json in a temporary folder, so screens show a fixed path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        "negotiation.tui.session.unique_save_path", lambda folder, scenario_id: folder / "game.json"
    )
    return Path("saves")


def app_for(saves: Path, play: PlaySettings | None = None) -> NegotiationApp:
    return NegotiationApp(saves, bot_delay=0.0, play=play)


async def to_table(pilot: Pilot[int]) -> None:
    """From the title screen: a new game with the defaults, up to France's first move."""
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TableScreen)


async def to_end(pilot: Pilot[int]) -> None:
    """A one-round game: France passes, the bots play, no vote can be held: no deal."""
    await settle(pilot)
    for _ in range(200):
        screen = pilot.app.screen
        if isinstance(screen, EndScreen):
            return
        if isinstance(screen, BriefingScreen | Notice):
            await pilot.press("enter")
        elif isinstance(screen, TableScreen) and screen.my_turn and not screen.busy:
            await pilot.press("e")
        await settle(pilot)
    raise AssertionError("no end screen")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_title(snap_compare, fixed_saves, size):
    assert snap_compare(app_for(fixed_saves), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_setup(snap_compare, fixed_saves, size):
    assert snap_compare(app_for(fixed_saves), press=["enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_table(snap_compare, fixed_saves, size):
    assert snap_compare(app_for(fixed_saves), run_before=to_table, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_end(snap_compare, fixed_saves, size):
    scenario = resolve_scenario("paris-2025")
    play = PlaySettings(scenario, default_seats(scenario), seed=1, rounds=1)
    assert snap_compare(app_for(fixed_saves, play), run_before=to_end, terminal_size=size)


@pytest.fixture
def replay_save(fixed_saves: Path) -> Path:
    """A finished Paris game between the default bots, saved under ./saves."""
    from negotiation.bots import strategy
    from negotiation.bots.runner import play_game
    from negotiation.rules import Ruleset
    from negotiation.savefile import make_save, write_save

    scenario = resolve_scenario("paris-2025")
    bots = {r: strategy(role.default_strategy) for r, role in scenario.roles.items()}
    state = play_game(Ruleset(scenario), 0, bots)
    path = fixed_saves / "replay.json"
    write_save(path, make_save(state, {r: "bot" for r in scenario.roles}, name="Snapshot game"))
    return path


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_replay_viewer(snap_compare, fixed_saves, replay_save, size):
    app = NegotiationApp(fixed_saves, bot_delay=0.0, replay=replay_save)
    assert snap_compare(app, press=["home", "right", "right", "right"], terminal_size=size)


def test_debrief(snap_compare, fixed_saves, replay_save):
    app = NegotiationApp(fixed_saves, bot_delay=0.0, replay=replay_save)
    assert snap_compare(app, press=["d"], terminal_size=(120, 40))

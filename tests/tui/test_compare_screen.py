"""Pilot tests of comparing several groups' saved games: ticking them, reading them side by
side, exporting the comparison, and every way a pick can fail without a traceback."""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, SelectionList

from negotiation.bots import strategy
from negotiation.bots.runner import play_game
from negotiation.engine import GameState
from negotiation.rules import Ruleset
from negotiation.savefile import make_save, write_save
from negotiation.scenario import load_scenario, resolve_scenario
from negotiation.tui.app import NegotiationApp
from negotiation.tui.screens.compare import ComparePickScreen, CompareScreen, open_compare
from negotiation.tui.screens.dialogs import Confirm, TextDialog
from negotiation.tui.screens.help import HelpScreen
from negotiation.tui.screens.title import TitleScreen

from conftest import screen_text, settle

MINI = Path(__file__).parent.parent / "data" / "mini.toml"

# (save name, strategy, seed): three Paris games that end apart. One group's name looks like
# markup, as a group's name may.
GROUPS = (
    ("Group A", "pragmatist", 2),
    ("Group B", "hardliner", 2),
    ("[b]Group C[/b] <3", "reciprocator", 2),
)


def bot_game(rules: Ruleset, strategy_name: str, seed: int) -> GameState:
    return play_game(rules, seed, {role: strategy(strategy_name) for role in rules.scenario.roles})


@pytest.fixture(scope="module")
def paris_games() -> dict[str, GameState]:
    rules = Ruleset(resolve_scenario("paris-2025"))
    return {name: bot_game(rules, plan, seed) for name, plan, seed in GROUPS}


@pytest.fixture(scope="module")
def mini_game() -> GameState:
    return bot_game(Ruleset(load_scenario(MINI)), "baseline", 1)


@pytest.fixture
def saves_dir(tmp_path: Path, paris_games: dict[str, GameState], mini_game: GameState) -> Path:
    """A class's saves folder. Listed newest first: Group A, Group B, the markup-named group,
    a Mini talks game, then a broken file."""
    folder = tmp_path / "saves"
    files = [
        (f"group-{n}.json", name, state) for n, (name, state) in enumerate(paris_games.items())
    ]
    files.append(("mini.json", "Mini group", mini_game))
    for age, (file, name, state) in enumerate(files):
        path = folder / file
        write_save(path, make_save(state, name=name))
        os.utime(path, (2_000_000_000 - age, 2_000_000_000 - age))
    broken = folder / "broken.json"
    broken.write_text("{not json")
    os.utime(broken, (1_000_000_000, 1_000_000_000))
    return folder


def messages(app: NegotiationApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def picker(app: NegotiationApp) -> ComparePickScreen:
    screen = app.screen
    assert isinstance(screen, ComparePickScreen)
    return screen


async def open_picker(pilot: Pilot[int], saves_dir: Path) -> ComparePickScreen:
    await settle(pilot)
    open_compare(pilot.app, saves_dir)
    await settle(pilot)
    assert isinstance(pilot.app, NegotiationApp)
    return picker(pilot.app)


async def compare_ticked(pilot: Pilot[int]) -> None:
    """Enter, then wait for the games to be read and compared off the UI thread."""
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


async def test_two_ticked_games_show_both_groups_credibility_side_by_side(
    make_app, saves_dir, paris_games
):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pick = await open_picker(pilot, saves_dir)
        assert [e.name for e in pick.entries] == [*paris_games, "Mini group", "broken"]
        await pilot.press("space", "down", "space")  # Group A and Group B
        assert "2 ticked" in screen_text(app)
        await compare_ticked(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert [g.label for g in screen.comparison.groups] == ["Group A", "Group B"]

        chart = str(screen.query_one("#chart").render())
        table: DataTable[object] = screen.query_one(DataTable)
        headings = [str(column.label) for column in table.columns.values()]
        assert headings == ["", "Group A", "Group B"]
        for column, name in enumerate(("Group A", "Group B"), start=1):
            credibility = f"{paris_games[name].scorecard().total:.1f}"
            assert name in chart and credibility in chart
            assert str(table.get_row("credibility")[column]) == credibility
        # each dimension, each delegation against its walk-away, the stress test, the deal
        keys = {row.value for row in table.rows}
        spec = paris_games["Group A"].scenario
        assert {f"dim-{dim}" for dim in paris_games["Group A"].scorecard().dimensions} <= keys
        assert {f"role-{role.name}" for role in spec.roles.values()} <= keys
        assert {f"issue-{issue.label}" for issue in spec.issues.values()} <= keys
        assert str(table.get_row("stress")[1]).endswith("%")

        await pilot.press("w")
        assert "Why did the deals differ?" in screen_text(app)
        assert "Group A" in str(screen.query_one("#why-text").render())

        await pilot.press("escape")
        await settle(pilot)
        assert picker(app).query_one(SelectionList).selected  # the ticks are kept
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TitleScreen)


async def test_a_group_name_that_looks_like_markup_is_shown_as_written(
    make_app, saves_dir, paris_games
):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_picker(pilot, saves_dir)
        await pilot.press("a")  # every Paris game
        await compare_ticked(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        label = "[b]Group C[/b] <3"
        assert label in str(screen.query_one("#chart").render())
        assert label in str(screen.query_one("#why-text").render())
        headings = [str(column.label) for column in screen.query_one(DataTable).columns.values()]
        assert label in headings
        # a change of theme repaints the table in the new colours, the cursor where it was
        table: DataTable[object] = screen.query_one(DataTable)
        await pilot.press("down", "down", "down")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert table.cursor_row == 3 and table.row_count == len(list(table.rows))
        assert (
            str(table.get_row("credibility")[3]) == f"{screen.comparison.groups[2].credibility:.1f}"
        )


async def test_fewer_than_two_ticked_games_is_a_message_not_a_comparison(make_app, saves_dir):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_picker(pilot, saves_dir)
        await pilot.press("enter")
        await settle(pilot)
        assert any("0 ticked" in m for m in messages(app))
        await pilot.press("space", "c")
        await settle(pilot)
        assert any("1 ticked" in m for m in messages(app))
        assert all("Tick at least two games" in m for m in messages(app))
        assert isinstance(app.screen, ComparePickScreen)
        assert not app.workers  # nothing was read


async def test_a_broken_save_is_listed_with_its_error_but_cannot_be_ticked(make_app, saves_dir):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pick = await open_picker(pilot, saves_dir)
        games: SelectionList[Path] = pick.query_one(SelectionList)
        broken = games.get_option_at_index(len(pick.entries) - 1)
        assert broken.disabled
        assert "broken: broken.json: not valid JSON" in str(broken.prompt)
        await pilot.press("end", "space", "a")
        assert saves_dir / "broken.json" not in games.selected
        await pilot.press("up", "up", "space")  # the cursor never rests on the broken save
        assert saves_dir / "broken.json" not in games.selected


async def test_a_game_of_another_scenario_mixed_in_is_a_clear_message(make_app, saves_dir):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pick = await open_picker(pilot, saves_dir)
        await pilot.press("a")  # the three Paris games
        await pilot.press("down", "down", "down", "space")  # and the Mini talks game
        assert len(pick.query_one(SelectionList).selected) == 4
        await compare_ticked(pilot)
        assert app.screen is pick and not pick.comparing
        [message] = [m for m in messages(app) if "cannot be compared" in m]
        assert "different scenarios" in message
        assert '"mini"' in message and '"paris-2025"' in message
        assert str(saves_dir) not in message  # files are named within the folder
        await pilot.press("space")  # untick Mini talks: the Paris games compare
        await compare_ticked(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert len(app.screen.comparison.groups) == 3


async def compared_screen(pilot: Pilot[int], saves_dir: Path) -> CompareScreen:
    await open_picker(pilot, saves_dir)
    await pilot.press("a")
    await compare_ticked(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CompareScreen)
    return screen


async def export_as(pilot: Pilot[int], name: str) -> None:
    await pilot.press("x")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, TextDialog)
    # the name offered is selected, so typing replaces it
    assert dialog.query_one(Input).value.endswith("compare-paris-2025.html")
    await pilot.press(*name, "enter")
    await settle(pilot)


async def test_exporting_html_writes_a_page_naming_every_group(make_app, saves_dir, paris_games):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await compared_screen(pilot, saves_dir)
        await export_as(pilot, "class.html")
        page = (saves_dir / "class.html").read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>")
        for name in paris_games:
            assert html.escape(name, quote=False) in page
        assert any("Wrote" in m and "class.html" in m for m in messages(app))

        await export_as(pilot, "class.md")
        markdown = (saves_dir / "class.md").read_text(encoding="utf-8")
        assert markdown.startswith("# Comparison:") and "Group B" in markdown


async def test_an_existing_file_is_replaced_only_when_confirmed(make_app, saves_dir):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await compared_screen(pilot, saves_dir)
        target = saves_dir / "class.md"
        target.write_text("the instructor's notes")
        await export_as(pilot, "class.md")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await settle(pilot)
        assert target.read_text() == "the instructor's notes"
        await export_as(pilot, "class.md")
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert target.read_text().startswith("# Comparison:")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("class.txt", "end the file name with .html or .md"),
        ("group-0.json/class.html", "no such folder"),  # a folder that is a file
        ("nowhere/class.html", "no such folder"),  # reported, not made
        ("taken.html", "is a folder"),
    ],
    ids=["unknown-ending", "unwritable", "no-folder", "a-folder"],
)
async def test_a_failed_export_is_a_message_not_a_traceback(make_app, saves_dir, name, words):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        (saves_dir / "taken.html").mkdir()
        await compared_screen(pilot, saves_dir)
        before = sorted(p.name for p in saves_dir.iterdir())
        await export_as(pilot, name)
        assert isinstance(app.screen, CompareScreen)
        assert any("Not exported" in m and words in m for m in messages(app))
        assert sorted(p.name for p in saves_dir.iterdir()) == before


async def test_the_help_screen_lists_the_compare_keys(make_app, saves_dir):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await compared_screen(pilot, saves_dir)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for row in (
            "| `x` | Export (.html/.md) |",
            "| `w` | Why they differ |",
            "| `escape` | Back",
        ):
            assert row in text


async def test_an_empty_folder_says_so(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_picker(pilot, tmp_path / "nowhere")
        assert "No saved games" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert any("Tick at least two games" in m for m in messages(app))

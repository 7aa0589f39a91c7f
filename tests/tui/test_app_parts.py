"""Pilot tests of what every screen shares: help, theme, command palette, saves list."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from test_play import start_default_game

from negotiation.tui.app import DARK, LIGHT
from negotiation.tui.screens.help import HelpScreen
from negotiation.tui.screens.saves import SavesScreen
from negotiation.tui.screens.table import TableScreen

from conftest import screen_text, settle


async def test_help_lists_the_table_keys(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await start_default_game(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for words in ("How to play", "| `p` | Pledge |", "| `v` | Call vote |", "Amend"):
            assert words in text
        # The keys run past the box: the keyboard scrolls to them.
        from textual.containers import VerticalScroll

        box = app.screen.query_one(VerticalScroll)
        assert box.max_scroll_y > 0 and box.scroll_y == 0
        await pilot.press("end")
        await settle(pilot)
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TableScreen)


async def test_the_theme_switches_between_dark_and_light(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == DARK
        await pilot.press("ctrl+t")
        assert app.theme == LIGHT
        await pilot.press("ctrl+t")
        assert app.theme == DARK


async def test_the_command_palette_offers_the_moves_a_seat_may_make(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await start_default_game(pilot)
        table = app.screen
        assert isinstance(table, TableScreen)
        titles = [command.title for command in app.get_system_commands(table)]
        assert "Game: End turn" in titles and "Game: Pledge" in titles
        assert "Game: Call vote" not in titles  # not in round 1
        assert "Game: Threaten" not in titles  # France has no red lines to invoke
        steps = table.session.state.steps
        command = next(c for c in app.get_system_commands(table) if c.title == "Game: End turn")
        command.callback()
        await settle(pilot)
        assert table.session.state.steps > steps
        assert any(a.role == "france" and a.type == "pass" for a in table.session.state.actions)


async def test_the_saves_list_shows_games_and_refuses_broken_ones(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await start_default_game(pilot)
        await pilot.press("escape")  # menu
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # leave to the title screen
        await settle(pilot)
    broken = tmp_path / "saves" / "broken.json"
    broken.write_text('{"format": "negotiation-save", "version": 1')
    original = broken.read_bytes()
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, SavesScreen)
        rows = [e for e in app.screen.entries]
        assert any(e.error for e in rows) and any(not e.error for e in rows)
        broken_row = next(i for i, e in enumerate(rows) if e.error)
        table = app.screen.query_one("#saves")
        table.move_cursor(row=broken_row)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SavesScreen)  # still here, with a notification
        assert any("cannot be opened" in str(n.title) for n in app._notifications)
        assert broken.read_bytes() == original
        good_row = next(i for i, e in enumerate(rows) if not e.error)
        table.move_cursor(row=good_row)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TableScreen)


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40))
def test_player_text_is_shown_as_written(text: str) -> None:
    """Team names, messages and save names go into markup escaped: never read as tags."""
    from textual.markup import to_content

    from negotiation.tui.markup import escape

    for wrapped in (escape(text), f"[b]{escape(text)}[/b]", f"[$error]{escape(text)}[/]"):
        assert to_content(wrapped).plain.replace("\u200b", "") == text.replace("\u200b", "")


async def test_the_brief_scrolls_from_the_keyboard(make_app) -> None:
    """The private half of a brief is below the public one: the keys must reach it."""
    from textual.containers import VerticalScroll

    from negotiation.tui.screens.briefing import BriefingScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")  # New game
        await settle(pilot)
        await pilot.press("enter")  # Start the talks
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        scroll = app.screen.query_one("#scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0
        await pilot.press("pagedown")
        await settle(pilot)
        assert scroll.scroll_y > 0
        await pilot.press("end")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y


async def test_a_save_named_like_markup_is_listed_as_written(make_app, tmp_path) -> None:
    """A player may name a game anything: the saves list shows it, it does not crash."""
    from negotiation.engine import new_game
    from negotiation.savefile import make_save, write_save
    from negotiation.scenario import resolve_scenario

    name = "[/b] broken [red]x"
    state = new_game(resolve_scenario("paris-2025"), seed=1)
    write_save(tmp_path / "saves" / "odd.json", make_save(state, {}, name=name))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, SavesScreen)
        table = app.screen.query_one("#saves")
        assert str(table.get_row_at(0)[0]) == name  # type: ignore[attr-defined]


async def test_a_team_name_that_looks_like_markup_is_shown_as_typed(make_app):
    """Team names are typed by the facilitator: "[/]" or "[red]" is text, not markup (it
    used to end the app with a MarkupError)."""
    from textual.content import Content
    from textual.widgets import OptionList

    from negotiation.tui.screens.dialogs import TextDialog
    from negotiation.tui.screens.setup import SetupScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        seats = app.screen.query_one("#seats", OptionList)
        seats.focus()
        seats.highlighted = 0
        for name in ("Bad [/]", "[red]Reds[/red]", "[group a]"):
            await pilot.press("ctrl+e")
            await settle(pilot)
            assert isinstance(app.screen, TextDialog)
            app.screen.query_one("Input").value = f"{name}: Ann, Bob"
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, SetupScreen)
            shown = Content.from_markup(str(seats.get_option_at_index(0).prompt)).plain
            assert shown.endswith(f"{name} (Ann, Bob)")

"""Pilot tests: whole games played through the keyboard, and the hot-seat hand-off."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.pilot import Pilot

from negotiation.engine import Phase, RoleView
from negotiation.savefile import read_save
from negotiation.scenario import resolve_scenario
from negotiation.tui.app import NegotiationApp, PlaySettings
from negotiation.tui.screens.briefing import BriefingScreen, HandoffScreen
from negotiation.tui.screens.dialogs import Notice, VoteDialog
from negotiation.tui.screens.end import EndScreen
from negotiation.tui.screens.table import TableScreen
from negotiation.tui.session import default_seats

from conftest import screen_text, settle


async def start_default_game(pilot: Pilot[int]) -> None:
    """Title → New game → Start (the defaults) → through the briefing to the table."""
    await pilot.press("enter")  # New game
    await settle(pilot)
    await pilot.press("enter")  # Start the talks
    await settle(pilot)
    assert isinstance(pilot.app.screen, BriefingScreen)
    await pilot.press("enter")
    await settle(pilot)


async def past_the_notices(pilot: Pilot[int]) -> None:
    """Enter through whatever notices stand before the table (events, the vote's result)."""
    while not isinstance(pilot.app.screen, TableScreen):
        await pilot.press("enter")
        await settle(pilot)


async def play_to_end(pilot: Pilot[int], moves: list[str], limit: int = 3000) -> list[str]:
    """Answer every dialog and make the given moves (then pass) until the end screen.

    Returns the names of the screens seen, in order of first appearance.
    """
    app = pilot.app
    seen: list[str] = []
    for _ in range(limit):
        screen = app.screen
        name = type(screen).__name__
        if name not in seen:
            seen.append(name)
        if isinstance(screen, EndScreen):
            return seen
        if isinstance(screen, Notice | HandoffScreen | BriefingScreen):
            await pilot.press("enter")
        elif isinstance(screen, VoteDialog):
            await pilot.press("a")
        elif isinstance(screen, TableScreen) and screen.my_turn and not screen.busy:
            keys = moves.pop(0).split() if moves else ["e"]
            await pilot.press(*keys)
        await settle(pilot)
    raise AssertionError(f"the game did not end; screens seen: {seen}")


async def test_a_full_game_as_france_against_five_bots(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await start_default_game(pilot)
        table = app.screen
        assert isinstance(table, TableScreen)
        assert table.viewer == "france"
        assert "your move, France" in screen_text(app)
        moves = [
            "right enter",  # amend the first issue
            "p right right enter",  # pledge two units of the first kind
            "v y",  # call a vote (round 3) and confirm
        ]
        seen = await play_to_end(pilot, moves)
        assert "TableScreen" in seen and "EndScreen" in seen
        session = app.screen.session  # type: ignore[attr-defined]
        assert session.state.over
        text = screen_text(app)
        assert "France: satisfaction" in text
        # The autosave replays headless to the same game.
        save_path = session.save_path
        assert save_path is not None and save_path.parent == tmp_path / "saves"
        save, replayed = read_save(save_path)
        assert replayed.fingerprint() == session.state.fingerprint()
        assert replayed.status == session.state.status
        assert save.seats["france"] == "human"
        amended = [a for a in replayed.actions if a.role == "france" and a.type == "amend"]
        pledged = [a for a in replayed.actions if a.role == "france" and a.type == "pledge"]
        assert amended and pledged


async def test_hot_seat_hand_off_hides_the_other_roles_secrets(make_app):
    scenario = resolve_scenario("paris-2025")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")  # New game
        await settle(pilot)
        # Make Germany human too: seats list, down to Germany, Enter cycles bot -> human.
        await pilot.click("#seats")
        await pilot.press("home", "down", "down")
        for _ in range(6):  # Enter cycles the seat through human and each bot strategy
            if app.screen.seats["germany"] == "human":  # type: ignore[attr-defined]
                break
            await pilot.press("enter")
            await settle(pilot)
        assert app.screen.seats["germany"] == "human"  # type: ignore[attr-defined]
        await pilot.click("#start")
        await settle(pilot)

        # France reads its brief; then the keyboard goes to Germany through a blank hand-off.
        assert isinstance(app.screen, BriefingScreen)
        assert scenario.roles["france"].private_brief[15:75] in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HandoffScreen)
        handoff = screen_text(app)
        assert "Pass the keyboard to Germany" in handoff
        for role in ("france", "germany"):
            assert scenario.roles[role].private_brief[15:75] not in handoff
        assert "walk-away" not in handoff.lower() and "satisfaction" not in handoff.lower()

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        brief = screen_text(app)
        assert scenario.roles["germany"].private_brief[15:75] in brief
        assert scenario.roles["france"].private_brief[15:75] not in brief
        await pilot.press("enter")
        await settle(pilot)

        # France moves first, so Germany must hand the keyboard back before the table shows.
        assert isinstance(app.screen, HandoffScreen)
        assert "Pass the keyboard to France" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen
        assert isinstance(table, TableScreen) and table.viewer == "france"
        state = table.session.state
        french = RoleView(state, "france").satisfaction()
        german = RoleView(state, "germany").satisfaction()
        text = screen_text(app)
        assert f"{french.value:5.1f}  walk-away {french.walk_away:.0f}" in text
        assert (
            f"walk-away {german.walk_away:.0f}" not in text or german.walk_away == french.walk_away
        )

        # France passes; the UK bot moves; then Germany gets the keyboard, via a hand-off.
        await pilot.press("e")
        for _ in range(20):
            await settle(pilot)
            if isinstance(app.screen, HandoffScreen):
                break
            if isinstance(app.screen, Notice):
                await pilot.press("enter")
        assert isinstance(app.screen, HandoffScreen)
        assert "Germany" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        while isinstance(app.screen, Notice):
            await pilot.press("enter")
            await settle(pilot)
        assert isinstance(app.screen, TableScreen) and app.screen.viewer == "germany"
        text = screen_text(app)
        assert "your move, Germany" in text
        assert f"{german.walk_away:.0f}" in text

        seen = await play_to_end(pilot, [])
        assert "EndScreen" in seen
        end = screen_text(app)
        assert "France: satisfaction" in end and "Germany: satisfaction" in end


async def test_play_command_settings_start_at_the_table(make_app):
    scenario = resolve_scenario("paris-2025")
    seats = default_seats(scenario, "uk")
    app = make_app(play=PlaySettings(scenario, seats, seed=3, rounds=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("enter")
        for _ in range(40):
            await settle(pilot)
            if isinstance(app.screen, TableScreen) and app.screen.my_turn:
                break
            if isinstance(app.screen, Notice):
                await pilot.press("enter")
        table = app.screen
        assert isinstance(table, TableScreen)
        assert table.viewer == "uk" and table.session.state.max_rounds == 2
        assert table.session.state.seed == 3


async def test_continue_resumes_the_last_game_exactly(make_app):
    first = make_app()
    async with first.run_test(size=(100, 30)) as pilot:
        await start_default_game(pilot)
        await pilot.press("right", "enter")  # France amends, bots reply
        await settle(pilot)
        while not (isinstance(first.screen, TableScreen) and first.screen.my_turn):
            if isinstance(first.screen, Notice | VoteDialog):
                await pilot.press("enter" if isinstance(first.screen, Notice) else "a")
            await settle(pilot)
        before = first.screen.session.state  # type: ignore[attr-defined]
    second = make_app()
    async with second.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")  # Continue
        await settle(pilot)
        table = second.screen
        assert isinstance(table, TableScreen)
        assert table.session.state.fingerprint() == before.fingerprint()
        assert table.viewer == "france"


async def test_an_illegal_move_is_a_notification_not_a_crash(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await start_default_game(pilot)
        table = app.screen
        assert isinstance(table, TableScreen)
        # The option already on the table: amending to it is refused politely.
        grid = table.query_one("#grid")
        issue = grid.cursor_issue  # type: ignore[attr-defined]
        grid.move_to(issue, table.session.state.package[issue])  # type: ignore[attr-defined]
        steps = table.session.state.steps
        await pilot.press("enter")
        await settle(pilot)
        assert table.session.state.steps == steps
        assert any("already on the table" in str(n.message) for n in app._notifications)
        # Calling a vote in round 1 is not offered at all.
        assert table.session.state.round == 1 and not table.can("call_vote")
        await pilot.press("v")
        await settle(pilot)
        assert table.session.state.phase is Phase.DIPLOMACY


TABLE_KEYS = [
    "up", "down", "left", "right", "enter", "home", "end", "tab", "escape",
    "p", "n", "s", "o", "v", "m", "t", "e", "w", "b", "l", "r", "g", "i",
    "a", "y", "question_mark", "f1", "ctrl+t", "space", "minus", "plus",
]  # fmt: skip


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(keys=st.lists(st.sampled_from(TABLE_KEYS), min_size=1, max_size=25))
def test_no_key_sequence_on_the_table_raises(tmp_path_factory, keys):
    saves = tmp_path_factory.mktemp("saves")

    async def run() -> None:
        app = NegotiationApp(saves, bot_delay=0.0)
        async with app.run_test(size=(80, 24)) as pilot:
            await start_default_game(pilot)
            for key in keys:
                if not app.is_running:  # e.g. Esc, then "Quit" on the menu: a choice, not a crash
                    break
                await pilot.press(key)
                await pilot.pause()
            await settle(pilot)
        # run_test re-raises any exception the app died of; a chosen quit returns 0.
        assert app.return_code in (None, 0)

    asyncio.run(run())


async def test_the_other_side_votes_and_vetoes_at_the_security_council(make_app, tmp_path):
    """Gammaland (human, outside the coalition) is asked to vote, then to veto or abstain."""
    from pathlib import Path

    from negotiation.engine import Amend, CallVote, Vote, apply, new_game
    from negotiation.rules import Ruleset
    from negotiation.savefile import make_save, write_save
    from negotiation.scenario import load_scenario

    mini = load_scenario(Path(__file__).parent.parent / "data" / "mini.toml")
    state = new_game(Ruleset(mini), seed=2)
    for action in (
        Amend(role="alpha", issue="mandate", option="unsc"),
        CallVote(role="beta"),
        Vote(role="alpha", accept=True),
        Vote(role="beta", accept=True),
    ):
        state = apply(state, action)
    path = tmp_path / "saves" / "mini.json"
    write_save(
        path, make_save(state, {"alpha": "bot:baseline", "beta": "bot:baseline", "gamma": "human"})
    )

    app = make_app(resume=path)
    async with app.run_test(size=(100, 30)) as pilot:
        titles: list[str] = []
        for _ in range(30):
            await settle(pilot)
            screen = app.screen
            if isinstance(screen, VoteDialog):
                titles.append(screen.title_text)
                await pilot.press("a" if screen.title_text == "Vote on the deal" else "r")
            elif isinstance(screen, Notice):
                titles.append(screen.title_text)
                if screen.title_text == "Security Council":
                    break
                await pilot.press("enter")
        assert titles.index("Vote on the deal") < titles.index("Security Council")
        table = next(s for s in app.screen_stack if isinstance(s, TableScreen))
        assert table.session.state.vetoed
        assert table.session.state.unsc_vetoes[0] == "gamma"
        assert "veto" in screen_text(app).lower()


async def test_the_log_wraps_to_its_width_whatever_tab_was_open_and_after_a_resize(make_app):
    """Lines written while another tab is shown used to come out one letter to a row, and
    lines written before a resize kept their old breaks."""
    from negotiation.tui.widgets.log import WrappingLog

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await start_default_game(pilot)
        await past_the_notices(pilot)
        table = app.screen
        await pilot.press("r")  # the Rules tab, while the round is played
        await settle(pilot)
        await pilot.press("e")  # end the turn: the bots move, the log grows
        await settle(pilot)
        await past_the_notices(pilot)
        await pilot.press("l")
        await settle(pilot)
        log = table.query_one("#log-text", WrappingLog)
        assert len(log.texts) > 5
        widths = [line.cell_length for line in log.lines]
        width = log.scrollable_content_region.width
        assert not [line for line in log.lines if len(line.text.strip()) == 1]  # a letter a row
        assert max(widths) <= width
        await pilot.resize_terminal(80, 30)
        await settle(pilot)
        narrower = log.scrollable_content_region.width
        assert narrower < width
        assert max(line.cell_length for line in log.lines) <= narrower
        assert len(log.lines) > len(widths)  # the same lines, broken again


async def test_the_new_package_dialog_opens_ready_for_the_keyboard(make_app):
    """Enter and the arrows used to do nothing in it until Tab was pressed."""
    from textual.widgets import Select

    from negotiation.tui.screens.dialogs import ProposeDialog

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await start_default_game(pilot)
        await past_the_notices(pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ProposeDialog)
        assert isinstance(app.focused, Select)
        first = app.focused
        await pilot.press("enter", "down", "enter")  # open it, take the next option
        await settle(pilot)
        assert first.value != dialog.view.package[next(iter(dialog.view.issues))]

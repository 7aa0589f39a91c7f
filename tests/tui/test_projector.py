"""The projector view follows the save: the table with the timer and the teams, private
information only when the facilitator reveals it (and the facilitator's notes never), and the
class debrief page by page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Digits, Static

from negotiation.classroom import Classroom, RoundTimer, Team
from negotiation.engine import (
    FACILITATOR,
    Amend,
    Annotate,
    CustomInject,
    GameState,
    InjectAction,
    Message,
    apply,
    new_game,
    outcome,
)
from negotiation.report import debrief as debrief_module
from negotiation.rules import Ruleset
from negotiation.savefile import SaveFile, make_save, write_save
from negotiation.scenario import load_scenario
from negotiation.tui.app import NegotiationApp
from negotiation.tui.screens import projector as projector_module
from negotiation.tui.screens.projector import ProjectorScreen

from conftest import screen_text, settle

MINI = Path(__file__).parent.parent / "data" / "mini.toml"
NOW = 1_800_000_000.0
"""The projector's clock in these tests (UNIX seconds)."""

QUESTIONS = [
    "Did Alphaland get the strong force it wanted, and at what price?",
    "Why did Betaland pay for a force it did not want?",
    "What would another round have changed?",
]
TEAMS = {
    "alpha": Team(name="Les Bleus", members=("Ana", "Ben")),
    "beta": Team(name="Team B"),
}
PRIVATE_MESSAGE = "Our secret offer: we fold on funding"
PRIVATE_EVENT = "Only Alphaland hears of it"
NOTE = "Alphaland looks nervous after the leak"
WRITTEN_EVENT = "Fog grounds the border patrols"


def classroom_game() -> GameState:
    """A Mini game with a private message, a private event, a facilitator's note, a move by
    a team, and a public event the facilitator wrote on the spot (the latest event)."""
    scenario = load_scenario(MINI).model_copy(update={"discussion": QUESTIONS})
    state = new_game(Ruleset(scenario), seed=1)
    for action in (
        Message(role="alpha", to="beta", text=PRIVATE_MESSAGE),
        InjectAction(role=FACILITATOR, inject="secret"),
        Annotate(role=FACILITATOR, text=NOTE),
        Amend(role="alpha", issue="posture", option="heavy"),
        CustomInject(role=FACILITATOR, title="Fog at the border", text=WRITTEN_EVENT),
    ):
        state = apply(state, action)
    return state


def save_of(state: GameState, **classroom: object) -> SaveFile:
    room = Classroom(facilitator=True, teams=TEAMS).model_copy(update=classroom)
    save = make_save(state, {r: "human" for r in state.scenario.roles}, name="Group A")
    return save.model_copy(update={"classroom": Classroom.model_validate(room.model_dump())})


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """The projector's clock reads NOW; call the fixture's value to move it."""
    now = [NOW]
    monkeypatch.setattr(ProjectorScreen, "now", lambda self: now[0])

    def move(seconds: float) -> None:
        now[0] += seconds

    return move


async def open_projector(pilot: Pilot[int]) -> ProjectorScreen:
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ProjectorScreen)
    return screen


async def rewrite(pilot: Pilot[int], path: Path, save: SaveFile) -> ProjectorScreen:
    """The facilitator's console writes the save; the projector's next poll reads it."""
    write_save(path, save)
    screen = pilot.app.screen
    assert isinstance(screen, ProjectorScreen)
    screen.poll()
    return await open_projector(pilot)


def headline(app: NegotiationApp) -> str:
    return str(app.screen.query_one("#headline", Static).render())


# --- the table ---------------------------------------------------------------------------------


async def test_the_projector_shows_the_deal_of_the_save_and_follows_it(make_app, tmp_path):
    state = classroom_game()
    path = tmp_path / "class.json"
    write_save(path, save_of(state))

    app = make_app(projector=path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_projector(pilot)
        text = screen_text(app)
        spec = state.scenario
        for issue_id, issue in spec.issues.items():
            assert f"{issue.label}" in text
            assert issue.options[state.package[issue_id]].label in text
        assert "Heavy" in text and "Mini talks" in text
        digits = screen.query_one("#credibility", Digits)
        assert digits.value == f"{state.scorecard().total:.1f}"
        assert not screen.query_one("#timer").display  # no timer set

        # The facilitator's game moves on: the projector follows the autosave.
        state = apply(state, Amend(role="beta", issue="funding", option="long"))
        await rewrite(pilot, path, save_of(state))
        assert "Five years" in screen_text(app)

        # A save caught half-written does not blank the screen.
        path.write_text("{")
        screen.poll()
        await settle(pilot)
        assert "Five years" in screen_text(app)


async def test_with_reveal_off_nothing_private_reaches_the_projector(make_app, tmp_path):
    path = tmp_path / "class.json"
    write_save(path, save_of(classroom_game()))
    app = make_app(projector=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_projector(pilot)
        text = screen_text(app)
        assert PRIVATE_MESSAGE not in text
        assert PRIVATE_EVENT not in text and "A secret report" not in text
        assert NOTE not in text and "note" not in text.lower()
        assert "satisfaction" not in text.lower() and "walk-away" not in text.lower()
        assert "PRIVATE" not in text
        # An event the facilitator wrote on the spot is an event like any other.
        assert "LATEST EVENT: Fog at the border" in text and WRITTEN_EVENT in text
        # The teams: who plays whom, and whose move each log line is.
        assert "Alphaland — Les Bleus (Ana, Ben)" in text
        assert "Betaland — Team B" in text
        assert "Les Bleus · Alphaland amends" in text


async def test_with_reveal_on_private_information_shows_marked_but_notes_never(make_app, tmp_path):
    state = classroom_game()
    path = tmp_path / "class.json"
    write_save(path, save_of(state, reveal=True))
    app = make_app(projector=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_projector(pilot)
        text = screen_text(app)
        assert PRIVATE_MESSAGE in text and PRIVATE_EVENT in text
        assert "PRIVATE (seen by Alphaland, Betaland) Les Bleus · Alphaland to Betaland" in text
        assert "PRIVATE (seen by Alphaland) EVENT — A secret report" in text
        assert "SATISFACTION AGAINST WALK-AWAY" in text
        result = outcome(state)
        for role_id, role in state.scenario.roles.items():
            sat, walk = result.satisfactions[role_id], result.walk_aways[role_id]
            assert f"{sat:5.1f} / {walk:.0f}" in text, role.name
        assert "Alphaland · Les Bleus" in text
        assert NOTE not in text


async def test_the_timer_counts_down_from_the_wall_clock(make_app, tmp_path, fixed_clock):
    path = tmp_path / "class.json"
    running = RoundTimer.set(300).start(NOW - 50)
    write_save(path, save_of(classroom_game(), timer=running))
    app = make_app(projector=path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_projector(pilot)
        box = screen.query_one("#timer")
        clock = screen.query_one("#clock", Digits)
        label = screen.query_one("#timer-label", Static)
        assert box.display
        assert clock.value == "04:10" and str(label.render()) == "TIME LEFT"
        assert not box.has_class("paused") and not box.has_class("expired")

        fixed_clock(10)
        screen.tick()
        assert clock.value == "04:00"

        fixed_clock(200)  # the last minute
        screen.tick()
        assert clock.value == "00:40" and box.has_class("ending")

        fixed_clock(41)
        screen.tick()
        await settle(pilot)
        assert clock.value == "00:00" and str(label.render()) == "TIME"
        assert box.has_class("expired")
        assert "TIME" in screen_text(app)


async def test_a_paused_timer_says_so(make_app, tmp_path, fixed_clock):
    path = tmp_path / "class.json"
    write_save(path, save_of(classroom_game(), timer=RoundTimer.set(90)))
    app = make_app(projector=path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_projector(pilot)
        fixed_clock(600)  # time passes; a paused timer does not move
        screen.tick()
        assert screen.query_one("#clock", Digits).value == "01:30"
        assert str(screen.query_one("#timer-label", Static).render()) == "PAUSED"
        assert screen.query_one("#timer").has_class("paused")
        assert "PAUSED" in screen_text(app)


async def test_an_expired_timer_shows_time(make_app, tmp_path, fixed_clock):
    path = tmp_path / "class.json"
    write_save(path, save_of(classroom_game(), timer=RoundTimer.set(60).start(NOW - 61)))
    app = make_app(projector=path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_projector(pilot)
        assert str(screen.query_one("#timer-label", Static).render()) == "TIME"
        assert screen.query_one("#clock", Digits).value == "00:00"
        assert screen.query_one("#timer").has_class("expired")


# --- following the facilitator -----------------------------------------------------------------


async def test_new_classroom_settings_are_picked_up_on_the_next_poll(
    make_app, tmp_path, fixed_clock
):
    state = classroom_game()
    path = tmp_path / "class.json"
    write_save(path, save_of(state))
    app = make_app(projector=path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_projector(pilot)
        assert not screen.query_one("#timer").display
        assert PRIVATE_MESSAGE not in screen_text(app)

        screen = await rewrite(pilot, path, save_of(state, timer=RoundTimer.set(120)))
        assert screen.query_one("#timer").display
        assert screen.query_one("#clock", Digits).value == "02:00"

        started = RoundTimer.set(120).start(NOW)
        screen = await rewrite(pilot, path, save_of(state, timer=started, reveal=True))
        assert str(screen.query_one("#timer-label", Static).render()) == "TIME LEFT"
        assert PRIVATE_MESSAGE in screen_text(app)

        screen = await rewrite(pilot, path, save_of(state, projector="debrief"))
        assert headline(app).startswith("Debrief — page 1 of 5: How it ended")
        assert not screen.query_one("#timer").display

        await rewrite(pilot, path, save_of(state))
        assert "THE DEAL ON THE TABLE" in screen_text(app)


# --- the class debrief -------------------------------------------------------------------------


async def test_the_class_debrief_goes_page_by_page(make_app, tmp_path, monkeypatch):
    worked_out: list[int] = []

    def counting(*args: object, **kwargs: object) -> debrief_module.Debrief:
        worked_out.append(1)
        return debrief_module.debrief_of(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(projector_module, "debrief_of", counting)
    state = classroom_game()
    path = tmp_path / "class.json"
    write_save(path, save_of(state, projector="debrief"))
    app = make_app(projector=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_projector(pilot)
        # The overview: how it ended, against the analysis.
        assert headline(app).startswith("Debrief — page 1 of 5: How it ended")
        text = screen_text(app)
        assert "CREDIBILITY" in text and "AGAINST THE ANALYSIS" in text
        assert "THE DEAL ON THE TABLE" not in text

        # A role's page: its team, its standing, what concerns it.
        await rewrite(pilot, path, save_of(state, projector="debrief", debrief_page=1))
        assert headline(app).startswith("Debrief — page 2 of 5: Alphaland — Les Bleus")
        text = screen_text(app)
        assert "Played by Les Bleus (Ana, Ben)" in text
        assert "Satisfaction" in text and "walk-away" in text
        assert "RED LINES" in text and "A light, short mission is no mission." in text
        assert QUESTIONS[0] in text and QUESTIONS[1] not in text

        # The questions, last; a page past the end shows the last page.
        for page in (4, 40):
            await rewrite(pilot, path, save_of(state, projector="debrief", debrief_page=page))
            assert headline(app).startswith("Debrief — page 5 of 5: Questions for discussion")
            text = screen_text(app)
            assert all(q in text for q in QUESTIONS)

        # Neither a message nor a note on any page.
        for page in range(5):
            await rewrite(pilot, path, save_of(state, projector="debrief", debrief_page=page))
            text = screen_text(app)
            assert NOTE not in text and PRIVATE_MESSAGE not in text

        # The analysis ran once for this position, however often the page turned.
        assert len(worked_out) == 1

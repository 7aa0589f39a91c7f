"""The projector view shows the public table and follows the save; never private information."""

from __future__ import annotations

from pathlib import Path

from negotiation.engine import Amend, InjectAction, Message, apply, new_game
from negotiation.rules import Ruleset
from negotiation.savefile import make_save, write_save
from negotiation.scenario import load_scenario
from negotiation.tui.screens.projector import ProjectorScreen

from conftest import screen_text, settle

MINI = Path(__file__).parent.parent / "data" / "mini.toml"


async def test_the_projector_shows_the_public_table_and_follows_the_save(make_app, tmp_path):
    rules = Ruleset(load_scenario(MINI))
    state = new_game(rules, seed=1)
    for action in (
        Message(role="alpha", to="beta", text="Our secret offer: we fold on funding"),
        InjectAction(role="facilitator", inject="secret"),
        Amend(role="alpha", issue="posture", option="heavy"),
    ):
        state = apply(state, action)
    path = tmp_path / "class.json"
    write_save(path, make_save(state, {}))

    app = make_app(projector=path)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProjectorScreen)
        text = screen_text(app)
        assert "Heavy" in text and "Mini talks" in text
        assert "secret offer" not in text  # a private message
        assert "Only Alphaland hears of it" not in text  # a private event
        assert "A secret report" not in text
        assert "satisfaction" not in text.lower() and "walk-away" not in text.lower()

        # The facilitator's game moves on: the projector follows the autosave.
        state = apply(state, Amend(role="beta", issue="funding", option="long"))
        write_save(path, make_save(state, {}))
        screen.seen = None  # as if the clock ticked after the file changed
        screen.poll()
        await settle(pilot)
        assert "Five years" in screen_text(app)

        # A save caught half-written does not blank the screen.
        path.write_text("{")
        screen.seen = None
        screen.poll()
        await settle(pilot)
        assert "Five years" in screen_text(app)
